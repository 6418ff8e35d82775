"""Inspector: warnings (预警) to units — the list with filters and the form to issue one."""

from flask import flash, redirect, request, url_for

from app.console import queries
from app.console.access import staff
from app.console.blueprint import bp
from app.console.forms import clean, errors_of, validate_form
from app.console.layout import render, split_errors
from app.console.nav import NavEntry
from app.core.permissions import can
from app.core.timeutil import today_cst
from app.errors import BadRequest, DomainError
from app.extensions import db
from app.triage import cases as case_service
from app.triage import warnings as warning_service
from app.triage.case_models import WARNING_STATUS_LABELS
from app.triage.case_schemas import WarningCreateSchema, WarningsQuery

NAV = [NavEntry("预警", "console.warnings", "report.triage", "监督执纪", "向职能部门发出预警，跟踪整改反馈", 30)]
PAGE = 50
FIELDS = ("unit_id", "case_id", "content", "due_date")


RECTIFICATION_LABELS = {"open": "待反馈", "overdue": "已超期未反馈", "rectifying": "正在整改", "rectified": "整改完毕"}


def rectification_rows(items, today):
    """Each warned department's rectification state: 待反馈 / 已超期未反馈 / 正在整改 (how many answers, past the
    due date or not) / 整改完毕 with its evidence; the answers oldest first."""
    out = []
    for warning in items:
        state = warning.effective_status(today)
        state = "rectifying" if state == "answered" else state
        answers = list(warning.responses)
        final = answers[-1] if state == "rectified" and answers else None
        label = RECTIFICATION_LABELS[state]
        if state == "rectifying":
            label += f"（已反馈 {len(answers)} 次{'，已过整改期限' if today > warning.due_date else ''}）"
        out.append({"warning": warning, "unit": warning.unit.name, "state": state, "label": label,
                    "answers": answers, "evidence": (final.evidence or final.content) if final else None,
                    "rectified_at": warning.rectified_at})
    return out


def _units(user):
    return [(u.id, u.name) for u in queries.unit_choices() if can(user, "report.triage", region_code=u.region_code)]


@bp.route("/warnings")
def warnings():
    """Warnings to units in the inspector's scope, newest first."""
    user = staff("report.triage")
    raw = {k: v for k in ("status", "unit_id", "case_id", "cursor") if (v := clean(request.args.get(k)))}
    args, errors = validate_form(WarningsQuery(), {**raw, "limit": PAGE})
    if errors:
        raise BadRequest("筛选条件有误：" + "；".join(m for msgs in errors.values() for m in msgs), fields=errors)
    page = warning_service.list_warnings(user, args)
    shown = {k: v for k, v in raw.items() if k != "cursor"}
    return render("warnings/list.html", page=page, filters=shown, args=shown, units=_units(user),
                  rectification=rectification_rows(page.items, today_cst()),
                  statuses=list(WARNING_STATUS_LABELS.items()), status_labels=WARNING_STATUS_LABELS,
                  today=today_cst())


def _form_page(user, status=200, form=None, errors=None, message=None):
    errors = errors or {}
    open_cases = case_service.list_cases(user, "open", 100, None).items
    return render("warnings/form.html", status=status, form=form or {}, errors=errors, message=message,
                  general=split_errors(errors, FIELDS), units=_units(user),
                  case_options=[(c.id, f"#{c.id} {c.title}") for c in open_cases])


@bp.route("/warnings/new")
def warning_new():
    """The form to issue a warning (optionally about a case)."""
    user = staff("report.triage")
    return _form_page(user, form={"case_id": clean(request.args.get("case_id"))})


@bp.route("/warnings/new", methods=["POST"])
def warning_create():
    """Issue a warning; bad input re-renders the form and saves nothing."""
    user = staff("report.triage")
    form = {name: clean(request.form.get(name)) for name in FIELDS}
    raw = {k: (int(v) if k in ("unit_id", "case_id") and v.isdigit() and len(v) < 10 else v)
           for k, v in form.items() if v is not None}
    data, errors = validate_form(WarningCreateSchema(), raw)
    if errors:
        return _form_page(user, 400, form, errors, "请按提示修改后再提交")
    try:
        warning = warning_service.create_warning(user, data)
    except DomainError as err:
        db.session.rollback()
        return _form_page(user, err.status, form, errors_of(err), err.message)
    flash(f"预警 #{warning.id} 已发给{warning.unit.name}，整改期限 {warning.due_date.isoformat()}。", "success")
    return redirect(url_for("console.warnings"))
