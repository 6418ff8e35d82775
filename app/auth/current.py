"""The current user, from a bearer token (API) or the console session."""

import hashlib

from flask import request

from app.core.timeutil import utcnow
from app.errors import Forbidden, Unauthorized
from app.extensions import db

RESTRICTED_ENDPOINTS = {"auth.me", "auth.totp_setup", "auth.totp_enable", "auth.logout"}


def token_hash(raw):
    """SHA-256 of a raw token."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _bearer():
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer":  # the auth scheme is case-insensitive (RFC 9110)
        return None
    raw = raw.strip()
    return raw if 16 <= len(raw) <= 128 else ""


def _load():
    from app.auth.demo import refused_account
    from app.auth.models import Token

    raw = _bearer()
    if raw is None:
        return request.environ.get("mss.console_user"), None
    if raw == "":
        raise Unauthorized("登录凭证无效", code="invalid_token")
    token = db.session.scalar(db.select(Token).where(Token.token_hash == token_hash(raw)))
    if token is not None and token.console:  # a console session id lifted from the cookie is no API credential
        raise Unauthorized("控制台会话不能用于接口调用，请使用接口登录", code="invalid_token")
    if token is None or token.revoked_at is not None or token.expires_at <= utcnow() or not token.user.is_active:
        raise Unauthorized("登录已失效，请重新登录", code="invalid_token")
    if refused_account(token.user):
        raise Unauthorized("演示账号在生产环境中不能使用", code="demo_account_refused")
    return token.user, token


def current_user():
    """The logged-in user or None; an invalid token is a 401."""
    cache = request.environ
    if "mss.auth" not in cache:
        cache["mss.auth"] = _load()
    user, token = cache["mss.auth"]
    if token is not None and token.restricted and request.endpoint not in RESTRICTED_ENDPOINTS:
        raise Forbidden("请先绑定动态口令（TOTP）后再使用", code="totp_enrollment_required")
    return user


def current_token():
    """The bearer token row of this request, if any."""
    current_user()
    return request.environ["mss.auth"][1]


def require_user():
    """The logged-in user, or a 401."""
    user = current_user()
    if user is None:
        raise Unauthorized()
    return user
