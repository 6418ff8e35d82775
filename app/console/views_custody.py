"""Custodian: pending identity requests with the inspectors' reasons; approve or deny (never the report itself)."""

import sqlalchemy as sa
from flask import flash, redirect, request, url_for

from app.auth.models import User
from app.console.access import staff
from app.console.blueprint import bp
from app.console.forms import clean, validate_form
from app.console.layout import render
from app.console.nav import NavEntry
from app.errors import BadRequest, DomainError
from app.extensions import db
from app.regions.models import Region
from app.reports.conflicts import accused_summary, conflicted_with
from app.triage import identity
from app.triage.models import IDENTITY_REQUEST_LABELS
from app.triage.schemas import DecisionSchema

NAV = [NavEntry("身份查看申请", "console.custody", "identity.custody", "身份保管与审计",
                "审批纪检监察干部查看实名反映人身份的书面申请", 10)]
PAGE = 50


def _names(items):
    """{user id: display name} of requesters and deciders, {village code: name} of the reports' villages."""
    ids = {i.requester_id for i in items} | {i.decided_by_id for i in items if i.decided_by_id}
    people = dict(db.session.execute(sa.select(User.id, User.display_name).where(User.id.in_(ids))).all())
    codes = {i.report.region_code for i in items}
    places = dict(db.session.execute(sa.select(Region.code, Region.display_name).where(Region.code.in_(codes)))
                  .all()) if codes else {}
    return people, places


@bp.route("/custody")
def custody():
    """Requests in the custodian's scope: pending by default, or decided ones."""
    user = staff("identity.custody")
    status = clean(request.args.get("status")) or "pending"
    if status not in IDENTITY_REQUEST_LABELS:
        raise BadRequest("状态不正确", code="validation_error")
    page = identity.list_requests(user, status, PAGE, clean(request.args.get("cursor")))
    people, places = _names(page.items)
    accused = {i.id: accused_summary(i.report) for i in page.items}
    conflicted = {i.id for i in page.items if conflicted_with(i.requester, i.report_id)}
    return render("custody/requests.html", page=page, current=status, people=people, places=places,
                  accused=accused, conflicted=conflicted,
                  statuses=list(IDENTITY_REQUEST_LABELS.items()), status_labels=IDENTITY_REQUEST_LABELS,
                  args={"status": status})


@bp.route("/custody/<int:request_id>/<decision>", methods=["POST"])
def custody_decide(request_id, decision):
    """Approve or deny a pending request, with an optional note to the inspector."""
    user = staff("identity.custody")
    if decision not in ("approve", "deny"):
        raise BadRequest("未知的操作", code="unknown_action")
    note = clean(request.form.get("note"))
    data, errors = validate_form(DecisionSchema(), {"note": note} if note else {})
    if errors:
        raise BadRequest("审批意见不能超过 500 字", code="validation_error", fields=errors)
    try:
        decided = identity.decide(user, request_id, decision == "approve", data["note"])
        db.session.commit()
    except DomainError:
        db.session.rollback()
        raise
    what = "已批准" if decision == "approve" else "已驳回"
    flash(f"{what}对 {decided.report.tracking_no} 的身份查看申请。", "success")
    return redirect(url_for("console.custody"))
