"""Who may see which report: region scope, recusals, the accused, heads of a level, units, identity.

Re-exported by app.triage.service (visible_reports_stmt, get_report_for), which is what other modules import.
"""

import sqlalchemy as sa

from app.auth.models import User
from app.core.permissions import can, deepest_scope, region_scopes, require, require_anywhere, scoped, unit_scopes
from app.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized
from app.extensions import db
from app.regions.models import Region
from app.reports.conflicts import LEVEL_DIGITS, conflicted_unit_ids, not_conflicted_clause
from app.reports.models import Report
from app.security.service import audit
from app.triage.models import Assignment, Recusal

COUNTY_PREFIX_LEN = 6


def scope_clause(prefix):
    """SQL: the report lies in the region subtree of a scope prefix (None: everywhere)."""
    if prefix is None:
        return sa.true()
    if len(prefix) == 6:
        return Report.county_code == prefix.ljust(12, "0")
    if len(prefix) == 9:
        return Report.township_code == prefix.ljust(12, "0")
    if len(prefix) == 12:
        return Report.village_code == prefix
    return Report.county_code.startswith(prefix, autoescape=True)


def _level_clause(prefix):
    """SQL: a scope of this depth may handle the report (it is not raised above him: Report.handling_level)."""
    if prefix is None:
        return sa.true()
    too_low = [level for level, digits in LEVEL_DIGITS.items() if len(prefix) > digits]
    if not too_low:
        return sa.true()
    return sa.or_(Report.handling_level.is_(None), Report.handling_level.not_in(too_low))


def _inspector_clause(user, action):
    scopes = region_scopes(user, action)
    if not scopes:
        return None
    parts = [sa.and_(scope_clause(prefix), _level_clause(prefix)) for prefix in scopes]
    recused = sa.select(Recusal.village_code).where(Recusal.inspector_id == user.id)
    return sa.and_(sa.or_(*parts), sa.or_(Report.village_code.is_(None), Report.village_code.not_in(recused)))


def _unit_clause(user):
    units = unit_scopes(user, "unit.respond")
    if not units:
        return None
    assigned = sa.select(Assignment.report_id).where(Assignment.unit_id.in_(units))
    return Report.id.in_(assigned)


def visibility_clause(user, action="report.view"):
    """SQL condition of the reports a user may see (inspector scope, or his unit's assignments)."""
    if user is None:
        return sa.false()
    parts = [c for c in (_inspector_clause(user, action), _unit_clause(user)) if c is not None]
    if not parts:
        return sa.false()
    return sa.and_(sa.or_(*parts), not_conflicted_clause(user))


def visible_reports_stmt(user, action="report.view"):
    """A select of the Report rows a user may see."""
    return sa.select(Report).where(visibility_clause(user, action))


def may_use_triage(user):
    """Whether a user has any reason to look at reports (inspector or unit handler)."""
    return bool(region_scopes(user, "report.view") or unit_scopes(user, "unit.respond"))


def is_inspector_of(user, report, action="report.view"):
    """Whether the user sees the report as an inspector (not merely as the handler of an assigned unit)."""
    if _inspector_clause(user, action) is None:
        return False
    stmt = sa.select(Report.id).where(Report.id == report.id, _inspector_clause(user, action),
                                      not_conflicted_clause(user))
    return db.session.scalar(stmt) is not None


def get_report_for(user, report_id):
    """The report if the user may see it; 404 when it does not exist or may not be seen (no leak)."""
    if user is None:
        raise Unauthorized()
    if not may_use_triage(user):
        raise Forbidden()
    report = db.session.scalar(visible_reports_stmt(user).where(Report.id == report_id))
    if report is None:
        raise NotFound("未找到该举报或无权查看", code="report_not_found")
    return report


def accused_unit_ids(report):
    """Units a report may never be assigned to: every unit among its possible matches."""
    return conflicted_unit_ids(report.id)


def scope_label(user, report, action="report.triage"):
    """What a reporter reads as the actor: 竹山县纪委监委 or 宝丰镇纪委 (the deepest grant covering the report)."""
    return office_label(user, report.region_code, action)


def office_label(user, region_code, action="report.triage"):
    """The commission office a user acts as for a region: 竹山县纪委监委 or 宝丰镇纪委 (his deepest covering grant)."""
    best = deepest_scope(region_scopes(user, action), region_code)
    if best is None:
        return "纪委监委"
    code = best[:9] if len(best) > 9 else best
    region = db.session.get(Region, code.ljust(12, "0"))
    name = region.name if region is not None else ""
    return f"{name}纪委监委" if len(code) <= COUNTY_PREFIX_LEN else f"{name}纪委"



def list_recusals(user, village_code=None, inspector_id=None):
    """Recusals in the admin's scope, newest first."""
    require_anywhere(user, "triage.recusal")
    stmt = scoped(sa.select(Recusal).order_by(Recusal.id.desc()), Recusal.village_code, user, "triage.recusal")
    if village_code:
        stmt = stmt.where(Recusal.village_code == village_code)
    if inspector_id:
        stmt = stmt.where(Recusal.inspector_id == inspector_id)
    return list(db.session.scalars(stmt.limit(500)))


def add_recusal(user, inspector_id, village_code, reason):
    """Recuse an inspector from a village (admin of that region)."""
    require(user, "triage.recusal", region_code=village_code)
    village = db.session.get(Region, village_code)
    if village is None or village.level != "village":
        raise BadRequest("村（社区）不存在", code="village_not_found", fields={"village_code": ["村（社区）不存在"]})
    inspector = db.session.get(User, inspector_id)
    if inspector is None or not any(g.role == "inspector" for g in inspector.grants):
        raise BadRequest("该账号不是纪检监察工作人员", code="not_inspector",
                         fields={"inspector_id": ["不是纪检监察账号"]})
    exists = db.session.scalar(sa.select(Recusal).where(Recusal.inspector_id == inspector_id,
                                                        Recusal.village_code == village_code))
    if exists is not None:
        raise Conflict("该工作人员已对此村回避", code="recusal_exists")
    recusal = Recusal(inspector_id=inspector_id, village_code=village_code, reason=reason, created_by_id=user.id)
    db.session.add(recusal)
    db.session.flush()
    audit("triage.recusal_add", user, "recusal", recusal.id, {"inspector_id": inspector_id, "village": village_code})
    return recusal


def remove_recusal(user, recusal_id):
    """Lift a recusal (admin of that region)."""
    recusal = db.session.get(Recusal, recusal_id)
    if recusal is None or not can(user, "triage.recusal", region_code=recusal.village_code):
        require_anywhere(user, "triage.recusal")
        raise NotFound("未找到该回避记录", code="recusal_not_found")
    audit("triage.recusal_remove", user, "recusal", recusal.id,
          {"inspector_id": recusal.inspector_id, "village": recusal.village_code})
    db.session.delete(recusal)
