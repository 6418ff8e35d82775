"""Receipt codes, their keyed hashes and tracking numbers."""

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import BadRequest
from app.reports import receipts
from app.reports.receipts import (
    format_receipt,
    hash_receipt,
    new_receipt_code,
    new_tracking_no,
    normalize_receipt,
    normalize_tracking_no,
    receipt_hashes,
)

PEPPER = b"p" * 32


def test_new_receipt_code_is_16_decimal_digits_and_random():
    codes = {new_receipt_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(re.fullmatch(r"\d{16}", c) for c in codes)


def test_receipt_code_may_start_with_zero(monkeypatch):
    monkeypatch.setattr(receipts.secrets, "randbelow", lambda n: 42)
    assert new_receipt_code() == "0000000000000042"
    assert format_receipt("0000000000000042") == "0000 0000 0000 0042"


def test_format_groups_in_fours():
    assert format_receipt("1234567890123456") == "1234 5678 9012 3456"
    with pytest.raises(ValueError):
        format_receipt("12345")


@pytest.mark.parametrize("typed", [
    "1234 5678 9012 3456", "1234-5678-9012-3456", " 1234567890123456 ", "１２３４ ５６７８ ９０１２ ３４５６",
    "1234—5678—9012—3456", "1234\u30005678\u30009012\u30003456",
])
def test_normalize_accepts_what_people_type(typed):
    assert normalize_receipt(typed) == "1234567890123456"


@pytest.mark.parametrize("typed", ["", "123456789012345", "12345678901234567", "1234 5678 9012 345a", None, 1234,
                                   "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦", "1" * 100])
def test_normalize_refuses_anything_else(typed):
    assert normalize_receipt(typed) is None


@given(st.integers(min_value=0, max_value=10**16 - 1))
def test_format_then_normalize_round_trips(n):
    code = f"{n:016d}"
    assert normalize_receipt(format_receipt(code)) == code


def test_hash_is_keyed_hex_and_ignores_formatting():
    h = hash_receipt("1234 5678 9012 3456", PEPPER)
    assert re.fullmatch(r"[0-9a-f]{64}", h)
    assert h == hash_receipt("1234-5678-9012-3456", PEPPER)
    assert h != hash_receipt("1234567890123456", b"q" * 32)
    assert h != hash_receipt("1234567890123457", PEPPER)


def test_hash_is_not_a_plain_sha256():
    import hashlib

    assert hash_receipt("1234567890123456", PEPPER) != hashlib.sha256(b"1234567890123456").hexdigest()


def test_hash_refuses_short_peppers_and_bad_codes():
    with pytest.raises(ValueError):
        hash_receipt("1234567890123456", b"short")
    with pytest.raises(ValueError):
        hash_receipt("1234567890123456", "p" * 32)
    with pytest.raises(BadRequest) as info:
        hash_receipt("12", PEPPER)
    assert info.value.message == "回执码应为 16 位数字"


def test_receipt_hashes_for_pepper_rotation():
    new, old = b"n" * 32, b"o" * 32
    assert receipt_hashes("1234567890123456", [new, old]) == [
        hash_receipt("1234567890123456", new), hash_receipt("1234567890123456", old)]


def test_tracking_number_uses_the_china_date():
    late_utc = datetime(2026, 11, 21, 17, 30, tzinfo=UTC)  # 01:30 on 22 November in Beijing
    assert new_tracking_no(late_utc, "7F3K9Q") == "JB20261122-7F3K9Q"
    cst = timezone(timedelta(hours=8))
    assert new_tracking_no(datetime(2026, 11, 22, 0, 5, tzinfo=cst), "7F3K9Q").startswith("JB20261122-")


def test_random_tracking_numbers_have_the_format_and_no_ambiguous_characters():
    nos = {new_tracking_no(datetime(2026, 1, 5, tzinfo=UTC)) for _ in range(300)}
    assert len(nos) == 300
    for no in nos:
        assert re.fullmatch(r"JB20260105-[0-9A-HJKMNP-TV-Z]{6}", no)
        assert len(no) <= 24  # Report.tracking_no is String(24)


def test_tracking_number_checks_its_arguments():
    now = datetime(2026, 1, 5, tzinfo=UTC)
    with pytest.raises(ValueError):
        new_tracking_no(now, "ILOU12")
    with pytest.raises(ValueError):
        new_tracking_no(now, "ABC")
    with pytest.raises(ValueError):
        new_tracking_no(now, "ABCDEF", prefix="jb")
    assert new_tracking_no(now, "ABCDEF", prefix="JY") == "JY20260105-ABCDEF"


@pytest.mark.parametrize("typed", ["JB20261122-7F3K9Q", "jb20261122-7f3k9q", "JB 20261122 7F3K9Q", "JB20261122—7F3K9Q"])
def test_normalize_tracking_number(typed):
    assert normalize_tracking_no(typed) == "JB20261122-7F3K9Q"


def test_normalize_tracking_number_forgives_confusable_letters():
    assert normalize_tracking_no("JB20261122-O1LI9Q") == "JB20261122-01119Q"
    assert normalize_tracking_no("JB20261122-UUUUUU") is None
    assert normalize_tracking_no("JB2026112-7F3K9Q") is None
    assert normalize_tracking_no(None) is None
