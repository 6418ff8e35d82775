"""The PostgreSQL side of the figures: one GROUP BY with percentile_cont medians, working days via a calendar CTE."""

import re
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.reports.models import Report
from app.triage import stats
from app.triage.case_models import Case
from app.triage.models import Assignment, ReportDeadline

_CST = sa.literal_column("interval '8 hours'", type_=sa.Interval)


def aggregate_pg(where, by, start, today, cal, limits):
    """{group key: figures} for reports matching `where`, plus stats.TOTAL_KEY for all of them together."""
    cum, n = [], 0
    last = max(today, start) + timedelta(days=1)
    day = start - timedelta(days=1)
    while day <= last:
        if cal.is_workday(day):
            n += 1
        cum.append((day, n))
        day += timedelta(days=1)
    calendar = sa.select(sa.values(sa.column("d", sa.Date), sa.column("n", sa.Integer), name="cal_values")
                         .data(cum)).cte("cal")
    today_n = dict(cum)[today] if today >= start - timedelta(days=1) else 0
    _raise_work_mem()
    rows = {}
    for key, row in _run(where, by, today, today_n, calendar, limits):
        rows[key] = row
    for _, row in _run(where, None, today, today_n, calendar, limits):
        rows[stats.TOTAL_KEY] = row
    return rows


def _raise_work_mem():
    """Let this transaction sort in memory (percentile_cont sorts every group); STATS_WORK_MEM, default 64MB."""
    value = str(current_app.config.get("STATS_WORK_MEM", "64MB"))
    if re.fullmatch(r"\d{1,6}(kB|MB|GB)", value):
        db.session.execute(sa.text(f"SET LOCAL work_mem = '{value}'"))


def _day(col):
    return sa.cast(col + _CST, sa.Date)


def _run(where, by, today, today_n, calendar, limits):
    anonymous_limit, real_name_limit, conclude_limit = limits
    accept_limit = sa.case((Report.anonymous.is_(True), anonymous_limit), else_=real_name_limit)
    cr, ca, cd, cc = (calendar.alias(name) for name in ("cr", "ca", "cd", "cc"))
    rec, acc = _day(Report.received_at), ReportDeadline.accepted_on
    con = sa.func.coalesce(ReportDeadline.concluded_on,
                           sa.case((Report.status == "merged", _day(Case.concluded_at))))
    dec = sa.func.coalesce(acc, sa.case((Report.status.in_(stats.DECIDED_UNACCEPTED), _day(Report.status_changed_at))))
    late_conclusion = sa.or_((con - acc) > conclude_limit,
                             sa.and_(con.is_(None), Report.status != "on_hold",
                                     (sa.literal(today, sa.Date) - acc) > conclude_limit))
    assignment = Assignment
    key = stats.group_column(by) if by else sa.literal("all")
    median = lambda expr: sa.func.percentile_cont(0.5).within_group(expr)  # noqa: E731
    stmt = (sa.select(
        key.label("k"),
        sa.func.count(sa.distinct(Report.id) if by == "unit" else Report.id).label("total"),
        sa.func.count(acc).label("accepted"),
        sa.func.count(con).label("concluded"),
        median(ca.c.n - cr.c.n).label("median_workdays_to_accept"),
        median(acc - rec).label("median_days_to_accept"),
        median(cc.c.n - cr.c.n).label("median_workdays_to_conclude"),
        median(con - rec).label("median_days_to_conclude"),
        sa.func.count(sa.case(((sa.func.coalesce(cd.c.n, today_n) - cr.c.n) > accept_limit, 1)))
        .label("overdue_accept"),
        sa.func.count(sa.case((sa.and_(acc.isnot(None), late_conclusion), 1))).label("overdue_conclude"),
    ).select_from(stats.milestone_from())
        .join(cr, cr.c.d == rec)
        .outerjoin(ca, ca.c.d == acc).outerjoin(cd, cd.c.d == dec).outerjoin(cc, cc.c.d == con)
        .where(where))
    if by:
        stmt = stmt.group_by(key)
    if by == "unit":
        stmt = stmt.outerjoin(assignment, assignment.report_id == Report.id).add_columns(
            sa.func.count(sa.case((stats.answer_overdue_clause(assignment, today), 1))).label("overdue_answer"))
    else:
        late = (sa.select(assignment.report_id).join(Report, Report.id == assignment.report_id)
                .where(where, stats.answer_overdue_clause(assignment, today)).distinct().subquery("late"))
        stmt = stmt.outerjoin(late, late.c.report_id == Report.id).add_columns(
            sa.func.count(late.c.report_id).label("overdue_answer"))
    for row in db.session.execute(stmt).mappings():
        out = stats.empty_row(row["k"])
        for name, _ in stats.COLUMNS[2:]:
            value = row[name]
            out[name] = round(float(value), 1) if name.startswith("median") and value is not None else value
        yield row["k"], out
