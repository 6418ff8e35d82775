"""Admin: staff accounts, their role grants and scopes, and one-time WeChat binding invite codes."""

import sqlalchemy as sa
from flask import flash, redirect, request, url_for

from app.auth import accounts, grants
from app.auth import schemas as auth_schemas
from app.auth.current import current_user
from app.auth.models import User
from app.console import queries
from app.console.access import staff
from app.console.auth import safe_next
from app.console.blueprint import bp
from app.console.forms import AccountFormExtras, clean, errors_of, row_errors, rows, validate_form
from app.console.layout import ROLE_LABELS, render, split_errors
from app.console.nav import NavEntry
from app.errors import DomainError
from app.extensions import db

NAV = [NavEntry("账号与授权", "console.accounts_list", "account.manage", "系统管理",
                "工作人员账号、角色授权与范围、微信绑定邀请码", 40)]
GRANT_FIELDS = ("role", "region_code", "unit_id")
ACCOUNT_FIELDS = ("username", "display_name", "password", "password_confirm", "unit_id")
GRANT_ROWS = 3
STAFF_ROLE_CHOICES = [(role, ROLE_LABELS[role]) for role in
                      ("publisher", "reviewer", "inspector", "custodian", "unit_handler", "admin")]


def _choices():
    units = queries.unit_choices()
    return {"roles": STAFF_ROLE_CHOICES, "regions": queries.region_choices(), "units": units,
            "unit_options": [(u.id, f"{u.name}") for u in units]}


def _grant_of(raw):
    grant = {name: clean(raw.get(name)) for name in GRANT_FIELDS}
    return {k: v for k, v in grant.items() if v is not None}


@bp.route("/admin/accounts")
def accounts_list():
    """Staff accounts, searchable by username or name."""
    user = staff("account.manage")
    q = clean(request.args.get("q"))
    page = accounts.list_users(user, q[:64] if q else None, 50, clean(request.args.get("cursor")))
    pending = grants.list_pending(user, 100).items
    return render("admin/accounts.html", page=page, q=q or "", args={"q": q} if q else {}, pending=pending)


def _new_page(status=200, form=None, grants=None, errors=None, message=None):
    errors = row_errors(errors, "grants", "grant")
    grants = (grants or []) + [{} for _ in range(GRANT_ROWS - len(grants or []))]
    placed = set(ACCOUNT_FIELDS) | {f"grant-{i}-{name}" for i in range(len(grants)) for name in GRANT_FIELDS}
    return render("admin/account_new.html", status=status, form=form or {}, grants=grants, errors=errors,
                  general=split_errors(errors, placed), message=message, **_choices())


@bp.route("/admin/accounts/new")
def account_new():
    """The form for a new staff account with its first role grants."""
    staff("account.manage")
    return _new_page()


@bp.route("/admin/accounts/new", methods=["POST"])
def account_create():
    """Create the account through the same service as POST /api/v1/admin/users."""
    admin = staff("account.manage")
    form = {name: clean(request.form.get(name)) for name in ACCOUNT_FIELDS}
    form["password"] = request.form.get("password") or None  # passwords are taken as typed
    form["password_confirm"] = request.form.get("password_confirm") or None
    grants = [_grant_of(raw) for _, raw in rows(request.form, "grant", GRANT_FIELDS)]
    grants = [g for g in grants if g][:GRANT_ROWS]
    payload = {k: v for k, v in form.items() if v is not None and k != "password_confirm"}
    payload["grants"] = grants
    data, errors = validate_form(auth_schemas.CreateUserSchema(), payload)
    _, extra = validate_form(AccountFormExtras(), {"password": form["password"] or "",
                                                   "password_confirm": form["password_confirm"]})
    errors = {**extra, **errors}
    form.pop("password"), form.pop("password_confirm")  # never sent back to the browser
    if errors:
        return _new_page(400, form, grants, errors, "请按提示修改后再提交")
    try:
        created = accounts.create_user(admin, data)
    except DomainError as err:
        return _new_page(err.status, form, grants, errors_of(err), err.message)
    flash(f"已新建账号 {created.username}（{created.display_name}）。", "success")
    if created.pending_grants:
        flash(f"其中 {len(created.pending_grants)} 项授权（身份保管员、纪检监察干部）须由另一名管理员确认后才生效。",
              "warning")
    return redirect(url_for("console.account", user_id=created.id))


def _detail_page(target, status=200, grant_form=None, errors=None, message=None):
    errors = errors or {}
    return render("admin/account.html", status=status, target=target, grant_form=grant_form or {}, errors=errors,
                  general=split_errors(errors, GRANT_FIELDS), message=message, me=current_user(), **_choices())


@bp.route("/admin/accounts/<int:user_id>")
def account(user_id):
    """An account: its roles and scopes, the form to grant another, and the invite button."""
    return _detail_page(accounts.get_user(staff("account.manage"), user_id))


@bp.route("/admin/accounts/<int:user_id>/grants", methods=["POST"])
def grant_add(user_id):
    """Grant a role on a scope."""
    admin = staff("account.manage")
    target = accounts.get_user(admin, user_id)
    grant_form = {name: clean(request.form.get(name)) for name in GRANT_FIELDS}
    data, errors = validate_form(auth_schemas.GrantSchema(), _grant_of(grant_form))
    if errors:
        return _detail_page(target, 400, grant_form, errors, "请按提示修改后再提交")
    try:
        updated = grants.add_grant(admin, target.id, data)
    except DomainError as err:
        return _detail_page(target, err.status, grant_form, errors_of(err), err.message)
    if any(g.role == data["role"] for g in updated.pending_grants):
        flash(f"已提交授权：{ROLE_LABELS[data['role']]}。须由另一名管理员确认后才生效。", "warning")
    else:
        flash(f"已授予角色：{ROLE_LABELS[data['role']]}", "success")
    return redirect(url_for("console.account", user_id=target.id))


@bp.route("/admin/accounts/<int:user_id>/grants/<int:grant_id>/revoke", methods=["POST"])
def grant_remove(user_id, grant_id):
    """Revoke one grant (the account's sessions end with it)."""
    admin = staff("account.manage")
    target = accounts.get_user(admin, user_id)
    pending = any(g.id == grant_id for g in target.pending_grants)
    grants.remove_grant(admin, user_id, grant_id)
    flash("已撤回该待确认的授权。" if pending else "已撤销该授权，该账号需重新登录。", "success")
    return redirect(url_for("console.account", user_id=user_id))


@bp.route("/admin/grants/pending")
def grants_pending():
    """Grants awaiting a second admin's confirmation (custodian and inspector), within the admin's scope."""
    admin = staff("account.manage")
    page = grants.list_pending(admin, 100, clean(request.args.get("cursor")))
    ids = {g.granted_by_id for g in page.items if g.granted_by_id is not None}
    requesters = {u.id: f"{u.display_name}（{u.username}）" for u in
                  db.session.scalars(sa.select(User).where(User.id.in_(ids)))} if ids else {}
    return render("admin/grants_pending.html", page=page, me=admin, args={}, requesters=requesters)


@bp.route("/admin/grants/<int:grant_id>/confirm", methods=["POST"])
def grant_confirm(grant_id):
    """A second admin confirms a pending grant (the requester and the grantee cannot)."""
    admin = staff("account.manage")
    back = safe_next(request.form.get("next")) if request.form.get("next") else url_for("console.grants_pending")
    try:
        target = grants.confirm_grant(admin, grant_id)
    except DomainError as err:
        if err.status not in (403, 409):
            raise
        flash(err.message, "error")
        return redirect(back)
    flash(f"已确认授权，{target.display_name} 的角色现已生效。", "success")
    return redirect(back)


@bp.route("/admin/accounts/<int:user_id>/invite", methods=["POST"])
def account_invite(user_id):
    """A one-time WeChat binding code, shown on this response only (never stored in the session)."""
    admin = staff("account.manage")
    result = accounts.staff_invite(admin, user_id)
    return render("admin/invite.html", target=accounts.get_user(admin, user_id), invite=result)
