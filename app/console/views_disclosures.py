"""Disclosures for publishers and reviewers: the work list, one disclosure with its versions, and the workflow.

Every rule and permission check lives in app.disclosures (service, staff); these views read forms, call the
service and render. Submit, approve, reject, publish and withdraw are POST forms on the detail page.
"""

import sqlalchemy as sa
from flask import flash, redirect, request, url_for

from app.console import confirm as confirmation
from app.console import queries
from app.console.access import staff
from app.console.blueprint import bp
from app.console.forms import clean, errors_of, validate_form
from app.console.layout import render
from app.console.nav import NavEntry
from app.core.permissions import can, can_anywhere
from app.disclosures import schemas as d_schemas
from app.disclosures import service as d_service
from app.disclosures import staff as d_staff
from app.disclosures.models import KINDS, STATES
from app.disclosures.reads import KIND_LABELS, STATE_LABELS
from app.errors import DomainError
from app.extensions import db
from app.regions.models import Region
from app.regions.service import ancestors

NAV = [NavEntry("公开事项", "console.disclosures", "disclosure.view_staff", "公开与审核",
                "村务、财务、党务、小微权力清单、惠民资金：起草、审核、发布、更正、撤回", 10)]
VILLAGE_CHOICES = 300
DONE = {"submit": "已提交村务监督委员会审核。", "approve": "已审核通过，请村务公开员发布。",
        "reject": "已退回修改，原因已告知村务公开员。", "publish": "已发布，群众扫码即可查看。",
        "withdraw": "已撤回。记录和撤回原因将保留并向群众公示。"}


def village_names(codes):
    """{code: 乡镇 村} display names for village codes (villages' names repeat across townships)."""
    codes = {c for c in codes if c}
    if not codes:
        return {}
    rows = db.session.scalars(sa.select(Region).where(Region.code.in_(codes)))
    return {r.code: (r.parent.display_name + " " if r.parent else "") + r.display_name for r in rows}


def village_choices(user, action):
    """[(code, name)] of the villages within the user's scope for action (at most VILLAGE_CHOICES)."""
    page = queries.villages_in_scope(user, action, limit=VILLAGE_CHOICES)
    return [(v.code, (v.parent.display_name + " " if v.parent else "") + v.display_name) for v in page.items]


@bp.route("/disclosures")
def disclosures():
    """The work list: disclosures of the villages the user works for, by village, kind, state and period."""
    user = staff("disclosure.view_staff")
    raw = {key: clean(request.args.get(key)) for key in ("village", "kind", "state", "period", "cursor")}
    args, errors = validate_form(d_schemas.StaffListQuery(), {k: v for k, v in raw.items() if v})
    page = None
    if not errors:
        page = d_staff.staff_list(user, args["village"], args["kind"], args["state"], args["period"], 50,
                                  args["cursor"])
    filters = {k: v for k, v in raw.items() if v and k != "cursor"}
    return render("disclosures/list.html", status=400 if errors else 200, page=page, errors=errors,
                  filters=filters, villages=village_choices(user, "disclosure.view_staff"),
                  names=village_names([i["village_code"] for i in page.items] if page else []),
                  kinds=[(k, KIND_LABELS[k]) for k in KINDS], states=[(s, STATE_LABELS[s]) for s in STATES],
                  can_create=can_anywhere(user, "disclosure.edit"))


def _actions(user, detail):
    """What the current user may do next with this disclosure (the service checks again)."""
    village, latest = detail["village_code"], detail["versions"][-1]
    submitter = d_service.get_disclosure(detail["id"]).latest.submitted_by_id
    edit, review = can(user, "disclosure.edit", region_code=village), can(user, "disclosure.review",
                                                                           region_code=village)
    withdrawn = detail["status"] == "withdrawn"
    return {"edit": edit and latest["state"] in ("draft", "rejected") and not withdrawn,
            "review": review and latest["state"] == "submitted",
            "own_submission": latest["state"] == "submitted" and submitter == user.id,
            "publish": edit and latest["state"] == "approved" and not withdrawn,
            "correct": edit and detail["status"] == "published" and latest["state"] == "published",
            "withdraw": edit and detail["status"] == "published"}


def detail_page(user, disclosure_id, status=200, message=None, errors=None, form=None, confirm=None):
    """Render one disclosure: the chosen (default newest) version's content, the history and the action forms
    (`confirm`: the confirmation step of an approval)."""
    detail = d_staff.staff_detail(user, disclosure_id)
    versions = {v["version"]: v for v in detail["versions"]}
    wanted = request.args.get("version", type=int)
    shown = versions.get(wanted) or detail["versions"][-1]
    village = db.session.get(Region, detail["village_code"])
    return render("disclosures/detail.html", status=status, d=detail, shown=shown, village=village,
                  township=ancestors(village).get("township"), actions=_actions(user, detail),
                  message=message, errors=errors or {}, form=form or {}, confirm=confirm)


@bp.route("/disclosures/<int:disclosure_id>")
def disclosure(disclosure_id):
    """One disclosure for staff of its village: content in full, every version, who did what."""
    return detail_page(staff("disclosure.view_staff"), disclosure_id)


def _approval_step(user, disclosure_id):
    """The confirmation of an approval that would go through (else None: the service then says why not)."""
    detail = d_staff.staff_detail(user, disclosure_id)
    actions = _actions(user, detail)
    if not actions["review"] or actions["own_submission"]:
        return None
    return confirmation.approve_preview(detail["village_code"], detail["versions"][-1].get("submitted_by"))


def _transition(disclosure_id, action, call, schema=None, confirm_step=None):
    user = staff("disclosure.view_staff")
    form = {}
    data = {}
    if schema is not None:
        form = {name: clean(request.form.get(name)) for name in schema.fields}
        data, errors = validate_form(schema, {k: v for k, v in form.items() if v is not None})
        if errors:
            return detail_page(user, disclosure_id, 400, "请按提示填写后重新提交", errors, form)
    if confirm_step is not None and not confirmation.confirmed(request.form):
        preview = confirm_step(user, disclosure_id)
        if preview is not None:
            return detail_page(user, disclosure_id, form=form, confirm=preview)
    try:
        call(user, disclosure_id, data)
    except DomainError as err:
        return detail_page(user, disclosure_id, err.status, err.message, errors_of(err), form)
    flash(DONE[action], "success")
    return redirect(url_for("console.disclosure", disclosure_id=disclosure_id))


@bp.route("/disclosures/<int:disclosure_id>/submit", methods=["POST"])
def disclosure_submit(disclosure_id):
    """Send the draft to the village supervision committee."""
    return _transition(disclosure_id, "submit", lambda u, i, d: d_service.submit(u, i))


@bp.route("/disclosures/<int:disclosure_id>/approve", methods=["POST"])
def disclosure_approve(disclosure_id):
    """The reviewer approves (with an optional note), after a confirmation naming who may publish."""
    return _transition(disclosure_id, "approve", lambda u, i, d: d_service.approve(u, i, d.get("note")),
                       d_schemas.ApproveSchema(), _approval_step)


@bp.route("/disclosures/<int:disclosure_id>/reject", methods=["POST"])
def disclosure_reject(disclosure_id):
    """The reviewer sends the version back with a reason."""
    return _transition(disclosure_id, "reject", lambda u, i, d: d_service.reject(u, i, d["reason"]),
                       d_schemas.ReasonSchema())


@bp.route("/disclosures/<int:disclosure_id>/publish", methods=["POST"])
def disclosure_publish(disclosure_id):
    """Publish the approved version into the village ledger."""
    return _transition(disclosure_id, "publish", lambda u, i, d: d_service.publish(u, i))


@bp.route("/disclosures/<int:disclosure_id>/withdraw", methods=["POST"])
def disclosure_withdraw(disclosure_id):
    """Withdraw the published disclosure, with a reason (the record stays)."""
    return _transition(disclosure_id, "withdraw", lambda u, i, d: d_service.withdraw(u, i, d["reason"]),
                       d_schemas.ReasonSchema())
