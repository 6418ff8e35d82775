"""Figures for a period: counts, median days to acceptance and conclusion, overdue counts, grouped in SQL.

Milestones come from `triage_deadlines`, which service.apply_action keeps for every report (one row, joined by
primary key, so a million reports need no pass over the timeline): acceptance is `accepted_on`, conclusion
`concluded_on` (or, for a merged report, the day its case was concluded), the decision is acceptance or, for
refused and merged reports, the day of that status change. A reopened report counts from its latest acceptance.
Working days use a cumulative calendar (day -> working days so far) joined in SQL on PostgreSQL, where medians
are `percentile_cont`; SQLite gets the per-report rows and aggregates in Python.
"""

import statistics
from datetime import date, timedelta

import sqlalchemy as sa

from app.contacts.layers import layer_label
from app.core.permissions import region_prefix, region_scopes, require, require_anywhere
from app.core.timeutil import start_of_day_utc, today_cst
from app.errors import BadRequest
from app.extensions import db
from app.regions.models import Region, Unit
from app.reports.conflicts import not_conflicted_clause
from app.reports.models import Report
from app.reports.topics import CHANNEL_LABELS, KIND_LABELS
from app.triage import deadlines
from app.triage.access import scope_clause as report_scope_clause
from app.triage.case_models import Case
from app.triage.models import Assignment, ReportDeadline
from app.triage.states import STATE_LABELS
from app.triage.stats_sql import (
    DECIDED_UNACCEPTED,
    TOTAL_KEY,
    answer_overdue_clause,
    empty_row,
    group_column,
    milestone_from,
)

GROUPS = ("village", "township", "kind", "topic", "channel", "layer", "status", "unit")
GROUP_LABELS = {"village": "村（社区）", "township": "乡镇（街道）", "kind": "类别", "topic": "问题类型",
                "channel": "来源渠道", "layer": "联系点界别", "status": "办理状态", "unit": "承办单位"}
MAX_SPAN_DAYS = 3 * 366


def current_quarter(today):
    """First and last day of the China-time quarter containing today."""
    first_month = 3 * ((today.month - 1) // 3) + 1
    start = date(today.year, first_month, 1)
    end = date(today.year + (first_month == 10), 1 if first_month == 10 else first_month + 3, 1) - timedelta(days=1)
    return start, end


def period(args):
    """(from, to) of a stats or ledger request: both given, or the current quarter in China time."""
    start, end = args.get("from_"), args.get("to")
    if start is None and end is None:
        return current_quarter(today_cst())
    if start is None or end is None:
        default = current_quarter(today_cst())
        start, end = start or default[0], end or default[1]
    if end < start:
        raise BadRequest("结束日期不能早于开始日期", code="bad_period", fields={"to": ["结束日期不能早于开始日期"]})
    if (end - start).days > MAX_SPAN_DAYS:
        raise BadRequest("统计区间不能超过三年", code="bad_period", fields={"to": ["统计区间不能超过三年"]})
    return start, end


def scope_clause(user, region=None):
    """SQL condition: reports in the user's stats scope (and in `region` when given)."""
    require(user, "stats.view", region_code=region) if region else require_anywhere(user, "stats.view")
    scopes = [region_prefix(region)] if region else region_scopes(user, "stats.view")
    if None in scopes:
        return sa.true()
    return sa.or_(sa.false(), *(report_scope_clause(p) for p in scopes))


def compute(user, args):
    """Stats rows for a period grouped by `by`, plus a total row; returns a dict ready for the schema or export."""
    start, end = period(args)
    by = args.get("by") or "township"
    # a report that may accuse the viewer is not counted in his figures either (its mere number would tell him)
    where = sa.and_(scope_clause(user, args.get("region")), not_conflicted_clause(user),
                    Report.received_at >= start_of_day_utc(start),
                    Report.received_at < start_of_day_utc(end + timedelta(days=1)))
    today = today_cst()
    cal = deadlines.calendar()
    limits = (deadlines.accept_days(True), deadlines.accept_days(False), deadlines.setting("TRIAGE_CONCLUDE_DAYS", 90))
    if db.engine.dialect.name == "postgresql":
        from app.triage.stats_pg import aggregate_pg

        rows = aggregate_pg(where, by, start, today, cal, limits)
    else:
        rows = _aggregate_python(where, by, start, today, cal, limits)
    total = rows.pop(TOTAL_KEY, None) or empty_row()
    items = sorted(rows.values(), key=lambda r: (-r["total"], str(r["key"])))
    _label_rows(by, items)
    total.update(key="", label="合计")
    return {"from": start, "to": end, "by": by, "by_label": GROUP_LABELS[by], "items": items, "total": total}


def _aggregate_python(where, by, start, today, cal, limits):
    key = group_column(by)
    stmt = (sa.select(key.label("k"), Report.id, Report.status, Report.anonymous, Report.received_at,
                      Report.status_changed_at, ReportDeadline.accepted_on, ReportDeadline.concluded_on,
                      Case.concluded_at.label("case_concluded_at"))
            .select_from(milestone_from()).where(where))
    assignment = Assignment
    if by == "unit":
        stmt = stmt.outerjoin(assignment, assignment.report_id == Report.id)
        stmt = stmt.add_columns(answer_overdue_clause(assignment, today).label("late"))
    else:
        late = sa.select(assignment.id).where(assignment.report_id == Report.id,
                                              answer_overdue_clause(assignment, today)).exists()
        stmt = stmt.add_columns(late.label("late"))
    groups = {}
    for row in db.session.execute(stmt):
        groups.setdefault(row.k, []).append(row)
        groups.setdefault(TOTAL_KEY, []).append(row)
    if by == "unit":  # a report assigned to two units counts once in the total
        groups[TOTAL_KEY] = list({r.id: r for r in groups.get(TOTAL_KEY, [])}.values())
    return {k: _figures(k, rs, today, cal, limits) for k, rs in groups.items()}


def _figures(key, rows, today, cal, limits):
    from app.core.timeutil import to_cst

    anonymous_limit, real_name_limit, conclude_limit = limits
    row = empty_row(key)
    to_accept, to_conclude = [], []
    for r in rows:
        received = to_cst(r.received_at).date()
        acc, con = r.accepted_on, r.concluded_on
        if con is None and r.status == "merged" and r.case_concluded_at:
            con = to_cst(r.case_concluded_at).date()
        dec = acc or (to_cst(r.status_changed_at).date() if r.status in DECIDED_UNACCEPTED else None)
        row["total"] += 1
        if acc:
            row["accepted"] += 1
            to_accept.append(((acc - received).days, cal.workdays_between(received, acc)))
        if con:
            row["concluded"] += 1
            to_conclude.append(((con - received).days, cal.workdays_between(received, con)))
        if cal.workdays_between(received, dec or today) > (anonymous_limit if r.anonymous else real_name_limit):
            row["overdue_accept"] += 1
        if acc and ((con - acc).days if con else (today - acc).days if r.status != "on_hold" else 0) > conclude_limit:
            row["overdue_conclude"] += 1
        row["overdue_answer"] += 1 if r.late else 0
    row["median_days_to_accept"] = _median([d for d, _ in to_accept])
    row["median_workdays_to_accept"] = _median([w for _, w in to_accept])
    row["median_days_to_conclude"] = _median([d for d, _ in to_conclude])
    row["median_workdays_to_conclude"] = _median([w for _, w in to_conclude])
    return row


def _median(values):
    return round(float(statistics.median(values)), 1) if values else None


def _label_rows(by, rows):
    keys = [r["key"] for r in rows if r["key"] is not None]
    if by in ("village", "township"):
        names = dict(db.session.execute(sa.select(Region.code, Region.display_name).where(Region.code.in_(keys))).all())
    elif by == "unit":
        names = dict(db.session.execute(sa.select(Unit.id, Unit.name).where(Unit.id.in_(keys))).all())
    else:
        names = {"kind": KIND_LABELS, "channel": CHANNEL_LABELS, "status": STATE_LABELS}.get(by, {})
    empty = {"unit": "未交办", "layer": "非联系点反映"}.get(by, "未填写")
    for row in rows:
        if row["key"] is None:
            row["label"] = empty
        elif by == "layer":
            row["label"] = layer_label(row["key"])
        else:
            row["label"] = names.get(row["key"], str(row["key"]))
        row["key"] = "" if row["key"] is None else str(row["key"])
