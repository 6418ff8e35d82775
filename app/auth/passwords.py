"""Argon2id password hashing."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password):
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def verify_password(password_hash, password):
    """Check a password against its hash (False on any mismatch)."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    """Whether the hash uses outdated parameters."""
    return _hasher.check_needs_rehash(password_hash)
