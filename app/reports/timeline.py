"""The one way to add a step to a report's timeline (and tell the reporter when it is public)."""

from app.core.timeutil import utcnow
from app.extensions import db
from app.notify.service import enqueue_report_update
from app.reports.models import TimelineEvent
from app.reports.topics import status_label

VISIBILITIES = ("public", "internal")


def add_event(report, action, *, actor=None, actor_label=None, note=None, visibility="internal",
              from_status=None, to_status=None):
    """Append an event in the caller's transaction; public events queue a notification to the reporter."""
    if visibility not in VISIBILITIES:
        raise ValueError(visibility)
    event = TimelineEvent(report_id=report.id, action=action, actor_id=actor.id if actor is not None else None,
                          actor_label=actor_label, note=note, visibility=visibility,
                          from_status=from_status, to_status=to_status, at=utcnow())
    db.session.add(event)
    db.session.flush()
    if visibility == "public":
        enqueue_report_update(report, event, status_label(report.status))
    return event


def public_timeline(report):
    """The events a reporter may see, oldest first (no internal notes, no staff names)."""
    return [e for e in report.timeline if e.visibility == "public"]
