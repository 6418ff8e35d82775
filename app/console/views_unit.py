"""Unit handler: his unit's assignments and warnings with due dates, and the answer with the rectification."""

from flask import flash, redirect, request, url_for

from app.console import confirm as confirmation
from app.console.access import staff
from app.console.blueprint import bp
from app.console.forms import clean, errors_of, validate_form
from app.console.layout import render, split_errors
from app.console.nav import NavEntry
from app.core.timeutil import today_cst
from app.errors import BadRequest, DomainError
from app.extensions import db
from app.regions.models import Unit
from app.triage import unit_work
from app.triage import warnings as warning_service
from app.triage.case_models import WARNING_STATUS_LABELS
from app.triage.case_schemas import ResponseSchema, UnitAssignmentsQuery, WarningsQuery
from app.triage.network_schemas import RectificationSchema

NAV = [NavEntry("交办与预警", "console.unit_work_page", "unit.respond", "单位整改",
                "本单位收到的交办事项和预警，按期限反馈办理和整改情况", 10)]
PAGE = 30
ASSIGNMENT_STATUSES = list(unit_work.ASSIGNMENT_STATUS_LABELS.items())


def _list_args(schema, prefix):
    raw = {k: v for k in ("status", "cursor") if (v := clean(request.args.get(f"{prefix}_{k}")))}
    args, errors = validate_form(schema, {**raw, "limit": PAGE})
    if errors:
        raise BadRequest("筛选条件有误：" + "；".join(m for msgs in errors.values() for m in msgs), fields=errors)
    return raw, args


def unit_page(user, status=200, errors=None, message=None, form=None, active=None, confirm=None):
    """Both lists of the handler's units, with the answer forms (one of them possibly showing errors, or the
    confirmation step of its answer)."""
    a_raw, a_args = _list_args(UnitAssignmentsQuery(), "a")
    w_raw, w_args = _list_args(WarningsQuery(), "w")
    assignments = unit_work.list_assignments(user, a_args)
    warnings = unit_work.list_warnings(user, w_args)
    units = [db.session.get(Unit, uid) for uid in warning_service.handler_units(user)]
    errors = errors or {}
    args = {f"a_{k}": v for k, v in a_raw.items() if k != "cursor"} | {f"w_{k}": v for k, v in w_raw.items()
                                                                       if k != "cursor"}
    return render("unit/work.html", status=status, assignments=assignments, warnings=warnings, args=args,
                  a_status=a_raw.get("status"), w_status=w_raw.get("status"), units=[u for u in units if u],
                  assignment_statuses=ASSIGNMENT_STATUSES, warning_statuses=list(WARNING_STATUS_LABELS.items()),
                  warning_labels=WARNING_STATUS_LABELS, today=today_cst(), errors=errors,
                  general=split_errors(errors, ("content", "rectified", "state", "evidence")), message=message,
                  form=form or {},
                  active=active, confirm=confirm)


@bp.route("/unit")
def unit_work_page():
    """The unit's assignments and warnings."""
    return unit_page(staff("unit.respond"))


def _answer(kind, item_id):
    user = staff("unit.respond")
    form = {"content": clean(request.form.get("content")), "rectified": clean(request.form.get("rectified"))}
    data, errors = validate_form(ResponseSchema(), {k: v for k, v in form.items() if v is not None})
    if errors:
        return unit_page(user, 400, errors, "请按提示修改后再提交", form, (kind, item_id))
    respond = unit_work.respond_assignment if kind == "assignment" else unit_work.respond_warning
    try:
        if not confirmation.confirmed(request.form):
            preview = confirmation.unit_answer_preview(user, kind, item_id, data["content"], data["rectified"])
            return unit_page(user, form=form, active=(kind, item_id), confirm=preview)
        respond(user, item_id, data["content"], data["rectified"])
    except DomainError as err:
        db.session.rollback()
        if err.status == 404:
            raise
        return unit_page(user, err.status, errors_of(err), err.message, form, (kind, item_id))
    what = "交办事项" if kind == "assignment" else "预警"
    flash(f"已反馈{what}的办理情况（{'已整改' if data['rectified'] else '整改中'}）。", "success")
    return redirect(url_for("console.unit_work_page"))


@bp.route("/unit/assignments/<int:assignment_id>/response", methods=["POST"])
def unit_assignment_answer(assignment_id):
    """Answer an assignment with what was done and whether it is rectified."""
    return _answer("assignment", assignment_id)


@bp.route("/unit/warnings/<int:warning_id>/response", methods=["POST"])
def unit_warning_answer(warning_id):
    """Answer a warning: 正在整改 (as often as needed) or 整改完毕 with its evidence; the older form with
    `rectified` (no `state`) still works, its text standing as the evidence."""
    if "state" not in request.form:
        return _answer("warning", warning_id)
    return _rectification(warning_id)


def _rectification(warning_id):
    user = staff("unit.respond")
    form = {name: clean(request.form.get(name)) for name in ("state", "content", "evidence")}
    data, errors = validate_form(RectificationSchema(), {k: v for k, v in form.items() if v is not None})
    if not errors and data["state"] == "rectified" and not data.get("evidence"):
        errors = {"evidence": ["报告整改完毕须说明整改佐证（如公开照片、文件编号、退还凭证）"]}
    active = ("warning", warning_id)
    if errors:
        return unit_page(user, 400, errors, "请按提示修改后再提交", form, active)
    rectified = data["state"] == "rectified"
    try:
        if not confirmation.confirmed(request.form):
            preview = confirmation.unit_answer_preview(user, "warning", warning_id, data["content"], rectified)
            if rectified:
                preview["lines"].insert(1, f"整改佐证“{data['evidence']}”将随反馈一并提交，作为整改完毕的依据。")
            return unit_page(user, form=form, active=active, confirm=preview)
        warning_service.report_rectification(user, warning_id, data["state"], data["content"], data.get("evidence"))
    except DomainError as err:
        db.session.rollback()
        if err.status == 404:
            raise
        return unit_page(user, err.status, errors_of(err), err.message, form, active)
    flash(f"已反馈预警的办理情况（{'已整改' if rectified else '整改中'}）。", "success")
    return redirect(url_for("console.unit_work_page") + f"#warning-{warning_id}")
