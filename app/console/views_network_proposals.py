"""Inspector: proposals up (意见建议) to the county party committee or government — the list by year, a new one
drawn from one or more problems, and the answer when it comes back."""

import sqlalchemy as sa
from flask import flash, redirect, request, url_for

from app.console import queries
from app.console.access import staff
from app.console.blueprint import bp
from app.console.forms import clean, errors_of, validate_form
from app.console.layout import render, split_errors
from app.console.nav import NavEntry
from app.core.permissions import can
from app.core.timeutil import today_cst
from app.errors import BadRequest, DomainError
from app.extensions import db
from app.regions.models import Region
from app.triage import cases as case_service
from app.triage import proposals as proposal_service
from app.triage.case_models import Case
from app.triage.network_models import ADDRESSEES
from app.triage.network_schemas import ProposalAnswerSchema, ProposalCreateSchema, ProposalsQuery

NAV = [NavEntry("意见建议", "console.network_proposals", "report.triage", "监督执纪",
                "从梳理的问题中形成意见建议，报送县委、县政府并登记答复", 58)]
PAGE = 50
FIELDS = ("region_code", "addressee", "title", "content", "sent_on")
ANSWER_FIELDS = ("answer", "answered_on")


def _visible_titles(user, case_ids):
    """{case id: title} of the cases the user may see (others are shown by number only)."""
    if not case_ids:
        return {}
    stmt = sa.select(Case.id, Case.title).where(Case.id.in_(case_ids), case_service.case_scope_clause(user))
    return dict(db.session.execute(stmt).all())


def _names(codes):
    return {r.code: r.display_name for r in db.session.scalars(sa.select(Region).where(Region.code.in_(codes)))} \
        if codes else {}


@bp.route("/networks/proposals")
def network_proposals():
    """Proposals in the inspector's scope, newest first; ?year= selects those sent in that year."""
    user = staff("report.triage")
    raw = {k: v for k in ("year", "cursor") if (v := clean(request.args.get(k)))}
    args, errors = validate_form(ProposalsQuery(), {**raw, "limit": PAGE})
    if errors:
        raise BadRequest("筛选条件有误：" + "；".join(m for msgs in errors.values() for m in msgs), fields=errors)
    page = proposal_service.list_proposals(user, args)
    titles = _visible_titles(user, {link.case_id for p in page.items for link in p.case_links})
    shown = {k: v for k, v in raw.items() if k != "cursor"}
    return render("networks/proposals.html", page=page, titles=titles, args=shown, year=raw.get("year"),
                  names=_names({p.region_code for p in page.items}), total=len(page.items), addressees=ADDRESSEES)


def _form_page(user, status=200, form=None, chosen=(), errors=None, message=None):
    errors = errors or {}
    choices = case_service.list_cases(user, None, 100, None).items
    regions = [(r.code, r.display_name) for r in queries.region_choices()
               if r.level in ("county", "township") and can(user, "report.triage", region_code=r.code)]
    return render("networks/proposal_new.html", status=status, form=form or {}, chosen=set(chosen), cases=choices,
                  regions=regions, addressees=list(ADDRESSEES.items()), errors=errors,
                  general=split_errors(errors, FIELDS + ("case_ids",)), message=message, today=today_cst())


@bp.route("/networks/proposals/new")
def network_proposal_new():
    """The form of a new proposal (?case_id= preselects a problem)."""
    user = staff("report.triage")
    case_id = clean(request.args.get("case_id"))
    return _form_page(user, chosen=[int(case_id)] if case_id and case_id.isdigit() and len(case_id) < 10 else [])


def _case_ids():
    ids = []
    for value in request.form.getlist("case_ids"):
        value = value.strip()
        ids.append(int(value) if value.isdigit() and len(value) < 10 else value)
    return ids


@bp.route("/networks/proposals/new", methods=["POST"])
def network_proposal_create():
    """Record a proposal drawn from the chosen problems; bad input re-renders the form and saves nothing."""
    user = staff("report.triage")
    form = {name: clean(request.form.get(name)) for name in FIELDS}
    ids = _case_ids()
    raw = {k: v for k, v in form.items() if v is not None}
    data, errors = validate_form(ProposalCreateSchema(), {**raw, "case_ids": ids})
    chosen = [i for i in ids if isinstance(i, int)]
    if errors:
        if any(key.startswith("case_ids") for key in errors):
            errors = {k: v for k, v in errors.items() if not k.startswith("case_ids")} | {
                "case_ids": ["请选择 1 到 50 个问题"]}
        return _form_page(user, 400, form, chosen, errors, "请按提示修改后再提交")
    try:
        proposal = proposal_service.create_proposal(user, data)
    except DomainError as err:
        db.session.rollback()
        if err.code == "case_not_found":
            err.fields = {"case_ids": ["所选问题不存在或您无权查看"]}
        return _form_page(user, err.status, form, chosen, errors_of(err), err.message)
    flash(f"已登记意见建议“{proposal.title}”（报送{ADDRESSEES[proposal.addressee]}）。", "success")
    return redirect(url_for("console.network_proposal", proposal_id=proposal.id))


def _detail_page(user, proposal_id, status=200, form=None, errors=None, message=None):
    proposal = proposal_service.get_proposal(user, proposal_id)
    errors = errors or {}
    return render("networks/proposal.html", status=status, p=proposal, addressees=ADDRESSEES,
                  titles=_visible_titles(user, [link.case_id for link in proposal.case_links]),
                  region_name=_names([proposal.region_code]).get(proposal.region_code, proposal.region_code),
                  form=form or {}, errors=errors, general=split_errors(errors, ANSWER_FIELDS), message=message,
                  today=today_cst())


@bp.route("/networks/proposals/<int:proposal_id>")
def network_proposal(proposal_id):
    """One proposal: its text, the problems it is drawn from, and the answer (or the form to record it)."""
    return _detail_page(staff("report.triage"), proposal_id)


@bp.route("/networks/proposals/<int:proposal_id>/answer", methods=["POST"])
def network_proposal_answer(proposal_id):
    """Record the answer of the county party committee or government (once)."""
    user = staff("report.triage")
    form = {name: clean(request.form.get(name)) for name in ANSWER_FIELDS}
    data, errors = validate_form(ProposalAnswerSchema(), {k: v for k, v in form.items() if v is not None})
    if errors:
        return _detail_page(user, proposal_id, 400, form, errors, "请按提示修改后再提交")
    try:
        proposal_service.answer_proposal(user, proposal_id, data)
    except DomainError as err:
        db.session.rollback()
        if err.status == 404:
            raise
        return _detail_page(user, proposal_id, err.status, form, errors_of(err), err.message)
    flash("已登记答复。", "success")
    return redirect(url_for("console.network_proposal", proposal_id=proposal_id))
