"""Warnings (预警) to units about a case or reports, and the units' rectification answers."""

import sqlalchemy as sa

from app.core.pagination import keyset_page
from app.core.permissions import require, require_anywhere, scoped, unit_scopes
from app.core.timeutil import today_cst, utcnow
from app.errors import BadRequest, Conflict, Forbidden, NotFound
from app.extensions import db
from app.regions.models import Unit
from app.reports.conflicts import party_clause
from app.reports.models import Report, ReportConflict
from app.security.service import audit
from app.triage import cases
from app.triage.access import accused_unit_ids, visibility_clause
from app.triage.case_models import Case, CaseReport, UnitWarning, WarningReport, WarningResponse


def accuses_unit(report, unit):
    """Whether a report accuses the unit or a person belonging to it (then it must never reach that unit)."""
    return unit.id in accused_unit_ids(report)


def create_warning(user, data):
    """Send a warning to a unit in the user's scope, never to the unit of anyone the linked reports accuse."""
    require_anywhere(user, "report.triage")
    unit = db.session.get(Unit, data["unit_id"])
    if unit is None:
        raise NotFound("未找到该单位", code="unit_not_found")
    require(user, "report.triage", region_code=unit.region_code)
    if not unit.is_active:
        raise Conflict("该单位已停用，不能发送预警", code="unit_inactive")
    if data["due_date"] < today_cst():
        raise BadRequest("整改期限不能早于今天", code="due_date_past", fields={"due_date": ["整改期限不能早于今天"]})
    case = cases.get_case(user, data["case_id"]) if data.get("case_id") else None
    reports = cases.load_reports(user, data["report_ids"]) if data.get("report_ids") else []
    linked = {r.id: r for r in reports}
    if case is not None:
        linked.update({link.report_id: link.report for link in case.links})
    for report in linked.values():
        if accuses_unit(report, unit):
            raise Conflict("反映涉及该单位或其工作人员，不能向被反映单位发送预警，请改送上级或其他单位",
                           code="accused_unit")
    warning = UnitWarning(unit_id=unit.id, region_code=unit.region_code, case_id=case.id if case else None,
                          content=data["content"].strip(), due_date=data["due_date"], status="open",
                          issued_by_id=user.id, issued_at=utcnow())
    db.session.add(warning)
    db.session.flush()
    for report in reports:
        db.session.add(WarningReport(warning_id=warning.id, report_id=report.id))
    audit("warning.create", user, "warning", warning.id,
          {"unit_id": unit.id, "case_id": warning.case_id, "report_ids": [r.id for r in reports]})
    db.session.commit()
    return for_viewer(user, [warning])[0]


def status_clause(status, today):
    """SQL condition for an effective warning status (overdue: still open after its due date)."""
    if status == "overdue":
        return sa.and_(UnitWarning.status == "open", UnitWarning.due_date < today)
    if status == "open":
        return sa.and_(UnitWarning.status == "open", UnitWarning.due_date >= today)
    return UnitWarning.status == status


def not_accused_clause(user):
    """SQL: no report linked to the warning, directly or through its case, may accuse the viewer."""
    linked = sa.exists().where(WarningReport.warning_id == UnitWarning.id,
                               ReportConflict.report_id == WarningReport.report_id, party_clause(user))
    via_case = sa.exists().where(CaseReport.case_id == UnitWarning.case_id,
                                 ReportConflict.report_id == CaseReport.report_id, party_clause(user))
    return ~sa.or_(linked, via_case)


def list_warnings(user, args):
    """Warnings to units in the user's scope, newest first, by status, unit or case."""
    require_anywhere(user, "report.triage")
    stmt = scoped(sa.select(UnitWarning).where(not_accused_clause(user)), UnitWarning.region_code, user,
                  "report.triage")
    if args.get("status"):
        stmt = stmt.where(status_clause(args["status"], today_cst()))
    if args.get("unit_id"):
        stmt = stmt.where(UnitWarning.unit_id == args["unit_id"])
    if args.get("case_id"):
        stmt = stmt.where(UnitWarning.case_id == args["case_id"])
    page = keyset_page(db.session, stmt, [(UnitWarning.id, True)], args["limit"], args["cursor"])
    for_viewer(user, page.items)
    return page


def for_viewer(user, items):
    """Keep on each warning only the linked reports and the case title the viewer may see (a report about him, in a
    village he is recused from or raised above his level never shows, not even by its tracking number)."""
    ids = {link.report_id for warning in items for link in warning.report_links}
    visible = set(db.session.scalars(sa.select(Report.id).where(Report.id.in_(ids), visibility_clause(user)))) \
        if ids else set()
    for warning in items:
        warning.visible_reports = [link.report for link in warning.report_links if link.report_id in visible]
        shown = warning.case is not None and db.session.scalar(sa.select(sa.literal(True)).where(
            Case.id == warning.case_id, cases.case_scope_clause(user))) is not None
        warning.visible_case_title = warning.case.title if shown else None
    return items


def list_unit_warnings(user, args):
    """Warnings to the handler's own units, newest first."""
    units = handler_units(user)
    stmt = sa.select(UnitWarning).where(UnitWarning.unit_id.in_(units))
    if args.get("status"):
        stmt = stmt.where(status_clause(args["status"], today_cst()))
    return keyset_page(db.session, stmt, [(UnitWarning.id, True)], args["limit"], args["cursor"])


def respond_warning(user, warning_id, content, rectified, evidence=None):
    """The unit answers a warning: 正在整改 (rectified False) keeps it in rectification and may be answered again;
    整改完毕 (rectified True) closes it. `evidence` says what proves the rectification."""
    units = handler_units(user)
    warning = db.session.get(UnitWarning, warning_id)
    if warning is None or warning.unit_id not in units:
        raise NotFound("未找到该预警", code="warning_not_found")
    if warning.status == "rectified":
        raise Conflict("该预警已反馈整改完成，不能再次反馈", code="already_rectified")
    now = utcnow()
    db.session.add(WarningResponse(warning_id=warning.id, content=content.strip(), rectified=rectified,
                                   evidence=(evidence or "").strip() or None, answered_by_id=user.id,
                                   answered_at=now))
    warning.answered_at = warning.answered_at or now
    warning.status = "rectified" if rectified else "answered"
    if rectified:
        warning.rectified_at = now
    audit("warning.respond", user, "warning", warning.id, {"rectified": rectified})
    db.session.commit()
    db.session.refresh(warning)
    return warning


def report_rectification(user, warning_id, state, content, evidence):
    """A unit reports its rectification state: 正在整改 (rectifying) or 整改完毕 (rectified, evidence required)."""
    if state == "rectified" and not (evidence or "").strip():
        raise BadRequest("报告整改完毕须说明整改佐证（如公开照片、文件编号、退还凭证）", code="evidence_required",
                         fields={"evidence": ["请填写整改佐证"]})
    return respond_warning(user, warning_id, content, state == "rectified", evidence)


def handler_units(user):
    """The units the user answers for (403 for anyone who is not a unit handler)."""
    require_anywhere(user, "unit.respond")
    units = unit_scopes(user, "unit.respond")
    if not units:
        raise Forbidden("您的账号未绑定承办单位", code="no_unit")
    return units
