"""Inspector: recording how a report or a problem ended (超前化解, 初步核实 and its verdict, 立案, 处分, 转有关部门,
了结) from the report page and the case page; the outcomes are listed there, a report's also in its timeline."""

from flask import flash, redirect, request, url_for

from app.auth.current import current_user
from app.console.access import staff
from app.console.blueprint import bp
from app.console.forms import errors_of, validate_form
from app.console.outcome_forms import PREFIX, outcome_lines, prefixed, read_form
from app.console.views_triage_report import report_page
from app.errors import DomainError
from app.extensions import db
from app.triage import outcomes as outcome_service
from app.triage.network_models import OUTCOME_KINDS, VERDICTS
from app.triage.network_schemas import OutcomeCreateSchema


def _report_outcomes(report_id):
    """The outcomes of a report the current user sees (the report page includes them)."""
    return outcome_lines(outcome_service.for_report(current_user(), report_id))


@bp.context_processor
def _outcome_context():
    return {"report_outcomes": _report_outcomes, "outcome_kinds": list(OUTCOME_KINDS.items()),
            "outcome_verdicts": list(VERDICTS.items())}


def _record(record, subject_id, form):
    """Validate and record: (user, form values, None) when saved, else (..., (errors, message, status))."""
    user = staff("report.triage")
    values, raw = read_form(form)
    data, errors = validate_form(OutcomeCreateSchema(), raw)
    if errors:
        return user, values, (prefixed(errors), "请按提示修改后再提交", 400)
    try:
        record(user, subject_id, data)
    except DomainError as err:
        db.session.rollback()
        if err.status == 404:
            raise
        return user, values, (prefixed(errors_of(err)), err.message, err.status)
    return user, values, None


@bp.route("/triage/reports/<int:report_id>/outcomes", methods=["POST"])
def report_outcome_create(report_id):
    """Record a report's outcome (an internal timeline step); bad input re-renders the report page."""
    user, values, failed = _record(outcome_service.record_for_report, report_id, request.form)
    if failed:
        errors, message, status = failed
        return report_page(user, report_id, status, errors, message, values, PREFIX)
    flash("已登记办理结果。", "success")
    return redirect(url_for("console.triage_report", report_id=report_id) + "#outcomes")


@bp.route("/cases/<int:case_id>/outcomes", methods=["POST"])
def case_outcome_create(case_id):
    """Record a problem's outcome; bad input re-renders the case page."""
    from app.console.views_cases import case_page

    user, values, failed = _record(outcome_service.record_for_case, case_id, request.form)
    if failed:
        errors, message, status = failed
        return case_page(user, case_id, status, errors, message, values)
    flash("已登记问题的办理结果。", "success")
    return redirect(url_for("console.case", case_id=case_id) + "#outcomes")
