"""Public reads: published disclosures, their versions and the village ledger (other domains call these)."""

import sqlalchemy as sa

from app.core.pagination import keyset_page
from app.disclosures import ledger
from app.disclosures.attachments import attachment_info
from app.disclosures.models import PUBLIC_STATES, Disclosure, LedgerEntry
from app.disclosures.periods import PeriodError, parse_period
from app.disclosures.public_view import render_content
from app.errors import BadRequest, NotFound
from app.extensions import db
from app.regions.service import get_region

KIND_LABELS = {"affairs": "村务公开", "finance": "财务公开", "party": "党务公开", "power": "小微权力清单",
               "funds": "惠民资金公示"}
STATE_LABELS = {"draft": "草稿", "submitted": "待审核", "approved": "审核通过", "rejected": "被退回",
                "published": "已发布", "superseded": "已被更正", "withdrawn": "已撤回"}
STATUS_LABELS = {"unpublished": "未发布", "published": "已发布", "withdrawn": "已撤回"}


def get_disclosure(disclosure_id):
    """A disclosure by id, or 404."""
    disclosure = db.session.get(Disclosure, disclosure_id) if isinstance(disclosure_id, int) else None
    if disclosure is None:
        raise NotFound("未找到该公开事项", code="disclosure_not_found")
    return disclosure


def _published(disclosure_id):
    disclosure = get_disclosure(disclosure_id)
    if disclosure.status == "unpublished":
        raise NotFound("未找到该公开事项", code="disclosure_not_found")
    return disclosure


def publish_entries(version_ids):
    """{version_id: publish ledger entry} for these versions."""
    if not version_ids:
        return {}
    stmt = sa.select(LedgerEntry).where(LedgerEntry.version_id.in_(version_ids), LedgerEntry.event == "publish")
    return {entry.version_id: entry for entry in db.session.scalars(stmt)}


def _period_label(text):
    return parse_period(text).display


def version_brief(version, entry):
    """One published version in a history list, with its place in the chain."""
    return {"version": version.number, "state": version.state, "state_label": STATE_LABELS[version.state],
            "title": version.title, "published_at": version.published_at, "superseded_at": version.superseded_at,
            "supersedes": version.supersedes_no, "correction_reason": version.correction_reason,
            "seq": entry.seq if entry else None, "hash": entry.hash if entry else None,
            "prev_hash": entry.prev_hash if entry else None}


def _summary(disclosure, version, entry):
    return {"id": disclosure.id, "village_code": disclosure.village_code, "kind": disclosure.kind,
            "kind_label": KIND_LABELS[disclosure.kind], "period": disclosure.period,
            "period_label": _period_label(disclosure.period), "status": disclosure.status,
            "status_label": STATUS_LABELS[disclosure.status], "first_published_at": disclosure.first_published_at,
            "corrected": version.number > 1, **version_brief(version, entry)}


def _withdrawal(disclosure):
    if disclosure.status != "withdrawn":
        return None
    stmt = sa.select(LedgerEntry).where(LedgerEntry.disclosure_id == disclosure.id, LedgerEntry.event == "withdraw")
    entry = db.session.scalar(stmt)
    return {"reason": disclosure.withdraw_reason, "withdrawn_at": disclosure.withdrawn_at,
            "seq": entry.seq if entry else None, "hash": entry.hash if entry else None}


def _with_content(disclosure, version, entry):
    ids = version.content.get("attachment_ids", []) if disclosure.kind in ("affairs", "party") else []
    return {**_summary(disclosure, version, entry),
            "content": render_content(disclosure.kind, version.content, "public", attachment_info(ids))}


def public_list(village_code, kind=None, period=None, limit=20, cursor=None):
    """A page of a village's currently published disclosures (newest period first) as public summary dicts."""
    get_region(village_code, "village")
    stmt = sa.select(Disclosure).where(Disclosure.village_code == village_code, Disclosure.status == "published")
    if kind:
        stmt = stmt.where(Disclosure.kind == kind)
    if period:
        try:
            span = parse_period(period)
        except PeriodError as err:
            raise BadRequest(str(err), code="invalid_period", fields={"period": [str(err)]}) from None
        stmt = stmt.where(Disclosure.period_start >= span.start, Disclosure.period_end <= span.end)
    page = keyset_page(db.session, stmt, [(Disclosure.period_sort, True), (Disclosure.id, True)], limit, cursor)
    currents = [d.current for d in page.items]
    entries = publish_entries([v.id for v in currents])
    page.items = [_summary(d, v, entries.get(v.id)) for d, v in zip(page.items, currents, strict=True)]
    return page


def public_detail(disclosure_id):
    """The current published version (content masked for the public), its hashes and the version history."""
    disclosure = _published(disclosure_id)
    history = [v for v in disclosure.versions if v.state in PUBLIC_STATES]
    entries = publish_entries([v.id for v in history])
    current = disclosure.current
    detail = _with_content(disclosure, current, entries.get(current.id))
    detail["correction"] = ({"supersedes": current.supersedes_no, "reason": current.correction_reason}
                            if current.supersedes_no else None)
    detail["withdrawal"] = _withdrawal(disclosure)
    detail["versions"] = [version_brief(v, entries.get(v.id)) for v in history]
    return detail


def public_version(disclosure_id, number):
    """One published (possibly superseded or withdrawn) version with its content, as the public reads it."""
    disclosure = _published(disclosure_id)
    version = disclosure.version(number)
    if version is None or version.state not in PUBLIC_STATES:
        raise NotFound("未找到该版本", code="version_not_found")
    return _with_content(disclosure, version, publish_entries([version.id]).get(version.id))


def ledger_head(village_code):
    """The hash of a village's newest ledger entry, or None when it has published nothing."""
    return ledger.head_of(village_code)[1]


def disclosure_exists_published(disclosure_id):
    """Whether the disclosure has been published (a later withdrawal still counts: villagers read it)."""
    if not isinstance(disclosure_id, int) or isinstance(disclosure_id, bool):
        return False
    status = db.session.scalar(sa.select(Disclosure.status).where(Disclosure.id == disclosure_id))
    return status in ("published", "withdrawn")


def find_power_item(disclosure_id, item_no):
    """The item of a published power list a report may point at, or NotFound."""
    disclosure = get_disclosure(disclosure_id) if isinstance(disclosure_id, int) else None
    if disclosure is None or disclosure.kind != "power" or disclosure.status != "published":
        raise NotFound("未找到该小微权力清单", code="power_list_not_found")
    for item in disclosure.current.content["items"]:
        if item["item_no"] == item_no:
            return {**item, "disclosure_id": disclosure.id, "version": disclosure.current_version_no,
                    "village_code": disclosure.village_code}
    raise NotFound("未找到该权力事项", code="power_item_not_found")


def entry_brief(entry):
    """One ledger entry as listed publicly."""
    version = entry.version
    return {"seq": entry.seq, "event": entry.event, "disclosure_id": entry.disclosure_id, "version": version.number,
            "kind": entry.disclosure.kind, "period": entry.disclosure.period, "title": version.title,
            "hash": entry.hash, "prev_hash": entry.prev_hash, "recorded_at": entry.recorded_at}


def ledger_listing(village_code, after_seq=0, limit=100, verify=False):
    """A village's chain head, a page of entries after `after_seq`, and (verify=True) the recomputation."""
    get_region(village_code, "village")
    seq, head = ledger.head_of(village_code)
    rows = ledger.entries(village_code, after_seq, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    result = {"village_code": village_code, "head": {"seq": seq, "hash": head},
              "entries": [entry_brief(e) for e in rows], "next_after": rows[-1].seq if more else None}
    if verify:
        result["verification"] = ledger.verify(village_code)
    return result


def ledger_entry(village_code, seq):
    """One entry with the exact document its hash covers, so anyone can recompute it."""
    get_region(village_code, "village")
    entry = db.session.scalar(sa.select(LedgerEntry).where(LedgerEntry.village_code == village_code,
                                                           LedgerEntry.seq == seq))
    if entry is None:
        raise NotFound("未找到该台账记录", code="ledger_entry_not_found")
    return {**entry_brief(entry), "document": ledger.document_of(entry)}
