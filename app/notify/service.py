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
    """Have the dispatcher run soon: an RQ job when a queue is configured, inline otherwise.

    Called after the transaction that queued messages has committed; a failure here only delays delivery
    (the next `flask notify dispatch` run sends what is pending), so it is logged, never raised. Inline inside a
    request, it runs once the response has been sent, so a slow or hanging WeChat never slows the caller.
    """
    from flask import after_this_request, current_app, has_request_context

    from app.jobs import use_queue

    if use_queue() or not has_request_context():
        _start_dispatcher()
        return
    app = current_app._get_current_object()

    @after_this_request
    def _after_response(response):
        response.call_on_close(lambda: _start_dispatcher(app))
        return response


def _start_dispatcher(app=None):
    from app.jobs import enqueue

    try:
        if app is None:
            enqueue("app.notify.dispatcher:dispatch_pending")
            return
        with app.app_context():
            enqueue("app.notify.dispatcher:dispatch_pending")
    except Exception as err:  # noqa: BLE001 - delivery is retried by the periodic dispatcher
        log.warning("could not start the notification dispatcher: %s", err)
