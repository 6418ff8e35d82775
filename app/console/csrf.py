"""CSRF protection for every console form: a random token per session, checked on every unsafe request."""

import hmac
import secrets

from flask import request, session

from app.errors import BadRequest

SESSION_KEY = "console_csrf"
FIELD = "csrf_token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def csrf_token():
    """The session's CSRF token, created on first use (templates put it in every form)."""
    token = session.get(SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        session[SESSION_KEY] = token
    return token


def rotate_csrf_token():
    """A fresh token (at login), so a token seen before login is worthless after it."""
    session[SESSION_KEY] = secrets.token_urlsafe(32)
    return session[SESSION_KEY]


def check_csrf():
    """Refuse an unsafe request whose form token does not match the session's."""
    if request.method in SAFE_METHODS:
        return
    expected = session.get(SESSION_KEY)
    sent = request.form.get(FIELD, "")
    if not expected or not sent or not hmac.compare_digest(str(expected), str(sent)):
        raise BadRequest("页面已过期或请求来源无法确认，请返回刷新页面后重新提交", code="csrf_failed")
