"""Whom a report accuses, resolved at intake into conflicts: every account or unit that may be the accused.

A conflict is a *possible* match (same linked roster person, same name within the report's county, the head of a
named unit or township, the named unit itself). Each one keeps that account or that unit away from the report: no
view, no assignment, no identity request, no custody approval (app.triage.access reads these rows). A report about
the head of a township, a unit or a village branch is raised to the level above (Report.handling_level).
"""

import unicodedata

import sqlalchemy as sa
from flask import current_app

from app.auth.models import RoleGrant, User
from app.core.permissions import region_prefix
from app.errors import ValidationFailed
from app.extensions import db
from app.regions.models import Cadre, Region, Unit
from app.reports.models import Report, ReportConflict
from app.security.service import audit

# posts whose holder heads a township or a county unit: reports about them go to the county
DEFAULT_HEAD_POSTS = ("党委书记", "党工委书记", "党组书记", "乡镇长", "镇长", "乡长", "镇（乡）长", "街道办事处主任",
                      "局长", "主任（局长）", "县长", "区长", "市长", "县委书记", "区委书记")
# posts whose holder heads the county itself: reports about them go above the county
COUNTY_HEAD_POSTS = ("县长", "区长", "县委书记", "区委书记", "县级市市长")
TOWNSHIP_MARKS = ("镇", "乡", "街道")
VILLAGE_HEAD_POSTS = ("村党支部书记", "党支部书记", "村委会主任", "村主任", "社区党委书记", "社区党支部书记",
                      "社区居委会主任", "村党总支书记")
SAME_MATTER_OPEN = ("received", "accepted", "assigned", "responded", "on_hold", "reopened")


def normal_name(name):
    """A person's name for comparison: NFKC, every space removed."""
    return "".join(unicodedata.normalize("NFKC", name or "").split())


def head_posts():
    """Posts (matched as the end of a post) whose holders head a township or a unit (TRIAGE_HEAD_POSTS)."""
    raw = current_app.config.get("TRIAGE_HEAD_POSTS")
    if raw is None:
        return DEFAULT_HEAD_POSTS
    items = raw.replace("，", ",").split(",") if isinstance(raw, str) else raw
    return tuple(p.strip() for p in items if p.strip())


def is_head_post(post):
    """Whether a post names the head of a township or unit (see head_posts)."""
    post = normal_name(post)
    return bool(post) and any(post.endswith(p) for p in head_posts())


def roster_person(roster_id, report_region):
    """The roster Cadre a report names by id; it must be on a roster within the report's county."""
    cadre = db.session.get(Cadre, roster_id)
    if cadre is None or not cadre.village_code.startswith(region_prefix(report_region)[:6]):
        raise ValidationFailed(fields={"target.roster_id": ["未找到该村（社区）公示名单中的此人"]})
    return cadre


def target_unit(unit_id, county_code):
    """The unit a report names; it must be an active unit of the report's county."""
    unit = db.session.get(Unit, unit_id)
    if unit is None or not unit.is_active or not unit.region_code.startswith(county_code[:6]):
        raise ValidationFailed(fields={"target.unit_id": ["未找到本县（市、区）的该单位"]})
    return unit


def resolve(report, actor=None):
    """Record every possible match of the accused as a conflict and set the handling level; returns the rows."""
    found = {}
    name = normal_name(report.target_person_name)
    post = normal_name(report.target_person_post)
    county = report.county_code[:6]
    if report.target_user_id:
        found.setdefault((report.target_user_id, None), "named_account")
    if report.target_roster_id:
        cadre = db.session.get(Cadre, report.target_roster_id)
        if cadre is not None and cadre.user_id:
            found.setdefault((cadre.user_id, None), "roster_link")
    if name:
        for user_id in _same_name_accounts(name, county):
            found.setdefault((user_id, None), "same_name")
        for unit_id in db.session.scalars(sa.select(Unit.id).where(
                Unit.region_code.startswith(county), Unit.head_name.is_not(None),
                sa.func.replace(Unit.head_name, " ", "") == name)):
            found.setdefault((None, unit_id), "unit_head")
    if report.target_unit_id:
        found.setdefault((None, report.target_unit_id), "target_unit")
    for unit_id, reason in _units_in_post(report, post, county):
        found.setdefault((None, unit_id), reason)
    report.handling_level = _handling_level(report, post)
    if report.handling_level is None or report.handling_level == "township":
        report.handling_level = _nobody_clear(report, {u for (u, _n) in found if u}) or report.handling_level
    rows = [ReportConflict(report_id=report.id, user_id=u, unit_id=n, reason=r) for (u, n), r in found.items()]
    db.session.add_all(rows)
    db.session.flush()
    _take_from_handlers(report, rows, actor)
    return rows


def _same_name_accounts(name, county):
    """Accounts whose display name or linked roster name is the name, and whose work touches the county."""
    ids = set(db.session.scalars(sa.select(User.id).where(
        User.display_name != "", sa.func.replace(User.display_name, " ", "") == name)))
    for user_id, cadre_name in db.session.execute(sa.select(Cadre.user_id, Cadre.name).where(
            Cadre.user_id.is_not(None), Cadre.village_code.startswith(county))):
        if normal_name(cadre_name) == name:
            ids.add(user_id)
    return sorted(i for i in ids if touches_county(i, county))


def touches_county(user_id, county):
    """Whether an account's grants or unit reach into the county (or everywhere)."""
    user = db.session.get(User, user_id)
    if user is None:
        return False
    if user.unit_id is not None:
        unit = db.session.get(Unit, user.unit_id)
        if unit is not None and unit.region_code.startswith(county):
            return True
    # every grant, a pending one too: an inspector awaiting confirmation must not be confirmed into a report on him
    grants = list(db.session.scalars(sa.select(RoleGrant).where(RoleGrant.user_id == user_id)))
    if not grants:
        return bool(db.session.scalar(sa.select(Cadre.id).where(Cadre.user_id == user_id).limit(1)))
    for grant in grants:
        if grant.region_code is None and grant.unit_id is None:
            return True
        prefix = region_prefix(grant.region_code) if grant.region_code else None
        if prefix and (prefix.startswith(county) or county.startswith(prefix)):
            return True
        if grant.unit_id is not None:
            unit = db.session.get(Unit, grant.unit_id)
            if unit is not None and unit.region_code.startswith(county):
                return True
    return False


def _units_in_post(report, post, county):
    """Units a post names ("竹山县农业农村局局长"), and the township government when a township head is named."""
    if not post:
        return []
    hits = []
    county_region = db.session.get(Region, report.county_code)
    county_name = county_region.name if county_region is not None else ""
    units = db.session.execute(sa.select(Unit.id, Unit.name, Unit.kind, Unit.region_code).where(
        Unit.region_code.startswith(county), Unit.is_active.is_(True))).all()
    for unit_id, unit_name, _kind, _region in units:
        short = unit_name.removeprefix(county_name) if county_name else unit_name
        if unit_name in post or (len(short) >= 3 and short in post):
            hits.append((unit_id, "post_unit"))
    if is_head_post(post) and not _is_village_head(post):
        township = _township_named(report, post)
        if township is not None:
            hits += [(u, "township_head") for u, _n, kind, region in units
                     if kind == "township_gov" and region == township]
    return hits


def _township_named(report, post):
    """The township a head post is about: one named in the post, else the report's own ("镇党委书记")."""
    for code, name in db.session.execute(sa.select(Region.code, Region.name).where(
            Region.level == "township", Region.code.startswith(report.county_code[:6]))):
        if name and post.startswith(name):
            return code
    if report.township_code and post.startswith(TOWNSHIP_MARKS):
        return report.township_code
    return None


def _is_village_head(post):
    return any(post.endswith(p) for p in VILLAGE_HEAD_POSTS) or (
        ("村" in post or "社区" in post) and post.endswith(("书记", "主任")))


def _handling_level(report, post):
    """The lowest level that may handle the report, given whom it accuses: the level above the accused."""
    if not post:
        return None
    if _is_village_head(post):
        return "township" if report.village_code else None
    if post.endswith(COUNTY_HEAD_POSTS):
        return "city"
    if is_head_post(post):
        return "county"
    return None


def _nobody_clear(report, accused):
    """"county" when every inspector of the report's township is a possible match (it goes a level up)."""
    if not accused or not report.township_code:
        return None
    township = db.session.scalars(sa.select(RoleGrant.user_id).join(User, User.id == RoleGrant.user_id).where(
        RoleGrant.role == "inspector", RoleGrant.region_code == report.township_code, User.is_active.is_(True)))
    inspectors = set(township)
    return "county" if inspectors and inspectors <= accused else None


def _take_from_handlers(report, rows, actor):
    """An earlier open report of the same matter (same accused, same disclosure or like text) that a now-conflicted
    account has handled is taken from him too (a conflict row), and the move is audited."""
    from app.reports.models import TimelineEvent
    from app.reports.similarity import SUGGEST_THRESHOLD, text_similarity

    users = {r.user_id for r in rows if r.user_id}
    if not users:
        return
    handled = db.session.execute(sa.select(Report.id, TimelineEvent.actor_id).join(
        TimelineEvent, TimelineEvent.report_id == Report.id).where(
        Report.id != report.id, Report.county_code == report.county_code, Report.status.in_(SAME_MATTER_OPEN),
        TimelineEvent.actor_id.in_(users)).distinct()).all()
    for earlier_id, user_id in handled:
        earlier = db.session.get(Report, earlier_id)
        same = (report.target_person_key and earlier.target_person_key == report.target_person_key) or (
            report.target_disclosure_id and earlier.target_disclosure_id == report.target_disclosure_id) or (
            report.text_signature and earlier.text_signature
            and text_similarity(report.text_signature, earlier.text_signature) >= SUGGEST_THRESHOLD)
        if not same or db.session.scalar(sa.select(ReportConflict.id).where(
                ReportConflict.report_id == earlier.id, ReportConflict.user_id == user_id,
                ReportConflict.cleared_at.is_(None))) is not None:
            continue
        db.session.add(ReportConflict(report_id=earlier.id, user_id=user_id, reason="same_matter"))
        audit("report.conflict_moved", actor, "report", earlier.id,
              {"from_user_id": user_id, "later_report_id": report.id})


