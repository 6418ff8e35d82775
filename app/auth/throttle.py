"""Failed-login throttling per account name AND address: a progressive delay, never an account lock.

Guesses from one address slow down only that address for that account name, so a stranger can never lock the
right person out: from any other address he logs in as usual. After LOGIN_FREE_FAILURES failures the address
waits 2, 4, 8 … seconds (LOGIN_DELAY_MAX_SECONDS at most) before it may try that account again; the count is
forgotten LOGIN_FAILURE_WINDOW_HOURS after the last failure, or at once on a successful login. Both the account
name and the address are stored as salted hashes (a mistyped password in the name field is never kept).
"""

import hashlib
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.auth.models import LoginThrottle
from app.core.timeutil import utcnow
from app.errors import TooManyRequests
from app.extensions import db


def _salt():
    cfg = current_app.config
    return cfg.get("AUDIT_ADDRESS_SALT") or cfg.get("SECRET_KEY") or ""


def _hash(kind, value):
    return hashlib.sha256(f"{_salt()}|{kind}|{value}".encode("utf-8", "replace")).hexdigest()


def keys(username, address):
    """The (account_hash, address_hash) pair of a login attempt; account names compare case-insensitively."""
    return _hash("account", (username or "").strip().casefold()), _hash("address", address or "unknown")


def _settings():
    cfg = current_app.config
    return (int(cfg.get("LOGIN_FREE_FAILURES", 3)), int(cfg.get("LOGIN_DELAY_MAX_SECONDS", 900)),
            timedelta(hours=float(cfg.get("LOGIN_FAILURE_WINDOW_HOURS", 24))))


def delay_after(failures):
    """Seconds an address must wait after its n-th consecutive failure on an account (0 before the threshold)."""
    free, cap, _ = _settings()
    if failures < free:
        return 0
    return min(cap, 2 ** min(failures - free + 1, 30))


def _row(username, address):
    account_hash, address_hash = keys(username, address)
    return db.session.scalar(sa.select(LoginThrottle).where(
        LoginThrottle.account_hash == account_hash, LoginThrottle.address_hash == address_hash))


def check(username, address):
    """Raise 429 (with Retry-After) while this address must still wait before trying this account again."""
    row = _row(username, address)
    now = utcnow()
    if row is None or row.blocked_until is None or row.blocked_until <= now:
        return
    seconds = max(1, int((row.blocked_until - now).total_seconds() + 0.999))
    wait = f"{seconds} 秒" if seconds < 120 else f"{(seconds + 59) // 60} 分钟"
    raise TooManyRequests(f"从本机登录该账号失败次数过多，请 {wait}后再试（其他设备不受影响）", code="login_throttled",
                          fields={"retry_after": [str(seconds)]}, headers={"Retry-After": str(seconds)})


def _insert():
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def record_failure(username, address):
    """Count one failed login of this account name from this address and set its wait. The caller commits."""
    _, _, window = _settings()
    now = utcnow()
    cutoff = now - window
    account_hash, address_hash = keys(username, address)
    table = LoginThrottle.__table__
    stmt = _insert()(LoginThrottle).values(account_hash=account_hash, address_hash=address_hash, failures=1,
                                           last_failed_at=now)
    stmt = stmt.on_conflict_do_update(index_elements=["account_hash", "address_hash"], set_={
        "failures": sa.case((table.c.last_failed_at < cutoff, 1), else_=table.c.failures + 1),
        "last_failed_at": now})
    db.session.execute(stmt)
    row = _row(username, address)
    db.session.refresh(row)
    seconds = delay_after(row.failures)
    row.blocked_until = now + timedelta(seconds=seconds) if seconds else None
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.last_failed_at < cutoff))
    return row.failures


def clear(username, address):
    """Forget the failures of this account name from this address (after a successful login). The caller commits."""
    account_hash, address_hash = keys(username, address)
    db.session.execute(sa.delete(LoginThrottle).where(
        LoginThrottle.account_hash == account_hash, LoginThrottle.address_hash == address_hash))
