"""The 台账, the whole book: one line per single report, per case and per warning with item, responsible unit, due
date, each answer, result and state; warning lines name their reports (the case's and their own) and count them.

A period selects what was created in it; anything still pending is listed whatever its date, so the book
always shows the open work.
"""

from datetime import timedelta

import sqlalchemy as sa

from app.core.permissions import require_anywhere, scoped
from app.core.timeutil import start_of_day_utc, today_cst
from app.errors import BadRequest
from app.extensions import db
from app.regions.models import Unit
from app.reports.models import Report, TimelineEvent
from app.triage import stats
from app.triage.access import visibility_clause
from app.triage.case_models import (
    CASE_STATUS_LABELS,
    WARNING_STATUS_LABELS,
    Case,
    CaseReport,
    UnitWarning,
    WarningResponse,
)
from app.triage.cases import case_scope_clause
from app.triage.models import Assignment
from app.triage.states import STATE_LABELS
from app.triage.warnings import for_viewer, not_accused_clause

MAX_ROWS = 5000
TYPE_LABELS = {"report": "单件反映", "case": "问题", "warning": "预警"}
COLUMNS = (("type_label", "类型"), ("id", "编号"), ("item", "事项"), ("report_count", "涉及反映数"),
           ("reports", "涉及反映（受理编号）"), ("units", "承办单位"), ("due_date", "办理期限"),
           ("answers", "各次反馈"), ("result", "办理结果"), ("status_label", "状态"), ("overdue", "是否超期"),
           ("created_at", "登记时间"))
PENDING_REPORT = ("accepted", "assigned", "responded", "on_hold", "reopened")
HANDLED_REPORT = (*PENDING_REPORT, "not_accepted", "concluded", "closed")


def ledger(user, args):
    """The ledger lines of cases and warnings in the user's scope for a period (default: this quarter)."""
    require_anywhere(user, "report.triage")
    start, end = stats.period(args)
    since, until = start_of_day_utc(start), start_of_day_utc(end + timedelta(days=1))
    today = today_cst()
    items = []
    if args.get("type") in (None, "report"):
        items += _report_lines(user, since, until, today)
    if args.get("type") in (None, "case"):
        items += _case_lines(user, since, until, today)
    if args.get("type") in (None, "warning"):
        items += _warning_lines(user, since, until, today)
    if len(items) > MAX_ROWS:
        raise BadRequest(f"台账超过 {MAX_ROWS} 行，请缩短时间范围或按类型分别导出", code="too_many_rows")
    items.sort(key=lambda i: i["created_at"])
    return {"from": start, "to": end, "items": items}


def _case_lines(user, since, until, today):
    stmt = (sa.select(Case).where(case_scope_clause(user),
                                  sa.or_(sa.and_(Case.created_at >= since, Case.created_at < until),
                                         Case.status == "open"))
            .order_by(Case.id).limit(MAX_ROWS + 1))
    cases = list(db.session.scalars(stmt))
    if not cases:
        return []
    ids = [c.id for c in cases]
    assignment = Assignment
    work = db.session.execute(
        sa.select(CaseReport.case_id, Unit.name, assignment.due_date, assignment.answered_at)
        .join(assignment, assignment.report_id == CaseReport.report_id).join(Unit, Unit.id == assignment.unit_id)
        .where(CaseReport.case_id.in_(ids), assignment.withdrawn_at.is_(None)))
    warned = db.session.execute(
        sa.select(UnitWarning.case_id, Unit.name, UnitWarning.due_date, UnitWarning.answered_at)
        .join(Unit, Unit.id == UnitWarning.unit_id).where(UnitWarning.case_id.in_(ids)))
    answers = {}
    for case_id, name, at, text, done in db.session.execute(
            sa.select(UnitWarning.case_id, Unit.name, WarningResponse.answered_at, WarningResponse.content,
                      WarningResponse.rectified)
            .join(UnitWarning, UnitWarning.id == WarningResponse.warning_id).join(Unit, Unit.id == UnitWarning.unit_id)
            .where(UnitWarning.case_id.in_(ids)).order_by(WarningResponse.id)):
        answers.setdefault(case_id, []).append(_answer(name, at, text, done))
    numbers = {}
    for case_id, number in db.session.execute(sa.select(CaseReport.case_id, Report.tracking_no).join(
            Report, Report.id == CaseReport.report_id).where(CaseReport.case_id.in_(ids), visibility_clause(user))
            .order_by(Report.id)):
        numbers.setdefault(case_id, []).append(number)
    units, pending = {}, {}
    for case_id, name, due, answered in [*work, *warned]:
        names = units.setdefault(case_id, [])
        if name not in names:
            names.append(name)
        if answered is None:
            pending.setdefault(case_id, []).append(due)
    lines = []
    for case in cases:
        due = min(pending.get(case.id, []), default=None)
        lines.append({"type": "case", "type_label": TYPE_LABELS["case"], "id": case.id, "item": case.title,
                      "report_count": len(case.links), "reports": "、".join(numbers.get(case.id, [])),
                      "units": "、".join(units.get(case.id, [])), "due_date": due,
                      "answers": "；".join(answers.get(case.id, [])),
                      "result": case.result or "", "status": case.status,
                      "status_label": CASE_STATUS_LABELS[case.status],
                      "overdue": case.status == "open" and due is not None and due < today,
                      "created_at": case.created_at})
    return lines


def _warning_lines(user, since, until, today):
    stmt = sa.select(UnitWarning).where(sa.or_(sa.and_(UnitWarning.issued_at >= since, UnitWarning.issued_at < until),
                                               UnitWarning.status != "rectified"), not_accused_clause(user))
    stmt = scoped(stmt, UnitWarning.region_code, user, "report.triage")
    lines = []
    found = for_viewer(user, list(db.session.scalars(stmt.order_by(UnitWarning.id).limit(MAX_ROWS + 1))))
    for warning in found:
        status = warning.effective_status(today)
        answer = warning.responses[-1] if warning.responses else None
        result = (answer.content + ("（已整改）" if answer.rectified else "（整改中）")) if answer else ""
        linked = {link.report_id for link in warning.report_links}
        shown = list(warning.visible_reports)
        if warning.case is not None:
            linked |= {link.report_id for link in warning.case.links}
            if warning.visible_case_title is not None:
                shown += [link.report for link in warning.case.links]
        numbers = list(dict.fromkeys(r.tracking_no for r in sorted(shown, key=lambda r: r.id)))
        lines.append({"type": "warning", "type_label": TYPE_LABELS["warning"], "id": warning.id,
                      "item": warning.content, "report_count": len(linked), "reports": "、".join(numbers),
                      "answers": "；".join(_answer(None, r.answered_at, r.content, r.rectified, r.evidence)
                                          for r in warning.responses),
                      "units": warning.unit.name, "due_date": warning.due_date, "result": result, "status": status,
                      "status_label": WARNING_STATUS_LABELS[status],
                      "overdue": status == "overdue" or (warning.answered_at is not None and _late(warning)),
                      "created_at": warning.issued_at})
    return lines


def _late(warning):
    from app.core.timeutil import to_cst

    return to_cst(warning.answered_at).date() > warning.due_date


def _answer(unit, at, text, rectified, evidence=None):
    from app.core.timeutil import to_cst

    head = f"{unit} " if unit else ""
    proof = f"（佐证：{evidence}）" if evidence else ""
    return f"{head}{to_cst(at):%Y-%m-%d} {'整改完毕' if rectified else '正在整改'}：{text}{proof}"


def _report_lines(user, since, until, today):
    """Single reports (in no case) that were handled: decided in the period, or still in work whatever their date."""
    in_case = sa.exists().where(CaseReport.report_id == Report.id)
    stmt = (sa.select(Report).where(visibility_clause(user, "report.triage"), ~in_case,
                                    Report.status.in_(HANDLED_REPORT),
                                    sa.or_(sa.and_(Report.received_at >= since, Report.received_at < until),
                                           Report.status.in_(PENDING_REPORT)))
            .order_by(Report.id).limit(MAX_ROWS + 1))
    reports = list(db.session.scalars(stmt))
    if not reports:
        return []
    ids = [r.id for r in reports]
    work = {}
    for row in db.session.execute(sa.select(Assignment.report_id, Unit.name, Assignment.due_date,
                                            Assignment.answered_at, Assignment.answer, Assignment.rectified)
                                  .join(Unit, Unit.id == Assignment.unit_id)
                                  .where(Assignment.report_id.in_(ids), Assignment.withdrawn_at.is_(None))
                                  .order_by(Assignment.id)):
        work.setdefault(row.report_id, []).append(row)
    results = dict(db.session.execute(sa.select(TimelineEvent.report_id, TimelineEvent.note).where(
        TimelineEvent.report_id.in_(ids), TimelineEvent.action == "conclude").order_by(TimelineEvent.id)).all())
    lines = []
    for report in reports:
        rows = work.get(report.id, [])
        due = min([r.due_date for r in rows if r.answered_at is None], default=None)
        lines.append({"type": "report", "type_label": TYPE_LABELS["report"], "id": report.id,
                      "item": f"{report.topic}：{report.content[:60]}", "report_count": 1,
                      "reports": report.tracking_no, "units": "、".join(dict.fromkeys(r.name for r in rows)),
                      "due_date": due, "answers": "；".join(_answer(r.name, r.answered_at, r.answer, r.rectified)
                                                           for r in rows if r.answered_at is not None),
                      "result": results.get(report.id) or "", "status": report.status,
                      "status_label": STATE_LABELS.get(report.status, report.status),
                      "overdue": due is not None and due < today, "created_at": report.received_at})
    return lines
