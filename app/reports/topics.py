"""What a report may be: kinds, topics (a setting), channels, and the Chinese labels a reporter reads."""

from flask import current_app

from app.reports.models import CHANNELS, KINDS

KIND_LABELS = {
    "suggestion": "意见建议",
    "question": "咨询提问",
    "help": "有事随时约",
    "tipoff": "检举控告",
    "contact_point": "联系点情况反馈",
}
CHANNEL_LABELS = {"miniprogram": "微信小程序", "h5": "网页", "letter": "来信", "phone": "来电", "visit": "来访"}
RESIDENT_CHANNELS = ("miniprogram", "h5")
STAFF_CHANNELS = ("letter", "phone", "visit")
DEFAULT_TOPICS = (
    "领导干部廉洁自律", "党务政务村务公开", "选人用人", "强农惠农政策落实", "村级债务",
    "土地纠纷", "工程质量", "农资价格", "作风问题", "其他",
)
# the reporter-facing names of report states (the same words as app.triage.states, which may not be imported here)
STATUS_LABELS = {
    "received": "待受理", "accepted": "已受理", "not_accepted": "不予受理", "merged": "已合并",
    "assigned": "已交办", "responded": "已反馈", "concluded": "已办结", "closed": "已归档",
    "on_hold": "暂缓办理", "reopened": "重新办理",
}
# statuses in which the reporter can no longer write back
CLOSED_STATUSES = ("not_accepted", "merged", "closed")
EVENT_LABELS = {
    "submitted": "已提交", "reporter_message": "反映人留言", "message": "工作人员回复",
    "accept": "受理", "refuse": "不予受理", "merge": "合并办理", "assign": "交办", "hold": "暂缓",
    "resume": "恢复办理", "respond": "反馈办理情况", "conclude": "办结", "close": "归档", "reopen": "重新办理",
}


def topics():
    """The configured topic list (REPORT_TOPICS: a list, or a string separated by commas or 、), in order."""
    raw = current_app.config.get("REPORT_TOPICS") or DEFAULT_TOPICS
    if isinstance(raw, str):
        raw = raw.replace("，", ",").replace("、", ",").split(",")
    seen = []
    for name in (str(t).strip() for t in raw):
        if name and name not in seen:
            seen.append(name[:40])
    return seen or list(DEFAULT_TOPICS)


def status_label(status):
    """The Chinese name of a report status."""
    return STATUS_LABELS.get(status, status)


def event_label(action):
    """The Chinese name of a timeline step."""
    return EVENT_LABELS.get(action, action)


def catalogue():
    """Everything a report form offers: topics, kinds and resident channels with their labels."""
    return {
        "topics": topics(),
        "kinds": [{"value": k, "label": KIND_LABELS[k]} for k in KINDS],
        "channels": [{"value": c, "label": CHANNEL_LABELS[c]} for c in CHANNELS],
    }
