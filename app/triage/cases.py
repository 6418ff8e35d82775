"""Cases: merging reports about one problem, adding more later, and concluding them all at once."""

import sqlalchemy as sa

from app.core.pagination import keyset_page
from app.core.permissions import can, region_scopes, require_anywhere
from app.core.timeutil import utcnow
from app.errors import BadRequest, Conflict, Forbidden, NotFound
from app.extensions import db
from app.reports.conflicts import party_clause
from app.reports.models import Report, ReportConflict
from app.reports.timeline import add_event
from app.security.service import audit
from app.triage import service as triage
from app.triage.access import scope_label, visibility_clause
from app.triage.case_models import Case, CaseReport, UnitWarning
from app.triage.states import STATE_LABELS

MERGE_NOTE = "已与同类问题合并办理"
MERGE_STATES = ("received", "accepted")  # these go to `merged` through the state machine
LINK_STATES = ("assigned", "responded", "on_hold", "reopened")  # already in work: linked, status unchanged
CONCLUDE_STATES = ("accepted", "on_hold", "responded", "reopened")
DONE_STATES = ("concluded", "closed", "not_accepted")
MAX_REPORTS = 200


def case_scope_clause(user, action="report.triage"):
    """SQL condition: cases within the user's region scopes for action, every report of which he may see (none
    accuses him, none lies in a village he is recused from, none is raised above his level)."""
    scopes = region_scopes(user, action)
    if not scopes:
        return sa.false()
    accused = sa.exists().where(CaseReport.case_id == Case.id, ReportConflict.report_id == CaseReport.report_id,
                                party_clause(user))
    hidden = sa.exists().where(CaseReport.case_id == Case.id, Report.id == CaseReport.report_id,
                               ~visibility_clause(user, action))
    if None in scopes:
        return ~sa.or_(accused, hidden)
    clauses = []
    for prefix in scopes:
        clauses.append(Case.township_code.startswith(prefix, autoescape=True))
        clauses.append(sa.and_(Case.township_code.is_(None), Case.county_code.startswith(prefix, autoescape=True)))
    return sa.and_(sa.or_(*clauses), ~accused, ~hidden)


def get_case(user, case_id, action="report.triage"):
    """A case the user may work on, or 404 (a case outside his scope does not exist for him)."""
    case = db.session.get(Case, case_id)
    if case is None or not can(user, action, region_code=case.scope_code) or not db.session.scalar(
            sa.select(sa.literal(True)).where(Case.id == case.id, case_scope_clause(user, action))):
        raise NotFound("未找到该问题", code="case_not_found")
    return case


def list_cases(user, status=None, limit=20, cursor=None):
    """Cases in the user's scope, newest first."""
    require_anywhere(user, "report.triage")
    stmt = sa.select(Case).where(case_scope_clause(user))
    if status:
        stmt = stmt.where(Case.status == status)
    return keyset_page(db.session, stmt, [(Case.id, True)], limit, cursor)


def visible_case_reports(user, case):
    """The case's reports that the user may see (a report naming him never shows), oldest first."""
    ids = [link.report_id for link in case.links]
    if not ids:
        return []
    stmt = triage.visible_reports_stmt(user).where(Report.id.in_(ids)).order_by(Report.id)
    return list(db.session.scalars(stmt))


def create_case(user, report_ids, title):
    """Create a case from reports in the user's scope and merge them into it."""
    require_anywhere(user, "report.triage")
    reports = load_reports(user, report_ids)
    county = _common(r.county_code for r in reports)
    if county is None:
        raise BadRequest("不同县（市、区）的反映不能合并为同一个问题", code="mixed_counties")
    for report in reports:
        _check_linkable(report)
    case = Case(title=title.strip(), county_code=county, township_code=_common(r.township_code for r in reports),
                status="open", created_by_id=user.id, created_at=utcnow())
    db.session.add(case)
    db.session.flush()
    for report in reports:
        _link(user, case, report)
    audit("case.create", user, "case", case.id, {"report_ids": [r.id for r in reports]})
    db.session.commit()
    return case


def add_reports(user, case_id, report_ids):
    """Merge more reports into an open case; they must lie within the case's county (and township, if it has one)."""
    case = get_case(user, case_id)
    if case.status != "open":
        raise Conflict("该问题已办结，不能再并入反映", code="case_concluded")
    reports = load_reports(user, report_ids)
    for report in reports:
        if report.county_code != case.county_code:
            raise BadRequest(f"反映 {report.tracking_no} 不属于该问题所在县（市、区）", code="mixed_counties")
        _check_linkable(report)
    if case.township_code and any(r.township_code != case.township_code for r in reports):
        if not can(user, "report.triage", region_code=case.county_code):
            raise Forbidden("并入其他乡镇的反映后该问题将升为县级问题，您没有县级办理权限")
        case.township_code = None
    for report in reports:
        _link(user, case, report)
    audit("case.add_reports", user, "case", case.id, {"report_ids": [r.id for r in reports]})
    db.session.commit()
    return case


def unanswered(case_id):
    """The warnings about a case that no unit has answered yet."""
    return list(db.session.scalars(sa.select(UnitWarning).where(UnitWarning.case_id == case_id,
                                                                UnitWarning.status == "open")
                                   .order_by(UnitWarning.id)))


def conclude_case(user, case_id, result, reason=None):
    """Conclude an open case and every report in it; each reporter is told through the outbox. While a warning about
    it is unanswered, only with the inspector's recorded `reason`."""
    case = get_case(user, case_id)
    if case.status != "open":
        raise Conflict("该问题已办结", code="case_concluded")
    reason = (reason or "").strip() or None
    waiting_units = unanswered(case.id)
    if waiting_units and not reason:
        names = "、".join(dict.fromkeys(w.unit.name for w in waiting_units))
        raise Conflict(f"以下单位尚未反馈预警整改情况：{names}。如确需办结，请填写办结理由", code="warning_unanswered",
                       fields={"reason": ["尚有未反馈的预警，请填写办结理由"]})
    reports = [link.report for link in case.links]
    visible = {r.id for r in visible_case_reports(user, case)}
    if any(r.id not in visible for r in reports):
        raise Forbidden("该问题中有您需要回避的反映，请由其他工作人员办结", code="recused")
    waiting = [r.tracking_no for r in reports if r.status == "assigned"]
    if waiting:
        raise Conflict("以下反映尚待承办单位反馈，暂不能办结：" + "、".join(waiting), code="awaiting_unit")
    for report in reports:
        if report.status in CONCLUDE_STATES:
            triage.apply_action(user, report, "conclude", note=result, visibility="public", result=result,
                                case_id=case.id)
        elif report.status == "merged":
            # a merged report stays merged; the reporter still gets the result on his own timeline
            add_event(report, "conclude", actor=user, actor_label=scope_label(user, report), note=result,
                      visibility="public", from_status="merged", to_status="merged")
    case.status, case.result = "concluded", result
    case.conclude_reason = reason if waiting_units else None
    case.concluded_by_id, case.concluded_at = user.id, utcnow()
    audit("case.conclude", user, "case", case.id,
          {"reports": len(reports), "unanswered_warnings": [w.id for w in waiting_units],
           "reason": case.conclude_reason})
    db.session.commit()
    return case


def load_reports(user, report_ids):
    """The reports the user may triage, by id, each once (404 for any he may not see)."""
    ids = list(dict.fromkeys(report_ids))
    if not ids:
        raise BadRequest("请至少选择一条反映", code="no_reports")
    if len(ids) > MAX_REPORTS:
        raise BadRequest(f"一次最多合并 {MAX_REPORTS} 条反映", code="too_many_reports")
    reports = []
    for report_id in ids:
        report = triage.get_report_for(user, report_id)
        triage.require_triage(user, report)
        reports.append(report)
    return reports


def _check_linkable(report):
    existing = db.session.get(CaseReport, report.id)
    if existing is not None:
        raise Conflict(f"反映 {report.tracking_no} 已并入问题（编号 {existing.case_id}）", code="already_in_case")
    if report.status not in MERGE_STATES + LINK_STATES:
        raise Conflict(f"反映 {report.tracking_no} 当前状态（{STATE_LABELS.get(report.status, report.status)}）"
                       "不能并入问题", code="not_mergeable")


def _link(user, case, report):
    db.session.add(CaseReport(case_id=case.id, report_id=report.id, added_by_id=user.id, added_at=utcnow()))
    db.session.flush()
    share_conflicts(case.id, user)
    if report.status in MERGE_STATES:
        triage.apply_action(user, report, "merge", note=MERGE_NOTE, visibility="public", case_id=case.id)
    else:
        add_event(report, "merge", actor=user, actor_label=scope_label(user, report), note=MERGE_NOTE,
                  visibility="public", from_status=report.status, to_status=report.status)


def share_conflicts(case_id, actor):
    """One matter, one set of possible matches: every report of a case carries every report's open conflicts."""
    ids = list(db.session.scalars(sa.select(CaseReport.report_id).where(CaseReport.case_id == case_id)))
    rows = list(db.session.scalars(sa.select(ReportConflict).where(
        ReportConflict.report_id.in_(ids), ReportConflict.cleared_at.is_(None))))
    have = {(r.report_id, r.user_id, r.unit_id) for r in rows}
    for party in {(r.user_id, r.unit_id) for r in rows}:
        for report_id in ids:
            if (report_id, *party) not in have:
                db.session.add(ReportConflict(report_id=report_id, user_id=party[0], unit_id=party[1],
                                              reason="same_matter"))
                audit("report.conflict_shared", actor, "report", report_id,
                      {"case_id": case_id, "user_id": party[0], "unit_id": party[1]})


def _common(values):
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else None


def with_reports(user, case):
    """Attach the reports the user may see (for the detail view) and return the case."""
    case.visible_reports = visible_case_reports(user, case)
    return case
