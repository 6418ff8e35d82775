"""The console session: a server-side token kept in the signed cookie, idle timeout, and the current user."""

import time
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, g, request, session, url_for

from app.auth import tokens
from app.auth.current import token_hash
from app.auth.models import Token
from app.console.csrf import rotate_csrf_token
from app.core.timeutil import utcnow
from app.extensions import db
from app.security.service import audit

TOKEN_KEY = "console_token"
SEEN_KEY = "console_seen"
# Endpoints a visitor may open without a session.
OPEN_ENDPOINTS = {"console.login"}
# Endpoints open to a session that must first enrol TOTP (a restricted token).
ENROLMENT_ENDPOINTS = {"console.totp", "console.totp_start", "console.totp_enable", "console.logout"}


def idle_seconds():
    """Seconds of inactivity after which the console session ends (CONSOLE_IDLE_MINUTES, default 30)."""
    return max(1, int(current_app.config.get("CONSOLE_IDLE_MINUTES", 30))) * 60


def start_session(raw_token):
    """Begin a console session for a freshly issued token (the cookie keeps only the raw token)."""
    session.clear()
    session[TOKEN_KEY] = raw_token
    session[SEEN_KEY] = int(time.time())
    rotate_csrf_token()


def end_session():
    """Forget the console session in the cookie (the caller revokes the token)."""
    session.pop(TOKEN_KEY, None)
    session.pop(SEEN_KEY, None)


def load_session():
    """Resolve the cookie's token into the user; returns None, or why the session ended ("expired" or "idle")."""
    raw = session.get(TOKEN_KEY)
    if not raw or not isinstance(raw, str):
        return None
    row = db.session.scalar(sa.select(Token).where(Token.token_hash == token_hash(raw)))
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow() or not row.user.is_active:
        end_session()
        return "expired"
    now = int(time.time())
    seen = session.get(SEEN_KEY)
    if not isinstance(seen, int) or now - seen > idle_seconds():
        tokens.revoke_token(row)
        audit("auth.console_idle_logout", row.user, "user", row.user_id)
        db.session.commit()
        end_session()
        return "idle"
    session[SEEN_KEY] = now
    request.environ["mss.console_user"] = row.user
    g.console_token = row
    return None


def console_token():
    """The Token row of this console request, or None."""
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
