"""Queue notifications in the caller's transaction; the dispatcher sends them later."""

import logging

from app.extensions import db
from app.notify.models import OutboxMessage

log = logging.getLogger(__name__)


def enqueue_report_update(report, event, status_label=None):
    """Queue a 'your report changed' message for a report's account holder (anonymous reporters have none)."""
    if report.reporter_user_id is None or event.visibility != "public":
        return None
    if event.id is None:
        db.session.flush()
    message = OutboxMessage(
        dedupe_key=f"report_event:{event.id}",
        user_id=report.reporter_user_id,
        kind="report_update",
        payload={"report_id": report.id, "tracking_no": report.tracking_no, "status": report.status,
                 "status_label": status_label or report.status, "action": event.action,
                 "note": (event.note or "")[:20], "at": event.at.isoformat() if event.at else None},
    )
    db.session.add(message)
    return message


def kick():
    """Have the dispatcher run soon (RQ, or inline after the response is sent); a failure only delays delivery
    (the next `flask notify dispatch` sends what is pending), so a slow WeChat never holds up the caller."""
    from app.jobs import after_response

    after_response("app.notify.dispatcher:dispatch_pending")
