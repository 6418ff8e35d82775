"""Legal time limits of a report in working days (settings TRIAGE_*), for the queue, the detail and reminders.

Stages and their clocks (docs/triage.md):
- accept: `received` (from receipt) and `reopened` (from reopening): accept or refuse within TRIAGE_ACCEPT_DAYS
  working days; a real-name report within min(TRIAGE_ACCEPT_DAYS, TRIAGE_ACCEPT_NOTICE_DAYS), because the
  accept/refuse event is what tells the reporter.
- conclude: `accepted`, `responded`: TRIAGE_CONCLUDE_DAYS calendar days from acceptance.
- assignment: `assigned`: the assignment's due date, or the conclude limit when that comes first.
- none: `on_hold` (暂存待查 stops the clock), `concluded`, `closed`, `not_accepted`, `merged`.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.core.timeutil import start_of_day_utc, to_cst
from app.reports.models import Report
from app.triage.models import ReportDeadline
from app.triage.workdays import DUE_STATUS_LABELS, WorkCalendar, parse_dates

REMAINING_SPAN_DAYS = 120  # remaining_workdays is counted day by day: only near the deadline (None beyond)
STAGE_LABELS = {"accept": "受理期限", "conclude": "办结期限", "assignment": "交办答复期限"}
DEADLINE_LABELS = {
    "accept": "受理或不予受理",
    "forward": "不属本级管辖的转交有权机关",
    "accept_notice": "告知实名举报人受理情况",
    "conclude": "办结",
    "assignment": "承办单位答复",
    "result_notice": "告知实名举报人办理结果",
}


class _MemoCalendar(WorkCalendar):
    """WorkCalendar remembering each day's answer (chinese_calendar validates every date at ~70 µs a call)."""

    def __init__(self, *args):
        super().__init__(*args)
        self._days = {}

    def is_workday(self, d):
        """Whether staff work on this day (memoised)."""
        answer = self._days.get(d)
        if answer is None:
            answer = self._days[d] = super().is_workday(d)
        return answer


def setting(name, default):
    """An integer time-limit setting."""
    return int(current_app.config.get(name, default))


def calendar():
    """The app's working-day calendar (extra holidays and working days from settings), built once per app."""
    cached = current_app.extensions.get("mss_work_calendar")
    if cached is None:
        cfg = current_app.config
        cached = _MemoCalendar(parse_dates(cfg.get("WORKDAY_EXTRA_HOLIDAYS")),
                               parse_dates(cfg.get("WORKDAY_EXTRA_WORKDAYS")))
        current_app.extensions["mss_work_calendar"] = cached  # one instance warns once per unknown year
    return cached


def soon_days():
    """How many working days before a deadline an item counts as due soon."""
    return setting("DUE_SOON_WORKDAYS", 3)


def accept_days(anonymous):
    """Working days to accept or refuse a report (shorter for real-name ones if the notice limit is)."""
    days = setting("TRIAGE_ACCEPT_DAYS", 15)
    return days if anonymous else min(days, setting("TRIAGE_ACCEPT_NOTICE_DAYS", 15))


def received_on(report):
    """The China-time calendar day a report was received."""
    return to_cst(report.received_at).date()


def conclude_due(start):
    """The day by which a matter accepted on `start` must be concluded (calendar days)."""
    return start + timedelta(days=setting("TRIAGE_CONCLUDE_DAYS", 90))


def stage_after(report, row, today, assignment=None):
    """The (stage, due_on) of a report's current status; `row` is its ReportDeadline (accepted_on set)."""
    status = report.status
    cal = calendar()
    if status == "received":
        return "accept", cal.add_workdays(received_on(report), accept_days(report.anonymous))
    if status == "reopened":
        return "accept", cal.add_workdays(today, accept_days(report.anonymous))
    start = (row.accepted_on if row is not None else None) or today
    if status in ("accepted", "responded"):
        return "conclude", conclude_due(start)
    if status == "assigned":
        limit = conclude_due(start)
        if assignment is not None and assignment.due_date < limit:
            return "assignment", assignment.due_date
        return "conclude", limit
    return None, None


def current_due(report, row):
    """The running (stage, due_on) of a report as stored (received reports need no row)."""
    if report.status == "received":
        return "accept", calendar().add_workdays(received_on(report), accept_days(report.anonymous))
    if row is None:
        return None, None
    return row.stage, row.due_on


def due_info(stage, due_on, today):
    """What the queue shows about a deadline: due_at, overdue, due_soon, label."""
    if due_on is None:
        return {"stage": None, "stage_label": None, "due_at": None, "due_status": None, "due_status_label": None,
                "overdue": False, "due_soon": False, "remaining_workdays": None}
    cal = calendar()
    span = (due_on - today).days
    if span > 7 * (soon_days() + 7):  # far ahead: surely not due soon; skip counting day by day
        status = "ok"
    else:
        status = cal.due_status(due_on, today, soon_days())
    remaining = cal.remaining_workdays(due_on, today) if abs(span) <= REMAINING_SPAN_DAYS else None
    return {"stage": stage, "stage_label": STAGE_LABELS.get(stage), "due_at": due_on, "due_status": status,
            "due_status_label": DUE_STATUS_LABELS[status], "overdue": status == "overdue",
            "due_soon": status == "due_soon", "remaining_workdays": remaining}


def earliest_start(days, bound, cal):
    """The first day r whose n-working-day limit ends on or after `bound` (limits grow with their start day)."""
    r = bound
    while cal.add_workdays(r - timedelta(days=1), days) >= bound:
        r -= timedelta(days=1)
    return r


def _received_before(cal, bound):
    """Received reports whose accept limit ends before `bound` (one clause per limit length)."""
    clauses = []
    for anonymous in (True, False):
        start = earliest_start(accept_days(anonymous), bound, cal)
        clauses.append(sa.and_(Report.anonymous.is_(anonymous), Report.received_at < start_of_day_utc(start)))
    return sa.and_(Report.status == "received", sa.or_(*clauses))


def soon_bound(today, cal=None):
    """Deadlines before this day (and not before today) are due soon."""
    return (cal or calendar()).add_workdays(today, soon_days() + 1)


def overdue_clause(today):
    """SQL: the report's running limit ended before today (needs an outer join to ReportDeadline)."""
    cal = calendar()
    stored = sa.and_(Report.status != "received", ReportDeadline.due_on < today)
    return sa.or_(stored, _received_before(cal, today))


def due_soon_clause(today):
    """SQL: the report's running limit ends today or within DUE_SOON_WORKDAYS working days."""
    cal = calendar()
    bound = soon_bound(today, cal)
    stored = sa.and_(Report.status != "received", ReportDeadline.due_on >= today, ReportDeadline.due_on < bound)
    received = sa.and_(_received_before(cal, bound), sa.not_(_received_before(cal, today)))
    return sa.or_(stored, received)


def report_deadlines(report, row, today, assignment=None, public_after=None):
    """Every legal limit of one report with its due day and whether it was met (for the detail view).

    `public_after(action)` returns the date of the first public event of that action, or None.
    """
    cal = calendar()
    public_after = public_after or (lambda action: None)
    got = received_on(report)
    decided = public_after("accept") or public_after("refuse") or public_after("merge")
    items = [
        _item("accept", cal.add_workdays(got, setting("TRIAGE_ACCEPT_DAYS", 15)), decided, today, cal),
        _item("forward", cal.add_workdays(got, setting("TRIAGE_FORWARD_DAYS", 5)), public_after("refuse"), today,
              cal, applies=report.status in ("received", "not_accepted")),
    ]
    if not report.anonymous:
        items.append(_item("accept_notice", cal.add_workdays(got, setting("TRIAGE_ACCEPT_NOTICE_DAYS", 15)),
                           decided, today, cal))
    if row is not None and row.accepted_on is not None:
        items.append(_item("conclude", conclude_due(row.accepted_on), row.concluded_on, today, cal,
                           applies=report.status != "on_hold"))
    if assignment is not None:
        answered = to_cst(assignment.answered_at).date() if assignment.answered_at else None
        items.append(_item("assignment", assignment.due_date, answered, today, cal))
    if row is not None and row.concluded_on is not None and not report.anonymous:
        items.append(_item("result_notice", cal.add_workdays(row.concluded_on,
                                                             setting("TRIAGE_RESULT_NOTICE_DAYS", 15)),
                           public_after("conclude"), today, cal))
    return items


def _item(kind, due_on, met_on, today, cal, applies=True):
    if met_on is not None:
        status = "met" if met_on <= due_on else "met_late"
        label = "按期完成" if status == "met" else "逾期完成"
    elif not applies:
        status, label = "not_applicable", "不适用"
    else:
        status = cal.due_status(due_on, today, soon_days())
        label = DUE_STATUS_LABELS[status]
    return {"kind": kind, "label": DEADLINE_LABELS[kind], "due_on": due_on, "met_on": met_on,
            "status": status, "status_label": label}

