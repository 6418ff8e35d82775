"""Public disclosure endpoints: published content, version history and the village ledger (ETag + cache)."""

from flask import request

from app.core.api import ApiBlueprint
from app.disclosures import cache, reads, schemas
from app.errors import NotFound
from app.extensions import limiter

public_bp = ApiBlueprint("disclosures_public", __name__, tag="阳光公开（公众）")


def _not_verifying():
    return request.args.get("verify", "").lower() not in ("1", "true", "yes", "on")


# recomputing a chain reads every version of the village: bounded per client; plain listings are cached and free
verify_limit = limiter.shared_limit("10 per minute;100 per hour", scope="ledger_verify", exempt_when=_not_verifying)


def _village_head(code):
    return reads.ledger_head(code)


@public_bp.op("/villages/<code>/disclosures", summary="村（社区）已发布的公开内容", query=schemas.PublicListQuery(),
              response=schemas.PublicSummary(), paginated=True, errors=(404,), public_cache=True)
def village_disclosures(code, args):
    """A village's published disclosures, newest period first (ETag from the ledger head)."""
    parts = ("list", args["kind"], args["period"], args["limit"], args["cursor"])

    def build():
        page = reads.public_list(code, args["kind"], args["period"], args["limit"], args["cursor"])
        return {"items": schemas.PublicSummary(many=True).dump(page.items), "next_cursor": page.next_cursor}

    return cache.public_json(code, _village_head(code), parts, build)


@public_bp.op("/disclosures/<int:disclosure_id>", summary="公开内容详情（当前版本、哈希与版本历史）",
              response=schemas.PublicDetail(), errors=(404,), public_cache=True)
def disclosure_detail(disclosure_id):
    """The current published version, its hashes and its history."""
    code = cache.village_of(disclosure_id)
    if code is None:
        raise NotFound("未找到该公开事项", code="disclosure_not_found")
    return cache.public_json(code, _village_head(code), ("detail", disclosure_id),
                             lambda: schemas.PublicDetail().dump(reads.public_detail(disclosure_id)))


@public_bp.op("/disclosures/<int:disclosure_id>/versions/<int:number>", summary="公开内容的某一历史版本",
              response=schemas.PublicVersion(), errors=(404,))
def disclosure_version(disclosure_id, number):
    """One published (possibly superseded) version with its content."""
    code = cache.village_of(disclosure_id)
    if code is None:
        raise NotFound("未找到该公开事项", code="disclosure_not_found")
    return cache.public_json(code, _village_head(code), ("version", disclosure_id, number),
                             lambda: schemas.PublicVersion().dump(reads.public_version(disclosure_id, number)))


@public_bp.op("/villages/<code>/ledger", summary="村（社区）公开台账哈希链；verify=1 时重新计算校验",
              query=schemas.LedgerQuery(), response=schemas.LedgerListing(), errors=(404,), limits=(verify_limit,))
def village_ledger(code, args):
    """Every published version and withdrawal in order with hashes; ?verify=1 recomputes the whole chain."""
    if args["verify"]:  # recomputed from the rows every time: a cached answer could hide a fresh tampering
        return reads.ledger_listing(code, args["after"], args["limit"], verify=True)
    return cache.public_json(code, _village_head(code), ("ledger", args["after"], args["limit"]),
                             lambda: schemas.LedgerListing().dump(
                                 reads.ledger_listing(code, args["after"], args["limit"])))


@public_bp.op("/villages/<code>/ledger/<int:seq>", summary="台账中的一条记录及其被哈希的原文",
              response=schemas.LedgerEntryDocument(), errors=(404,))
def ledger_entry(code, seq):
    """One entry with the exact JSON document its SHA-256 covers."""
    return cache.public_json(code, _village_head(code), ("entry", seq),
                             lambda: schemas.LedgerEntryDocument().dump(reads.ledger_entry(code, seq)))
