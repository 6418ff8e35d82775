"""Disclosures, their versions, the per-village hash-chained ledger and the publishing schedule."""

import secrets

import sqlalchemy as sa
from sqlalchemy.orm import deferred, relationship

from app.core.timeutil import UTCDateTime, utcnow
from app.extensions import db

BIGINT = sa.BigInteger().with_variant(sa.Integer, "sqlite")
KINDS = ("affairs", "finance", "party", "power", "funds")
# version states: draft -> submitted -> approved | rejected (editable again) -> published -> superseded | withdrawn
STATES = ("draft", "submitted", "approved", "rejected", "published", "superseded", "withdrawn")
EDITABLE = ("draft", "rejected")
OPEN = ("draft", "submitted", "approved", "rejected")
PUBLIC_STATES = ("published", "superseded", "withdrawn")
# a disclosure's public status: nothing published yet, a current published version, or withdrawn for good
STATUSES = ("unpublished", "published", "withdrawn")


def _in(values):
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def new_blinding_key():
    """A random key for the digests of masked personal data (see public_view.ledger_content)."""
    return secrets.token_hex(32)


class Disclosure(db.Model):
    """One thing a village publishes for one period; its text lives in versions."""

    __tablename__ = "disclosures"

    id = sa.Column(sa.Integer, primary_key=True)
    village_code = sa.Column(sa.String(12), sa.ForeignKey("regions.code"), nullable=False)
    kind = sa.Column(sa.String(10), nullable=False)
    period = sa.Column(sa.String(7), nullable=False)
    period_start = sa.Column(sa.Date, nullable=False)
    period_end = sa.Column(sa.Date, nullable=False)
    period_sort = sa.Column(sa.Integer, nullable=False)  # start as yyyymmdd: an integer keyset for newest-first lists
    status = sa.Column(sa.String(12), nullable=False, default="unpublished")
    current_version_no = sa.Column(sa.Integer, nullable=True)  # the version the public reads
    created_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    first_published_at = sa.Column(UTCDateTime, nullable=True)
    withdrawn_at = sa.Column(UTCDateTime, nullable=True)
    withdrawn_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    withdraw_reason = sa.Column(sa.Text, nullable=True)

    versions = relationship("DisclosureVersion", order_by="DisclosureVersion.number", lazy="selectin",
                            back_populates="disclosure")

    __table_args__ = (
        sa.CheckConstraint(f"kind IN {_in(KINDS)}", name="kind"),
        sa.CheckConstraint(f"status IN {_in(STATUSES)}", name="status"),
        sa.Index("ix_disclosures_public", "village_code", "status", "period_sort", "id"),
        sa.Index("ix_disclosures_staff", "village_code", "updated_at", "id"),
    )

    @property
    def latest(self):
        """The newest version (the one being edited or reviewed, or the current published one)."""
        return self.versions[-1] if self.versions else None

    @property
    def current(self):
        """The version the public reads, or None."""
        return self.version(self.current_version_no) if self.current_version_no else None

    def version(self, number):
        """The version with this number, or None."""
        return next((v for v in self.versions if v.number == number), None)


class DisclosureVersion(db.Model):
    """One text of a disclosure. Once published it never changes (ORM guard); a correction is a new version."""

    __tablename__ = "disclosure_versions"

    id = sa.Column(sa.Integer, primary_key=True)
    disclosure_id = sa.Column(sa.Integer, sa.ForeignKey("disclosures.id"), nullable=False)
    number = sa.Column(sa.Integer, nullable=False)
    state = sa.Column(sa.String(12), nullable=False, default="draft")
    title = sa.Column(sa.String(100), nullable=False)
    content = deferred(sa.Column(sa.JSON, nullable=False))  # loaded when used: lists never carry 5,000-line ledgers
    blinding_key = sa.Column(sa.String(64), nullable=False, default=new_blinding_key)
    created_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    idempotency_key = sa.Column(sa.String(80), nullable=True)
    submitted_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    submitted_at = sa.Column(UTCDateTime, nullable=True)
    reviewed_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    reviewed_at = sa.Column(UTCDateTime, nullable=True)
    review_note = sa.Column(sa.Text, nullable=True)  # the reason of a rejection, or the reviewer's note
    published_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    published_at = sa.Column(UTCDateTime, nullable=True)
    supersedes_no = sa.Column(sa.Integer, nullable=True)  # the version number a correction replaces
    correction_reason = sa.Column(sa.Text, nullable=True)
    superseded_at = sa.Column(UTCDateTime, nullable=True)

    disclosure = relationship("Disclosure", back_populates="versions")

    __table_args__ = (
        sa.UniqueConstraint("disclosure_id", "number", name="uq_disclosure_versions_number"),
        sa.UniqueConstraint("created_by_id", "idempotency_key", name="uq_disclosure_versions_idempotency"),
        sa.CheckConstraint(f"state IN {_in(STATES)}", name="state"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
        sa.CheckConstraint("state NOT IN ('published', 'superseded', 'withdrawn') OR published_at IS NOT NULL",
                           name="published_has_time"),
    )


class LedgerEntry(db.Model):
    """One link of a village's hash chain: a publication or a withdrawal. Append-only."""

    __tablename__ = "disclosure_ledger"

    id = sa.Column(BIGINT, primary_key=True)
    village_code = sa.Column(sa.String(12), sa.ForeignKey("regions.code"), nullable=False)
    seq = sa.Column(sa.Integer, nullable=False)
    event = sa.Column(sa.String(10), nullable=False)  # publish | withdraw
    disclosure_id = sa.Column(sa.Integer, sa.ForeignKey("disclosures.id"), nullable=False, index=True)
    version_id = sa.Column(sa.Integer, sa.ForeignKey("disclosure_versions.id"), nullable=False, index=True)
    hash = sa.Column(sa.String(64), nullable=False)
    prev_hash = sa.Column(sa.String(64), nullable=True)
    recorded_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    version = relationship("DisclosureVersion", lazy="joined")
    disclosure = relationship("Disclosure")

    __table_args__ = (
        sa.UniqueConstraint("village_code", "seq", name="uq_disclosure_ledger_village_seq"),
        sa.CheckConstraint("seq >= 1", name="seq_positive"),
        sa.CheckConstraint("event IN ('publish', 'withdraw')", name="event"),
    )


class LedgerHead(db.Model):
    """The newest entry of a village's chain; its row is the lock that serialises appends."""

    __tablename__ = "disclosure_ledger_heads"

    village_code = sa.Column(sa.String(12), sa.ForeignKey("regions.code"), primary_key=True)
    seq = sa.Column(sa.Integer, nullable=False, default=0)
    hash = sa.Column(sa.String(64), nullable=True)
    updated_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)


class ScheduleRule(db.Model):
    """How often a kind is due in a region subtree (county, township or village); the most specific rule wins."""

    __tablename__ = "disclosure_schedule"

    id = sa.Column(sa.Integer, primary_key=True)
    region_code = sa.Column(sa.String(12), sa.ForeignKey("regions.code"), nullable=False)
    kind = sa.Column(sa.String(10), nullable=False)
    granularity = sa.Column(sa.String(8), nullable=False)  # month | quarter | year
    updated_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("region_code", "kind", name="uq_disclosure_schedule_region_kind"),
        sa.CheckConstraint("granularity IN ('month', 'quarter', 'year')", name="granularity"),
    )
