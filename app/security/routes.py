"""Audit log API (admin, custodian)."""

from app.core.api import ApiBlueprint
from app.core.permissions import require_anywhere
from app.security import schemas, service

bp = ApiBlueprint("security", __name__, tag="审计")


@bp.op("/admin/audit", summary="审计日志", query=schemas.AuditQuery(), response=schemas.AuditEntrySchema(),
       auth="required", paginated=True, errors=(403,))
def audit_log(user, args):
    """List audit entries."""
    require_anywhere(user, "audit.view")
    return service.query_audit(args, args["limit"], args["cursor"])
