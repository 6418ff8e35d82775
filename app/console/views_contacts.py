"""Contact-point members and informants: list with filters, registration with a one-time invite, xlsx import."""

from flask import flash, redirect, request, url_for

from app.console import queries
from app.console.access import staff
from app.console.blueprint import bp
from app.console.forms import clean, errors_of, validate_form
from app.console.layout import render, split_errors
from app.console.nav import NavEntry
from app.contacts import service as members
from app.contacts.importer import import_members
from app.contacts.layers import LAYERS, TYPES
from app.contacts.schemas import MemberCreateSchema, MembersQuery
from app.core.permissions import in_scopes, region_scopes
from app.errors import BadRequest, DomainError
from app.extensions import db

NAV = [
    NavEntry("联系点成员", "console.contacts", "contact.manage", "系统管理",
             "千人联系点成员与信访情报员：登记、邀请码、停用", 50),
    NavEntry("联系点名单导入", "console.contacts_import", "contact.manage", "系统管理",
             "上传 Excel 名单批量登记，逐行检查后全部导入", 55),
]
PAGE = 50
MEMBER_FIELDS = ("name", "type", "layer", "region_code", "phone")
FILTERS = ("layer", "type", "region", "active", "bound", "phone", "cursor")
STATE_CHOICES = [("true", "在册"), ("false", "已停用")]
BOUND_CHOICES = [("true", "已绑定微信"), ("false", "未绑定")]


def _choices(user):
    prefixes = region_scopes(user, "contact.manage")
    regions = [r for r in queries.region_choices() if r.level in ("county", "township", "village")
               and in_scopes(r.code, prefixes)]
    return {"layers": list(LAYERS.items()), "types": list(TYPES.items()), "regions": regions}


@bp.route("/contacts")
def contacts():
    """Members within the user's scope, filtered by layer, type, region, state, binding and phone."""
    user = staff("contact.manage")
    raw = {k: v for k in FILTERS if (v := clean(request.args.get(k)))}
    args, errors = validate_form(MembersQuery(), raw)
    if errors:
        raise BadRequest("筛选条件有误：" + "；".join(m for msgs in errors.values() for m in msgs), fields=errors)
    page = members.list_members(user, args, PAGE, args["cursor"])
    keep = {k: v for k, v in raw.items() if k != "cursor"}
    return render("contacts.html", page=page, filters=keep, args=keep, states=STATE_CHOICES, bounds=BOUND_CHOICES,
                  **_choices(user))


def _form_page(user, status=200, form=None, errors=None, message=None):
    errors = errors or {}
    return render("contacts_form.html", status=status, form=form or {}, errors=errors,
                  general=split_errors(errors, MEMBER_FIELDS), message=message, **_choices(user))


@bp.route("/contacts/new")
def contact_new():
    """The registration form."""
    return _form_page(staff("contact.manage"))


@bp.route("/contacts/new", methods=["POST"])
def contact_create():
    """Register a member; the invite code is shown on this response only."""
    user = staff("contact.manage")
    form = {name: clean(request.form.get(name)) for name in MEMBER_FIELDS}
    data, errors = validate_form(MemberCreateSchema(), {k: v for k, v in form.items() if v is not None})
    if errors:
        return _form_page(user, 400, form, errors, "请按提示修改后再提交")
    try:
        result = members.register(user, data)
    except DomainError as err:
        db.session.rollback()
        return _form_page(user, err.status, form, errors_of(err), err.message)
    return render("contacts_invite.html", status=201, result=result, created=True)


@bp.route("/contacts/<int:member_id>")
def contact(member_id):
    """One member, with the buttons for a new invite code and deactivation."""
    user = staff("contact.manage")
    return render("contacts_member.html", member=members.get_member(user, member_id))


@bp.route("/contacts/<int:member_id>/invite", methods=["POST"])
def contact_invite(member_id):
    """A new one-time invite code (the previous unused one stops working), shown once."""
    user = staff("contact.manage")
    return render("contacts_invite.html", result=members.reinvite(user, member_id), created=False)


@bp.route("/contacts/<int:member_id>/deactivate", methods=["POST"])
def contact_deactivate(member_id):
    """Deactivate a member."""
    user = staff("contact.manage")
    member = members.deactivate(user, member_id)
    flash(f"已停用：{member['name']}。其微信不能再以联系点身份反映情况。", "success")
    return redirect(url_for("console.contact", member_id=member_id))


def _import_page(user, status=200, message=None, rows=None, county=None):
    counties = [r for r in _choices(user)["regions"] if r.level == "county"]
    return render("contacts_import.html", status=status, message=message, rows=rows or [], counties=counties,
                  county=county or "")


@bp.route("/contacts/import", methods=["GET", "POST"])
def contacts_import():
    """Upload a member list (.xlsx or .csv): every row is checked first, then all are saved or none."""
    user = staff("contact.manage")
    if request.method == "GET":
        return _import_page(user)
    county = clean(request.form.get("county"))
    upload = request.files.get("file")
    data = upload.read() if upload is not None else b""
    if not data:
        return _import_page(user, 400, "请选择要导入的 Excel（.xlsx）或 CSV 文件", county=county)
    if county and (len(county) != 12 or not county.isdigit()):
        return _import_page(user, 400, "县级区划代码应为 12 位数字", county=county)
    try:
        result = import_members(data, user=user, county=county, with_invites=bool(request.form.get("invites")),
                                filename=upload.filename or "")
    except DomainError as err:
        db.session.rollback()
        rows = err.fields.get("rows") if isinstance(err.fields, dict) else None
        message = err.message.split("。")[0] + "。" if rows else err.message
        return _import_page(user, err.status, message, rows, county)
    if result["invites"]:
        return render("contacts_invites.html", result=result)
    flash(f"导入成功：共登记 {result['imported']} 名成员。可在成员详情中生成邀请码。", "success")
    return redirect(url_for("console.contacts"))
