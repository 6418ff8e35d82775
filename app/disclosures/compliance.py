"""The publishing schedule per region and the compliance report: which villages are late, per kind and period."""

from datetime import timedelta

import sqlalchemy as sa

from app.core.permissions import narrow_scopes, region_prefix, region_scopes, scope_filter
from app.core.timeutil import to_cst, today_cst, utcnow
from app.disclosures.models import Disclosure, DisclosureVersion, ScheduleRule
from app.disclosures.periods import (
    APPROVED_PUBLISH_DAYS,
    DEFAULT_SCHEDULE,
    GRANULARITIES,
    KINDS,
    due_date,
    expected_periods,
    parse_period,
)
from app.disclosures.reads import KIND_LABELS
from app.errors import BadRequest, Forbidden
from app.extensions import db
from app.regions.models import Region
from app.regions.service import get_region


def set_schedule(region_code, kind, granularity):
    """Set how often a kind is due in a region subtree (a county, township or village rule)."""
    get_region(region_code)
    if kind not in KINDS or granularity not in GRANULARITIES:
        raise BadRequest("公开类别或频次无效", code="invalid_schedule")
    rule = db.session.scalar(sa.select(ScheduleRule).where(ScheduleRule.region_code == region_code,
                                                           ScheduleRule.kind == kind))
    if rule is None:
        rule = ScheduleRule(region_code=region_code, kind=kind)
        db.session.add(rule)
    rule.granularity, rule.updated_at = granularity, utcnow()
    db.session.commit()
    return rule


def schedule_for_village(rules, village_code):
    """{kind: granularity} for a village: the most specific matching rule, else DEFAULT_SCHEDULE."""
    schedule, depth = dict(DEFAULT_SCHEDULE), {}
    for rule in rules:
        prefix = region_prefix(rule.region_code)
        if village_code.startswith(prefix) and len(prefix) > depth.get(rule.kind, -1):
            schedule[rule.kind], depth[rule.kind] = rule.granularity, len(prefix)
    return schedule


def _allowed_prefixes(user, region_code):
    allowed = narrow_scopes(region_scopes(user, "compliance.view"), region_code)
    if not allowed:
        raise Forbidden("无权查看该地区的公开情况")
    return allowed


def _late_items(village, kinds, schedule, published, as_of, lookback):
    items = []
    for kind in kinds:
        for period in expected_periods(kind, as_of, schedule, lookback):
            due = due_date(kind, period, schedule)
            found = [d for d in published.get((village.code, kind), [])
                     if period.start <= d.period_start and d.period_end <= period.end]
            first = min((to_cst(d.first_published_at).date() for d in found), default=None)
            if first is not None and first <= due:
                continue
            status = "late" if first else "missing"
            items.append({"village_code": village.code, "village_name": village.display_name, "kind": kind,
                          "kind_label": KIND_LABELS[kind], "period": period.label, "period_label": period.display,
                          "granularity": period.granularity, "due_date": due, "status": status,
                          "days_late": ((first or as_of) - due).days, "published_on": first,
                          "disclosure_id": min((d.id for d in found), default=None)})
    return items


def _stalled_approvals(codes, kinds, as_of):
    """Approved versions still unpublished APPROVED_PUBLISH_DAYS days after approval."""
    stmt = (sa.select(Disclosure, DisclosureVersion).join(DisclosureVersion)
            .where(Disclosure.village_code.in_(codes), Disclosure.kind.in_(kinds),
                   DisclosureVersion.state == "approved"))
    items = []
    for disclosure, version in db.session.execute(stmt):
        due = to_cst(version.reviewed_at).date() + timedelta(days=APPROVED_PUBLISH_DAYS)
        if due < as_of:
            items.append({"village_code": disclosure.village_code, "kind": disclosure.kind,
                          "kind_label": KIND_LABELS[disclosure.kind], "period": disclosure.period,
                          "granularity": None, "due_date": due, "status": "approved_unpublished",
                          "days_late": (as_of - due).days, "published_on": None, "disclosure_id": disclosure.id})
    return items


def compliance_report(user, region_code, as_of=None, kind=None, lookback=4):
    """Villages under a township (or county) that are late, per kind and period, within the user's scope."""
    region = get_region(region_code)
    prefixes = _allowed_prefixes(user, region_code)
    as_of = as_of or today_cst()
    kinds = [kind] if kind else list(KINDS)
    villages = list(db.session.scalars(
        sa.select(Region).where(Region.level == "village",
                                scope_filter(Region.code, prefixes))
        .order_by(Region.code)))
    codes = [v.code for v in villages]
    rules = list(db.session.scalars(sa.select(ScheduleRule)))
    published = {}
    rows = db.session.scalars(sa.select(Disclosure).where(Disclosure.village_code.in_(codes),
                                                          Disclosure.status == "published",
                                                          Disclosure.kind.in_(kinds)))
    for disclosure in rows:
        published.setdefault((disclosure.village_code, disclosure.kind), []).append(disclosure)
    items = []
    for village in villages:
        items += _late_items(village, kinds, schedule_for_village(rules, village.code), published, as_of, lookback)
    names = {v.code: v.display_name for v in villages}
    for item in _stalled_approvals(codes, kinds, as_of):
        item["village_name"] = names[item["village_code"]]
        item["period_label"] = parse_period(item["period"]).display
        items.append(item)
    counts = {status: sum(1 for i in items if i["status"] == status)
              for status in ("missing", "late", "approved_unpublished")}
    return {"region": {"code": region.code, "name": region.display_name, "level": region.level}, "as_of": as_of,
            "lookback": lookback, "villages_checked": len(villages),
            "villages_late": len({i["village_code"] for i in items}), "counts": counts, "items": items}
