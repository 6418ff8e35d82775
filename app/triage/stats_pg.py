"""The PostgreSQL side of the figures: one GROUP BY with percentile_cont medians, working days from an array.

Performance (bench/queue_scale.py, a year of 1,000,000 reports): the group rows and the total row come from one
pass (GROUPING SETS) except for the unit grouping, whose total must count each report once; the cumulative
working-day calendar is one int[] parameter subscripted per row (joining a VALUES CTE four times made the planner
misestimate, merge-join on disk and JIT-compile for a second); JIT is off for this transaction.
"""

import re
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.elements import Grouping

from app.extensions import db
from app.reports.models import Report
from app.triage import stats_sql as stats
from app.triage.case_models import Case
from app.triage.models import Assignment, ReportDeadline

_CST = sa.literal_column("interval '8 hours'", type_=sa.Interval)


def aggregate_pg(where, by, start, today, cal, limits):
    """{group key: figures} for reports matching `where`, plus stats.TOTAL_KEY for all of them together."""
    cum, n = [], 0
    last = max(today, start) + timedelta(days=1)
    first = day = start - timedelta(days=1)
    while day <= last:
        if cal.is_workday(day):
            n += 1
        cum.append(n)
        day += timedelta(days=1)
    today_n = cum[(today - first).days] if first <= today <= last else 0
    workdays = _Workdays(first, cum)
    _session_settings()
    rows = {}
    if by == "unit":  # a report assigned to two units counts once in the total: two passes
        for key, _, row in _run(where, by, today, today_n, workdays, limits):
            rows[key] = row
        for _, _, row in _run(where, None, today, today_n, workdays, limits):
            rows[stats.TOTAL_KEY] = row
        return rows
    for key, is_total, row in _run(where, by, today, today_n, workdays, limits, with_total=True):
        rows[stats.TOTAL_KEY if is_total else key] = row
    return rows


class _Workdays:
    """SQL: the cumulative working-day number of a date (NULL outside the calendar, like a missed outer join)."""

    def __init__(self, first, cum):
        self.first = first
        array = postgresql.ARRAY(sa.Integer)
        self.array = Grouping(sa.cast(sa.bindparam("workday_calendar", cum, type_=array), array))

    def at(self, day):
        """The number of working days up to `day` since the calendar's first day."""
        return self.array[day - sa.literal(self.first, sa.Date) + 1]


def _session_settings():
    """This transaction: sort in memory (STATS_WORK_MEM, default 64MB) and no JIT (it costs more than it saves)."""
    value = str(current_app.config.get("STATS_WORK_MEM", "64MB"))
    if re.fullmatch(r"\d{1,6}(kB|MB|GB)", value):
        db.session.execute(sa.text(f"SET LOCAL work_mem = '{value}'"))
    db.session.execute(sa.text("SET LOCAL jit = off"))


def _day(col):
    return sa.cast(col + _CST, sa.Date)


def _run(where, by, today, today_n, workdays, limits, with_total=False):
    anonymous_limit, real_name_limit, conclude_limit = limits
    accept_limit = sa.case((Report.anonymous.is_(True), anonymous_limit), else_=real_name_limit)
    rec, acc = _day(Report.received_at), ReportDeadline.accepted_on
    con = sa.func.coalesce(ReportDeadline.concluded_on,
                           sa.case((Report.status == "merged", _day(Case.concluded_at))))
    dec = sa.func.coalesce(acc, sa.case((Report.status.in_(stats.DECIDED_UNACCEPTED), _day(Report.status_changed_at))))
    n_rec, n_acc, n_dec, n_con = (workdays.at(d) for d in (rec, acc, dec, con))
    late_conclusion = sa.or_((con - acc) > conclude_limit,
                             sa.and_(con.is_(None), Report.status != "on_hold",
                                     (sa.literal(today, sa.Date) - acc) > conclude_limit))
    assignment = Assignment
    key = stats.group_column(by) if by else sa.literal("all")
    median = lambda expr: sa.func.percentile_cont(0.5).within_group(expr)  # noqa: E731
    stmt = (sa.select(
        key.label("k"),
        (sa.func.grouping(key) if with_total else sa.literal(0)).label("is_total"),
        sa.func.count(sa.distinct(Report.id) if by == "unit" else Report.id).label("total"),
        sa.func.count(acc).label("accepted"),
        sa.func.count(con).label("concluded"),
        median(n_acc - n_rec).label("median_workdays_to_accept"),
        median(acc - rec).label("median_days_to_accept"),
        median(n_con - n_rec).label("median_workdays_to_conclude"),
        median(con - rec).label("median_days_to_conclude"),
        sa.func.count(sa.case(((sa.func.coalesce(n_dec, today_n) - n_rec) > accept_limit, 1)))
        .label("overdue_accept"),
        sa.func.count(sa.case((sa.and_(acc.isnot(None), late_conclusion), 1))).label("overdue_conclude"),
    ).select_from(stats.milestone_from())
        .where(where, n_rec.isnot(None)))  # received within the calendar (was an inner join)
    if with_total:
        stmt = stmt.group_by(sa.func.grouping_sets(key, sa.tuple_()))
    elif by:
        stmt = stmt.group_by(key)
    if by == "unit":
        stmt = stmt.outerjoin(assignment, assignment.report_id == Report.id).add_columns(
            sa.func.count(sa.case((stats.answer_overdue_clause(assignment, today), 1))).label("overdue_answer"))
    else:  # `where` applies through the outer join: the subquery need not read reports again
        late = (sa.select(assignment.report_id).where(stats.answer_overdue_clause(assignment, today))
                .distinct().subquery("late"))
        stmt = stmt.outerjoin(late, late.c.report_id == Report.id).add_columns(
            sa.func.count(late.c.report_id).label("overdue_answer"))
    for row in db.session.execute(stmt).mappings():
        out = stats.empty_row(row["k"])
        for name, _ in stats.COLUMNS[2:]:
            value = row[name]
            out[name] = round(float(value), 1) if name.startswith("median") and value is not None else value
        yield row["k"], bool(row["is_total"]), out
