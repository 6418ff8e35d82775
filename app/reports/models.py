"""Reports (feedback, tip-offs, contact-point reports), their attachments and timelines."""

import sqlalchemy as sa
from sqlalchemy.orm import relationship

from app.core.timeutil import UTCDateTime, utcnow
from app.extensions import db
from app.security.crypto import EncryptedText

KINDS = ("suggestion", "question", "help", "tipoff", "contact_point")
CHANNELS = ("miniprogram", "h5", "letter", "phone", "visit")
BIGINT = sa.BigInteger().with_variant(sa.Integer, "sqlite")


class Report(db.Model):
    """One submission. Reporter identity and the accused person's name are encrypted at rest."""

    __tablename__ = "reports"

    id = sa.Column(BIGINT, primary_key=True)
    tracking_no = sa.Column(sa.String(24), unique=True, nullable=False)
    kind = sa.Column(sa.String(16), nullable=False)
    topic = sa.Column(sa.String(40), nullable=False)
    content = sa.Column(sa.Text, nullable=False)
    channel = sa.Column(sa.String(12), nullable=False)
    # where the matter lies: a village, or only a township or a county (a report about a unit or a county office)
    village_code = sa.Column(sa.String(12), sa.ForeignKey("regions.code"), nullable=True)
    township_code = sa.Column(sa.String(12), nullable=True)
    county_code = sa.Column(sa.String(12), nullable=False)
    # None: handled where it lies; "county"/"city": only that level and above may see it (a head is accused)
    handling_level = sa.Column(sa.String(10), nullable=True)
    status = sa.Column(sa.String(16), nullable=False, default="received")
    disposition = sa.Column(sa.String(32), nullable=True)
    received_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    status_changed_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    # reporter: anonymous reports keep no account link and no identity, only a hashed receipt code
    anonymous = sa.Column(sa.Boolean, nullable=False)
    reporter_user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True, index=True)
    reporter_name = sa.Column(EncryptedText, nullable=True)
    reporter_phone = sa.Column(EncryptedText, nullable=True)
    reporter_id_number = sa.Column(EncryptedText, nullable=True)
    receipt_hash = sa.Column(sa.String(64), unique=True, nullable=True)
    contact_member_id = sa.Column(sa.Integer, nullable=True, index=True)
    contact_layer = sa.Column(sa.String(20), nullable=True)
    operator_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    # target of the report
    target_disclosure_id = sa.Column(sa.Integer, nullable=True)
    target_power_item = sa.Column(sa.Integer, nullable=True)
    target_person_name = sa.Column(EncryptedText, nullable=True)
    target_person_post = sa.Column(sa.String(60), nullable=True)
    target_person_key = sa.Column(sa.String(64), nullable=True, index=True)
    target_user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True, index=True)
    target_unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=True)
    target_roster_id = sa.Column(sa.Integer, sa.ForeignKey("cadres.id", ondelete="SET NULL"), nullable=True)
    # abuse screening and retries
    flagged = sa.Column(sa.Boolean, nullable=False, default=False)
    flag_reason = sa.Column(sa.String(100), nullable=True)
    idempotency_key = sa.Column(sa.String(80), nullable=True)
    idempotency_scope = sa.Column(sa.String(80), nullable=True)
    request_fingerprint = sa.Column(sa.String(64), nullable=True)
    text_signature = sa.Column(sa.JSON, nullable=True)

    attachments = relationship("app.files.models.Upload", secondary="report_attachments", lazy="selectin")
    timeline = relationship("TimelineEvent", order_by="TimelineEvent.id", lazy="selectin",
                            back_populates="report")

    @property
    def region_code(self):
        """The deepest region the report lies in: its village, else its township, else its county."""
        return self.village_code or self.township_code or self.county_code

    __table_args__ = (
        sa.UniqueConstraint("idempotency_scope", "idempotency_key", name="uq_reports_idempotency"),
        sa.Index("ix_reports_county_status_id", "county_code", "status", "id"),
        sa.Index("ix_reports_township_status_id", "township_code", "status", "id"),
        sa.Index("ix_reports_village_received", "village_code", "received_at"),
        sa.Index("ix_reports_received_at", "received_at"),
    )


report_attachments = sa.Table(
    "report_attachments", db.metadata,
    sa.Column("report_id", BIGINT, sa.ForeignKey("reports.id"), primary_key=True),
    sa.Column("upload_id", sa.String(32), sa.ForeignKey("uploads.id"), primary_key=True),
)


class TimelineEvent(db.Model):
    """A step in a report's life: a transition, a message or a note; public ones the reporter sees."""

    __tablename__ = "report_events"

    id = sa.Column(BIGINT, primary_key=True)
    report_id = sa.Column(BIGINT, sa.ForeignKey("reports.id"), nullable=False, index=True)
    at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    action = sa.Column(sa.String(24), nullable=False)  # submitted, accept, ..., message, reporter_message, note
    from_status = sa.Column(sa.String(16), nullable=True)
    to_status = sa.Column(sa.String(16), nullable=True)
    visibility = sa.Column(sa.String(8), nullable=False, default="internal")  # public | internal
    note = sa.Column(sa.Text, nullable=True)
    actor_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    actor_label = sa.Column(sa.String(60), nullable=True)  # what the reporter sees, e.g. 县纪委监委

    report = relationship("Report", back_populates="timeline")


class ReportConflict(db.Model):
    """A possible match between a report and whom it accuses: that account (user_id) or that unit (unit_id) never
    sees, handles, unseals or approves anything about the report, until an inspector above clears it (audited)."""

    __tablename__ = "report_conflicts"

    id = sa.Column(sa.Integer, primary_key=True)
    report_id = sa.Column(BIGINT, sa.ForeignKey("reports.id"), nullable=False, index=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True, index=True)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=True, index=True)
    reason = sa.Column(sa.String(24), nullable=False)  # see app.reports.conflicts.REASON_LABELS
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    cleared_at = sa.Column(UTCDateTime, nullable=True)
    cleared_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    cleared_note = sa.Column(sa.String(200), nullable=True)

    __table_args__ = (
        sa.CheckConstraint("user_id IS NOT NULL OR unit_id IS NOT NULL", name="ck_report_conflicts_party"),
    )
