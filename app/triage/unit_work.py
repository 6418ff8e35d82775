"""The unit handler's side: his unit's assignments and warnings, and his answers. Never a reporter's identity."""

import sqlalchemy as sa

from app.core.pagination import keyset_page
from app.core.timeutil import today_cst
from app.errors import NotFound
from app.extensions import db
from app.regions.models import Region
from app.reports.conflicts import conflicted_with
from app.reports.models import Report
from app.reports.topics import KIND_LABELS
from app.triage import service as triage
from app.triage import warnings
from app.triage.access import accused_unit_ids
from app.triage.models import Assignment

ASSIGNMENT_STATUS_LABELS = {"open": "待答复", "answered": "已答复", "overdue": "已超期"}


def list_assignments(user, args):
    """Assignments to the handler's units, newest first (withdrawn ones and reports naming him left out)."""
    units = warnings.handler_units(user)
    today = today_cst()
    stmt = (sa.select(Assignment).join(Report, Report.id == Assignment.report_id)
            .where(Assignment.unit_id.in_(units), Assignment.withdrawn_at.is_(None),
                   sa.or_(Report.target_user_id.is_(None), Report.target_user_id != user.id),
                   sa.or_(Report.target_unit_id.is_(None), Report.target_unit_id.not_in(units))))
    status = args.get("status")
    if status == "open":
        stmt = stmt.where(Assignment.answered_at.is_(None))
    elif status == "answered":
        stmt = stmt.where(Assignment.answered_at.is_not(None))
    elif status == "overdue":
        stmt = stmt.where(Assignment.answered_at.is_(None), Assignment.due_date < today)
    page = keyset_page(db.session, stmt, [(Assignment.id, True)], args["limit"], args["cursor"])
    for assignment in page.items:
        _decorate(assignment, today)
    return page


def respond_assignment(user, assignment_id, content, rectified):
    """The unit answers an assignment; the report moves assigned -> responded."""
    units = warnings.handler_units(user)
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.unit_id not in units or assignment.withdrawn_at is not None:
        raise NotFound("未找到该交办事项", code="assignment_not_found")
    triage.answer_assignment(user, assignment, answer=content, rectified=rectified)
    db.session.commit()
    return _decorate(assignment, today_cst())


def list_warnings(user, args):
    """Warnings to the handler's units, each with what he may know of the linked reports."""
    page = warnings.list_unit_warnings(user, args)
    for warning in page.items:
        warning.unit_reports = unit_reports(user, warning)
    return page


def respond_warning(user, warning_id, content, rectified):
    """The unit answers a warning (rectified or still rectifying)."""
    warning = warnings.respond_warning(user, warning_id, content, rectified)
    warning.unit_reports = unit_reports(user, warning)
    return warning


def unit_reports(user, warning):
    """The warning's reports as the unit may see them: content only for reports assigned to that unit."""
    assigned = set(db.session.scalars(sa.select(Assignment.report_id).where(
        Assignment.unit_id == warning.unit_id, Assignment.withdrawn_at.is_(None),
        Assignment.report_id.in_([link.report_id for link in warning.report_links]))))
    out = []
    for link in warning.report_links:
        report = link.report
        if conflicted_with(user, report.id) or warning.unit_id in accused_unit_ids(report):
            continue
        out.append(_unit_report(report, with_content=report.id in assigned))
    return out


def _unit_report(report, with_content):
    village = db.session.get(Region, report.region_code)
    return {"tracking_no": report.tracking_no, "kind_label": KIND_LABELS.get(report.kind, report.kind),
            "topic": report.topic, "village_name": village.display_name if village else "",
            "received_at": report.received_at, "content": report.content if with_content else None}


def _decorate(assignment, today):
    if assignment.answered_at is not None:
        status = "answered"
    else:
        status = "overdue" if assignment.due_date < today else "open"
    assignment.unit_status, assignment.unit_status_label = status, ASSIGNMENT_STATUS_LABELS[status]
    assignment.unit_overdue = status == "overdue"
    assignment.unit_report = _unit_report(assignment.report, with_content=True)
    return assignment
