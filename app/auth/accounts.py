"""Account administration: staff accounts, role grants and staff invites."""

import sqlalchemy as sa

from app.auth import tokens
from app.auth.models import STAFF_ROLES, RoleGrant, User
from app.auth.passwords import hash_password
from app.auth.permissions import can, require
from app.core.pagination import keyset_page
from app.errors import BadRequest, Forbidden, NotFound
from app.extensions import db
from app.regions.models import Region, Unit
from app.security.service import audit


def _check_scope(admin, grant):
    region = grant.get("region_code")
    unit_id = grant.get("unit_id")
    if grant["role"] not in STAFF_ROLES:
        raise BadRequest("角色无效", fields={"role": ["角色无效"]})
    if grant["role"] == "unit_handler" and unit_id is None:
        raise BadRequest("单位经办人必须指定单位", fields={"unit_id": ["必须指定单位"]})
    if unit_id is not None:
        unit = db.session.get(Unit, unit_id)
        if unit is None:
            raise NotFound("未找到该单位", code="unit_not_found")
        region = region or unit.region_code
    elif region and db.session.get(Region, region) is None:
        raise NotFound("未找到该行政区划", code="region_not_found")
    if region is None and not can(admin, "account.manage"):
        raise Forbidden()
    if region is not None and not can(admin, "account.manage", region_code=region):
        raise Forbidden("只能在本人管辖范围内授权")
    if region is None and unit_id is None and not any(
            g.role == "admin" and g.region_code is None for g in admin.grants):
        raise Forbidden("只有全局管理员可以授予全局角色")


def create_user(admin, data):
    """Create a staff account with a password and its grants."""
    require(admin, "account.manage")
    if db.session.scalar(sa.select(User.id).where(User.username == data["username"])):
        raise BadRequest("用户名已存在", code="duplicate_username", fields={"username": ["用户名已存在"]})
    if data.get("unit_id") is not None:
        unit = db.session.get(Unit, data["unit_id"])
        if unit is None:
            raise NotFound("未找到该单位", code="unit_not_found")
        if not can(admin, "account.manage", region_code=unit.region_code):
            raise Forbidden("只能在本人管辖范围内设置单位")
    scopes = [(g["role"], g.get("region_code"), g.get("unit_id")) for g in data.get("grants", [])]
    if len(set(scopes)) != len(scopes):
        raise BadRequest("授权重复", code="duplicate_grant", fields={"grants": ["同一角色和范围只能授予一次"]})
    for grant in data.get("grants", []):
        _check_scope(admin, grant)
    user = User(username=data["username"], display_name=data["display_name"],
                password_hash=hash_password(data["password"]), unit_id=data.get("unit_id"))
    db.session.add(user)
    db.session.flush()
    for grant in data.get("grants", []):
        db.session.add(RoleGrant(user_id=user.id, granted_by_id=admin.id, **grant))
    audit("account.create", admin, "user", user.id, {"grants": data.get("grants", [])})
    db.session.commit()
    db.session.refresh(user)
    return user


def add_grant(admin, user_id, grant):
    """Grant a role on a scope to an account."""
    user = get_user(admin, user_id)
    _check_scope(admin, grant)
    exists = db.session.scalar(sa.select(RoleGrant).where(
        RoleGrant.user_id == user.id, RoleGrant.role == grant["role"],
        RoleGrant.region_code.is_(grant.get("region_code")) if grant.get("region_code") is None
        else RoleGrant.region_code == grant["region_code"],
        RoleGrant.unit_id.is_(None) if grant.get("unit_id") is None else RoleGrant.unit_id == grant["unit_id"]))
    if exists:
        raise BadRequest("该授权已存在", code="duplicate_grant")
    row = RoleGrant(user_id=user.id, granted_by_id=admin.id, **grant)
    db.session.add(row)
    audit("account.grant", admin, "user", user.id, grant)
    db.session.commit()
    db.session.refresh(user)
    return user


def remove_grant(admin, user_id, grant_id):
    """Revoke one role grant; the account's tokens are revoked too."""
    user = get_user(admin, user_id)
    grant = db.session.get(RoleGrant, grant_id)
    if grant is None or grant.user_id != user.id:
        raise NotFound("未找到该授权")
    _check_scope(admin, {"role": grant.role, "region_code": grant.region_code, "unit_id": grant.unit_id})
    db.session.delete(grant)
    tokens.revoke_all(user.id)
    audit("account.revoke", admin, "user", user.id, {"role": grant.role, "region_code": grant.region_code})
    db.session.commit()
    db.session.refresh(user)
    return user


def get_user(admin, user_id):
    """An account the admin may manage, or 404."""
    require(admin, "account.manage")
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("未找到该账号", code="user_not_found")
    return user


def list_users(admin, q=None, limit=20, cursor=None):
    """Staff accounts (admins only)."""
    require(admin, "account.manage")
    stmt = sa.select(User).where(User.username.is_not(None))
    if q:
        stmt = stmt.where(sa.or_(User.username.contains(q, autoescape=True),
                                 User.display_name.contains(q, autoescape=True)))
    return keyset_page(db.session, stmt, [(User.id, False)], limit, cursor)


def staff_invite(admin, user_id):
    """A one-time code that binds a WeChat account to this staff account."""
    user = get_user(admin, user_id)
    for grant in user.grants:  # the code logs in as this account: only for accounts wholly within the admin's scope
        try:
            _check_scope(admin, {"role": grant.role, "region_code": grant.region_code, "unit_id": grant.unit_id})
        except Forbidden:
            raise Forbidden("只能为本人管辖范围内的账号生成邀请码", code="invite_out_of_scope") from None
    code, invite = tokens.create_invite("staff", user.id, admin)
    db.session.flush()
    audit("account.invite", admin, "user", user.id, {"invite_id": invite.id})
    db.session.commit()
    return {"invite_code": code, "expires_at": invite.expires_at}
