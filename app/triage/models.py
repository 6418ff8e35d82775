"""Triage tables: queue-side records here; cases, warnings and unit answers in case_models."""

import sqlalchemy as sa
from sqlalchemy.orm import relationship

from app.core.timeutil import UTCDateTime, utcnow
from app.extensions import db
from app.reports.models import BIGINT, Report
from app.triage import case_models  # noqa: F401  (registers the case and warning tables on db.metadata)

IDENTITY_REQUEST_STATUSES = ("pending", "approved", "denied")
IDENTITY_REQUEST_LABELS = {"pending": "待审批", "approved": "已批准", "denied": "已驳回"}


class Recusal(db.Model):
    """An inspector kept away from a village's reports (回避): he neither sees nor handles them."""

    __tablename__ = "triage_recusals"

    id = sa.Column(sa.Integer, primary_key=True)
    inspector_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False)
    village_code = sa.Column(sa.String(12), sa.ForeignKey("regions.code"), nullable=False)
    reason = sa.Column(sa.String(200), nullable=False)
    created_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("inspector_id", "village_code", name="uq_triage_recusals_inspector_village"),)


class IdentityRequest(db.Model):
    """An inspector's written request to unseal a real-name reporter's identity; a custodian decides."""

    __tablename__ = "identity_requests"

    id = sa.Column(sa.Integer, primary_key=True)
    report_id = sa.Column(BIGINT, sa.ForeignKey("reports.id"), nullable=False, index=True)
    requester_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False)
    reason = sa.Column(sa.String(500), nullable=False)
    status = sa.Column(sa.String(10), nullable=False, default="pending")
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    decided_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    decided_at = sa.Column(UTCDateTime, nullable=True)
    decision_note = sa.Column(sa.String(500), nullable=True)

    report = relationship(Report, lazy="joined")
    requester = relationship("User", foreign_keys=[requester_id], lazy="joined")
    __table_args__ = (sa.Index("ix_identity_requests_status_id", "status", "id"),)


class Assignment(db.Model):
    """A report handed to a unit (交办) with a due date; the unit answers once (answer, rectified)."""

    __tablename__ = "triage_assignments"

    id = sa.Column(sa.Integer, primary_key=True)
    report_id = sa.Column(BIGINT, sa.ForeignKey("reports.id"), nullable=False, index=True)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False)
    due_date = sa.Column(sa.Date, nullable=False)
    note = sa.Column(sa.Text, nullable=True)
    assigned_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    assigned_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    # a reassignment or send-back withdraws the open assignment; only one is open per report
    withdrawn_at = sa.Column(UTCDateTime, nullable=True)
    answered_at = sa.Column(UTCDateTime, nullable=True)
    answered_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    answer = sa.Column(sa.Text, nullable=True)
    rectified = sa.Column(sa.Boolean, nullable=True)

    report = relationship(Report, lazy="joined")
    __table_args__ = (sa.Index("ix_triage_assignments_unit_id", "unit_id", "report_id"),)

    @property
    def is_open(self):
        """Whether the unit still owes an answer."""
        return self.withdrawn_at is None and self.answered_at is None


class ReportDeadline(db.Model):
    """The running time limit of a report's current stage, kept by service.apply_action for SQL filtering.

    Reports still `received` have no row: their limit follows from `received_at` (see deadlines.py).
    """

    __tablename__ = "triage_deadlines"

    report_id = sa.Column(BIGINT, sa.ForeignKey("reports.id"), primary_key=True)
    stage = sa.Column(sa.String(16), nullable=True)  # accept | conclude | assignment | None (no clock running)
    due_on = sa.Column(sa.Date, nullable=True)
    accepted_on = sa.Column(sa.Date, nullable=True)  # the conclude clock starts here (and again on reopen)
    concluded_on = sa.Column(sa.Date, nullable=True)
    updated_at = sa.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    __table_args__ = (sa.Index("ix_triage_deadlines_due_on", "due_on"),)


class Reminder(db.Model):
    """One reminder per report per China-time day (makes `flask triage remind` idempotent)."""

    __tablename__ = "triage_reminders"

    id = sa.Column(BIGINT, primary_key=True)
    report_id = sa.Column(BIGINT, sa.ForeignKey("reports.id"), nullable=False)
    on_date = sa.Column(sa.Date, nullable=False)
    due_status = sa.Column(sa.String(10), nullable=False)  # overdue | due_soon
    stage = sa.Column(sa.String(16), nullable=True)
    due_on = sa.Column(sa.Date, nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("report_id", "on_date", name="uq_triage_reminders_report_day"),)


# Queue indexes on the reports table (owned by app.reports), declared here because the queue needs them:
# first page of a scoped queue ordered by id desc, with or without a status filter, at a million rows.
sa.Index("ix_reports_village_id", Report.village_code, Report.id)
sa.Index("ix_reports_county_id", Report.county_code, Report.id)
sa.Index("ix_reports_township_id", Report.township_code, Report.id)
# `q` on PostgreSQL: trigram GIN index so LIKE '%词语%' (3+ characters) does not scan the table
sa.Index("ix_reports_content_trgm", Report.content, postgresql_using="gin",
         postgresql_ops={"content": "gin_trgm_ops"}).ddl_if(dialect="postgresql")
sa.event.listen(
    Report.__table__, "before_create",
    sa.DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"),
)
