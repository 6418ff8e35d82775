"""Canonical JSON and the SHA-256 hash chain of a village's ledger.

canonical_json: keys sorted (by code point), no whitespace, UTF-8 without escaping non-ASCII, integers only
(floats, NaN and non-string keys are refused so that every implementation produces the same bytes).

A ledger entry's hash is SHA-256 (lower-case hex) over canonical_json(document), where `document` is the entry's
payload with "prev_hash" added (null for a village's first entry). The payloads are built by
app.disclosures.ledger and described field by field in docs/disclosure-content.md; the public API serves each
entry's document at GET /api/v1/villages/{code}/ledger/{seq}, so anyone can recompute the chain.
"""

import hashlib
import json

SCHEMA = "mss-disclosure-ledger/1"


def _check(value, path="$"):
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return
    if isinstance(value, float):
        raise TypeError(f"floats are not allowed in canonical JSON ({path})")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"object keys must be strings ({path})")
            _check(item, f"{path}.{key}")
        return
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]")
        return
    raise TypeError(f"{type(value).__name__} is not allowed in canonical JSON ({path})")


def canonical_json(obj):
    """The canonical UTF-8 bytes of a JSON value (sorted keys, no whitespace, no floats)."""
    _check(obj)
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def sha256_hex(data):
    """Lower-case hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def entry_document(payload, prev_hash):
    """The exact JSON object that is hashed: the payload plus the previous entry's hash."""
    if "prev_hash" in payload:
        raise ValueError("payload must not carry prev_hash")
    return {**payload, "prev_hash": prev_hash}


def version_hash(payload, prev_hash):
    """SHA-256 hex of canonical_json(payload + {"prev_hash": prev_hash})."""
    return sha256_hex(canonical_json(entry_document(payload, prev_hash)))


def verify_chain(documents_and_hashes):
    """Walk [(seq, document, stored_hash)] in order; return None if intact, else (seq, reason) of the first break.

    reasons: "seq_gap" (a missing or repeated sequence number), "prev_hash_mismatch" (the document does not name
    the previous entry's stored hash), "hash_mismatch" (the document no longer hashes to the stored hash).
    """
    previous = None
    expected_seq = 1
    for seq, document, stored in documents_and_hashes:
        if seq != expected_seq:
            return seq, "seq_gap"
        if document.get("prev_hash") != previous:
            return seq, "prev_hash_mismatch"
        if sha256_hex(canonical_json(document)) != stored:
            return seq, "hash_mismatch"
        previous = stored
        expected_seq += 1
    return None
