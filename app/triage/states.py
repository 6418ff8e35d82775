"""The report state machine as one declarative table, with Chinese labels for everything a user reads.

Every change of `Report.status` goes through `next_state`; the table below is the single source of truth and
docs/intake-and-triage-rules.md renders it. Permissions (who may do an action) live in app/core/permissions.py;
the `by` column here only says whether the reporter (not staff) may trigger a transition at all.
"""

from typing import NamedTuple

from app.errors import BadRequest, Conflict


class Transition(NamedTuple):
    """One allowed move: from `source` by `action` to `target`; `by` lists who may trigger it."""

    source: str
    action: str
    target: str
    by: tuple[str, ...] = ("staff",)


STATE_LABELS = {
    "received": "待受理",
    "accepted": "已受理",
    "not_accepted": "不予受理",
    "merged": "已合并",
    "assigned": "已交办",
    "responded": "已反馈",
    "concluded": "已办结",
    "closed": "已归档",
    "on_hold": "暂缓办理",
    "reopened": "重新办理",
}
STATES = tuple(STATE_LABELS)
INITIAL_STATE = "received"
# no way out: a refused report is answered, a merged one lives on in its target
TERMINAL_STATES = frozenset({"not_accepted", "merged"})

ACTION_LABELS = {
    "accept": "受理",
    "refuse": "不予受理",
    "merge": "合并",
    "assign": "交办",
    "hold": "暂缓",
    "resume": "恢复办理",
    "respond": "反馈办理情况",
    "conclude": "办结",
    "close": "归档",
    "reopen": "重新办理",
}
ACTIONS = tuple(ACTION_LABELS)

TRANSITIONS: tuple[Transition, ...] = (
    Transition("received", "accept", "accepted"),
    Transition("received", "refuse", "not_accepted"),
    Transition("received", "merge", "merged"),
    Transition("accepted", "assign", "assigned"),
    Transition("accepted", "hold", "on_hold"),
    Transition("accepted", "conclude", "concluded"),
    Transition("accepted", "merge", "merged"),
    Transition("on_hold", "resume", "accepted"),
    Transition("on_hold", "conclude", "concluded"),
    Transition("assigned", "respond", "responded"),
    Transition("assigned", "assign", "assigned"),  # reassign to another unit
    Transition("responded", "conclude", "concluded"),
    Transition("responded", "assign", "assigned"),  # send back for more work
    Transition("concluded", "close", "closed"),
    Transition("concluded", "reopen", "reopened", by=("staff", "reporter")),  # the reporter disputes the result
    Transition("closed", "reopen", "reopened"),  # staff only: a closed report is final unless staff reopen it
    Transition("reopened", "accept", "accepted"),
    Transition("reopened", "assign", "assigned"),
    Transition("reopened", "conclude", "concluded"),
)
_TABLE = {(t.source, t.action): t for t in TRANSITIONS}

# how an accepted tip-off (检举控告) is disposed of: the four 问题线索处置方式
DISPOSITION_LABELS = {
    "talk_inquiry": "谈话函询",
    "preliminary_verification": "初步核实",
    "hold_pending": "暂存待查",
    "close_out": "予以了结",
}
DISPOSITIONS = tuple(DISPOSITION_LABELS)
# the action that usually carries each disposition
DISPOSITION_ACTIONS = {
    "talk_inquiry": "assign",
    "preliminary_verification": "assign",
    "hold_pending": "hold",
    "close_out": "conclude",
}


def next_state(state: str, action: str, *, by: str = "staff") -> str:
    """Return the state after `action`, or raise Conflict in Chinese when the state does not allow it."""
    _check_state(state)
    if action not in ACTION_LABELS:
        raise BadRequest(f"未知的操作：{action}", code="unknown_action")
    transition = _TABLE.get((state, action))
    if transition is None:
        raise Conflict(f"当前状态（{STATE_LABELS[state]}）不能执行“{ACTION_LABELS[action]}”操作",
                       code="invalid_transition")
    if by not in transition.by:
        raise Conflict(f"当前状态（{STATE_LABELS[state]}）下只有工作人员可以执行“{ACTION_LABELS[action]}”操作",
                       code="invalid_transition")
    return transition.target


def allowed_actions(state: str, *, by: str = "staff") -> list[str]:
    """Actions allowed in a state, in the order of ACTIONS."""
    _check_state(state)
    return [a for a in ACTIONS if (t := _TABLE.get((state, a))) is not None and by in t.by]


def is_terminal(state: str) -> bool:
    """Whether no action leads out of a state."""
    _check_state(state)
    return state in TERMINAL_STATES


def disposition_label(code: str) -> str:
    """Chinese label of a disposition code; BadRequest for an unknown one."""
    if code not in DISPOSITION_LABELS:
        raise BadRequest(f"未知的处置方式：{code}", code="unknown_disposition")
    return DISPOSITION_LABELS[code]


def _check_state(state: str) -> None:
    if state not in STATE_LABELS:
        raise ValueError(f"unknown report state {state!r}")
