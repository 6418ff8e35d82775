"""Queue notifications in the caller's transaction; the dispatcher sends them later."""

from app.extensions import db
from app.notify.models import OutboxMessage


def enqueue_report_update(report, event):
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
                 "action": event.action, "note": (event.note or "")[:20]},
    )
    db.session.add(message)
    return message
