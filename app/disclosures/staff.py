"""Staff reads: the work list of publishers and reviewers, and a disclosure with every version in full."""

import sqlalchemy as sa

from app.auth.models import User
from app.core.pagination import keyset_page
from app.core.permissions import region_scopes, require, scope_filter
from app.disclosures.attachments import attachment_info
from app.disclosures.models import Disclosure, DisclosureVersion
from app.disclosures.periods import parse_period
from app.disclosures.public_view import render_content
from app.disclosures.reads import KIND_LABELS, STATE_LABELS, STATUS_LABELS, get_disclosure, publish_entries
from app.errors import Forbidden
from app.extensions import db
from app.security.service import audit


def _latest_state():
    return (sa.select(DisclosureVersion.state).where(DisclosureVersion.disclosure_id == Disclosure.id)
            .order_by(DisclosureVersion.number.desc()).limit(1).scalar_subquery())


def _item(disclosure):
    latest = disclosure.latest
    return {"id": disclosure.id, "village_code": disclosure.village_code, "kind": disclosure.kind,
            "kind_label": KIND_LABELS[disclosure.kind], "period": disclosure.period,
            "period_label": parse_period(disclosure.period).display, "status": disclosure.status,
            "status_label": STATUS_LABELS[disclosure.status], "title": latest.title, "version": latest.number,
            "state": latest.state, "state_label": STATE_LABELS[latest.state], "review_note": latest.review_note,
            "current_version": disclosure.current_version_no, "created_at": disclosure.created_at,
            "updated_at": disclosure.updated_at, "submitted_at": latest.submitted_at}


def staff_list(user, village=None, kind=None, state=None, period=None, limit=20, cursor=None):
    """Disclosures of the villages the user works for, newest change first, by village, kind, state and period."""
    scopes = region_scopes(user, "disclosure.view_staff")
    if not scopes:
        raise Forbidden()
    stmt = sa.select(Disclosure)
    if village:
        require(user, "disclosure.view_staff", region_code=village)
        stmt = stmt.where(Disclosure.village_code == village)
    elif None not in scopes:
        stmt = stmt.where(scope_filter(Disclosure.village_code, scopes))
    if kind:
        stmt = stmt.where(Disclosure.kind == kind)
    if period:
        stmt = stmt.where(Disclosure.period == period)
    if state:
        stmt = stmt.where(_latest_state() == state)
    page = keyset_page(db.session, stmt, [(Disclosure.updated_at, True), (Disclosure.id, True)], limit, cursor)
    page.items = [_item(d) for d in page.items]
    return page


def _names(ids):
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {u.id: u.display_name or u.username for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}


def _version(disclosure, version, entry, names):
    ids = version.content.get("attachment_ids", []) if disclosure.kind in ("affairs", "party") else []
    return {"version": version.number, "state": version.state, "state_label": STATE_LABELS[version.state],
            "title": version.title, "content": render_content(disclosure.kind, version.content, "staff",
                                                              attachment_info(ids)),
            "created_by": names.get(version.created_by_id), "created_at": version.created_at,
            "updated_at": version.updated_at, "submitted_by": names.get(version.submitted_by_id),
            "submitted_at": version.submitted_at, "reviewed_by": names.get(version.reviewed_by_id),
            "reviewed_at": version.reviewed_at, "review_note": version.review_note,
            "published_by": names.get(version.published_by_id), "published_at": version.published_at,
            "superseded_at": version.superseded_at, "supersedes": version.supersedes_no,
            "correction_reason": version.correction_reason, "seq": entry.seq if entry else None,
            "hash": entry.hash if entry else None, "prev_hash": entry.prev_hash if entry else None}


def staff_detail(user, disclosure_id):
    """A disclosure with every version (drafts included) and personal data in full, for staff of its village."""
    disclosure = get_disclosure(disclosure_id)
    require(user, "disclosure.view_staff", region_code=disclosure.village_code)
    versions = disclosure.versions
    names = _names([disclosure.withdrawn_by_id] + [getattr(v, f) for v in versions for f in
                   ("created_by_id", "submitted_by_id", "reviewed_by_id", "published_by_id")])
    entries = publish_entries([v.id for v in versions])
    if disclosure.kind == "funds":  # full names and ID numbers were shown: keep a trace
        audit("disclosure.view_personal", user, "disclosure", disclosure.id, None)
        db.session.commit()
    return {**_item(disclosure), "withdrawn_at": disclosure.withdrawn_at, "withdraw_reason": disclosure.withdraw_reason,
            "withdrawn_by": names.get(disclosure.withdrawn_by_id),
            "versions": [_version(disclosure, v, entries.get(v.id), names) for v in versions]}
