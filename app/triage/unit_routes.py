"""The unit handler's endpoints: his unit's assignments and warnings, and his answers."""

from app.core.api import ApiBlueprint
from app.triage import case_schemas as schemas
from app.triage import unit_work

bp = ApiBlueprint("triage_unit_routes", __name__, tag="问题线索处置")


@bp.op("/unit/assignments", summary="本单位交办事项", query=schemas.UnitAssignmentsQuery(),
       response=schemas.UnitAssignmentSchema(), paginated=True, auth="required", errors=(403,))
def assignments(user, args):
    """Assignments to the caller's unit."""
    return unit_work.list_assignments(user, args)


@bp.op("/unit/assignments/<int:assignment_id>/response", "POST", summary="答复交办事项",
       body=schemas.ResponseSchema(), response=schemas.UnitAssignmentSchema(), auth="required",
       errors=(403, 404, 409))
def answer_assignment(user, assignment_id, data):
    """Answer an assignment."""
    return unit_work.respond_assignment(user, assignment_id, data["content"], data["rectified"])


@bp.op("/unit/warnings", summary="本单位收到的预警", query=schemas.WarningsQuery(),
       response=schemas.UnitWarningSchema(), paginated=True, auth="required", errors=(403,))
def unit_warnings(user, args):
    """Warnings to the caller's unit."""
    return unit_work.list_warnings(user, args)


@bp.op("/unit/warnings/<int:warning_id>/response", "POST", summary="反馈预警整改情况",
       body=schemas.ResponseSchema(), response=schemas.UnitWarningSchema(), auth="required",
       errors=(403, 404, 409))
def answer_warning(user, warning_id, data):
    """Answer a warning with the rectification."""
    return unit_work.respond_warning(user, warning_id, data["content"], data["rectified"])
