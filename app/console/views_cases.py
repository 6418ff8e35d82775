"""Inspector: cases (问题) — merging reports into one, the case page, and concluding it for every reporter."""

from flask import flash, redirect, request, url_for

from app.console import confirm as confirmation
from app.console import confirm_case, queries
from app.console import outcome_forms as outcome_views
from app.console.access import staff
from app.console.blueprint import bp
from app.console.forms import clean, errors_of, validate_form
from app.console.layout import render, split_errors
from app.console.nav import NavEntry
from app.console.views_warnings import rectification_rows
from app.core.timeutil import today_cst
from app.errors import BadRequest, DomainError
from app.extensions import db
from app.reports.topics import KIND_LABELS
from app.triage import cases as case_service
from app.triage import outcomes as outcome_service
from app.triage import warnings as warning_service
from app.triage.case_models import CASE_STATUS_LABELS
from app.triage.case_schemas import CaseConcludeSchema, CaseCreateSchema, CaseReportsSchema
from app.triage.states import STATE_LABELS

NAV = [NavEntry("问题（合并办理）", "console.cases", "report.triage", "监督执纪",
                "多条反映合并为一个问题，统一办结并告知每位反映人", 20)]
PAGE = 50


@bp.route("/cases")
def cases():
    """Cases in the inspector's scope, newest first, by status."""
    user = staff("report.triage")
    status = clean(request.args.get("status"))
    if status and status not in CASE_STATUS_LABELS:
        raise BadRequest("状态不正确", code="validation_error")
    page = case_service.list_cases(user, status, PAGE, clean(request.args.get("cursor")))
    args = {"status": status} if status else {}
    return render("cases/list.html", page=page, current=status, args=args, statuses=list(CASE_STATUS_LABELS.items()),
                  status_labels=CASE_STATUS_LABELS)


def _report_ids():
    ids = []
    for value in request.form.getlist("report_ids"):
        value = value.strip()
        ids.append(int(value) if value.isdigit() and len(value) < 18 else value)
    return ids


def _merge_page(user, ids, form, status, errors=None, message=None):
    open_cases = case_service.list_cases(user, "open", 100, None).items
    errors = errors or {}
    return render("cases/merge.html", status=status, ids=[i for i in ids if isinstance(i, int)], form=form,
                  errors=errors, general=split_errors(errors, ("title", "case_id")), message=message,
                  case_options=[(c.id, f"#{c.id} {c.title}") for c in open_cases])


@bp.route("/cases/merge", methods=["POST"])
def case_merge():
    """Merge the chosen reports into a new case (title) or into an open case (case_id)."""
    user = staff("report.triage")
    ids = _report_ids()
    form = {"title": clean(request.form.get("title")), "case_id": clean(request.form.get("case_id"))}
    if form["case_id"]:
        data, errors = validate_form(CaseReportsSchema(), {"report_ids": ids})
        if not form["case_id"].isdigit():
            errors = {**errors, "case_id": ["请选择问题"]}
    else:
        data, errors = validate_form(CaseCreateSchema(), {"report_ids": ids, "title": form["title"] or ""})
    if errors:
        return _merge_page(user, ids, form, 400, errors, "请按提示修改后再提交")
    try:
        if form["case_id"]:
            case = case_service.add_reports(user, int(form["case_id"]), data["report_ids"])
        else:
            case = case_service.create_case(user, data["report_ids"], data["title"])
    except DomainError as err:
        db.session.rollback()
        return _merge_page(user, ids, form, err.status, errors_of(err), err.message)
    flash(f"已将 {len(data['report_ids'])} 条反映并入问题 #{case.id}，已告知各反映人。", "success")
    return redirect(url_for("console.case", case_id=case.id))


def case_page(user, case_id, status=200, errors=None, message=None, form=None, confirm=None):
    """Render the case page: reports the user may see, outcomes, each warned department's rectification state, and
    the conclusion form (possibly with its confirmation step, naming every reporter who will be told)."""
    case = case_service.with_reports(user, case_service.get_case(user, case_id))
    warnings = warning_service.list_warnings(user, {"case_id": case.id, "limit": 100, "cursor": None}).items
    errors = errors or {}
    placed = {"result", "reason"} | set(outcome_views.INPUTS)
    return render("cases/case.html", status=status, case=case, warnings=warnings, state_labels=STATE_LABELS,
                  kind_labels=KIND_LABELS, rectification=rectification_rows(warnings, today_cst()),
                  outcomes=outcome_views.outcome_lines(outcome_service.for_case(user, case.id)),
                  units=[(u.id, u.name) for u in queries.unit_choices()
                         if u.region_code and u.region_code.startswith(case.county_code[:6])],
                  status_labels=CASE_STATUS_LABELS, errors=errors, general=split_errors(errors, placed),
                  message=message, form=form or {}, confirm=confirm)


@bp.route("/cases/<int:case_id>")
def case(case_id):
    """A case: its reports (those the inspector may see), outcomes, warnings, and the conclusion form."""
    return case_page(staff("report.triage"), case_id)


@bp.route("/cases/<int:case_id>/conclude", methods=["POST"])
def case_conclude(case_id):
    """Conclude the case and every report in it: the first POST names every reporter who will be told, the
    confirmed one (confirm=1) does it. While a warning is unanswered, a reason is required."""
    user = staff("report.triage")
    form = {"result": clean(request.form.get("result")), "reason": clean(request.form.get("reason"))}
    data, errors = validate_form(CaseConcludeSchema(), {k: v for k, v in form.items() if v is not None}
                                 | {"result": form["result"] or ""})
    if errors:
        return case_page(user, case_id, 400, errors, "请填写办理结果", form)
    try:
        if not confirmation.confirmed(request.form):
            preview = confirm_case.conclude_preview(user, case_id, data["result"], data.get("reason"))
            return case_page(user, case_id, form=form, confirm=preview)
        case_service.conclude_case(user, case_id, data["result"], data.get("reason"))
    except DomainError as err:
        db.session.rollback()
        if err.status == 404:
            raise
        return case_page(user, case_id, err.status, errors_of(err), err.message, form)
    flash("问题已办结，办理结果已告知每位反映人。", "success")
    return redirect(url_for("console.case", case_id=case_id))
