"""Inspector: the triage queue with filters (status, village, kind, topic, overdue, due soon, free text)."""

from flask import request

from app.console import queries
from app.console.access import staff
from app.console.blueprint import bp
from app.console.forms import clean, validate_form
from app.console.layout import render
from app.console.nav import NavEntry
from app.core.permissions import can_anywhere, in_scopes, region_scopes
from app.errors import BadRequest
from app.reports.models import KINDS
from app.reports.topics import KIND_LABELS, topics
from app.triage import cases as case_service
from app.triage import queue
from app.triage.schemas import QueueQuery
from app.triage.states import STATE_LABELS

NAV = [
    NavEntry("信访件", "console.triage_queue", "report.view", "监督执纪", "待受理、已超期与即将到期的反映", 10),
]
PAGE = 50
FILTERS = ("status", "village", "kind", "topic", "overdue", "due_soon", "q", "cursor")


def queue_args():
    """The queue's filters from the query string: (shown values, loaded filters); 400 with Chinese reasons."""
    raw = {k: v for k in FILTERS if (v := clean(request.args.get(k)))}
    for flag in ("overdue", "due_soon"):
        if flag in raw:
            raw[flag] = "1" if raw[flag] in ("1", "true", "on") else raw[flag]
    args, errors = validate_form(QueueQuery(), raw)
    if errors:
        raise BadRequest("筛选条件有误：" + "；".join(m for msgs in errors.values() for m in msgs), fields=errors)
    return {k: v for k, v in raw.items() if k != "cursor"}, args


def village_options(user):
    """The villages of the inspector's scope for the village filter (code, name)."""
    scopes = region_scopes(user, "report.view")
    options = []
    for region in queries.region_choices():
        if region.level == "village" and in_scopes(region.code, scopes):
            parent = region.parent.display_name if region.parent is not None else ""
            options.append((region.code, parent + region.display_name))
    return options


@bp.route("/triage")
def triage_queue():
    """The queue of reports the inspector sees, newest first, with running deadlines."""
    user = staff("report.view")
    shown, args = queue_args()
    limit, cursor = PAGE, args.pop("cursor", None)
    args.pop("limit", None)
    page = queue.list_queue(user, args, limit, cursor)
    may_merge = can_anywhere(user, "report.triage")
    open_cases = case_service.list_cases(user, "open", 100, None).items if may_merge else []
    return render("triage/queue.html", page=page, filters=shown, args=shown,
                  statuses=list(STATE_LABELS.items()), kinds=[(k, KIND_LABELS[k]) for k in KINDS],
                  topics=[(t, t) for t in topics()], villages=village_options(user), may_merge=may_merge,
                  case_options=[(c.id, f"#{c.id} {c.title}") for c in open_cases])
