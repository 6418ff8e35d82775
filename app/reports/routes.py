"""Reports API: submission, topics, follow-up by receipt code, the reporter's own reports."""

from flask import current_app, jsonify, request

from app.core.api import ApiBlueprint
from app.core.permissions import can_anywhere
from app.core.ratelimit import client_address, hit_limits
from app.core.secret_lookup import moved_to_post
from app.extensions import limiter
from app.reports import schemas, service, track, track_schemas
from app.reports.topics import catalogue

bp = ApiBlueprint("reports", __name__, tag="反映与回执")


def _submit_address_limit():
    return current_app.config.get("REPORT_LIMIT_ADDRESS", "30 per hour;100 per day")


def _is_staff_entry():
    """Staff who enter letters and calls are not throttled like residents."""
    from app.auth.current import current_user

    return can_anywhere(current_user(), "report.enter")


submit_limit = limiter.limit(_submit_address_limit, scope="reports_address", exempt_when=_is_staff_entry)


@bp.op("/reports", "POST", summary="提交反映（意见建议、咨询、有事随时约、检举控告、联系点反馈）",
       body=schemas.SubmitSchema(), response=schemas.SubmitResultSchema(), status=201, auth="optional",
       errors=(401, 403, 409, 429, 503), limits=(submit_limit,))
def submit(user, data):
    """File a report; a retried Idempotency-Key answers 200 with the original tracking number."""
    if user is not None and not can_anywhere(user, "report.enter"):
        hit_limits(current_app.config.get("REPORT_LIMIT_ACCOUNT", "10 per hour;30 per day"), "reports_account",
                   f"user:{user.id}", message="提交过于频繁，请稍后再试")
    report, receipt, created = service.submit_report(
        data, user=user, client_key=client_address(), idempotency_key=request.headers.get("Idempotency-Key"))
    response = jsonify(schemas.SubmitResultSchema().dump(service.result(report, receipt, created)))
    response.status_code = 201 if created else 200
    return response


@bp.op("/reports/topics", summary="反映类别、种类和渠道", response=schemas.CatalogueSchema())
def topics():
    """The configured topics and the kinds and channels with their labels."""
    return catalogue()


@bp.op("/reports/track", "POST", summary="凭回执码查询办理进度（回执码放在请求体中，严格限频）",
       body=track_schemas.TrackSchema(), response=track_schemas.TrackedReportSchema(), errors=(404, 429, 503))
def track_report(data):
    """Status and public timeline of the report a receipt code opens."""
    return track.track(data["receipt_code"], client_address())


@bp.op("/reports/track/messages", "POST", summary="反映人凭回执码补充情况（留言）",
       body=track_schemas.TrackMessageSchema(), response=track_schemas.TrackedReportSchema(), status=201,
       errors=(404, 409, 429, 503))
def track_reply(data):
    """The reporter writes back to staff (补充情况)."""
    return track.reply(data["receipt_code"], data["content"], client_address())


@bp.op("/reports/track/<code>", summary="已停用：回执码不再放在网址中，请改用 POST /reports/track", errors=(410,))
def track_report_moved(code):
    """410 without looking the code up: the code must travel in a POST body."""
    moved_to_post()


@bp.op("/reports/track/<code>/messages", "POST", summary="已停用：请改用 POST /reports/track/messages", errors=(410,))
def track_reply_moved(code):
    """410 without looking the code up (nor reading the body)."""
    moved_to_post()


@bp.op("/me/reports", summary="我的反映（实名提交的）", query=schemas.MyReportsQuery(),
       response=schemas.MyReportSchema(), paginated=True, auth="required")
def my_reports(user, args):
    """The caller's own reports with their public timelines."""
    return track.my_reports(user, args["limit"], args["cursor"])
