"""Account administration: staff accounts and staff invites (role grants: app/auth/grants.py)."""

import sqlalchemy as sa

from app.auth import demo, tokens
from app.auth.directory import find_unit
from app.auth.grants import check_scope, new_grant
from app.auth.models import User
from app.auth.passwords import hash_password
from app.core.pagination import keyset_page
from app.core.permissions import can, require_anywhere
from app.errors import BadRequest, Forbidden, NotFound
from app.extensions import db
from app.security.service import audit


def create_user(admin, data):
    """Create a staff account with a password and its grants."""
    require_anywhere(admin, "account.manage")
    if db.session.scalar(sa.select(User.id).where(User.username == data["username"])):
        raise BadRequest("用户名已存在", code="duplicate_username", fields={"username": ["用户名已存在"]})
    if data.get("unit_id") is not None:
        unit = find_unit(data["unit_id"])
        if unit is None:
            raise NotFound("未找到该单位", code="unit_not_found")
        if not can(admin, "account.manage", region_code=unit.region_code):
            raise Forbidden("只能在本人管辖范围内设置单位")
    scopes = [(g["role"], g.get("region_code"), g.get("unit_id")) for g in data.get("grants", [])]
    if len(set(scopes)) != len(scopes):
        raise BadRequest("授权重复", code="duplicate_grant", fields={"grants": ["同一角色和范围只能授予一次"]})
    for grant in data.get("grants", []):
        check_scope(admin, grant)
    if demo.refused_password(data["password"]):
        raise BadRequest("不能使用公开的演示密码", code="demo_password_refused",
                         fields={"password": ["不能使用公开的演示密码"]})
    user = User(username=data["username"], display_name=data["display_name"],
                password_hash=hash_password(data["password"]), unit_id=data.get("unit_id"))
    db.session.add(user)
    db.session.flush()
    audit("account.create", admin, "user", user.id, {"grants": data.get("grants", [])})
    for grant in data.get("grants", []):  # custodian and inspector wait for a second admin
        new_grant(admin, user, grant)
    db.session.commit()
    db.session.refresh(user)
    return user


def get_user(admin, user_id):
    """An account the admin may manage, or 404."""
    require_anywhere(admin, "account.manage")
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("未找到该账号", code="user_not_found")
    return user


def list_users(admin, q=None, limit=20, cursor=None):
    """Staff accounts (admins only)."""
    require_anywhere(admin, "account.manage")
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
            check_scope(admin, {"role": grant.role, "region_code": grant.region_code, "unit_id": grant.unit_id})
        except Forbidden:
            raise Forbidden("只能为本人管辖范围内的账号生成邀请码", code="invite_out_of_scope") from None
    code, invite = tokens.create_invite("staff", user.id, admin)
    db.session.flush()
    audit("account.invite", admin, "user", user.id, {"invite_id": invite.id})
    db.session.commit()
    return {"invite_code": code, "expires_at": invite.expires_at}
