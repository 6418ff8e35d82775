"""The append-only audit log."""

import sqlalchemy as sa

from app.core.timeutil import UTCDateTime, utcnow
from app.extensions import db


class AuditEntry(db.Model):
    """One audited action: who, what, on which object, when, from which (hashed) address."""

    __tablename__ = "audit_log"

    id = sa.Column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    at = sa.Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    actor_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True, index=True)
    actor_name = sa.Column(sa.String(80), nullable=True)
    action = sa.Column(sa.String(64), nullable=False, index=True)
    object_type = sa.Column(sa.String(40), nullable=True)
    object_id = sa.Column(sa.String(64), nullable=True)
    address_hash = sa.Column(sa.String(64), nullable=True)
    detail = sa.Column(sa.JSON, nullable=True)

    __table_args__ = (sa.Index("ix_audit_log_object", "object_type", "object_id"),)
