"""The draft editor per kind: new drafts, editing a draft or rejected version, and corrections of published ones.

The form of each kind is read by views_disclosures_forms; the content goes to app.disclosures.service, which
validates it and checks permissions. On any error the form comes back with every typed value and the messages
next to their inputs, and nothing is saved. A button `action=more` re-displays the form with more blank rows.
"""

import secrets

from flask import flash, redirect, request, url_for

from app.console import views_disclosures_forms as f
from app.console.access import staff
from app.console.blueprint import bp
from app.console.forms import clean, errors_of, validate_form
from app.console.layout import render, split_errors
from app.console.views_disclosures import village_choices
from app.core.timeutil import today_cst
from app.disclosures import schemas as d_schemas
from app.disclosures import service as d_service
from app.disclosures import staff as d_staff
from app.disclosures.attachments import attachment_info
from app.disclosures.models import KINDS
from app.disclosures.periods import PeriodError, parse_period
from app.disclosures.reads import KIND_LABELS
from app.errors import Conflict, DomainError
from app.regions.service import ancestors, get_region

HEADER_FIELDS = ("title", "period", "reason")


def _key(value):
    value = clean(value)
    return value if value and len(value) <= 80 else None


def _editor(mode, kind, village, rows, status=200, errors=None, message=None, header=None, detail=None, more=0):
    """Render the editor of a kind with rows (padded with blank lines) and errors placed next to inputs."""
    rows = f.pad(kind, rows, more)
    errors = errors or {}
    placed = _placed_names(kind, rows) | set(HEADER_FIELDS) | {"opening_balance", "program", "description", "body"}
    ids = rows.get("attachment_ids", [])
    period_label = None
    if header and header.get("period"):
        try:
            period_label = parse_period(header["period"]).display
        except PeriodError:
            period_label = None
    return render("disclosures/editor.html", status=status, mode=mode, kind=kind, kind_label=KIND_LABELS[kind],
                  village=village, township=ancestors(village).get("township"), rows=rows, errors=errors,
                  general=split_errors(errors, placed), message=message, header=header or {}, d=detail,
                  attachments=attachment_info(ids), period_label=period_label, table_max=f.TABLE_MAX)


def _placed_names(kind, rows):
    names = set()
    for key, prefix, fields in (("lines", "line", f.LINE_FIELDS), ("recipients", "recipient", f.RECIPIENT_FIELDS),
                                ("entries", "entry", f.ENTRY_FIELDS)):
        for i in range(len(rows.get(key, []))):
            names |= {f"{prefix}-{i}-{name}" for name in fields}
    for i, item in enumerate(rows.get("items", [])):
        names |= {f"item-{i}-{name}" for name in (*f.ITEM_FIELDS, "steps")}
        for j in range(len(item.get("steps", []))):
            names |= {f"item-{i}-step-{j}-{name}" for name in f.STEP_FIELDS}
    return names


def _header(form, *names):
    return {name: clean(form.get(name)) for name in names}


def _more():
    return request.form.get("action") == "more"


@bp.route("/disclosures/new")
def disclosure_new():
    """Choose the village and kind of a new draft, then fill in its editor."""
    user = staff("disclosure.edit")
    village_code, kind = clean(request.args.get("village")), clean(request.args.get("kind"))
    if not village_code or kind not in KINDS:
        return render("disclosures/new.html", villages=village_choices(user, "disclosure.edit"),
                      kinds=[(k, KIND_LABELS[k]) for k in KINDS], form={"village": village_code, "kind": kind},
                      status=400 if (village_code or kind) else 200,
                      message="请选择村（社区）和公开类别" if (village_code or kind) else None)
    village = get_region(village_code, "village")
    staff("disclosure.edit", region_code=village.code)
    header = {"title": "", "period": f.default_period(kind, today_cst()), "key": secrets.token_urlsafe(16)}
    return _editor("new", kind, village, f.rows_of(kind, {}), header=header)


@bp.route("/disclosures/new", methods=["POST"])
def disclosure_create():
    """Create the draft from the editor (publisher of that village)."""
    kind = clean(request.form.get("kind"))
    village = get_region(clean(request.form.get("village_code")) or "", "village")
    user = staff("disclosure.edit", region_code=village.code)
    if kind not in KINDS:
        return redirect(url_for("console.disclosure_new"))
    parsed = f.PARSERS[kind](request.form)
    header = {**_header(request.form, "title", "period"), "key": _key(request.form.get("key"))}
    if _more():
        return _editor("new", kind, village, parsed.rows, header=header, more=f.MORE)
    if parsed.errors:
        return _editor("new", kind, village, parsed.rows, 400, parsed.errors, "请按提示修改标红的内容后再保存",
                       header)
    payload = {"village_code": village.code, "kind": kind, "title": header["title"] or "",
               "period": header["period"] or "", "content": parsed.content}
    data, errors = validate_form(d_schemas.CreateSchema(), payload)
    if errors:
        return _editor("new", kind, village, parsed.rows, 400, errors, "请按提示修改后再保存", header)
    try:
        created = d_service.create_disclosure(user, data, header["key"])
    except DomainError as err:
        return _editor("new", kind, village, parsed.rows, err.status,
                       f.place_errors(kind, errors_of(err), parsed.origin), _message(err), header)
    flash(f"草稿已保存：{created.latest.title}。确认无误后请提交审核。", "success")
    return redirect(url_for("console.disclosure", disclosure_id=created.id))


def _message(err):
    return "请按提示修改标红的内容后再保存" if err.status == 400 else err.message


def editable_detail(user, disclosure_id, correcting=False, check_state=True):
    """The staff view of a disclosure whose newest version this user may edit (or correct); else 403/409."""
    detail = d_staff.staff_detail(user, disclosure_id)
    staff("disclosure.edit", region_code=detail["village_code"])
    latest = detail["versions"][-1]
    if not check_state:
        pass
    elif correcting:
        if detail["status"] != "published" or latest["state"] != "published":
            raise Conflict("只有已发布且没有正在办理更正的公开内容才能更正", code="not_correctable")
    elif latest["state"] not in ("draft", "rejected") or detail["status"] == "withdrawn":
        raise Conflict("只有草稿或被退回的版本可以修改，已提交、已审核或已发布的内容不能直接修改",
                       code="not_editable")
    return detail, get_region(detail["village_code"], "village")


@bp.route("/disclosures/<int:disclosure_id>/edit")
def disclosure_edit(disclosure_id):
    """The editor of the draft or rejected version, filled with its content."""
    user = staff("disclosure.view_staff")
    detail, village = editable_detail(user, disclosure_id)
    latest = detail["versions"][-1]
    header = {"title": latest["title"], "period": detail["period"]}
    return _editor("edit", detail["kind"], village, f.rows_of(detail["kind"], latest["content"]), header=header,
                   detail=detail)


@bp.route("/disclosures/<int:disclosure_id>/edit", methods=["POST"])
def disclosure_update(disclosure_id):
    """Save the edited draft (a rejected version becomes a draft again)."""
    user = staff("disclosure.view_staff")
    detail, village = editable_detail(user, disclosure_id)
    kind = detail["kind"]
    parsed = f.PARSERS[kind](request.form)
    header = _header(request.form, "title", "period")
    if detail["status"] != "unpublished":
        header["period"] = detail["period"]
    if _more():
        return _editor("edit", kind, village, parsed.rows, header=header, detail=detail, more=f.MORE)
    if parsed.errors:
        return _editor("edit", kind, village, parsed.rows, 400, parsed.errors, "请按提示修改标红的内容后再保存",
                       header, detail)
    payload = {"title": header["title"] or "", "content": parsed.content}
    if detail["status"] == "unpublished":
        payload["period"] = header["period"] or ""
    data, errors = validate_form(d_schemas.UpdateSchema(), payload)
    if errors:
        return _editor("edit", kind, village, parsed.rows, 400, errors, "请按提示修改后再保存", header, detail)
    try:
        d_service.update_draft(user, disclosure_id, data)
    except DomainError as err:
        return _editor("edit", kind, village, parsed.rows, err.status,
                       f.place_errors(kind, errors_of(err), parsed.origin), _message(err), header, detail)
    flash("草稿已保存。", "success")
    return redirect(url_for("console.disclosure", disclosure_id=disclosure_id))


@bp.route("/disclosures/<int:disclosure_id>/correct")
def disclosure_correct_form(disclosure_id):
    """The correction editor: the published content to amend, and the reason the public will read."""
    user = staff("disclosure.view_staff")
    detail, village = editable_detail(user, disclosure_id, correcting=True)
    latest = detail["versions"][-1]
    header = {"title": latest["title"], "period": detail["period"], "reason": "", "key": secrets.token_urlsafe(16)}
    return _editor("correct", detail["kind"], village, f.rows_of(detail["kind"], latest["content"]), header=header,
                   detail=detail)


@bp.route("/disclosures/<int:disclosure_id>/correct", methods=["POST"])
def disclosure_correct(disclosure_id):
    """Start the correction: a new version that goes through review and supersedes the current one."""
    user = staff("disclosure.view_staff")
    detail, village = editable_detail(user, disclosure_id, correcting=True, check_state=False)  # a retry replays
    kind = detail["kind"]
    parsed = f.PARSERS[kind](request.form)
    header = {**_header(request.form, "title", "reason"), "period": detail["period"],
              "key": _key(request.form.get("key"))}
    if _more():
        return _editor("correct", kind, village, parsed.rows, header=header, detail=detail, more=f.MORE)
    if parsed.errors:
        return _editor("correct", kind, village, parsed.rows, 400, parsed.errors,
                       "请按提示修改标红的内容后再保存", header, detail)
    payload = {"content": parsed.content, "reason": header["reason"] or ""}
    if header["title"]:
        payload["title"] = header["title"]
    data, errors = validate_form(d_schemas.CorrectionSchema(), payload)
    if errors:
        return _editor("correct", kind, village, parsed.rows, 400, errors, "请按提示修改后再保存", header, detail)
    try:
        d_service.correct(user, disclosure_id, data, header["key"])
    except DomainError as err:
        return _editor("correct", kind, village, parsed.rows, err.status,
                       f.place_errors(kind, errors_of(err), parsed.origin), _message(err), header, detail)
    flash("更正版本已保存为草稿，提交审核并发布后将替换当前公开内容。", "success")
    return redirect(url_for("console.disclosure", disclosure_id=disclosure_id))
