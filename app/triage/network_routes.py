"""Endpoints of the networks: posted letters, mailings, petition volumes, outcomes, proposals, rectification
states and the networks' figures."""

from flask import jsonify, request

from app.core.api import ApiBlueprint
from app.core.ratelimit import client_address
from app.reports.service import result as submit_result
from app.triage import exports, letters, mailings, outcomes, proposals, stats_networks, unit_work, warnings
from app.triage import network_schemas as schemas
from app.triage.case_schemas import UnitWarningSchema

bp = ApiBlueprint("triage_network_routes", __name__, tag="千人联系点与千人情报网")

DOWNLOADS = "application/json, text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.op("/triage/letters/members", summary="查找来信成员（姓名、成员编号或电话）", query=schemas.MemberQuery(),
       response=schemas.MemberBriefSchema(many=True), auth="required", errors=(403,))
def find_members(user, args):
    """Members the caller may enter letters for."""
    return letters.find_members(user, args["q"])


@bp.op("/triage/letters", "POST", summary="登记联系点成员的邮寄来信（情况反馈表）", body=schemas.LetterCreateSchema(),
       response=schemas.LetterResultSchema(), status=201, auth="required", errors=(403, 404, 409))
def enter_letter(user, data):
    """Enter a posted letter credited to a member; a retry with the same Idempotency-Key answers 200."""
    report, receipt, created = letters.enter_letter(user, data, client_key=client_address(),
                                                    idempotency_key=request.headers.get("Idempotency-Key"))
    body = {**submit_result(report, receipt, created), "member_id": report.contact_member_id,
            "postmarked_on": data["postmarked_on"]}
    response = jsonify(schemas.LetterResultSchema().dump(body))
    response.status_code = 201 if created else 200
    return response


@bp.op("/triage/mailings", "POST", summary="登记寄发反馈表（信封）", body=schemas.MailingCreateSchema(),
       response=schemas.MailingSchema(), status=201, auth="required", errors=(403, 404))
def record_mailing(user, data):
    """Record forms posted to members, per layer."""
    return mailings.record_mailing(user, data)


@bp.op("/triage/mailings", summary="寄发记录", query=schemas.RegionQuery(), response=schemas.MailingSchema(many=True),
       auth="required", errors=(403,))
def list_mailings(user, args):
    """Mailings in the caller's scope."""
    return mailings.list_mailings(user, args["region_code"])


@bp.op("/triage/petitions", "POST", summary="登记年度信访总量", body=schemas.PetitionCreateSchema(),
       response=schemas.PetitionSchema(), status=201, auth="required", errors=(403, 404))
def record_petitions(user, data):
    """Record (or correct) a region's petition volume of a year."""
    return mailings.record_petitions(user, data)


@bp.op("/triage/petitions", summary="年度信访总量", query=schemas.RegionQuery(),
       response=schemas.PetitionSchema(many=True), auth="required", errors=(403,))
def list_petitions(user, args):
    """Recorded petition volumes."""
    return mailings.list_petitions(user, args["region_code"])


@bp.op("/triage/reports/<int:report_id>/outcomes", "POST", summary="登记反映的办理结果（化解、核实、立案、处分…）",
       body=schemas.OutcomeCreateSchema(), response=schemas.OutcomeSchema(), status=201, auth="required",
       errors=(403, 404, 409))
def report_outcome(user, report_id, data):
    """Record how a report ended."""
    return outcomes.record_for_report(user, report_id, data)


@bp.op("/triage/reports/<int:report_id>/outcomes", summary="反映的办理结果", response=schemas.OutcomeSchema(many=True),
       auth="required", errors=(403, 404))
def report_outcomes(user, report_id):
    """Outcomes of a report."""
    return outcomes.for_report(user, report_id)


@bp.op("/triage/cases/<int:case_id>/outcomes", "POST", summary="登记问题的办理结果", body=schemas.OutcomeCreateSchema(),
       response=schemas.OutcomeSchema(), status=201, auth="required", errors=(403, 404, 409))
def case_outcome(user, case_id, data):
    """Record how a problem ended."""
    return outcomes.record_for_case(user, case_id, data)


@bp.op("/triage/cases/<int:case_id>/outcomes", summary="问题的办理结果", response=schemas.OutcomeSchema(many=True),
       auth="required", errors=(403, 404))
def case_outcomes(user, case_id):
    """Outcomes of a problem."""
    return outcomes.for_case(user, case_id)


@bp.op("/triage/proposals", "POST", summary="向县委、县政府报送意见建议", body=schemas.ProposalCreateSchema(),
       response=schemas.ProposalSchema(), status=201, auth="required", errors=(403, 404))
def create_proposal(user, data):
    """Record a proposal drawn from problems."""
    return proposals.create_proposal(user, data)


@bp.op("/triage/proposals", summary="意见建议列表", query=schemas.ProposalsQuery(), response=schemas.ProposalSchema(),
       paginated=True, auth="required", errors=(403,))
def list_proposals(user, args):
    """Proposals in the caller's scope."""
    return proposals.list_proposals(user, args)


@bp.op("/triage/proposals/<int:proposal_id>", summary="意见建议详情", response=schemas.ProposalSchema(),
       auth="required", errors=(403, 404))
def get_proposal(user, proposal_id):
    """One proposal."""
    return proposals.get_proposal(user, proposal_id)


@bp.op("/triage/proposals/<int:proposal_id>/answer", "POST", summary="登记意见建议的答复",
       body=schemas.ProposalAnswerSchema(), response=schemas.ProposalSchema(), auth="required",
       errors=(403, 404, 409))
def answer_proposal(user, proposal_id, data):
    """Record the answer to a proposal."""
    return proposals.answer_proposal(user, proposal_id, data)


@bp.op("/unit/warnings/<int:warning_id>/rectification", "POST", summary="报告预警整改状态（正在整改、整改完毕）",
       body=schemas.RectificationSchema(), response=UnitWarningSchema(), auth="required", errors=(403, 404, 409))
def rectification(user, warning_id, data):
    """The unit reports 正在整改 or 整改完毕 (with evidence); several answers until rectified."""
    warning = warnings.report_rectification(user, warning_id, data["state"], data["content"], data.get("evidence"))
    warning.unit_reports = unit_work.unit_reports(user, warning)
    return warning


@bp.op("/triage/stats/networks", summary="千人联系点、千人情报网统计（同比；format=xlsx|csv 下载）",
       query=schemas.NetworksQuery(), response=schemas.NetworksSchema(), auth="required", errors=(403,),
       produces=DOWNLOADS)
def networks(user, args):
    """The two chains of a region and period, with the previous period and the change in per cent."""
    result = stats_networks.compute(user, args)
    return result if args["format"] == "json" else exports.networks_download(result, args["format"])
