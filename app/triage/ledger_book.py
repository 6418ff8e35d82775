"""The 台账: one line per case and per warning with item, unit, due date, result and status.

A period selects what was created in it; anything still pending is listed whatever its date, so the book
always shows the open work.
"""

from datetime import timedelta

import sqlalchemy as sa

from app.auth.permissions import region_scopes, require
from app.core.timeutil import start_of_day_utc, today_cst
from app.errors import BadRequest
from app.extensions import db
from app.regions.models import Unit
from app.triage import stats
from app.triage.case_models import CASE_STATUS_LABELS, WARNING_STATUS_LABELS, Case, CaseReport, UnitWarning
from app.triage.cases import case_scope_clause
from app.triage.models import Assignment
from app.triage.warnings import not_accused_clause

MAX_ROWS = 5000
TYPE_LABELS = {"case": "问题", "warning": "预警"}
COLUMNS = (("type_label", "类型"), ("id", "编号"), ("item", "事项"), ("report_count", "涉及反映数"),
           ("units", "承办单位"), ("due_date", "办理期限"), ("result", "办理结果"), ("status_label", "状态"),
           ("overdue", "是否超期"), ("created_at", "登记时间"))


def ledger(user, args):
    """The ledger lines of cases and warnings in the user's scope for a period (default: this quarter)."""
    require(user, "report.triage")
    start, end = stats.period(args)
    since, until = start_of_day_utc(start), start_of_day_utc(end + timedelta(days=1))
    today = today_cst()
    items = []
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
                      "report_count": len(case.links), "units": "、".join(units.get(case.id, [])), "due_date": due,
                      "result": case.result or "", "status": case.status,
                      "status_label": CASE_STATUS_LABELS[case.status],
                      "overdue": case.status == "open" and due is not None and due < today,
                      "created_at": case.created_at})
    return lines


def _warning_lines(user, since, until, today):
    scopes = region_scopes(user, "report.triage")
    stmt = sa.select(UnitWarning).where(sa.or_(sa.and_(UnitWarning.issued_at >= since, UnitWarning.issued_at < until),
                                               UnitWarning.status != "rectified"), not_accused_clause(user))
    if None not in scopes:
        stmt = stmt.where(sa.or_(*[UnitWarning.region_code.startswith(p, autoescape=True) for p in scopes]))
    lines = []
    for warning in db.session.scalars(stmt.order_by(UnitWarning.id).limit(MAX_ROWS + 1)):
        status = warning.effective_status(today)
        answer = warning.responses[-1] if warning.responses else None
        result = (answer.content + ("（已整改）" if answer.rectified else "（整改中）")) if answer else ""
        lines.append({"type": "warning", "type_label": TYPE_LABELS["warning"], "id": warning.id,
                      "item": warning.content, "report_count": len(warning.report_links),
                      "units": warning.unit.name, "due_date": warning.due_date, "result": result, "status": status,
                      "status_label": WARNING_STATUS_LABELS[status],
                      "overdue": status == "overdue" or (warning.answered_at is not None and _late(warning)),
                      "created_at": warning.issued_at})
    return lines


def _late(warning):
    from app.core.timeutil import to_cst

    return to_cst(warning.answered_at).date() > warning.due_date
