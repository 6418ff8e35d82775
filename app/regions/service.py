"""Region queries, units, rosters and the village profile."""

import sqlalchemy as sa
from flask import current_app

from app.core.pagination import keyset_page
from app.core.permissions import region_prefix, require, require_anywhere
from app.errors import BadRequest, Forbidden, NotFound, Unprocessable
from app.extensions import db
from app.regions.models import Cadre, Region, Unit
from app.regions.names import unprintable
from app.security.service import audit


def get_region(code, level=None):
    """A region by code (and level), or 404."""
    region = db.session.get(Region, code) if isinstance(code, str) and len(code) == 12 else None
    if region is None or (level and region.level != level):
        raise NotFound("未找到该村（社区）" if level == "village" else "未找到该行政区划", code="region_not_found")
    return region


def list_villages(township=None, q=None, limit=20, cursor=None):
    """Villages, optionally within a township (or any region) and matching a name fragment."""
    stmt = sa.select(Region).where(Region.level == "village")
    if township:
        stmt = stmt.where(Region.code.startswith(region_prefix(township), autoescape=True))
    if q:
        stmt = stmt.where(Region.display_name.contains(q, autoescape=True))
    return keyset_page(db.session, stmt, [(Region.code, False)], limit, cursor)


def list_children(parent_code=None, level=None, limit=100, cursor=None):
    """Child regions of a parent (roots when none), optionally of one level."""
    stmt = sa.select(Region)
    stmt = stmt.where(Region.parent_code == parent_code) if parent_code else stmt.where(Region.parent_code.is_(None))
    if level:
        stmt = stmt.where(Region.level == level)
    return keyset_page(db.session, stmt, [(Region.code, False)], limit, cursor)


def ancestors(region):
    """{level: region} for the region and every ancestor."""
    chain, node = {}, region
    while node is not None:
        chain[node.level] = node
        node = node.parent
    return chain


def village_profile(code):
    """The public profile of a village, with what other domains contribute (counts, ledger head)."""
    village = get_region(code, "village")
    chain = ancestors(village)
    profile = {"village": village, "township": chain.get("township"), "county": chain.get("county"),
               "cadres": village.cadres}
    for contribute in current_app.extensions.get("mss_village_profile", []):
        profile.update(contribute(village))
    return profile


def replace_roster(user, code, cadres):
    """Replace a village's public cadre roster (publisher of that village or admin)."""
    village = get_region(code, "village")
    require(user, "roster.edit", region_code=code)
    # a person who stays on the roster keeps his row: its id (named by reports) and its link to an account
    kept = {(_normal(c.name), c.post): c for c in village.cadres}
    rows = []
    for order, item in enumerate(cadres):
        row = kept.pop((_normal(item["name"]), item["post"]), None) or Cadre(village_code=code)
        for key, value in item.items():
            setattr(row, key, value)
        row.sort_order = order
        rows.append(row)
    village.cadres[:] = rows
    audit("roster.replace", user, "region", code, {"count": len(cadres)})
    db.session.commit()
    return village.cadres


def _normal(name):
    return "".join((name or "").split())


def link_cadre(user, cadre_id, account_id):
    """Link a roster person to a staff account (or unlink with None): reports naming him then reach past him."""
    from app.auth.models import User

    cadre = db.session.get(Cadre, cadre_id)
    if cadre is None:
        require_anywhere(user, "account.manage")
        raise NotFound("未找到该公示人员", code="cadre_not_found")
    require(user, "account.manage", region_code=cadre.village_code)
    if account_id is not None and db.session.get(User, account_id) is None:
        raise BadRequest("账号不存在", code="account_not_found", fields={"user_id": ["账号不存在"]})
    cadre.user_id = account_id
    audit("roster.link", user, "cadre", cadre.id, {"user_id": account_id, "village": cadre.village_code})
    if account_id is not None:
        for listener in current_app.extensions.get("mss_grant_listeners", []):
            listener(account_id)
    db.session.commit()
    return cadre


def public_units(village_code):
    """Active units of a village's county and its township, for a resident naming whom he reports (public)."""
    village = get_region(village_code, "village")
    county = village_code[:6]
    return list(db.session.scalars(sa.select(Unit).where(
        Unit.is_active.is_(True), Unit.region_code.startswith(county),
        sa.or_(Unit.kind != "township_gov", Unit.region_code == village.parent_code)).order_by(Unit.id)))


def list_units(user, region=None, limit=100, cursor=None):
    """Active units, optionally within a region subtree (staff only)."""
    if not user.is_staff:
        raise Forbidden()
    stmt = sa.select(Unit).where(Unit.is_active.is_(True))
    if region:
        stmt = stmt.where(Unit.region_code.startswith(region_prefix(region), autoescape=True))
    return keyset_page(db.session, stmt, [(Unit.id, False)], limit, cursor)


def create_unit(user, data):
    """Create a unit within the admin's scope."""
    require(user, "region.manage", region_code=data["region_code"])
    get_region(data["region_code"])
    same = sa.select(Unit).where(Unit.region_code == data["region_code"], Unit.name == data["name"])
    exists = db.session.scalar(same)
    if exists:
        raise BadRequest("该区划下已有同名单位", code="duplicate_unit", fields={"name": ["已存在"]})
    unit = Unit(**data)
    db.session.add(unit)
    db.session.flush()
    audit("unit.create", user, "unit", unit.id, {"name": unit.name})
    db.session.commit()
    return unit


def set_print_name(user, code, print_name):
    """Set (or clear with None/blank) the name posters print for a region whose name the font cannot print; audited."""
    region = get_region(code)
    require(user, "region.manage", region_code=code)
    value = " ".join(str(print_name or "").split()) or None
    if value is not None:
        missing = unprintable(value)
        if missing:
            shown = "、".join(f"“{c}”（U+{ord(c):04X}）" for c in missing)
            raise Unprocessable(f"打印名称中仍有字体中没有的字：{shown}", code="qr_glyph_missing",
                                fields={"print_name": [f"字体中没有 {shown}"]})
    before, region.print_name = region.print_name, value
    audit("region.print_name", user, "region", code, {"before": before, "after": value, "name": region.display_name})
    db.session.commit()
    return region
