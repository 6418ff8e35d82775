"""The H5 track page: the receipt code travels in a form POST body (never in the URL); the page shows status and
public timeline and lets the reporter add 补充情况 or dispute a conclusion (异议), as the API does."""

from flask import Response, render_template, request

from app.core.api import load_or_raise
from app.core.ratelimit import client_address
from app.errors import DomainError
from app.extensions import db
from app.reports import track
from app.reports.receipts import normalize_receipt
from app.reports.track_schemas import TrackDisputeSchema, TrackedReportSchema, TrackMessageSchema

NOTICES = {"message": "已收到您的补充情况，办理人员会看到。", "dispute": "已提出异议，该反映将重新办理。"}


def _page(status=200, headers=None, **context):
    """The track page; never cached anywhere (a result page carries the code in its forms)."""
    html = render_template("public/track.html", **context)
    return Response(html, status=status, mimetype="text/html",
                    headers={"Cache-Control": "no-store", "Pragma": "no-cache", **(headers or {})})


def _error_page(err, **context):
    return _page(status=err.status, headers=err.headers, error=err.message, fields=err.fields, **context)


def blank():
    """GET /v/track: the empty lookup form."""
    return _page()


def lookup():
    """POST /v/track {receipt_code}: the report's progress (one counted lookup)."""
    return _act(None)


def write_back():
    """POST /v/track/messages {receipt_code, content}: 补充情况."""
    return _act("message")


def dispute():
    """POST /v/track/dispute {receipt_code, reason}: 异议 against a conclusion."""
    return _act("dispute")


def _act(action):
    raw = request.form.get("receipt_code", "")
    try:
        report = track.track(raw, client_address())
    except DomainError as err:
        return _error_page(err)
    code = normalize_receipt(raw)
    shown = {"code": code}
    if action is None:
        return _page(report=TrackedReportSchema().dump(report), **shown)
    draft = {name: request.form.get(name, "") for name in ("content", "reason")}
    try:
        _apply(action, report, draft)
    except DomainError as err:
        db.session.rollback()
        return _error_page(err, report=TrackedReportSchema().dump(report), draft=draft, failed=action, **shown)
    return _page(report=TrackedReportSchema().dump(report), notice=NOTICES[action], **shown)


def _apply(action, report, draft):
    from app.triage.reporter import dispute_report

    if action == "message":
        data = load_or_raise(TrackMessageSchema(only=("content",)), {"content": draft["content"]})
        track.reply_to(report, data["content"])
    else:
        data = load_or_raise(TrackDisputeSchema(only=("reason",)), {"reason": draft["reason"]})
        dispute_report(report, data["reason"])
