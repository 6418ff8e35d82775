"""Whom a report accuses and its possible matches (利益冲突); clearing a false match."""

from app.core.api import ApiBlueprint
from app.extensions import db
from app.triage import conflict_schemas as schemas
from app.triage import conflicts

bp = ApiBlueprint("triage_conflict_routes", __name__, tag="问题线索处置")


@bp.op("/triage/reports/<int:report_id>/conflicts", "GET", summary="被反映对象及可能匹配的账号、单位（利益冲突）",
       response=schemas.AccusedSchema(), auth="required", errors=(403, 404))
def list_conflicts(user, report_id):
    """Whom the report accuses and who may therefore never see or handle it."""
    return conflicts.conflicts_of(user, report_id)


@bp.op("/triage/reports/<int:report_id>/conflicts/<int:conflict_id>/clear", "POST",
       summary="排除误匹配（县级及以上纪委监委，须说明理由，留痕）", body=schemas.ClearConflictSchema(),
       response=schemas.AccusedSchema(), auth="required", errors=(400, 403, 404, 409))
def clear_conflict(user, report_id, conflict_id, data):
    """Clear a possible match as false (audited)."""
    summary = conflicts.clear_conflict(user, report_id, conflict_id, data["reason"])
    db.session.commit()
    return summary
