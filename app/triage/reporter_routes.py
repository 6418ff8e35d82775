"""The reporter's side of triage, by receipt code in the request body: disputing a conclusion (异议)."""

from app.core.api import ApiBlueprint
from app.core.ratelimit import client_address
from app.reports.track_schemas import TrackDisputeSchema, TrackedReportSchema
from app.triage import reporter

bp = ApiBlueprint("triage_reporter_routes", __name__, tag="反映与回执")


@bp.op("/reports/track/dispute", "POST", summary="反映人凭回执码对办理结果提出异议（重新办理）",
       body=TrackDisputeSchema(), response=TrackedReportSchema(), status=201, errors=(404, 409, 429, 503))
def track_dispute(data):
    """The reporter disputes a conclusion within REPORT_DISPUTE_DAYS: the report is reopened."""
    return reporter.dispute(data["receipt_code"], data["reason"], client_address())
