"""The append-only audit log (guarded by the ORM and, below it, by a database trigger)."""

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


# Below the ORM: the database itself refuses to change audit rows. PostgreSQL refuses UPDATE and DELETE (TRUNCATE,
# a privileged maintenance operation, stays possible); SQLite refuses UPDATE. Installed by
# security.service.install_append_only_guard; the initial migration creates the same.
APPEND_ONLY_DDL = {
    "postgresql": (
        "CREATE OR REPLACE FUNCTION mss_refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'audit log is append-only (%% refused)', TG_OP; END $$",
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION mss_refuse_audit_change()",
    ),
    "sqlite": (
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
    ),
}
