"""Login (password, TOTP, WeChat), logout, binding by invite code, and who-am-I."""

import pyotp
import sqlalchemy as sa
from flask import current_app

from app.auth import demo, throttle, tokens
from app.auth.models import Invite, User, WechatIdentity
from app.auth.passwords import hash_password, needs_rehash, verify_password
from app.core.timeutil import utcnow
from app.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized
from app.extensions import db
from app.security.service import audit
from app.wechat import service as wechat

_DUMMY_HASH = None


def _dummy_hash():
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password("not-a-real-password")
    return _DUMMY_HASH


def _session(user, token_row, raw, restricted=False):
    return {"token": raw, "expires_at": token_row.expires_at, "user": user, "totp_enrollment_required": restricted}


def _fail(user, username, address, reason):
    throttle.record_failure(username, address)
    if user is not None:
        audit("auth.login_failed", user, "user", user.id, {"reason": reason})
    db.session.commit()
    raise Unauthorized("用户名、密码或动态口令不正确", code="invalid_credentials")


def totp_required(user):
    """Whether one of the user's roles must use TOTP."""
    required = set(current_app.config.get("TOTP_REQUIRED_ROLES") or ())
    return any(g.role in required for g in user.grants)


def _refuse_demo(user, username, address):
    throttle.record_failure(username, address)
    if user is not None:
        audit("auth.login_failed", user, "user", user.id, {"reason": "demo"})
    db.session.commit()
    raise Forbidden("演示账号和演示密码在生产环境中不能使用", code="demo_account_refused")


def login(username, password, otp=None, address=None, console=False):
    """Password login for staff (TOTP when enabled), slowed down per account name and address, never locked.

    `console=True` opens a console session (a token the API refuses) instead of issuing a bearer token.
    """
    throttle.check(username, address)
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if demo.refused_password(password):
        _refuse_demo(user, username, address)
    if user is None or not user.is_active or not user.password_hash:
        verify_password(_dummy_hash(), password)
        _fail(None, username, address, "unknown")
    if not verify_password(user.password_hash, password):
        _fail(user, username, address, "password")
    if user.totp_enabled and not (otp and pyotp.TOTP(user.totp_secret).verify(otp, valid_window=1)):
        _fail(user, username, address, "otp")
    if demo.refused_account(user):
        _refuse_demo(user, username, address)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    throttle.clear(username, address)
    user.last_login_at = utcnow()
    restricted = totp_required(user) and not user.totp_enabled
    raw, row = tokens.issue_token(user, current_app.config["STAFF_TOKEN_TTL_HOURS"], restricted=restricted,
                                  console=console)
    audit("auth.login", user, "user", user.id, {"console": True} if console else None)
    db.session.commit()
    return _session(user, row, raw, restricted)


def logout(user, token):
    """Revoke the token of this request."""
    if token is not None:
        tokens.revoke_token(token)
        audit("auth.logout", user, "user", user.id)
        db.session.commit()


def wechat_login(code):
    """code2session; creates a resident account on first login."""
    info = wechat.code_to_session(code)
    identity = db.session.scalar(sa.select(WechatIdentity).where(WechatIdentity.openid == info["openid"]))
    if identity is None:
        user = User(display_name="微信用户")
        db.session.add(user)
        db.session.flush()
        identity = WechatIdentity(openid=info["openid"], unionid=info.get("unionid"), user=user)
        db.session.add(identity)
        audit("auth.resident_created", user, "user", user.id)
    user = identity.user
    if not user.is_active:
        raise Unauthorized("该账号已停用", code="account_disabled")
    if demo.refused_account(user):
        raise Forbidden("演示账号在生产环境中不能使用", code="demo_account_refused")
    user.last_login_at = utcnow()
    ttl = current_app.config["STAFF_TOKEN_TTL_HOURS" if user.is_staff else "TOKEN_TTL_HOURS"]
    restricted = totp_required(user) and not user.totp_enabled
    raw, row = tokens.issue_token(user, ttl, restricted=restricted)
    db.session.commit()
    return _session(user, row, raw, restricted)


def _bind_staff(user, target_id):
    staff = db.session.get(User, target_id)
    if staff is None or not staff.is_active or demo.refused_account(staff):
        raise NotFound("邀请码对应的工作人员账号不存在或已停用", code="invite_target_missing")
    identities = list(user.identities)
    if not identities:
        raise BadRequest("请先用微信登录后再绑定", code="wechat_login_required")
    for identity in identities:
        identity.user_id = staff.id
    tokens.revoke_all(user.id)
    db.session.flush()
    db.session.refresh(staff)
    restricted = totp_required(staff) and not staff.totp_enabled
    raw, row = tokens.issue_token(staff, current_app.config["STAFF_TOKEN_TTL_HOURS"], restricted=restricted)
    return {"bound": "staff", "session": _session(staff, row, raw, restricted)}


def bind(user, invite_code):
    """Use a one-time invite code to bind this WeChat account to a staff account or a membership."""
    invite = db.session.scalar(sa.select(Invite).where(Invite.code_hash == tokens.invite_hash(invite_code))
                               .with_for_update())
    if invite is None or invite.expires_at <= utcnow():
        raise NotFound("邀请码无效或已过期", code="invalid_invite")
    if invite.used_at is not None:
        raise Conflict("邀请码已被使用", code="invite_used")
    invite.used_at, invite.used_by_id = utcnow(), user.id
    if invite.purpose == "staff":
        result = _bind_staff(user, invite.target_id)
    else:
        handler = current_app.extensions.get("mss_bind_handlers", {}).get(invite.purpose)
        if handler is None:
            raise NotFound("邀请码无效或已过期", code="invalid_invite")
        result = {"bound": invite.purpose, "session": None, **handler(user, invite.target_id)}
    audit("auth.bind", user, "invite", invite.id, {"purpose": invite.purpose})
    db.session.commit()
    return result


def totp_setup(user):
    """Start TOTP enrolment: a new secret and its otpauth URI (not active until confirmed)."""
    if user.totp_enabled:
        raise Conflict("已启用动态口令", code="totp_already_enabled")
    user.totp_secret = pyotp.random_base32()
    db.session.commit()
    uri = pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username or str(user.id), issuer_name="码上监督")
    return {"secret": user.totp_secret, "otpauth_uri": uri}


def totp_enable(user, token_row, otp):
    """Confirm TOTP enrolment with a current code; lifts a restricted session."""
    if not user.totp_secret or user.totp_enabled:
        raise Conflict("请先开始绑定动态口令", code="totp_not_started")
    if not pyotp.TOTP(user.totp_secret).verify(otp, valid_window=1):
        raise BadRequest("动态口令不正确", code="invalid_otp", fields={"otp": ["动态口令不正确"]})
    user.totp_enabled = True
    if token_row is not None:
        token_row.restricted = False
    audit("auth.totp_enabled", user, "user", user.id)
    db.session.commit()
    return {"totp_enabled": True}
