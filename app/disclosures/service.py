"""The disclosure workflow: draft, submit, review, publish, correct, withdraw, and the finance ledger files.

Only a publisher of the village drafts, edits, submits, publishes, corrects and withdraws; only a reviewer of the
village approves or rejects, and never his own submission. Every change is audited in the same transaction.
Read functions for other domains (public_list, public_detail, ledger_head, find_power_item,
disclosure_exists_published) live in reads.py and are re-exported here.
"""

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.core.permissions import can, require
from app.core.timeutil import utcnow
from app.disclosures import ledger, reads
from app.disclosures.attachments import check_attachments
from app.disclosures.content import validate_content
from app.disclosures.finance_io import export_ledger, read_ledger
from app.disclosures.models import EDITABLE, OPEN, PUBLIC_STATES, Disclosure, DisclosureVersion
from app.disclosures.periods import PeriodError, parse_period
from app.errors import BadRequest, Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.regions.service import get_region
from app.security.service import audit

# the read API other domains call (defined in reads.py)
public_list, public_detail, ledger_head = reads.public_list, reads.public_detail, reads.ledger_head
find_power_item, disclosure_exists_published = reads.find_power_item, reads.disclosure_exists_published
get_disclosure = reads.get_disclosure

EXPORT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "csv": "text/csv"}  # Flask adds "; charset=utf-8" to text types


def period_sort(period):
    """The integer sort key of a period (its first day as yyyymmdd)."""
    return int(period.start.strftime("%Y%m%d"))


def _period(text):
    try:
        return parse_period(text)
    except PeriodError as err:
        raise ValidationFailed(fields={"period": [str(err)]}) from None


def _clean(kind, content, period):
    cleaned = validate_content(kind, content, period)
    if kind in ("affairs", "party"):
        check_attachments(cleaned["attachment_ids"])
    return cleaned


def _editable(disclosure):
    version = disclosure.latest
    if version.state not in EDITABLE:
        raise Conflict("只有草稿或被退回的版本可以修改，已提交、已审核或已发布的内容不能直接修改",
                       code="not_editable")
    return version


def _touch(disclosure, version, now):
    disclosure.updated_at = now
    version.updated_at = now


def _replayed(user, idempotency_key):
    if not idempotency_key:
        return None
    stmt = sa.select(DisclosureVersion).where(DisclosureVersion.created_by_id == user.id,
                                              DisclosureVersion.idempotency_key == idempotency_key)
    return db.session.scalar(stmt)


def _commit_new_version(user, version, idempotency_key):
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        replay = _replayed(user, idempotency_key)
        if replay is None:
            raise
        return replay.disclosure
    return version.disclosure


def create_disclosure(user, data, idempotency_key=None):
    """Create a draft {village_code, kind, period, title, content}; a retried Idempotency-Key returns the first."""
    require(user, "disclosure.edit", region_code=data["village_code"])
    replay = _replayed(user, idempotency_key)
    if replay is not None:
        return replay.disclosure
    get_region(data["village_code"], "village")
    period = _period(data["period"])
    content = _clean(data["kind"], data["content"], period)
    now = utcnow()
    disclosure = Disclosure(village_code=data["village_code"], kind=data["kind"], period=period.label,
                            period_start=period.start, period_end=period.end, period_sort=period_sort(period),
                            created_by_id=user.id,
                            created_at=now, updated_at=now)
    version = DisclosureVersion(disclosure=disclosure, number=1, state="draft", title=data["title"], content=content,
                                created_by_id=user.id, created_at=now, updated_at=now,
                                idempotency_key=idempotency_key)
    db.session.add_all([disclosure, version])
    db.session.flush()
    audit("disclosure.create", user, "disclosure", disclosure.id, {"kind": disclosure.kind, "period": period.label})
    return _commit_new_version(user, version, idempotency_key)


def update_draft(user, disclosure_id, data):
    """Change the title, content or (before the first publication) the period of a draft or rejected version."""
    disclosure = get_disclosure(disclosure_id)
    require(user, "disclosure.edit", region_code=disclosure.village_code)
    version = _editable(disclosure)
    period = parse_period(disclosure.period)
    if "period" in data and data["period"] is not None:
        if disclosure.status != "unpublished":
            raise Conflict("已发布过的公开事项不能修改公开期间", code="period_locked")
        period = _period(data["period"])
    content = _clean(disclosure.kind, data.get("content", version.content), period)
    now = utcnow()
    if period.label != disclosure.period:
        disclosure.period, disclosure.period_start, disclosure.period_end = period.label, period.start, period.end
        disclosure.period_sort = period_sort(period)
    version.content = content
    if data.get("title"):
        version.title = data["title"]
    version.state = "draft"
    _touch(disclosure, version, now)
    audit("disclosure.update", user, "disclosure", disclosure.id, {"version": version.number,
                                                                  "fields": sorted(data)})
    db.session.commit()
    return disclosure


def submit(user, disclosure_id):
    """Send the draft (or the corrected rejected version) to the village supervision committee."""
    disclosure = get_disclosure(disclosure_id)
    require(user, "disclosure.edit", region_code=disclosure.village_code)
    version = disclosure.latest
    if version.state not in EDITABLE:
        raise Conflict("只有草稿或被退回的版本可以提交审核", code="not_draft")
    if disclosure.status == "withdrawn":
        raise Conflict("该公开事项已撤回，不能再提交", code="withdrawn")
    _clean(disclosure.kind, version.content, disclosure.period)
    now = utcnow()
    version.state, version.submitted_by_id, version.submitted_at = "submitted", user.id, now
    _touch(disclosure, version, now)
    audit("disclosure.submit", user, "disclosure", disclosure.id, {"version": version.number})
    db.session.commit()
    return disclosure


def _under_review(user, disclosure_id):
    disclosure = get_disclosure(disclosure_id)
    require(user, "disclosure.review", region_code=disclosure.village_code)
    version = disclosure.latest
    if version.state != "submitted":
        raise Conflict("只有已提交审核的内容可以审核", code="not_submitted")
    if version.submitted_by_id == user.id:
        raise Forbidden("不能审核本人提交的公开内容", code="self_review")
    return disclosure, version


def approve(user, disclosure_id, note=None):
    """The village supervision committee approves the submitted version."""
    disclosure, version = _under_review(user, disclosure_id)
    now = utcnow()
    version.state, version.reviewed_by_id, version.reviewed_at, version.review_note = "approved", user.id, now, note
    _touch(disclosure, version, now)
    audit("disclosure.approve", user, "disclosure", disclosure.id, {"version": version.number})
    db.session.commit()
    return disclosure


def reject(user, disclosure_id, reason):
    """The village supervision committee sends the submitted version back, with its reason."""
    disclosure, version = _under_review(user, disclosure_id)
    now = utcnow()
    version.state, version.reviewed_by_id, version.reviewed_at, version.review_note = "rejected", user.id, now, reason
    _touch(disclosure, version, now)
    audit("disclosure.reject", user, "disclosure", disclosure.id, {"version": version.number, "reason": reason})
    db.session.commit()
    return disclosure


def publish(user, disclosure_id):
    """Publish the approved version: it supersedes the previous one and is appended to the village's ledger."""
    disclosure = get_disclosure(disclosure_id)
    require(user, "disclosure.edit", region_code=disclosure.village_code)
    head = ledger.lock_head(disclosure.village_code)  # serialises publications in this village
    db.session.refresh(disclosure, with_for_update=True)
    version = disclosure.latest
    db.session.refresh(version)
    if disclosure.status == "withdrawn":
        raise Conflict("该公开事项已撤回，不能再发布", code="withdrawn")
    if version.state != "approved":
        raise Conflict("只有村务监督委员会审核通过的内容才能发布", code="not_approved")
    now = utcnow().replace(microsecond=0)
    version.state, version.published_at, version.published_by_id = "published", now, user.id
    if version.supersedes_no:
        previous = disclosure.version(version.supersedes_no)
        previous.state, previous.superseded_at = "superseded", now
    disclosure.status, disclosure.current_version_no = "published", version.number
    disclosure.first_published_at = disclosure.first_published_at or now
    _touch(disclosure, version, utcnow())
    entry = ledger.append(head, "publish", disclosure, version, now)
    audit("disclosure.publish", user, "disclosure", disclosure.id,
          {"version": version.number, "seq": entry.seq, "hash": entry.hash})
    db.session.commit()
    return disclosure


def correct(user, disclosure_id, data, idempotency_key=None):
    """Start a correction of the published disclosure: a new version {content, reason, title?} through review."""
    disclosure = get_disclosure(disclosure_id)
    require(user, "disclosure.edit", region_code=disclosure.village_code)
    replay = _replayed(user, idempotency_key)
    if replay is not None and replay.disclosure_id == disclosure.id:
        return replay.disclosure
    if disclosure.status != "published":
        raise Conflict("只有已发布（未撤回）的公开内容才能更正", code="not_published")
    if disclosure.latest.state in OPEN:
        raise Conflict("该公开事项已有正在办理的更正版本", code="correction_in_progress")
    current = disclosure.current
    content = _clean(disclosure.kind, data["content"], disclosure.period)
    now = utcnow()
    version = DisclosureVersion(disclosure=disclosure, number=disclosure.latest.number + 1, state="draft",
                                title=data.get("title") or current.title, content=content,
                                supersedes_no=current.number, correction_reason=data["reason"],
                                created_by_id=user.id, created_at=now, updated_at=now,
                                idempotency_key=idempotency_key)
    db.session.add(version)
    disclosure.updated_at = now
    db.session.flush()
    audit("disclosure.correct", user, "disclosure", disclosure.id,
          {"version": version.number, "supersedes": current.number, "reason": data["reason"]})
    return _commit_new_version(user, version, idempotency_key)


def withdraw(user, disclosure_id, reason):
    """Withdraw the published disclosure: the record, its versions and the reason stay; the ledger records it."""
    disclosure = get_disclosure(disclosure_id)
    require(user, "disclosure.edit", region_code=disclosure.village_code)
    head = ledger.lock_head(disclosure.village_code)
    db.session.refresh(disclosure, with_for_update=True)
    if disclosure.status != "published":
        raise Conflict("只有已发布的公开内容才能撤回" if disclosure.status == "unpublished" else "该公开事项已撤回",
                       code="not_published")
    now = utcnow().replace(microsecond=0)
    current = disclosure.current
    disclosure.status, disclosure.withdrawn_at = "withdrawn", now
    disclosure.withdrawn_by_id, disclosure.withdraw_reason = user.id, reason
    current.state = "withdrawn"
    _touch(disclosure, current, utcnow())
    entry = ledger.append(head, "withdraw", disclosure, current, now)
    audit("disclosure.withdraw", user, "disclosure", disclosure.id,
          {"version": current.number, "seq": entry.seq, "reason": reason})
    db.session.commit()
    return disclosure


def import_finance(user, disclosure_id, data, filename):
    """Fill a finance draft's lines (and opening balance, when the file has one) from .xlsx or .csv bytes."""
    disclosure = get_disclosure(disclosure_id)
    require(user, "disclosure.edit", region_code=disclosure.village_code)
    if disclosure.kind != "finance":
        raise BadRequest("只有财务公开可以导入收支台账", code="not_finance")
    version = _editable(disclosure)
    imported = read_ledger(data, filename, parse_period(disclosure.period))
    opening = imported.opening_balance_fen
    content = {"opening_balance_fen": version.content["opening_balance_fen"] if opening is None else opening,
               "lines": imported.lines}
    version.content = _clean("finance", content, disclosure.period)
    version.state = "draft"
    _touch(disclosure, version, utcnow())
    audit("disclosure.import", user, "disclosure", disclosure.id,
          {"version": version.number, "lines": len(imported.lines), "filename": (filename or "")[:100]})
    db.session.commit()
    return disclosure


def export_finance(user, disclosure_id, fmt, number=None):
    """(bytes, filename, mimetype) of a finance version; the public may export published versions only."""
    disclosure = get_disclosure(disclosure_id)
    if disclosure.kind != "finance":
        raise BadRequest("只有财务公开可以导出收支台账", code="not_finance")
    staff = user is not None and can(user, "disclosure.view_staff", region_code=disclosure.village_code)
    version = disclosure.version(number) if number else (disclosure.latest if staff else disclosure.current)
    if version is None or (not staff and version.state not in PUBLIC_STATES):
        raise NotFound("未找到可导出的财务公开版本", code="version_not_found")
    name = f"finance-{disclosure.village_code}-{disclosure.period}-v{version.number}.{fmt}"
    return export_ledger(version.content, fmt), name, EXPORT_TYPES[fmt]
