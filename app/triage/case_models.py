"""Cases (merged problems), warnings (预警) to units and the units' answers."""

import sqlalchemy as sa
from sqlalchemy.orm import relationship

from app.core.timeutil import UTCDateTime, utcnow
from app.extensions import db

BIGINT = sa.BigInteger().with_variant(sa.Integer, "sqlite")

CASE_STATUSES = ("open", "concluded")
CASE_STATUS_LABELS = {"open": "办理中", "concluded": "已办结"}
WARNING_STATUSES = ("open", "answered", "rectified", "overdue")  # overdue is derived: open and past its due date
WARNING_STATUS_LABELS = {"open": "待反馈", "answered": "已反馈（整改中）", "rectified": "已整改", "overdue": "已超期"}


class Case(db.Model):
    """A problem (问题) into which reports about the same matter are merged; each report keeps its timeline."""

    __tablename__ = "cases"

    id = sa.Column(sa.Integer, primary_key=True)
    title = sa.Column(sa.String(120), nullable=False)
    county_code = sa.Column(sa.String(12), nullable=False)
    township_code = sa.Column(sa.String(12), nullable=True)  # set when every report lies in one township
    status = sa.Column(sa.String(12), nullable=False, default="open")
    result = sa.Column(sa.Text, nullable=True)
    # why the case was concluded while a warning about it was still unanswered (required then)
    conclude_reason = sa.Column(sa.Text, nullable=True)
    created_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    concluded_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    concluded_at = sa.Column(UTCDateTime, nullable=True)

    links = relationship("CaseReport", back_populates="case", order_by="CaseReport.report_id", lazy="selectin")

    __table_args__ = (
        sa.Index("ix_cases_county_id", "county_code", "id"),
        sa.Index("ix_cases_township_id", "township_code", "id"),
    )

    @property
    def scope_code(self):
        """The region code that bounds the case: its township when it has one, else its county."""
        return self.township_code or self.county_code


class CaseReport(db.Model):
    """A report merged into a case; a report belongs to at most one case."""

    __tablename__ = "case_reports"

    report_id = sa.Column(BIGINT, sa.ForeignKey("reports.id"), primary_key=True)
    case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id"), nullable=False, index=True)
    added_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    added_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    case = relationship("Case", back_populates="links")
    report = relationship("app.reports.models.Report", lazy="joined")


class UnitWarning(db.Model):
    """A warning (预警) to a unit about a case or reports, with a due date for its rectification (整改)."""

    __tablename__ = "warnings"

    id = sa.Column(sa.Integer, primary_key=True)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False, index=True)
    region_code = sa.Column(sa.String(12), nullable=False, index=True)  # the unit's region: who may see it
    case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id"), nullable=True, index=True)
    content = sa.Column(sa.Text, nullable=False)
    due_date = sa.Column(sa.Date, nullable=False)
    status = sa.Column(sa.String(12), nullable=False, default="open")  # open | answered | rectified
    issued_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    issued_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    answered_at = sa.Column(UTCDateTime, nullable=True)  # the first answer
    rectified_at = sa.Column(UTCDateTime, nullable=True)

    unit = relationship("app.regions.models.Unit", lazy="joined")
    case = relationship("Case", lazy="joined")
    report_links = relationship("WarningReport", lazy="selectin", order_by="WarningReport.report_id")
    responses = relationship("WarningResponse", lazy="selectin", order_by="WarningResponse.id")

    def effective_status(self, today):
        """The stored status, or "overdue" when still unanswered after the due date (a China-time date)."""
        if self.status == "open" and today > self.due_date:
            return "overdue"
        return self.status


class WarningReport(db.Model):
    """A report a warning is about."""

    __tablename__ = "warning_reports"

    warning_id = sa.Column(sa.Integer, sa.ForeignKey("warnings.id"), primary_key=True)
    report_id = sa.Column(BIGINT, sa.ForeignKey("reports.id"), primary_key=True)

    report = relationship("app.reports.models.Report", lazy="joined")


class WarningResponse(db.Model):
    """A unit's answer to a warning: what it did, and whether the problem is rectified."""

    __tablename__ = "warning_responses"

    id = sa.Column(sa.Integer, primary_key=True)
    warning_id = sa.Column(sa.Integer, sa.ForeignKey("warnings.id"), nullable=False, index=True)
    content = sa.Column(sa.Text, nullable=False)
    rectified = sa.Column(sa.Boolean, nullable=False, default=False)  # False: 正在整改, True: 整改完毕
    evidence = sa.Column(sa.Text, nullable=True)  # what proves the rectification (required for 整改完毕)
    answered_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    answered_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)


from app.triage import network_models  # noqa: E402,F401  (registers the networks' tables on db.metadata)
