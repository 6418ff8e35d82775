"""The reporter's side of triage by receipt code: disputing a conclusion (异议), for the API and the H5 page."""

from app.errors import Conflict
from app.extensions import db
from app.reports import track
from app.triage import service


def dispute(code, reason, client_key):
    """Reopen the concluded report a receipt code opens, with the reporter's reason; returns the report."""
    return dispute_report(track.find_by_receipt(code, client_key), reason)


def dispute_report(report, reason):
    """Reopen a concluded report already opened by its receipt code (limited per report like messages)."""
    track.limit_reporter_writes(report, "receipt_dispute", message="提交过于频繁，请稍后再试")
    if report.status != "concluded":
        raise Conflict("只能对已办结的反映提出异议；当前尚未办结，如有新情况请使用“补充情况”",
                       code="not_concluded")
    service.reporter_dispute(report, reason)
    db.session.commit()
    return report
