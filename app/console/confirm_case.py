"""The confirmation step of concluding a whole case (问题): every reporter of the case is told the result.

`conclude_case` commits, so it cannot be run and rolled back like a single report's transition; the preview checks
what the service will refuse, in the same order and with the same messages, and names each report's reporter by the
way he will learn of it (never by identity). The confirmed POST runs the service itself, which checks again.
"""

from app.console.confirm import reporter_reach
from app.errors import Conflict, Forbidden
from app.triage import cases as case_service

MAX_LISTED = 30


def conclude_preview(user, case_id, result, reason):
    """Refuse as conclude_case would, then say who will be told what: one line per report of the case."""
    case = case_service.get_case(user, case_id)
    if case.status != "open":
        raise Conflict("该问题已办结", code="case_concluded")
    waiting_units = case_service.unanswered(case.id)
    if waiting_units and not (reason or "").strip():
        names = "、".join(dict.fromkeys(w.unit.name for w in waiting_units))
        raise Conflict(f"以下单位尚未反馈预警整改情况：{names}。如确需办结，请填写办结理由", code="warning_unanswered",
                       fields={"reason": ["尚有未反馈的预警，请填写办结理由"]})
    reports = [link.report for link in case.links]
    visible = {r.id for r in case_service.visible_case_reports(user, case)}
    if any(r.id not in visible for r in reports):
        raise Forbidden("该问题中有您需要回避的反映，请由其他工作人员办结", code="recused")
    waiting = [r.tracking_no for r in reports if r.status == "assigned"]
    if waiting:
        raise Conflict("以下反映尚待承办单位反馈，暂不能办结：" + "、".join(waiting), code="awaiting_unit")
    told = []
    for report in reports:
        has_account = report.reporter_user_id is not None
        short, _ = reporter_reach(report.anonymous, report.receipt_hash is not None, has_account)
        told.append(f"{report.tracking_no} 的举报人：{short}")
    wechat = sum(1 for r in reports if r.reporter_user_id is not None)
    lines = [f"问题中的 {len(reports)} 条反映同时办结，每位举报人都会看到办理结果“{result}”："]
    lines += told[:MAX_LISTED]
    if len(told) > MAX_LISTED:
        lines.append(f"……另有 {len(told) - MAX_LISTED} 条反映的举报人同样会看到。")
    lines.append(f"系统将向已绑定微信的 {wechat} 位举报人各发送 1 条服务通知。" if wechat
                 else "这些举报人都没有绑定微信，只能凭回执码查询时看到。")
    if waiting_units:
        names = "、".join(dict.fromkeys(w.unit.name for w in waiting_units))
        lines.append(f"{names}尚未反馈预警整改情况，办结理由“{reason.strip()}”将记入问题和审计日志。")
    lines.append("已合并的反映保持“已合并”，办理结果写入各自的办理记录。此操作不能撤销。")
    return {"title": "请确认：办结问题", "headline": f"办结后办理结果将告知这个问题的全部 {len(reports)} 位举报人",
            "lines": lines, "button": "确认办结"}
