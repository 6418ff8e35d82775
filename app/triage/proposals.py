"""Proposals up (意见建议): drawn from problems, sent to the county party committee or government, answered."""

from datetime import date

import sqlalchemy as sa

from app.core.pagination import keyset_page
from app.core.permissions import can, require_anywhere, scoped
from app.core.timeutil import today_cst, utcnow
from app.errors import BadRequest, Conflict, Forbidden, NotFound
from app.extensions import db
from app.regions.models import Region
from app.security.service import audit
from app.triage import cases
from app.triage.network_models import Proposal, ProposalCase


def create_proposal(user, data):
    """Record a proposal sent up from one or more problems in the user's scope."""
    require_anywhere(user, "report.triage")
    region = db.session.get(Region, data["region_code"])
    if region is None or region.level not in ("county", "township"):
        raise NotFound("未找到该县或乡镇", code="region_not_found", fields={"region_code": ["请选择县或乡镇"]})
    if not can(user, "report.triage", region_code=region.code):
        raise Forbidden("只能报送本人管辖范围内的意见建议", code="region_out_of_scope")
    if data["sent_on"] > today_cst():
        raise BadRequest("报送日期不能晚于今天", code="date_in_future", fields={"sent_on": ["报送日期不能晚于今天"]})
    linked = [cases.get_case(user, case_id) for case_id in dict.fromkeys(data.get("case_ids") or [])]
    for case in linked:
        if not case.county_code.startswith(region.code[:6]):
            raise BadRequest(f"问题 {case.id} 不在该区划内", code="case_out_of_region",
                             fields={"case_ids": ["问题不在该区划内"]})
    proposal = Proposal(region_code=region.code, addressee=data["addressee"], title=data["title"].strip(),
                        content=data["content"].strip(), sent_on=data["sent_on"], created_by_id=user.id,
                        created_at=utcnow())
    db.session.add(proposal)
    db.session.flush()
    for case in linked:
        db.session.add(ProposalCase(proposal_id=proposal.id, case_id=case.id))
    audit("proposal.create", user, "proposal", proposal.id, {"case_ids": [c.id for c in linked]})
    db.session.commit()
    db.session.refresh(proposal)
    return proposal


def _scope(stmt, user):
    return scoped(stmt, Proposal.region_code, user, "report.triage")


def get_proposal(user, proposal_id):
    """A proposal in the user's scope, or 404."""
    require_anywhere(user, "report.triage")
    proposal = db.session.scalar(_scope(sa.select(Proposal).where(Proposal.id == proposal_id), user))
    if proposal is None:
        raise NotFound("未找到该意见建议", code="proposal_not_found")
    return proposal


def answer_proposal(user, proposal_id, data):
    """Record the answer of the county party committee or government (once)."""
    proposal = get_proposal(user, proposal_id)
    if proposal.answer:
        raise Conflict("该意见建议已登记答复", code="already_answered")
    if data["answered_on"] > today_cst() or data["answered_on"] < proposal.sent_on:
        raise BadRequest("答复日期应在报送日期与今天之间", code="bad_date", fields={"answered_on": ["日期有误"]})
    proposal.answer, proposal.answered_on = data["answer"].strip(), data["answered_on"]
    proposal.answered_by_id = user.id
    audit("proposal.answer", user, "proposal", proposal.id)
    db.session.commit()
    return proposal


def list_proposals(user, args):
    """Proposals in the user's scope, newest first; `year` selects those sent in that year."""
    require_anywhere(user, "report.triage")
    stmt = _scope(sa.select(Proposal), user)
    if args.get("year"):
        stmt = stmt.where(Proposal.sent_on >= date(args["year"], 1, 1), Proposal.sent_on <= date(args["year"], 12, 31))
    return keyset_page(db.session, stmt, [(Proposal.id, True)], args["limit"], args["cursor"])
