"""What each H5 page shows, built from the public reads of regions and disclosures."""

from flask import render_template

from app.disclosures import reads
from app.disclosures.models import KINDS
from app.public.helpers import REPORT_KINDS, TOPICS, cached_page, etag_of
from app.public.report_form import form_context
from app.regions.service import village_profile

LATEST_PER_KIND = 3
VILLAGE_CACHE = "no-cache"  # revalidate every time: the ETag makes it cheap, and each scan is counted
DISCLOSURE_CACHE = "public, max-age=60"


def _roster_key(profile):
    village = profile["village"]
    cadres = [(c.name, c.post, c.duties, c.is_party_member, c.supervision_phone) for c in profile["cadres"]]
    names = [getattr(profile.get(level), "display_name", None) for level in ("county", "township")]
    return [village.display_name, village.supervision_phone, names, cadres]


def village_page(code):
    """The village page: names, cadre roster, latest published disclosures by kind, ledger head."""
    profile = village_profile(code)
    head = profile.get("ledger_head")
    etag = etag_of("village", code, head, _roster_key(profile))

    def build():
        items = reads.public_list(code, limit=100).items
        by_kind = []
        for kind in KINDS:
            mine = [item for item in items if item["kind"] == kind]
            by_kind.append({"kind": kind, "label": reads.KIND_LABELS[kind], "items": mine[:LATEST_PER_KIND],
                            "count": profile.get("disclosure_counts", {}).get(kind, len(mine))})
        return render_template("public/village.html", p=profile, village=profile["village"], by_kind=by_kind,
                               head=head)

    return cached_page(etag, VILLAGE_CACHE, build)


def disclosure_page(code, disclosure_id, version=None):
    """One disclosure of this village (current version, or an older published one), with history and hashes."""
    from app.errors import NotFound

    if reads.get_disclosure(disclosure_id).village_code != code:
        raise NotFound("未找到该公开事项", code="disclosure_not_found")
    head = reads.ledger_head(code)
    etag = etag_of("disclosure", code, head, disclosure_id, version)

    def build():
        profile = village_profile(code)
        detail = reads.public_detail(disclosure_id)
        shown = detail
        if version is not None and version != detail["version"]:
            shown = {**reads.public_version(disclosure_id, version), "versions": detail["versions"],
                     "correction": None, "withdrawal": detail["withdrawal"]}
        return render_template("public/disclosure.html", p=profile, village=profile["village"], d=shown,
                               current_version=detail["version"], old=shown is not detail)

    return cached_page(etag, DISCLOSURE_CACHE, build)


def report_page(code, disclosure_id=None, item_no=None):
    """The report form (static per village; the JS posts to the intake API)."""
    profile = village_profile(code)
    target = None
    if disclosure_id is not None and reads.disclosure_exists_published(disclosure_id):
        disclosure = reads.get_disclosure(disclosure_id)
        if disclosure.village_code == code:
            target = {"id": disclosure.id, "title": disclosure.current.title,
                      "kind_label": reads.KIND_LABELS[disclosure.kind]}
    item_no = item_no if target and disclosure.kind == "power" and item_no and item_no > 0 else None
    return render_template("public/report.html", p=profile, village=profile["village"], topics=TOPICS,
                           kinds=REPORT_KINDS, target=target, item_no=item_no, **form_context(profile))
