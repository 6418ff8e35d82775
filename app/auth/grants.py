"""Role grants: scope checks, no grant to oneself, a second admin for custodian and inspector, separation of duties.

An admin's grant of `custodian` or `inspector` is PENDING (it confers nothing: `User.grants` holds confirmed
grants only) until a second, different admin confirms it; the `flask accounts grant` command on the server and the
demo seed grant directly. One account never holds `custodian` and `inspector` on overlapping regions.
"""

import sqlalchemy as sa

from app.auth import tokens
from app.auth.directory import find_region, find_unit, unit_region_sql
from app.auth.models import STAFF_ROLES, RoleGrant, User
from app.core.pagination import keyset_page
from app.core.permissions import can, can_anywhere, in_subtree, region_scopes, require_anywhere, scope_filter
from app.core.timeutil import utcnow
from app.errors import BadRequest, Conflict, Forbidden, NotFound
from app.extensions import db
from app.security.service import audit

CONFIRMED_ROLES = ("custodian", "inspector")  # an admin's grant of these waits for a second admin
EXCLUSIVE_ROLES = ("custodian", "inspector")  # never both on overlapping regions for one account


def check_scope(admin, grant):
    """Refuse a grant outside the admin's own scope (global roles: global admins only)."""
    region = grant.get("region_code")
    unit_id = grant.get("unit_id")
    if grant["role"] not in STAFF_ROLES:
        raise BadRequest("角色无效", fields={"role": ["角色无效"]})
    if grant["role"] == "unit_handler" and unit_id is None:
        raise BadRequest("单位经办人必须指定单位", fields={"unit_id": ["必须指定单位"]})
    if unit_id is not None:
        unit = find_unit(unit_id)
        if unit is None:
            raise NotFound("未找到该单位", code="unit_not_found")
        region = region or unit.region_code
    elif region and find_region(region) is None:
        raise NotFound("未找到该行政区划", code="region_not_found")
    if admin is None:  # the server's CLI
        return
    if region is None and not can_anywhere(admin, "account.manage"):
        raise Forbidden()
    if region is not None and not can(admin, "account.manage", region_code=region):
        raise Forbidden("只能在本人管辖范围内授权")
    if region is None and unit_id is None and not any(
            g.role == "admin" and g.region_code is None for g in admin.grants):
        raise Forbidden("只有全局管理员可以授予全局角色")


def refuse_self(admin, user_id):
    """No one grants (or confirms) a role for his own account."""
    if admin is not None and admin.id == user_id:
        raise Forbidden("不能给本人账号授予角色，请由其他管理员办理", code="self_grant")


def _region_of(region_code, unit_id):
    if region_code is None and unit_id is not None:
        unit = find_unit(unit_id)
        return unit.region_code if unit else None
    return region_code


def _overlap(a, b):
    return a is None or b is None or in_subtree(a, b) or in_subtree(b, a)


def check_exclusive(user_id, grant, exclude_id=None):
    """409 when the account holds (or awaits) the other of custodian/inspector on an overlapping region."""
    if grant["role"] not in EXCLUSIVE_ROLES:
        return
    other = next(role for role in EXCLUSIVE_ROLES if role != grant["role"])
    region = _region_of(grant.get("region_code"), grant.get("unit_id"))
    held = db.session.scalars(sa.select(RoleGrant).where(RoleGrant.user_id == user_id, RoleGrant.role == other))
    for row in held:
        if row.id != exclude_id and _overlap(_region_of(row.region_code, row.unit_id), region):
            raise Conflict("同一账号不能在重叠的范围内同时担任身份保管员和纪检监察干部", code="separation_of_duties",
                           fields={"role": ["与该账号已有（或待确认）的授权范围重叠"]})


def _same_scope(user_id, grant):
    region, unit_id = grant.get("region_code"), grant.get("unit_id")
    return db.session.scalar(sa.select(RoleGrant).where(
        RoleGrant.user_id == user_id, RoleGrant.role == grant["role"],
        RoleGrant.region_code.is_(None) if region is None else RoleGrant.region_code == region,
        RoleGrant.unit_id.is_(None) if unit_id is None else RoleGrant.unit_id == unit_id))


def _lock_account(user_id):
    """Serialise grant changes of one account (PostgreSQL row lock), so two clashing grants cannot both pass."""
    db.session.execute(sa.select(User.id).where(User.id == user_id).with_for_update())


def new_grant(actor, user, grant, via=None):
    """Add one grant (pending when an admin grants custodian or inspector); audited. The caller commits."""
    _lock_account(user.id)
    check_exclusive(user.id, grant)
    existing = _same_scope(user.id, grant)
    if existing is not None:
        raise BadRequest("该授权已在等待确认" if existing.pending else "该授权已存在", code="duplicate_grant")
    pending = actor is not None and grant["role"] in CONFIRMED_ROLES
    row = RoleGrant(user_id=user.id, granted_by_id=actor.id if actor else None, pending=pending,
                    role=grant["role"], region_code=grant.get("region_code"), unit_id=grant.get("unit_id"))
    db.session.add(row)
    db.session.flush()
    detail = {"role": row.role, "region_code": row.region_code, "unit_id": row.unit_id, "grant_id": row.id}
    if via:
        detail["via"] = via
    audit("account.grant_requested" if pending else "account.grant", actor, "user", user.id, detail)
    granted(user.id)  # pending too: a report naming him is kept from him before his grant can take effect
    return row


def confirm_on_server(user, grant):
    """The CLI on the server confirms a pending grant of the same scope (audited); None when there is none."""
    row = _same_scope(user.id, grant)
    if row is None or not row.pending:
        return None
    _lock_account(user.id)
    check_exclusive(user.id, grant, exclude_id=row.id)
    row.pending, row.confirmed_at = False, utcnow()
    audit("account.grant_confirmed", None, "user", user.id, {**grant, "grant_id": row.id, "via": "cli"})
    granted(user.id)
    return row


def granted(user_id):
    """Tell the domains that react to an account's new powers (reports re-match the accused: mss_grant_listeners)."""
    from flask import current_app

    for listener in current_app.extensions.get("mss_grant_listeners", []):
        listener(user_id)


def _user(admin, user_id):
    require_anywhere(admin, "account.manage")
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("未找到该账号", code="user_not_found")
    return user


def add_grant(admin, user_id, grant):
    """Grant a role on a scope to another account (custodian and inspector wait for a second admin)."""
    user = _user(admin, user_id)
    refuse_self(admin, user.id)
    check_scope(admin, grant)
    new_grant(admin, user, grant)
    db.session.commit()
    db.session.refresh(user)
    return user


def confirm_grant(admin, grant_id):
    """A second admin confirms a pending grant; from then on it confers its role. Returns the account."""
    require_anywhere(admin, "account.manage")
    row = db.session.get(RoleGrant, grant_id)
    if row is None:
        raise NotFound("未找到该授权", code="grant_not_found")
    if not row.pending:
        raise Conflict("该授权不需要确认或已经确认", code="grant_not_pending")
    refuse_self(admin, row.user_id)
    if admin.id == row.granted_by_id or any(
            g.role == "admin" and g.granted_by_id is not None and g.granted_by_id == row.granted_by_id
            for g in admin.grants):
        raise Forbidden("该授权须由另一名管理员确认（申请人本人及其授权的管理员不能确认）",
                        code="second_admin_required")
    scope = {"role": row.role, "region_code": row.region_code, "unit_id": row.unit_id}
    check_scope(admin, scope)
    _lock_account(row.user_id)
    db.session.refresh(row)
    if not row.pending:  # confirmed meanwhile by another admin
        raise Conflict("该授权不需要确认或已经确认", code="grant_not_pending")
    check_exclusive(row.user_id, scope, exclude_id=row.id)
    row.pending, row.confirmed_by_id, row.confirmed_at = False, admin.id, utcnow()
    audit("account.grant_confirmed", admin, "user", row.user_id, {**scope, "grant_id": row.id,
                                                                   "requested_by_id": row.granted_by_id})
    granted(row.user_id)
    db.session.commit()
    user = db.session.get(User, row.user_id)
    db.session.refresh(user)
    return user


def remove_grant(admin, user_id, grant_id):
    """Revoke a grant, or withdraw a pending one; the account's sessions end when a confirmed grant goes."""
    user = _user(admin, user_id)
    grant = db.session.get(RoleGrant, grant_id)
    if grant is None or grant.user_id != user.id:
        raise NotFound("未找到该授权")
    check_scope(admin, {"role": grant.role, "region_code": grant.region_code, "unit_id": grant.unit_id})
    pending = grant.pending
    db.session.delete(grant)
    if not pending:
        tokens.revoke_all(user.id)
    audit("account.grant_withdrawn" if pending else "account.revoke", admin, "user", user.id,
          {"role": grant.role, "region_code": grant.region_code, "grant_id": grant_id})
    db.session.commit()
    db.session.refresh(user)
    return user


def pending_stmt(admin):
    """Pending grants within the admin's scope, as a SELECT (oldest first)."""
    require_anywhere(admin, "account.manage")
    stmt = sa.select(RoleGrant).where(RoleGrant.pending.is_(True))
    scopes = region_scopes(admin, "account.manage")
    if None not in scopes:
        unit_region = unit_region_sql(RoleGrant.unit_id)
        region = sa.func.coalesce(RoleGrant.region_code, unit_region)
        stmt = stmt.where(scope_filter(region, scopes))
    return stmt


def list_pending(admin, limit=20, cursor=None):
    """A page of grants awaiting a second admin's confirmation."""
    return keyset_page(db.session, pending_stmt(admin), [(RoleGrant.id, False)], limit, cursor)
