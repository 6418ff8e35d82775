"""The notification outbox: written in the same transaction as the change it announces."""

import sqlalchemy as sa

from app.core.timeutil import UTCDateTime, utcnow
from app.extensions import db

BIGINT = sa.BigInteger().with_variant(sa.Integer, "sqlite")


class OutboxMessage(db.Model):
    """A message waiting to be sent (or sent, or given up) to one user."""

    __tablename__ = "notification_outbox"

    id = sa.Column(BIGINT, primary_key=True)
    dedupe_key = sa.Column(sa.String(80), unique=True, nullable=False)  # e.g. "report_event:123"
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True)
    kind = sa.Column(sa.String(24), nullable=False)  # report_update
    payload = sa.Column(sa.JSON, nullable=False)
    status = sa.Column(sa.String(12), nullable=False, default="pending")  # pending | sent | failed | skipped
    attempts = sa.Column(sa.Integer, nullable=False, default=0)
    next_attempt_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    last_error = sa.Column(sa.String(200), nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    sent_at = sa.Column(UTCDateTime, nullable=True)

    __table_args__ = (sa.Index("ix_notification_outbox_due", "status", "next_attempt_at"),)
