"""The one module that changes Report.status: permission, state table, fields, timeline, notification, audit.

Nothing here commits: the caller (a route, casework, a job) commits once for the whole change.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.core.permissions import can, region_prefix, require
from app.core.timeutil import to_cst, today_cst, utcnow
from app.errors import BadRequest, Conflict, Forbidden, NotFound
from app.extensions import db
from app.regions.models import Unit
from app.reports.conflicts import conflicted_with
from app.reports.timeline import add_event
from app.security.service import audit
from app.triage import deadlines, states
from app.triage.access import (  # noqa: F401  (get_report_for and visible_reports_stmt are this module's API)
    accused_unit_ids,
    get_report_for,
    is_inspector_of,
    scope_label,
    visible_reports_stmt,
)
from app.triage.models import Assignment, ReportDeadline

# transitions the reporter is always told about (the event is public; internal detail goes in a separate note)
ALWAYS_PUBLIC = {"accept", "refuse", "merge", "conclude", "reopen"}
PUBLIC_TEXT = {"merge": "您反映的问题已与反映同一问题的其他来件合并办理", "accept": "您反映的问题已受理"}
MAX_NOTE = 2000


def require_triage(actor, report):
    """404 unless the actor sees the report as an inspector; 403 unless he may triage it there."""
    require(actor, "report.triage", region_code=report.region_code)
    if not is_inspector_of(actor, report, "report.triage"):
        raise NotFound("未找到该举报或无权查看", code="report_not_found")


def apply_action(actor, report, action, *, note=None, visibility="internal", disposition=None, unit_id=None,
                 due_date=None, result=None, reason=None, case_id=None):
    """Run one staff transition on a report and record it; returns the transition's timeline event."""
    if action == "respond":
        raise BadRequest("承办单位反馈请使用 answer_assignment", code="unknown_action")
    require_triage(actor, report)
    if visibility not in ("public", "internal"):
        raise BadRequest("可见范围应为 public（举报人可见）或 internal（仅内部）", code="invalid_visibility")
    note = _text(note)
    details = _check_inputs(report, action, disposition, unit_id, due_date, result=_text(result),
                            reason=_text(reason), case_id=case_id)
    target = states.next_state(report.status, action)
    today = today_cst()
    assignment = None
    if action == "assign":
        assignment = _assign(actor, report, unit_id, due_date, note)
    if disposition:
        report.disposition = disposition
    source = _set_status(report, target, today, assignment)
    label = scope_label(actor, report)
    if action in ALWAYS_PUBLIC:
        public_note = {"refuse": reason, "conclude": result, "reopen": reason}.get(action)
        if action in PUBLIC_TEXT and not public_note:
            public_note = note if (note and visibility == "public") else PUBLIC_TEXT[action]
        event = add_event(report, action, actor=actor, actor_label=label, note=_text(public_note),
                          visibility="public", from_status=source, to_status=target)
        internal = details + ([note] if note and visibility == "internal" else [])
        if internal:
            add_event(report, "note", actor=actor, actor_label=label, note="；".join(internal))
    else:
        text = "；".join(details + ([note] if note else [])) or None
        event = add_event(report, action, actor=actor, actor_label=label, note=text, visibility=visibility,
                          from_status=source, to_status=target)
    audit(f"report.{action}", actor, "report", report.id,
          {"from": source, "to": target, "disposition": disposition, "unit_id": unit_id, "case_id": case_id,
           "due_date": due_date.isoformat() if due_date else None})
    return event


def _text(value):
    value = (value or "").strip()
    if len(value) > MAX_NOTE:
        raise BadRequest(f"内容不能超过 {MAX_NOTE} 字", code="text_too_long")
    return value or None


def _check_inputs(report, action, disposition, unit_id, due_date, *, result, reason, case_id):
    """Validate what an action needs; returns the internal details to put on the timeline."""
    if action not in states.ACTION_LABELS:
        raise BadRequest(f"未知的操作：{action}", code="unknown_action")
    details = []
    if action in ("refuse", "reopen") and not reason:
        what = "不予受理" if action == "refuse" else "重新办理"
        raise BadRequest(f"请填写{what}的理由", code="reason_required", fields={"reason": ["请填写理由"]})
    if action == "conclude" and not result:
        raise BadRequest("请填写办理结果", code="result_required", fields={"result": ["请填写办理结果"]})
    if disposition is not None:
        label = states.disposition_label(disposition)
        if report.kind != "tipoff":
            raise BadRequest("只有检举控告需要选择处置方式", code="disposition_not_allowed")
        if action not in ("accept", "hold", "conclude", "assign"):
            raise BadRequest("该操作不能设置处置方式", code="disposition_not_allowed")
        details.append(f"处置方式：{label}")
    elif action == "accept" and report.kind == "tipoff":
        raise BadRequest("受理检举控告时请选择处置方式（谈话函询、初步核实、暂存待查或予以了结）",
                         code="disposition_required", fields={"disposition": ["请选择处置方式"]})
    if action == "assign":
        unit = _check_unit(report, unit_id, due_date)
        details.append(f"交办：{unit.name}，答复期限 {due_date.isoformat()}")
    if action == "merge" and case_id is not None:
        details.append(f"并入问题 #{case_id}")
    return details


def _check_unit(report, unit_id, due_date):
    if unit_id is None or due_date is None:
        raise BadRequest("交办需要选择承办单位和答复期限", code="assignment_incomplete",
                         fields={k: ["必填"] for k, v in (("unit_id", unit_id), ("due_date", due_date)) if v is None})
    unit = db.session.get(Unit, unit_id)
    if unit is None or not unit.is_active:
        raise BadRequest("承办单位不存在或已停用", code="unit_not_found", fields={"unit_id": ["承办单位不存在"]})
    if not report.region_code.startswith(region_prefix(unit.region_code)):
        raise BadRequest("该单位不负责此村（社区）所在区域", code="unit_out_of_region",
                         fields={"unit_id": ["单位不在辖区"]})
    if unit.id in accused_unit_ids(report):
        raise Conflict("不得将举报交给被反映人所在单位办理", code="assign_to_accused_unit")
    if due_date < today_cst():
        raise BadRequest("答复期限不能早于今天", code="due_date_past", fields={"due_date": ["答复期限不能早于今天"]})
    return unit


def _assign(actor, report, unit_id, due_date, note):
    for open_one in db.session.scalars(sa.select(Assignment).where(
            Assignment.report_id == report.id, Assignment.withdrawn_at.is_(None), Assignment.answered_at.is_(None))):
        open_one.withdrawn_at = utcnow()
    assignment = Assignment(report_id=report.id, unit_id=unit_id, due_date=due_date, note=note,
                            assigned_by_id=actor.id, assigned_at=utcnow())
    db.session.add(assignment)
    return assignment


def open_assignment(report):
    """The assignment a unit still has to answer, if any."""
    return db.session.scalar(sa.select(Assignment).where(
        Assignment.report_id == report.id, Assignment.withdrawn_at.is_(None), Assignment.answered_at.is_(None))
        .order_by(Assignment.id.desc()).limit(1))


def _set_status(report, target, today, assignment=None):
    """Set status and keep the report's deadline row in step; returns the previous status."""
    source = report.status
    report.status = target
    report.status_changed_at = utcnow()
    row = db.session.get(ReportDeadline, report.id)
    if row is None:
        row = ReportDeadline(report_id=report.id)
        db.session.add(row)
    if target == "accepted" and source in ("received", "reopened"):
        row.accepted_on = today
    if target == "reopened":
        row.accepted_on, row.concluded_on = today, None
    if target == "concluded":
        row.concluded_on = today
    if target in ("assigned", "concluded") and row.accepted_on is None:
        row.accepted_on = today  # reopened -> assign/conclude directly
    if target == "assigned" and assignment is None:
        assignment = open_assignment(report)
    row.stage, row.due_on = deadlines.stage_after(report, row, today, assignment)
    return source


def add_message(actor, report, content, visibility):
    """A staff message on the timeline: public ones reach the reporter, internal ones stay in the office."""
    require_triage(actor, report)
    content = _text(content)
    if not content:
        raise BadRequest("请填写留言内容", code="content_required", fields={"content": ["请填写留言内容"]})
    if visibility not in ("public", "internal"):
        raise BadRequest("可见范围应为 public 或 internal", code="invalid_visibility")
    event = add_event(report, "message", actor=actor, actor_label=scope_label(actor, report), note=content,
                      visibility=visibility)
    audit("report.message", actor, "report", report.id, {"visibility": visibility})
    return event


def answer_assignment(actor, assignment, *, answer, rectified=False):
    """The unit handler answers an open assignment: the report moves assigned -> responded (internal event)."""
    if actor is None or not can(actor, "unit.respond", unit_id=assignment.unit_id):
        raise Forbidden()
    report = assignment.report
    if conflicted_with(actor, report.id) or assignment.unit_id in accused_unit_ids(report):
        raise Forbidden("您或您所在单位可能是被反映对象，不能办理此件", code="conflict_of_interest")
    if not assignment.is_open or report.status != "assigned":
        raise Conflict("该交办事项已答复或已撤回", code="assignment_closed")
    answer = _text(answer)
    if not answer:
        raise BadRequest("请填写办理情况", code="content_required", fields={"content": ["请填写办理情况"]})
    target = states.next_state(report.status, "respond")
    assignment.answer, assignment.rectified = answer, bool(rectified)
    assignment.answered_at, assignment.answered_by_id = utcnow(), actor.id
    source = _set_status(report, target, today_cst(), assignment)
    unit = db.session.get(Unit, assignment.unit_id)
    note = f"{answer}（{'已整改' if rectified else '未整改完毕'}）"
    event = add_event(report, "respond", actor=actor, actor_label=unit.name if unit else None, note=note,
                      from_status=source, to_status=target)
    audit("report.respond", actor, "report", report.id, {"assignment_id": assignment.id, "rectified": rectified})
    return event


def reporter_dispute(report, reason, user=None):
    """The reporter disputes a conclusion within REPORT_DISPUTE_DAYS: the report is reopened (public event)."""
    reason = _text(reason)
    if not reason:
        raise BadRequest("请填写对办理结果的异议", code="reason_required", fields={"reason": ["请填写异议"]})
    target = states.next_state(report.status, "reopen", by="reporter")
    window = int(current_app.config.get("REPORT_DISPUTE_DAYS", 30))
    if to_cst(report.status_changed_at).date() + timedelta(days=window) < today_cst():
        raise Conflict(f"办结已超过 {window} 天，不能再提出异议", code="dispute_window_closed")
    source = _set_status(report, target, today_cst())
    event = add_event(report, "reopen", actor=user, actor_label="举报人", note=reason, visibility="public",
                      from_status=source, to_status=target)
    audit("report.dispute", user, "report", report.id, {"from": source})
    return event
