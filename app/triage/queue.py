"""The inspector's queue (scoped, filtered, keyset on id), the report detail and likely duplicates."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import lazyload

from app.core.pagination import keyset_page, where_equal
from app.core.permissions import require, require_anywhere
from app.core.timeutil import to_cst, today_cst
from app.extensions import db
from app.regions.models import Region, Unit
from app.reports import similarity
from app.reports.conflicts import accused_summary
from app.reports.models import Report
from app.security.service import audit
from app.triage import deadlines, identity, states
from app.triage.access import get_report_for, is_inspector_of, visibility_clause
from app.triage.models import Assignment, ReportDeadline

KIND_LABELS = {"suggestion": "意见建议", "question": "咨询", "help": "求助", "tipoff": "检举控告",
               "contact_point": "联系点反映"}
EXCERPT = 80
# statuses whose clock runs (deadlines.stage_after gives every other status due_on None): overdue and due_soon
# only look among these, so PostgreSQL reads (county|township, status, id) instead of the whole scope
CLOCK_RUNNING = ("received", "reopened", "accepted", "assigned", "responded")
# what similarity.rank reads of a candidate report
CANDIDATE_COLUMNS = (Report.id, Report.text_signature, Report.content, Report.village_code, Report.topic,
                     Report.target_person_key, Report.received_at)


def _like_escape(text):
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def queue_stmt(user, filters, today=None):
    """The select behind the queue: visibility, filters; ordered by the caller."""
    # the queue never reads timelines or attachments: load them lazily, not with the rows (selectin by default)
    stmt = (sa.select(Report).where(visibility_clause(user, "report.view"))
            .options(lazyload(Report.timeline), lazyload(Report.attachments)))
    if filters.get("status"):
        stmt = stmt.where(Report.status.in_(filters["status"]))
    stmt = where_equal(stmt, filters, {"village": Report.village_code, "township": Report.township_code,
                                       "kind": Report.kind, "topic": Report.topic})
    if filters.get("q"):
        stmt = stmt.where(Report.content.like(f"%{_like_escape(filters['q'])}%", escape="\\"))
    if filters.get("overdue") or filters.get("due_soon"):
        today = today or today_cst()
        stmt = stmt.outerjoin(ReportDeadline, ReportDeadline.report_id == Report.id).where(
            Report.status.in_(CLOCK_RUNNING))
        if filters.get("overdue"):
            stmt = stmt.where(deadlines.overdue_clause(today))
        if filters.get("due_soon"):
            stmt = stmt.where(deadlines.due_soon_clause(today))
    return stmt


def list_queue(user, filters, limit, cursor):
    """A page of the user's queue, newest first, each item with its running deadline."""
    require_anywhere(user, "report.view")
    page = keyset_page(db.session, queue_stmt(user, filters), [(Report.id, True)], limit, cursor)
    page.items = queue_items(page.items)
    return page


def queue_items(reports):
    """Queue rows: summary fields, village name and due_at/overdue/due_soon."""
    if not reports:
        return []
    ids = [r.id for r in reports]
    stored = db.session.scalars(sa.select(ReportDeadline).where(ReportDeadline.report_id.in_(ids)))
    rows = {d.report_id: d for d in stored}
    names = dict(db.session.execute(sa.select(Region.code, Region.display_name).where(
        Region.code.in_({r.region_code for r in reports} | {r.township_code or r.county_code for r in reports}))).all())
    today = today_cst()
    return [_summary(r, names, deadlines.due_info(*deadlines.current_due(r, rows.get(r.id)), today)) for r in reports]


def _summary(report, names, due):
    return {
        "id": report.id, "tracking_no": report.tracking_no, "kind": report.kind,
        "kind_label": KIND_LABELS.get(report.kind, report.kind), "topic": report.topic, "status": report.status,
        "status_label": states.STATE_LABELS.get(report.status, report.status), "channel": report.channel,
        "village_code": report.village_code, "village_name": names.get(report.region_code),
        "township_code": report.township_code, "township_name": names.get(report.township_code or report.county_code),
        "received_at": report.received_at, "status_changed_at": report.status_changed_at,
        "anonymous": report.anonymous, "disposition": report.disposition,
        "disposition_label": states.DISPOSITION_LABELS.get(report.disposition) if report.disposition else None,
        "flagged": report.flagged, "excerpt": (report.content or "")[:EXCERPT], **due,
    }


def report_detail(user, report_id):
    """The full report for staff: timeline, attachments, allowed actions, deadlines; the view is audited."""
    report = get_report_for(user, report_id)
    as_inspector = is_inspector_of(user, report)
    row = db.session.get(ReportDeadline, report.id)
    names = dict(db.session.execute(sa.select(Region.code, Region.display_name).where(
        Region.code.in_((report.region_code, report.township_code or report.county_code)))).all())
    today = today_cst()
    detail = _summary(report, names, deadlines.due_info(*deadlines.current_due(report, row), today))
    assignments = list(db.session.scalars(sa.select(Assignment).where(Assignment.report_id == report.id)
                                          .order_by(Assignment.id)))
    open_one = next((a for a in reversed(assignments) if a.is_open), None)
    latest = assignments[-1] if assignments else None

    def public_after(action):
        event = next((e for e in report.timeline if e.action == action and e.visibility == "public"), None)
        return to_cst(event.at).date() if event is not None else None

    can_triage = as_inspector and is_inspector_of(user, report, "report.triage")
    detail.update(
        content=report.content,
        timeline=report.timeline if as_inspector else [e for e in report.timeline if e.visibility == "public"],
        attachments=report.attachments,
        allowed_actions=_actions(report) if can_triage else [],
        deadlines=deadlines.report_deadlines(report, row, today, open_one or latest, public_after),
        reporter=identity.reporter_view(user, report, as_inspector),
        target=_target(report) if as_inspector else None,
        assignments=[_assignment(a) for a in assignments],
        contact_layer=report.contact_layer,
        identity_request=identity.my_request(user, report) if as_inspector else None,
    )
    audit("report.view", user, "report", report.id)
    return detail


def _actions(report):
    return [{"action": a, "label": states.ACTION_LABELS[a]} for a in states.allowed_actions(report.status)
            if a != "respond"]


def _target(report):
    return {**accused_summary(report), "unit_id": report.target_unit_id, "roster_id": report.target_roster_id,
            "disclosure_id": report.target_disclosure_id, "power_item": report.target_power_item}


def _assignment(a):
    unit = db.session.get(Unit, a.unit_id)
    return {"id": a.id, "unit_id": a.unit_id, "unit_name": unit.name if unit else None, "due_date": a.due_date,
            "assigned_at": a.assigned_at, "answered_at": a.answered_at, "answer": a.answer, "rectified": a.rectified,
            "withdrawn_at": a.withdrawn_at, "open": a.is_open}


def similar_reports(user, report_id, limit=10):
    """Likely duplicates among reports the user sees in the same county and window, best first."""
    report = get_report_for(user, report_id)
    require(user, "report.view", region_code=report.region_code)
    cfg = current_app.config
    window = timedelta(days=int(cfg.get("DUPLICATE_WINDOW_DAYS", 180)))
    # candidates as plain rows of the ranking columns (no ORM objects, no timelines); full rows for matches only
    stmt = (sa.select(*CANDIDATE_COLUMNS)
            .where(visibility_clause(user, "report.view"), Report.county_code == report.county_code,
                   Report.id != report.id, Report.received_at >= report.received_at - window,
                   Report.received_at <= report.received_at + window)
            .order_by(Report.id.desc()).limit(int(cfg.get("DUPLICATE_CANDIDATES", 500))))
    matches = similarity.rank(
        [_candidate(r) for r in db.session.execute(stmt)], _candidate(report), limit,
        min_score=float(cfg.get("DUPLICATE_SUGGEST_THRESHOLD", similarity.SUGGEST_THRESHOLD)))
    candidates = {r.id: r for r in db.session.scalars(
        sa.select(Report).where(Report.id.in_([m.candidate.id for m in matches]))
        .options(lazyload(Report.timeline), lazyload(Report.attachments)))} if matches else {}
    names = dict(db.session.execute(sa.select(Region.code, Region.display_name).where(
        Region.code.in_({candidates[m.candidate.id].village_code for m in matches}))).all()) if matches else {}
    today = today_cst()
    items = []
    for match in matches:
        other = candidates[match.candidate.id]
        items.append({"report": _summary(other, names, deadlines.due_info(None, None, today)),
                      "score": match.score, "text_score": match.text_score,
                      "reasons": similarity.reason_labels(match)})
    return items


def _candidate(report):
    signature = report.text_signature if isinstance(report.text_signature, dict) else None
    return similarity.Candidate(id=report.id, signature=signature, text=report.content,
                                village_code=report.village_code, topic=report.topic,
                                target_key=report.target_person_key, received_on=to_cst(report.received_at).date())
