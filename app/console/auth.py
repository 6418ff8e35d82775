"""The console session: a server-side session (a console-only token) named by the cookie, idle timeout, the user."""

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, g, request, session, url_for

from app.auth import tokens
from app.auth.current import token_hash
from app.auth.demo import refused_account
from app.auth.models import Token
from app.console.csrf import rotate_csrf_token
from app.core.timeutil import utcnow
from app.extensions import db
from app.security.service import audit

SESSION_KEY = "console_sid"
# Endpoints a visitor may open without a session.
OPEN_ENDPOINTS = {"console.login"}
# Endpoints open to a session that must first enrol TOTP (a restricted token).
ENROLMENT_ENDPOINTS = {"console.totp", "console.totp_start", "console.totp_enable", "console.logout"}
SEEN_WRITE_SECONDS = 15  # the server-side idle clock is written at most this often


def idle_seconds():
    """Seconds of inactivity after which the console session ends (CONSOLE_IDLE_MINUTES, default 30)."""
    return max(1, int(current_app.config.get("CONSOLE_IDLE_MINUTES", 30))) * 60


def start_session(raw_session_id):
    """Begin a console session: the cookie keeps only the session id of a console token (refused by the API)."""
    session.clear()
    session[SESSION_KEY] = raw_session_id
    rotate_csrf_token()


def end_session():
    """Forget the console session in the cookie (the caller revokes it on the server)."""
    session.pop(SESSION_KEY, None)


def _row(raw):
    return db.session.scalar(sa.select(Token).where(Token.token_hash == token_hash(raw), Token.console.is_(True)))


def load_session():
    """Resolve the cookie's session id into the user; returns None, or why the session ended ("expired" or "idle").

    The idle clock is the server's (`tokens.last_seen_at`), so no copy of the cookie outlives the idle timeout.
    """
    raw = session.get(SESSION_KEY)
    if not raw or not isinstance(raw, str) or len(raw) > 128:
        return None
    row = _row(raw)
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow() or not row.user.is_active \
            or refused_account(row.user):
        end_session()
        return "expired"
    now = utcnow()
    seen = row.last_seen_at or row.created_at
    if (now - seen).total_seconds() > idle_seconds():
        tokens.revoke_token(row)
        audit("auth.console_idle_logout", row.user, "user", row.user_id)
        db.session.commit()
        end_session()
        return "idle"
    if (now - seen).total_seconds() >= SEEN_WRITE_SECONDS:
        row.last_seen_at = now
        db.session.commit()
    request.environ["mss.console_user"] = row.user
    g.console_token = row
    return None


def console_token():
    """The console session (Token row) of this request, or None."""
    return g.get("console_token")


def safe_next(target):
    """A redirect target after login: only a relative path under /console/, else the dashboard."""
    default = url_for("console.dashboard")
    if not target or not isinstance(target, str) or len(target) > 512:
        return default
    if any(ord(ch) < 32 or ch == "\\" for ch in target) or "//" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/console/"):
        return default
    if ".." in parts.path.split("/") or parts.path.startswith(url_for("console.login")):
        return default
    return target


def login_target():
    """The current request as a `next=` value (GET only; a POST's form cannot be replayed)."""
    if request.method != "GET":
        return None
    query = request.query_string.decode("utf-8", "replace")
    return request.path + ("?" + query if query else "")
