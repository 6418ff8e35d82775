"""Audit log: append-only records in the caller's transaction, and their query."""

import hashlib

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.core.pagination import keyset_page, where_equal
from app.extensions import db
from app.security.models import APPEND_ONLY_DDL, AuditEntry


def client_hash():
    """Salted hash of the client address of the current request (None outside requests)."""
    if not has_request_context():
        return None
    salt = current_app.config.get("AUDIT_ADDRESS_SALT") or current_app.config["SECRET_KEY"]
    return hashlib.sha256(f"{salt}|{request.remote_addr}".encode()).hexdigest()[:32]


def audit(action, actor=None, object_type=None, object_id=None, detail=None):
    """Add an audit entry to the current transaction (committed with the action it records)."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        actor_name=(actor.username or actor.display_name) if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        address_hash=client_hash(),
        detail=detail,
    )
    db.session.add(entry)
    return entry


def query_audit(filters, limit, cursor):
    """A page of audit entries, newest first, filtered by actor, action, object and time."""
    stmt = where_equal(sa.select(AuditEntry), filters, {
        "actor_id": AuditEntry.actor_id, "action": AuditEntry.action, "object_type": AuditEntry.object_type,
        "object_id": AuditEntry.object_id})
    if filters.get("since"):
        stmt = stmt.where(AuditEntry.at >= filters["since"])
    if filters.get("until"):
        stmt = stmt.where(AuditEntry.at < filters["until"])
    return keyset_page(db.session, stmt, [(AuditEntry.id, True)], limit, cursor)


def _refuse_change(mapper, connection, target):
    raise RuntimeError("the audit log is append-only")


def _refuse_bulk_change(state):
    """ORM-enabled `update(AuditEntry)` / `delete(AuditEntry)` statements skip the mapper events: refuse them too."""
    if (state.is_update or state.is_delete) and any(m.class_ is AuditEntry for m in state.all_mappers):
        raise RuntimeError("the audit log is append-only")


def install_append_only_guard():
    """Make the ORM and the database refuse UPDATE and DELETE of audit entries."""
    if not event.contains(AuditEntry, "before_update", _refuse_change):
        event.listen(AuditEntry, "before_update", _refuse_change)
        event.listen(AuditEntry, "before_delete", _refuse_change)
    if not event.contains(Session, "do_orm_execute", _refuse_bulk_change):
        event.listen(Session, "do_orm_execute", _refuse_bulk_change)
    table = AuditEntry.__table__
    if not getattr(table, "_mss_triggers", False):  # the database-level guard, created with the table
        for dialect, statements in APPEND_ONLY_DDL.items():
            for statement in statements:
                event.listen(table, "after_create", sa.DDL(statement).execute_if(dialect=dialect))
        table._mss_triggers = True
