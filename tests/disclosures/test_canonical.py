"""Canonical JSON and chain hashing."""

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.disclosures.canonical import canonical_json, entry_document, verify_chain, version_hash

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2 ** 53), max_value=2 ** 53) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


def test_canonical_form_is_sorted_compact_utf8():
    assert canonical_json({"b": 1, "a": ["张", True, None]}) == '{"a":["张",true,null],"b":1}'.encode()


@pytest.mark.parametrize("value", [1.5, {"a": 1.0}, [float("nan")], {1: "x"}, {"a": {1, 2}}, b"raw"])
def test_floats_and_ambiguous_values_are_refused(value):
    with pytest.raises(TypeError):
        canonical_json(value)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(max_size=8), JSON, max_size=6))
def test_hash_is_stable_under_key_order(obj):
    shuffled = dict(reversed(list(obj.items())))
    assert canonical_json(obj) == canonical_json(shuffled)
    assert version_hash(obj, None) == version_hash(shuffled, None)


def test_version_hash_is_sha256_of_the_document():
    payload = {"title": "龙井村", "version": 1}
    expected = hashlib.sha256('{"prev_hash":"ab","title":"龙井村","version":1}'.encode()).hexdigest()
    assert version_hash(payload, "ab") == expected
    assert version_hash(payload, "ab") != version_hash(payload, "ac")
    with pytest.raises(ValueError):
        entry_document({"prev_hash": "x"}, None)


def _chain(payloads):
    previous, rows = None, []
    for seq, payload in enumerate(payloads, start=1):
        document = entry_document({**payload, "seq": seq}, previous)
        previous = version_hash({**payload, "seq": seq}, previous)
        rows.append((seq, document, previous))
    return rows


def test_verify_chain_names_the_first_break():
    rows = _chain([{"n": 1}, {"n": 2}, {"n": 3}])
    assert verify_chain(rows) is None
    tampered = [rows[0], (2, {**rows[1][1], "n": 20}, rows[1][2]), rows[2]]
    assert verify_chain(tampered) == (2, "hash_mismatch")
    assert verify_chain([rows[0], rows[2]]) == (3, "seq_gap")
    relinked = [rows[0], (2, {**rows[1][1], "prev_hash": "0" * 64}, rows[1][2])]
    assert verify_chain(relinked) == (2, "prev_hash_mismatch")
