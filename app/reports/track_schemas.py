"""Bodies of the receipt-code operations: the code travels here, in the body, never in a URL."""

from marshmallow import Schema, fields, validate

from app.core.secret_lookup import SecretCodeField
from app.disclosures.content_fields import Paragraphs
from app.reports.schemas import PublicReportSchema


class TrackSchema(Schema):
    """POST /reports/track."""

    receipt_code = SecretCodeField("回执码")


class TrackMessageSchema(TrackSchema):
    """POST /reports/track/messages: the reporter writes back (补充情况)."""

    content = Paragraphs(required=True, validate=validate.Length(min=1, max=1000, error="补充情况应为 1 到 1000 个字"))


class TrackDisputeSchema(TrackSchema):
    """POST /reports/track/dispute: the reporter disputes a conclusion (异议)."""

    reason = Paragraphs(required=True, validate=validate.Length(min=1, max=1000, error="异议应为 1 到 1000 个字"))


class TrackedReportSchema(PublicReportSchema):
    """What a receipt-code holder sees: the public view, and whether he may still dispute the conclusion."""

    can_dispute = fields.Function(lambda r: dispute_open(r))


def dispute_open(report):
    """Whether the reporter may still dispute: the report is concluded, within REPORT_DISPUTE_DAYS of that."""
    from datetime import timedelta

    from flask import current_app

    from app.core.timeutil import to_cst, today_cst

    if report.status != "concluded" or report.status_changed_at is None:
        return False
    window = int(current_app.config.get("REPORT_DISPUTE_DAYS", 30))
    return to_cst(report.status_changed_at).date() + timedelta(days=window) >= today_cst()
