"""The reporter's side of triage, by receipt code in the request body: disputing a conclusion (异议)."""

from app.core.api import ApiBlueprint
from app.core.ratelimit import client_address
from app.errors import Conflict
from app.extensions import db
from app.reports import track
from app.reports.track_schemas import TrackDisputeSchema, TrackedReportSchema
from app.triage import service

bp = ApiBlueprint("triage_reporter_routes", __name__, tag="反映与回执")


@bp.op("/reports/track/dispute", "POST", summary="反映人凭回执码对办理结果提出异议（重新办理）",
       body=TrackDisputeSchema(), response=TrackedReportSchema(), status=201, errors=(404, 409, 429, 503))
def track_dispute(data):
    """The reporter disputes a conclusion within REPORT_DISPUTE_DAYS: the report is reopened."""
    report = track.find_by_receipt(data["receipt_code"], client_address())
    track.limit_reporter_writes(report, "receipt_dispute", message="提交过于频繁，请稍后再试")
    if report.status != "concluded":
        raise Conflict("只能对已办结的反映提出异议；当前尚未办结，如有新情况请使用“补充情况”",
                       code="not_concluded")
    service.reporter_dispute(report, data["reason"])
    db.session.commit()
    return report
