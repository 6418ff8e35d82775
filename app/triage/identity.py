"""Identity custody: a real-name reporter's identity stays sealed until a custodian approves an inspector's request.

There is no automatic approval: with no custodian configured for the report's region a request stays pending.
Every unsealed view is audited (`report.identity_view`), as is every request and decision.
"""

import sqlalchemy as sa

from app.auth.models import RoleGrant, User
from app.core.pagination import keyset_page
from app.core.permissions import ACTIONS, can, in_subtree, region_scopes, require, require_anywhere
from app.core.timeutil import utcnow
from app.errors import BadRequest, Conflict, Forbidden, NotFound
from app.extensions import db
from app.reports.conflicts import conflicted_with, not_conflicted_clause
from app.reports.models import Report
from app.security.service import audit
from app.triage.access import is_inspector_of, scope_clause
from app.triage.models import IdentityRequest

SEALED = "实名（已封存）"
ANONYMOUS = "匿名"
HIDDEN_FOR_UNIT = "身份信息不向承办单位提供"


def custodian_configured(report):
    """Whether some active custodian's scope covers the report's village."""
    grants = db.session.scalars(sa.select(RoleGrant).join(User, User.id == RoleGrant.user_id).where(
        RoleGrant.role.in_(ACTIONS["identity.custody"]), User.is_active.is_(True)))
    return any((g.region_code is None and g.unit_id is None) or
               (g.region_code and in_subtree(g.region_code, report.region_code)) for g in grants)


def file_request(user, report, reason):
    """An inspector asks, with a written reason, to see the reporter's identity; the request starts pending."""
    require(user, "identity.request", region_code=report.region_code)
    if not is_inspector_of(user, report, "identity.request"):
        raise NotFound("未找到该举报或无权查看", code="report_not_found")
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise BadRequest("请写明申请查看举报人身份的理由（至少 5 个字）", code="reason_required",
                         fields={"reason": ["理由至少 5 个字"]})
    if report.anonymous:
        raise Conflict("匿名举报没有可查看的身份信息", code="anonymous_report")
    open_one = db.session.scalar(sa.select(IdentityRequest).where(
        IdentityRequest.report_id == report.id, IdentityRequest.requester_id == user.id,
        IdentityRequest.status.in_(("pending", "approved"))))
    if open_one is not None:
        raise Conflict("您已提交过该举报的身份查看申请", code="request_exists")
    request = IdentityRequest(report_id=report.id, requester_id=user.id, reason=reason[:500], status="pending",
                              created_at=utcnow())
    db.session.add(request)
    db.session.flush()
    audit("identity.request", user, "report", report.id, {"request_id": request.id})
    return request


def get_request_for_custodian(user, request_id):
    """A request a custodian may decide (404 outside his scope)."""
    require_anywhere(user, "identity.custody")
    request = db.session.get(IdentityRequest, request_id)
    if request is None or not can(user, "identity.custody", region_code=request.report.region_code) \
            or conflicted_with(user, request.report_id):
        raise NotFound("未找到该身份查看申请", code="request_not_found")
    return request


def decide(user, request_id, approve, note=None):
    """A custodian approves or denies a pending request (never his own)."""
    request = get_request_for_custodian(user, request_id)
    if request.requester_id == user.id:
        raise Forbidden("不能审批本人提交的申请", code="own_request")
    if request.status != "pending":
        raise Conflict("该申请已经处理过", code="request_decided")
    if approve and conflicted_with(request.requester, request.report_id):
        raise Conflict("申请人或其所在单位可能是该举报的被反映对象，不能批准", code="requester_conflicted")
    request.status = "approved" if approve else "denied"
    request.decided_by_id, request.decided_at = user.id, utcnow()
    request.decision_note = ((note or "").strip() or None)
    audit(f"identity.{'approve' if approve else 'deny'}", user, "report", request.report_id,
          {"request_id": request.id, "requester_id": request.requester_id})
    return request


def list_requests(user, status, limit, cursor):
    """Requests in the custodian's scope, newest first."""
    require_anywhere(user, "identity.custody")
    scopes = region_scopes(user, "identity.custody")
    stmt = sa.select(IdentityRequest).join(Report, Report.id == IdentityRequest.report_id)
    if None not in scopes:
        stmt = stmt.where(sa.or_(*[scope_clause(p) for p in scopes]))
    stmt = stmt.where(not_conflicted_clause(user))
    if status:
        stmt = stmt.where(IdentityRequest.status == status)
    return keyset_page(db.session, stmt, [(IdentityRequest.id, True)], limit, cursor)


def approved_for(user, report):
    """Whether this user holds an approved request for this report."""
    return db.session.scalar(sa.select(IdentityRequest.id).where(
        IdentityRequest.report_id == report.id, IdentityRequest.requester_id == user.id,
        IdentityRequest.status == "approved").limit(1)) is not None


def my_request(user, report):
    """The user's latest request for a report, if any."""
    return db.session.scalar(sa.select(IdentityRequest).where(
        IdentityRequest.report_id == report.id, IdentityRequest.requester_id == user.id)
        .order_by(IdentityRequest.id.desc()).limit(1))


def reporter_view(user, report, as_inspector):
    """The reporter block of a report for this viewer: sealed, anonymous, hidden or (audited) unsealed."""
    if report.anonymous:
        return {"anonymous": True, "sealed": False, "display": ANONYMOUS}
    if not as_inspector:
        return {"anonymous": False, "sealed": True, "display": HIDDEN_FOR_UNIT}
    if not approved_for(user, report):
        return {"anonymous": False, "sealed": True, "display": SEALED}
    audit("report.identity_view", user, "report", report.id)
    return {"anonymous": False, "sealed": False, "display": report.reporter_name or "",
            "name": report.reporter_name, "phone": report.reporter_phone, "id_number": report.reporter_id_number}
