"""SQL building blocks and the figures row shared by the portable and the PostgreSQL aggregation of triage figures."""

import sqlalchemy as sa

from app.extensions import db
from app.reports.models import Report
from app.triage.case_models import Case, CaseReport
from app.triage.models import Assignment, ReportDeadline

COLUMNS = (
    ("key", "代码"), ("label", "名称"), ("total", "反映总数"), ("accepted", "已受理"), ("concluded", "已办结"),
    ("median_workdays_to_accept", "受理用时中位数（工作日）"),
    ("median_days_to_accept", "受理用时中位数（自然日）"),
    ("median_workdays_to_conclude", "办结用时中位数（工作日）"),
    ("median_days_to_conclude", "办结用时中位数（自然日）"),
    ("overdue_accept", "受理超期"), ("overdue_conclude", "办结超期"), ("overdue_answer", "单位反馈超期"),
)
TOTAL_KEY = "__total__"
DECIDED_UNACCEPTED = ("not_accepted", "merged")  # decided on the day of that status change


def group_column(by):
    """The SQL expression reports are grouped by (the unit grouping joins assignments)."""
    if by == "unit":
        return Assignment.unit_id
    return {"village": Report.village_code, "township": Report.township_code, "kind": Report.kind,
            "topic": Report.topic, "channel": Report.channel, "layer": Report.contact_layer,
            "status": Report.status}[by]


def milestone_from():
    """Reports outer-joined to where their milestones live: the deadline row and the case."""
    return (sa.outerjoin(Report, ReportDeadline, ReportDeadline.report_id == Report.id)
            .outerjoin(CaseReport, CaseReport.report_id == Report.id)
            .outerjoin(Case, Case.id == CaseReport.case_id))


def answer_overdue_clause(assignment, today):
    """SQL condition: an assignment answered after its due date, or unanswered past it."""
    return sa.or_(sa.and_(assignment.answered_at.is_(None), assignment.withdrawn_at.is_(None),
                          assignment.due_date < today),
                  assignment.answered_at >= _day_after_utc(assignment))


def _day_after_utc(assignment):
    # answered_at (UTC) on a China-time day after due_date: answered_at >= due_date + 1 day - 8 hours
    if db.engine.dialect.name == "postgresql":
        return sa.cast(assignment.due_date, sa.DateTime) + sa.literal_column("interval '16 hours'")
    return sa.func.datetime(assignment.due_date, "+16 hours")


def empty_row(key=None):
    """A figures row with zero counts and no medians."""
    row = {name: 0 for name, _ in COLUMNS}
    row.update(key=key, label="", median_workdays_to_accept=None, median_days_to_accept=None,
               median_workdays_to_conclude=None, median_days_to_conclude=None)
    return row
