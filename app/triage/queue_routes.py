"""Triage endpoints: the queue, a report's detail and transitions, messages, duplicates, custody, recusals."""

from app.core.api import ApiBlueprint
from app.extensions import db
from app.triage import access, identity, queue, schemas, service

bp = ApiBlueprint("triage_queue_routes", __name__, tag="问题线索处置")
READ_ERRORS = (403, 404)
WRITE_ERRORS = (403, 404, 409)


@bp.op("/triage/reports", "GET", summary="问题线索处置队列（本人辖区，键集分页）", query=schemas.QueueQuery(),
       response=schemas.QueueItem(), paginated=True, auth="required", errors=(403,))
def list_reports(user, args):
    """The inspector's queue, newest first, with running deadlines."""
    limit, cursor = args.pop("limit"), args.pop("cursor")
    return queue.list_queue(user, args, limit, cursor)


def _detail(user, report_id):
    detail = queue.report_detail(user, report_id)
    db.session.commit()  # the view's audit entry
    return detail


@bp.op("/triage/reports/<int:report_id>", "GET", summary="举报详情（含办理记录；实名身份默认封存）",
       response=schemas.ReportDetail(), auth="required", errors=READ_ERRORS)
def get_report(user, report_id):
    """A report with its full timeline, attachments, allowed actions and deadlines (audited)."""
    return _detail(user, report_id)


def _transition(user, report_id, action, **kwargs):
    report = service.get_report_for(user, report_id)
    service.apply_action(user, report, action, **kwargs)
    db.session.commit()
    return _detail(user, report_id)


@bp.op("/triage/reports/<int:report_id>/accept", "POST", summary="受理（检举控告须选择处置方式）",
       body=schemas.AcceptSchema(), response=schemas.ReportDetail(), auth="required", errors=WRITE_ERRORS)
def accept(user, report_id, data):
    """Accept a received or reopened report."""
    return _transition(user, report_id, "accept", **data)


@bp.op("/triage/reports/<int:report_id>/refuse", "POST", summary="不予受理（须说明理由，告知举报人）",
       body=schemas.TriageReasonSchema(), response=schemas.ReportDetail(), auth="required", errors=WRITE_ERRORS)
def refuse(user, report_id, data):
    """Refuse a received report with a reason the reporter is told."""
    return _transition(user, report_id, "refuse", **data)


@bp.op("/triage/reports/<int:report_id>/assign", "POST", summary="交办承办单位（不得交给被反映人所在单位）",
       body=schemas.AssignSchema(), response=schemas.ReportDetail(), auth="required", errors=WRITE_ERRORS)
def assign(user, report_id, data):
    """Assign the report to a unit with a due date."""
    return _transition(user, report_id, "assign", **data)


@bp.op("/triage/reports/<int:report_id>/hold", "POST", summary="暂缓办理（暂存待查）", body=schemas.NoteSchema(),
       response=schemas.ReportDetail(), auth="required", errors=WRITE_ERRORS)
def hold(user, report_id, data):
    """Put an accepted report on hold."""
    return _transition(user, report_id, "hold", **data)


@bp.op("/triage/reports/<int:report_id>/resume", "POST", summary="恢复办理", body=schemas.NoteSchema(),
       response=schemas.ReportDetail(), auth="required", errors=WRITE_ERRORS)
def resume(user, report_id, data):
    """Resume a report on hold."""
    return _transition(user, report_id, "resume", **data)


@bp.op("/triage/reports/<int:report_id>/conclude", "POST", summary="办结（办理结果告知举报人）",
       body=schemas.ConcludeSchema(), response=schemas.ReportDetail(), auth="required", errors=WRITE_ERRORS)
def conclude(user, report_id, data):
    """Conclude with a result the reporter is told."""
    return _transition(user, report_id, "conclude", **data)


@bp.op("/triage/reports/<int:report_id>/close", "POST", summary="归档", body=schemas.NoteSchema(),
       response=schemas.ReportDetail(), auth="required", errors=WRITE_ERRORS)
def close(user, report_id, data):
    """Close a concluded report."""
    return _transition(user, report_id, "close", **data)


@bp.op("/triage/reports/<int:report_id>/reopen", "POST", summary="重新办理（须说明理由）",
       body=schemas.TriageReasonSchema(), response=schemas.ReportDetail(), auth="required", errors=WRITE_ERRORS)
def reopen(user, report_id, data):
    """Reopen a concluded or closed report."""
    return _transition(user, report_id, "reopen", **data)


@bp.op("/triage/reports/<int:report_id>/messages", "POST", summary="留言（public 举报人可见 / internal 仅内部）",
       body=schemas.MessageSchema(), response=schemas.Event(), status=201, auth="required", errors=READ_ERRORS)
def post_message(user, report_id, data):
    """Add a staff message to the timeline."""
    report = service.get_report_for(user, report_id)
    event = service.add_message(user, report, data["content"], data["visibility"])
    db.session.commit()
    return event


@bp.op("/triage/reports/<int:report_id>/similar", "GET", summary="疑似重复件（同县、近期，按相似度排序）",
       response=schemas.SimilarItem(many=True), auth="required", errors=READ_ERRORS)
def similar(user, report_id):
    """Likely duplicates of a report, best first, with reasons."""
    return queue.similar_reports(user, report_id)


@bp.op("/triage/reports/<int:report_id>/identity-requests", "POST", summary="申请查看实名举报人身份（须说明理由）",
       body=schemas.IdentityRequestSchema(), response=schemas.FiledRequest(), status=201, auth="required",
       errors=WRITE_ERRORS)
def request_identity(user, report_id, data):
    """File a written request to unseal the reporter's identity."""
    report = service.get_report_for(user, report_id)
    request = identity.file_request(user, report, data["reason"])
    configured = identity.custodian_configured(report)
    db.session.commit()
    request.custodian_configured = configured  # plain attributes for the response schema, not columns
    request.hint = "已提交，等待身份保管员审批" if configured else "当前未配置身份保管员，申请将保持待审批状态"
    return request


@bp.op("/custody/identity-requests", "GET", summary="身份查看申请列表（身份保管员）", query=schemas.RequestListQuery(),
       response=schemas.IdentityRequestOut(), paginated=True, auth="required", errors=(403,))
def list_identity_requests(user, args):
    """Requests in the custodian's scope (default: pending)."""
    return identity.list_requests(user, args["status"], args["limit"], args["cursor"])


@bp.op("/custody/identity-requests/<int:request_id>/approve", "POST", summary="批准查看身份（身份保管员）",
       body=schemas.DecisionSchema(), response=schemas.IdentityRequestOut(), auth="required", errors=WRITE_ERRORS)
def approve_identity(user, request_id, data):
    """Approve a pending request."""
    request = identity.decide(user, request_id, True, data["note"])
    db.session.commit()
    return request


@bp.op("/custody/identity-requests/<int:request_id>/deny", "POST", summary="驳回查看身份申请（身份保管员）",
       body=schemas.DecisionSchema(), response=schemas.IdentityRequestOut(), auth="required", errors=WRITE_ERRORS)
def deny_identity(user, request_id, data):
    """Deny a pending request."""
    request = identity.decide(user, request_id, False, data["note"])
    db.session.commit()
    return request


@bp.op("/triage/recusals", "GET", summary="回避名单（管理员）", query=schemas.RecusalQuery(),
       response=schemas.RecusalOut(many=True), auth="required", errors=(403,))
def list_recusals(user, args):
    """Recusals in the admin's scope."""
    return access.list_recusals(user, args["village"], args["inspector_id"])


@bp.op("/triage/recusals", "POST", summary="设置工作人员对某村回避（管理员）", body=schemas.RecusalCreateSchema(),
       response=schemas.RecusalOut(), status=201, auth="required", errors=(403, 409))
def add_recusal(user, data):
    """Recuse an inspector from a village."""
    recusal = access.add_recusal(user, data["inspector_id"], data["village_code"], data["reason"])
    db.session.commit()
    return recusal


@bp.op("/triage/recusals/<int:recusal_id>", "DELETE", summary="取消回避（管理员）", auth="required",
       errors=READ_ERRORS)
def remove_recusal(user, recusal_id):
    """Lift a recusal."""
    access.remove_recusal(user, recusal_id)
    db.session.commit()
    return None
