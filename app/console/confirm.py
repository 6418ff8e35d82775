"""Confirmation steps of the console: before an action that cannot be undone runs, say who will be told.

A form's first POST renders the consequences with a hidden `confirm=1`; the second POST does it. The
consequences are computed from real data: a triage transition is run for real inside the request's transaction
(timeline events, outbox notifications, assignments), read back and rolled back; unit answers and disclosure
approvals are described from the records they will reach.
"""

import sqlalchemy as sa

from app.auth.models import RoleGrant, User
from app.core.permissions import REGION_LEVEL_DIGITS
from app.errors import Conflict, NotFound
from app.extensions import db
from app.notify.models import OutboxMessage
from app.regions.models import Unit
from app.reports.models import TimelineEvent
from app.reports.topics import status_label
from app.triage import service
from app.triage import warnings as warning_service
from app.triage.access import office_label
from app.triage.case_models import UnitWarning
from app.triage.models import Assignment

FIELD = "confirm"
TRIAGE_ACTIONS = ("accept", "refuse", "assign", "conclude")
MAX_NAMES = 5


def confirmed(form):
    """Whether the form carries the confirmation step's `confirm=1`."""
    return (form.get(FIELD) or "").strip() == "1"


def _names(users):
    names = [u.display_name or u.username for u in users]
    shown = "、".join(names[:MAX_NAMES])
    return shown + (f"等 {len(names)} 人" if len(names) > MAX_NAMES else f"，共 {len(names)} 人")


def unit_handlers(unit_id):
    """The active accounts that answer for a unit (unit_handler grants on it), by name."""
    return list(db.session.scalars(
        sa.select(User).join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == "unit_handler", RoleGrant.unit_id == unit_id, User.is_active.is_(True))
        .distinct().order_by(User.id)))


def village_publishers(village_code):
    """The active publishers whose grant covers a village (the village itself, its township, county, ...)."""
    codes = {village_code} | {village_code[:n].ljust(12, "0") for n in REGION_LEVEL_DIGITS.values() if n < 12}
    return list(db.session.scalars(
        sa.select(User).join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == "publisher", User.is_active.is_(True),
               sa.or_(RoleGrant.region_code.in_(codes), sa.and_(RoleGrant.region_code.is_(None),
                                                                 RoleGrant.unit_id.is_(None))))
        .distinct().order_by(User.id)))


def office_of(user, region_code):
    """The commission office a user acts as for a region: 竹山县纪委监委 or 宝丰镇纪委 (his deepest covering grant)."""
    return office_label(user, region_code)


def reporter_reach(anonymous, has_receipt, has_account):
    """How a reporter learns of a public step: (short phrase, sentence)."""
    if anonymous:
        return "匿名举报人凭回执码可见", "匿名举报人凭回执码查询进度时可以看到"
    if has_account:
        return "实名举报人，已绑定微信账号", "实名举报人在小程序“我的反映”中、凭回执码查询时都可以看到"
    if has_receipt:
        return "实名举报人凭回执码可见", "实名举报人凭回执码查询进度时可以看到"
    return "实名举报人，未留回执码或微信账号", "举报人没有回执码或微信账号，系统无法告知，需另行联系"


def triage_preview(user, report_id, action, data):
    """Run a transition for real, read back what it records and queues, roll it all back, and describe it."""
    db.session.commit()  # the rollback below must take back the dry run only, never the request's earlier work
    report = service.get_report_for(user, report_id)
    last_event = db.session.scalar(sa.select(sa.func.max(TimelineEvent.id)).where(
        TimelineEvent.report_id == report.id)) or 0
    facts = {"anonymous": report.anonymous, "has_receipt": report.receipt_hash is not None,
             "has_account": report.reporter_user_id is not None}
    open_before = service.open_assignment(report)
    withdrawn = db.session.get(Unit, open_before.unit_id).name if open_before is not None else None
    try:
        service.apply_action(user, report, action, **data)
        db.session.flush()
        rows = list(db.session.scalars(sa.select(TimelineEvent).where(
            TimelineEvent.report_id == report.id, TimelineEvent.id > last_event).order_by(TimelineEvent.id)))
        events = [(e.action, e.visibility, e.note) for e in rows]
        queued = db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(
            OutboxMessage.dedupe_key.in_([f"report_event:{e.id}" for e in rows]))) or 0
        new_status = status_label(report.status)
        assignment = service.open_assignment(report) if action == "assign" else None
        unit = db.session.get(Unit, assignment.unit_id) if assignment is not None else None
        handlers = unit_handlers(unit.id) if unit is not None else []
        unit_name, handler_text = (unit.name if unit else None), (_names(handlers) if handlers else None)
    finally:
        db.session.rollback()
    return _describe(action, facts, events, queued, new_status, unit_name, handler_text, withdrawn)


def _describe(action, facts, events, queued, new_status, unit_name, handler_text, withdrawn):
    short, sentence = reporter_reach(**facts)
    public = [(a, note) for a, visibility, note in events if visibility == "public"]
    internal = [a for a, visibility, _ in events if visibility == "internal"]
    headline = {
        "accept": f"受理后将通知举报人（{short}）",
        "refuse": f"不予受理后，理由将告知举报人（{short}）",
        "assign": f"交办后将通知{unit_name}的承办人员，举报人可见“{new_status}”",
        "conclude": f"办结后办理结果将告知举报人（{short}）",
    }[action]
    lines = []
    if action == "assign":
        lines.append(f"{unit_name}的承办人员（{handler_text}）将在“交办与预警”中看到反映内容和交办说明，"
                     "看不到举报人的身份。" if handler_text else
                     f"{unit_name}目前没有承办人员账号：交办后无人能在系统中答复，请先联系系统管理员。")
        if withdrawn:
            lines.append(f"原先交给{withdrawn}、尚未答复的交办将撤回。")
    seen = "；".join(f"“{note}”" for _, note in public if note)
    lines.append(f"{sentence}状态“{new_status}”" + (f"及说明{seen}。" if seen else "。"))
    if queued:
        lines.append(f"系统将向举报人的微信账号发送 {queued} 条服务通知。")
    elif facts["has_account"]:
        lines.append("这一步不向举报人发送微信通知。")
    if internal or (action == "assign" and not public):
        lines.append("标为“仅内部可见”的内容（处置方式、内部备注等）只在本系统内显示，举报人看不到。")
    lines.append("此操作不能撤销。")
    label = {"accept": "受理", "refuse": "不予受理", "assign": "交办", "conclude": "办结"}[action]
    return {"title": f"请确认：{label}", "headline": headline, "lines": lines, "button": f"确认{label}"}


def unit_answer_preview(user, kind, item_id, content, rectified):
    """Check a unit's answer as the service will (an assignment's is run and rolled back) and say whom it reaches."""
    units = warning_service.handler_units(user)
    item = db.session.get(Assignment if kind == "assignment" else UnitWarning, item_id)
    if item is None or item.unit_id not in units or getattr(item, "withdrawn_at", None) is not None:
        raise NotFound("未找到该交办事项" if kind == "assignment" else "未找到该预警",
                       code=f"{kind}_not_found")
    if kind == "warning" and item.status == "rectified":
        raise Conflict("该预警已反馈整改完成，不能再次反馈", code="already_rectified")
    if kind == "assignment":
        db.session.commit()  # as in triage_preview: the rollback takes back the dry run only
        try:
            service.answer_assignment(user, item, answer=content, rectified=rectified)
        finally:
            db.session.rollback()
        item = db.session.get(Assignment, item_id)
        report = item.report
        assigner = db.session.get(User, item.assigned_by_id) if item.assigned_by_id else None
        office = office_of(assigner, report.region_code)
        lines = [f"{office}的办案人员将看到您的答复和整改情况，并据此办结。",
                 "举报人查询进度时只看到状态“已反馈”，看不到答复内容。",
                 "交办事项只能答复一次，提交后不能修改。"]
    else:
        office = office_of(db.session.get(User, item.issued_by_id) if item.issued_by_id else None, item.region_code)
        lines = [f"{office}的办案人员将看到您的反馈。",
                 "选择“已整改完毕”后预警关闭，不能再反馈。" if rectified else
                 "预警仍为“整改中”，整改完毕后请再次反馈。",
                 "反馈提交后不能修改。"]
    return {"title": "请确认：提交反馈", "headline": f"答复将提交给{office}", "lines": lines,
            "button": "确认提交反馈"}


def approve_preview(village_code, submitter_name):
    """What approving a disclosure version allows, and for whom."""
    publishers = village_publishers(village_code)
    lines = [f"本村的村务公开员（{_names(publishers)}）可以发布这一版；发布后群众扫码即可看到。" if publishers
             else "本村目前没有村务公开员账号：审核通过后暂时无人能发布，请联系系统管理员。",
             "审核意见将记入版本记录，村务公开员可以看到。",
             "审核通过后不能撤回审核；发布前群众看不到这一版。"]
    if submitter_name:
        lines.insert(0, f"提交人 {submitter_name} 将看到“已审核通过”。")
    return {"title": "请确认：审核通过", "headline": "审核通过后村务公开员可发布", "lines": lines,
            "button": "确认审核通过"}
