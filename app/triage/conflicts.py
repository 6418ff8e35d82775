"""Clearing a false possible match: an inspector above the report's handling level, never a party, audited."""

from app.core.permissions import region_scopes
from app.core.timeutil import utcnow
from app.errors import BadRequest, Conflict, Forbidden, NotFound
from app.extensions import db
from app.reports.conflicts import LEVEL_DIGITS, accused_summary
from app.reports.models import ReportConflict
from app.security.service import audit
from app.triage.access import get_report_for, is_inspector_of

CLEAR_MAX_DIGITS = LEVEL_DIGITS["county"]  # a county (or higher) commission clears; a township never does


def conflicts_of(user, report_id):
    """Whom the report accuses and its possible matches, for an inspector who sees it."""
    report = get_report_for(user, report_id)
    if not is_inspector_of(user, report):
        raise NotFound("未找到该举报或无权查看", code="report_not_found")
    return accused_summary(report)


def may_clear(user, report):
    """Whether the user's grant covering the report is at county level or above (a township never clears)."""
    covering = [p for p in region_scopes(user, "report.triage") if p is None or report.region_code.startswith(p)]
    return any(p is None or len(p) <= CLEAR_MAX_DIGITS for p in covering)


def clear_conflict(user, report_id, conflict_id, reason):
    """Clear one possible match as false (e.g. a namesake in another village); the report then reaches him."""
    report = get_report_for(user, report_id)
    if not is_inspector_of(user, report, "report.triage"):
        raise NotFound("未找到该举报或无权查看", code="report_not_found")
    if not may_clear(user, report):
        raise Forbidden("只有县级及以上纪委监委可以排除同名等误匹配", code="clear_needs_higher_level")
    row = db.session.get(ReportConflict, conflict_id)
    if row is None or row.report_id != report.id:
        raise NotFound("未找到该利益冲突记录", code="conflict_not_found")
    if row.cleared_at is not None:
        raise Conflict("该记录已排除", code="conflict_cleared")
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise BadRequest("请写明排除理由（至少 5 个字）", code="reason_required",
                         fields={"reason": ["理由至少 5 个字"]})
    row.cleared_at, row.cleared_by_id, row.cleared_note = utcnow(), user.id, reason[:200]
    audit("report.conflict_clear", user, "report", report.id,
          {"conflict_id": row.id, "user_id": row.user_id, "unit_id": row.unit_id, "reason": row.reason})
    return accused_summary(report)
