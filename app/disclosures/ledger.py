"""The per-village hash chain: documents, appends under the head lock, verification, and the append-only guard."""

from datetime import UTC

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.core.timeutil import utcnow
from app.disclosures.canonical import SCHEMA, canonical_json, entry_document, sha256_hex, version_hash
from app.disclosures.models import Disclosure, DisclosureVersion, LedgerEntry, LedgerHead
from app.disclosures.public_view import ledger_content
from app.extensions import db

# what may never change once a version is published (the state and superseded_at still move on)
FROZEN_VERSION_FIELDS = ("disclosure_id", "number", "title", "content", "blinding_key", "published_at",
                         "published_by_id", "supersedes_no", "correction_reason", "created_by_id")
FROZEN_DISCLOSURE_FIELDS = ("village_code", "kind", "period", "period_start", "period_end", "period_sort",
                            "created_by_id", "withdrawn_at", "withdraw_reason", "first_published_at")


def iso_utc(moment):
    """A time as the ledger writes it: UTC, seconds, 'Z' (2026-03-05T01:02:03Z)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def publish_payload(seq, disclosure, version):
    """The hashed payload of a publication (everything but prev_hash)."""
    return {
        "schema": SCHEMA, "event": "publish", "seq": seq, "village_code": disclosure.village_code,
        "disclosure_id": disclosure.id, "kind": disclosure.kind, "period": disclosure.period,
        "title": version.title, "version": version.number,
        "content": ledger_content(disclosure.kind, version.content, version.blinding_key),
        "published_at": iso_utc(version.published_at), "supersedes": version.supersedes_no,
        "correction_reason": version.correction_reason,
    }


def withdraw_payload(seq, disclosure, version):
    """The hashed payload of a withdrawal."""
    return {
        "schema": SCHEMA, "event": "withdraw", "seq": seq, "village_code": disclosure.village_code,
        "disclosure_id": disclosure.id, "version": version.number, "reason": disclosure.withdraw_reason,
        "withdrawn_at": iso_utc(disclosure.withdrawn_at),
    }


def payload_of(entry):
    """Rebuild an entry's payload from what the database holds now."""
    build = publish_payload if entry.event == "publish" else withdraw_payload
    return build(entry.seq, entry.disclosure, entry.version)


def document_of(entry):
    """The exact JSON object whose canonical form hashes to entry.hash (if nothing was tampered with)."""
    return entry_document(payload_of(entry), entry.prev_hash)


def lock_head(village_code):
    """Create the village's head row if needed and lock it (SELECT ... FOR UPDATE) for this transaction."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(LedgerHead).values(village_code=village_code, seq=0, hash=None, updated_at=utcnow())
    db.session.execute(stmt.on_conflict_do_nothing(index_elements=["village_code"]))
    query = sa.select(LedgerHead).where(LedgerHead.village_code == village_code).with_for_update()
    return db.session.scalars(query.execution_options(populate_existing=True)).one()


def append(head, event_name, disclosure, version, at):
    """Append an entry after the locked head; returns the entry (flushed, in the caller's transaction)."""
    seq = head.seq + 1
    build = publish_payload if event_name == "publish" else withdraw_payload
    digest = version_hash(build(seq, disclosure, version), head.hash)
    entry = LedgerEntry(village_code=disclosure.village_code, seq=seq, event=event_name, disclosure_id=disclosure.id,
                        version_id=version.id, hash=digest, prev_hash=head.hash, recorded_at=at)
    db.session.add(entry)
    head.seq, head.hash, head.updated_at = seq, digest, at
    db.session.flush()
    return entry


def head_of(village_code):
    """(seq, hash) of a village's newest entry, or (0, None)."""
    row = db.session.execute(sa.select(LedgerHead.seq, LedgerHead.hash)
                             .where(LedgerHead.village_code == village_code)).first()
    return (row.seq, row.hash) if row else (0, None)


def entries(village_code, after_seq=0, limit=None):
    """A village's entries in order, from after_seq."""
    stmt = (sa.select(LedgerEntry).where(LedgerEntry.village_code == village_code, LedgerEntry.seq > after_seq)
            .order_by(LedgerEntry.seq))
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def verify(village_code):
    """Recompute the village's chain from the stored rows; {"ok", "checked", "head", "first_break"}."""
    previous, checked, first_break = None, 0, None
    head_seq, head_hash = head_of(village_code)
    expected = 1
    for entry in entries(village_code):
        problem = None
        if entry.seq != expected:
            problem = "seq_gap"
        elif entry.prev_hash != previous:
            problem = "prev_hash_mismatch"
        elif sha256_hex(canonical_json(document_of(entry))) != entry.hash:
            problem = "hash_mismatch"
        if problem:
            first_break = {"seq": entry.seq, "reason": problem, "disclosure_id": entry.disclosure_id,
                           "version": entry.version.number, "event": entry.event}
            break
        previous, checked, expected = entry.hash, checked + 1, expected + 1
    if first_break is None and (head_seq, head_hash) != (checked, previous):
        first_break = {"seq": head_seq, "reason": "head_mismatch", "disclosure_id": None, "version": None,
                       "event": None}
    return {"ok": first_break is None, "checked": checked, "head": {"seq": head_seq, "hash": head_hash},
            "first_break": first_break}


def _committed(target, name):
    history = sa.inspect(target).attrs[name].history
    old = history.deleted or history.unchanged
    return old[0] if old else None


def _refuse_frozen_version(mapper, connection, target):
    if _committed(target, "published_at") is None:
        return
    state = sa.inspect(target)
    changed = [name for name in FROZEN_VERSION_FIELDS if state.attrs[name].history.has_changes()]
    if changed:
        raise RuntimeError(f"a published disclosure version cannot be changed ({', '.join(changed)})")


def _refuse_frozen_disclosure(mapper, connection, target):
    if _committed(target, "status") in (None, "unpublished"):
        return
    state = sa.inspect(target)
    changed = [name for name in FROZEN_DISCLOSURE_FIELDS
               if state.attrs[name].history.has_changes() and _committed(target, name) is not None]
    reopened = _committed(target, "status") == "withdrawn" and state.attrs["status"].history.has_changes()
    if changed or reopened:
        raise RuntimeError("a published disclosure cannot be changed in place")


def _refuse_delete(mapper, connection, target):
    if isinstance(target, LedgerEntry) or getattr(target, "published_at", None) is not None \
            or getattr(target, "status", "unpublished") != "unpublished":
        raise RuntimeError("published disclosures and the ledger are never deleted")


def _refuse_entry_update(mapper, connection, target):
    raise RuntimeError("the disclosure ledger is append-only")


def _refuse_bulk(state):
    if not (state.is_update or state.is_delete):
        return
    if any(m.class_ in (LedgerEntry, DisclosureVersion, Disclosure) for m in state.all_mappers):
        raise RuntimeError("disclosures and their ledger are changed one object at a time, through the service")


GUARDS = (
    (DisclosureVersion, "before_update", _refuse_frozen_version),
    (DisclosureVersion, "before_delete", _refuse_delete),
    (Disclosure, "before_update", _refuse_frozen_disclosure),
    (Disclosure, "before_delete", _refuse_delete),
    (LedgerEntry, "before_update", _refuse_entry_update),
    (LedgerEntry, "before_delete", _refuse_delete),
)


def install_guards():
    """Make the ORM refuse changes to published versions and any change to ledger entries (idempotent)."""
    for target, name, fn in GUARDS:
        if not event.contains(target, name, fn):
            event.listen(target, name, fn)
    if not event.contains(Session, "do_orm_execute", _refuse_bulk):
        event.listen(Session, "do_orm_execute", _refuse_bulk)
