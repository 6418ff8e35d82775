"""Custodian and admin: the audit log with filters and keyset paging."""

from datetime import timedelta

from flask import request

from app.console import queries
from app.console.access import staff
from app.console.blueprint import bp
from app.console.forms import AuditFilterForm, clean, validate_form
from app.console.layout import render
from app.console.nav import NavEntry
from app.core.timeutil import start_of_day_utc
from app.security.service import query_audit

NAV = [NavEntry("审计日志", "console.audit", "audit.view", "身份保管与审计",
                "谁在何时做了什么：登录、授权、查看与解封", 90)]
FILTER_FIELDS = ("actor", "action", "object_type", "object_id", "since", "until", "cursor")
PAGE = 50


@bp.route("/audit")
def audit():
    """The audit log, newest first, filtered by actor, action, object and a date range (China time)."""
    staff("audit.view")
    form = {name: clean(request.args.get(name)) for name in FILTER_FIELDS}
    args, errors = validate_form(AuditFilterForm(), {k: v for k, v in form.items() if v is not None})
    filters = {}
    if not errors and args["actor"]:
        actor = queries.user_by_login(args["actor"])
        if actor is None:
            errors = {"actor": ["未找到该账号"]}
        else:
            filters["actor_id"] = actor.id
    page = None
    if not errors:
        filters.update({k: args[k] for k in ("action", "object_type", "object_id") if args[k]})
        if args["since"]:
            filters["since"] = start_of_day_utc(args["since"])
        if args["until"]:
            filters["until"] = start_of_day_utc(args["until"] + timedelta(days=1))
        page = query_audit(filters, PAGE, args["cursor"])
    shown = {k: v for k, v in form.items() if v and k != "cursor"}
    return render("audit.html", status=400 if errors else 200, form=form, errors=errors, page=page, args=shown,
                  actions=queries.audit_actions())
