"""Receipt codes (the anonymous reporter's only key to a report) and public tracking numbers.

A receipt code is 16 random decimal digits shown once, as `1234 5678 9012 3456`; only its keyed hash
(HMAC-SHA256 with a server-side pepper) is stored. A tracking number such as `JB20261122-7F3K9Q` names a report
in conversations and on screens; it is not a secret and carries only the day of receipt and random characters.
The guessing maths are in docs/intake-and-triage-rules.md.
"""

import hashlib
import hmac
import re
import secrets
import unicodedata
from datetime import datetime

from app.core.timeutil import to_cst
from app.errors import BadRequest

RECEIPT_DIGITS = 16
RECEIPT_SPACE = 10**RECEIPT_DIGITS
MIN_PEPPER_BYTES = 16
TRACKING_PREFIX = "JB"
TRACKING_TOKEN_LEN = 6
# Crockford base32: digits and capitals without I, L, O, U; on input O reads as 0 and I/L as 1
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CROCKFORD_INPUT = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_‐‑‒–—―－·.]+")
_TRACKING = re.compile(rf"([A-Z]{{1,4}})(\d{{8}})([0-9A-Z]{{{TRACKING_TOKEN_LEN}}})")


def new_receipt_code() -> str:
    """Return a fresh receipt code: 16 decimal digits from `secrets` (may start with 0)."""
    return f"{secrets.randbelow(RECEIPT_SPACE):0{RECEIPT_DIGITS}d}"


def format_receipt(code: str) -> str:
    """Group a receipt code in fours for display: `1234 5678 9012 3456`."""
    digits = normalize_receipt(code)
    if digits is None:
        raise ValueError("not a receipt code")
    return " ".join(digits[i:i + 4] for i in range(0, RECEIPT_DIGITS, 4))


def normalize_receipt(s: object) -> str | None:
    """Return the 16 digits of a typed receipt code (spaces, dashes, full-width digits allowed) or None."""
    if not isinstance(s, str) or len(s) > 64:
        return None
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", s))
    if len(digits) != RECEIPT_DIGITS or not digits.isascii() or not digits.isdigit():
        return None
    return digits


def hash_receipt(code: str, pepper: bytes) -> str:
    """Return the stored form of a receipt code: hex HMAC-SHA256 keyed with the server-side pepper."""
    if not isinstance(pepper, bytes) or len(pepper) < MIN_PEPPER_BYTES:
        raise ValueError(f"the receipt pepper must be at least {MIN_PEPPER_BYTES} bytes")
    digits = normalize_receipt(code)
    if digits is None:
        raise BadRequest("回执码应为 16 位数字", code="invalid_receipt")
    return hmac.new(pepper, b"mss-receipt-v1:" + digits.encode("ascii"), hashlib.sha256).hexdigest()


def receipt_hashes(code: str, peppers: list[bytes]) -> list[str]:
    """Return the hashes to look up under each pepper, newest first (pepper rotation)."""
    return [hash_receipt(code, pepper) for pepper in peppers]


def new_tracking_no(now: datetime, token: str | None = None, *, prefix: str = TRACKING_PREFIX) -> str:
    """Return a tracking number `JB20261122-7F3K9Q`: China date of `now` and 6 random Crockford characters."""
    if token is None:
        token = "".join(secrets.choice(CROCKFORD) for _ in range(TRACKING_TOKEN_LEN))
    elif len(token) != TRACKING_TOKEN_LEN or any(ch not in CROCKFORD for ch in token):
        raise ValueError("token must be 6 Crockford base32 characters")
    if not re.fullmatch(r"[A-Z]{1,4}", prefix):
        raise ValueError("prefix must be 1-4 capital letters")
    return f"{prefix}{to_cst(now):%Y%m%d}-{token}"


def normalize_tracking_no(s: object) -> str | None:
    """Return the canonical tracking number from typed input (case, spaces, O/0 and I/L/1 forgiven) or None."""
    if not isinstance(s, str) or len(s) > 64:
        return None
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", s)).upper()
    match = _TRACKING.fullmatch(text)
    if match is None:
        return None
    prefix, day, token = match.groups()
    token = token.translate(_CROCKFORD_INPUT)
    if any(ch not in CROCKFORD for ch in token):
        return None
    return f"{prefix}{day}-{token}"
