"""Submitting a report: one transaction for the report, its attachment links, its first timeline event and the
reporter's notification; idempotent retries; optional WeChat text screening that flags and never drops."""

import hashlib
import json
import logging

from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.core.api import load_or_raise
from app.core.timeutil import utcnow
from app.errors import BadRequest, Conflict, ServiceUnavailable
from app.extensions import db
from app.reports import accused, checks
from app.reports.models import Report, report_attachments
from app.reports.receipts import hash_receipt, new_receipt_code, new_tracking_no
from app.reports.schemas import SubmitSchema
from app.reports.similarity import text_signature
from app.reports.timeline import add_event
from app.reports.topics import STAFF_CHANNELS, status_label
from app.reports.track import configured_peppers
from app.security.crypto import keyed_hash
from app.security.service import audit

log = logging.getLogger(__name__)
INSERT_ATTEMPTS = 4  # a tracking-number or receipt-hash collision draws new ones
FLAG_REASON = "微信内容安全检测提示可能含违规内容，请人工核查"


def load_submission(body):
    """A submission body (a dict as a client would post it) loaded by SubmitSchema, or raise 400."""
    return load_or_raise(SubmitSchema(), body)


def submit_report(data, *, user=None, client_key, idempotency_key=None, credited=None):
    """File a report from data as SubmitSchema loaded it (the route's body; load_submission for a body built in
    code); returns (report, receipt_code or None, created). A replayed Idempotency-Key returns the original report
    with created=False (an anonymous one with a fresh receipt code); another body is a 409."""
    idem = _idempotency(data, user, client_key, idempotency_key)
    if idem is not None:
        replay = _replay(*idem)
        if replay is not None:
            return _replayed(replay)
    checks.check_topic(data["topic"])
    village, township, county = checks.report_regions(data)
    side = checks.reporter_side(data, user, village or township or county, credited)
    target = checks.target_columns(data.get("target"), village, county)
    uploads = checks.attachments(data["attachment_ids"], user)
    signature = text_signature(data["content"], words=bool(current_app.config.get("SIMILARITY_USE_JIEBA")))
    reporter = {} if data["anonymous"] else (data.get("reporter") or {})
    columns = dict(
        kind=data["kind"], topic=data["topic"], content=data["content"], channel=data["channel"],
        village_code=village, township_code=township, county_code=county, anonymous=data["anonymous"],
        reporter_name=reporter.get("name"), reporter_phone=reporter.get("phone"),
        reporter_id_number=reporter.get("id_number"), flagged=False, flag_reason=None,
        text_signature=signature, idempotency_scope=idem[0] if idem else None,
        idempotency_key=idem[1] if idem else None, request_fingerprint=idem[2] if idem else None,
        **side, **target,
    )
    for _ in range(INSERT_ATTEMPTS):
        try:
            report, receipt = _insert(columns, uploads, user)
            if credited is not None:  # a posted letter: its own record joins the same transaction
                credited["attach"](report)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            if idem is not None:
                replay = _replay(*idem)
                if replay is not None:
                    return _replayed(replay)
            continue
        _kick_dispatcher(report)
        if data["channel"] not in STAFF_CHANNELS:
            _screen_later(report, user)
        return report, receipt, True
    raise ServiceUnavailable("提交暂时失败，请稍后重试", code="submit_retry")


def result(report, receipt, created):
    """The API answer of a submission."""
    from app.reports.receipts import format_receipt

    return {"tracking_no": report.tracking_no, "receipt_code": format_receipt(receipt) if receipt else None,
            "receipt_code_shown": receipt is not None, "replayed": not created, "status": report.status,
            "status_label": status_label(report.status), "received_at": report.received_at}


def _insert(columns, uploads, user):
    now = utcnow()
    receipt = new_receipt_code()  # every reporter, real-name or anonymous, follows his report by a receipt code
    report = Report(**columns, tracking_no=new_tracking_no(now), status="received", received_at=now,
                    status_changed_at=now, receipt_hash=hash_receipt(receipt, configured_peppers()[0]))
    db.session.add(report)
    db.session.flush()
    if uploads:
        db.session.execute(report_attachments.insert(), [{"report_id": report.id, "upload_id": u.id} for u in uploads])
        if report.anonymous:  # nothing may lead back to the sender: no uploader, no upload time of his own
            for upload in uploads:
                upload.uploader_id, upload.created_at = None, now
    accused.resolve(report, user)
    add_event(report, "submitted", visibility="public", to_status="received", actor_label="系统",
              note="已收到您的反映，我们将按规定时限办理")
    if report.operator_id is not None:
        audit("report.enter", user, "report", report.id, {"channel": report.channel})
    return report, receipt


def _idempotency(data, user, client_key, key):
    """(scope, key, fingerprint) or None. An anonymous report is never tied to an account: its scope is a keyed
    hash of the client address (cleared by `flask reports forget-retry-keys` after the retry window)."""
    if not key:
        return None
    key = str(key).strip()
    if not key:
        return None
    if len(key) > 80:
        raise BadRequest("Idempotency-Key 不能超过 80 个字符", code="invalid_idempotency_key")
    if user is not None and (not data["anonymous"] or data["channel"] in STAFF_CHANNELS):
        scope = f"u:{user.id}"
    else:
        scope = "a:" + keyed_hash(client_key or "unknown", "report.idempotency")[:40]
    body = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return scope, key, hashlib.sha256(body.encode("utf-8")).hexdigest()


def _replay(scope, key, fingerprint):
    report = db.session.scalar(db.select(Report).where(Report.idempotency_scope == scope,
                                                       Report.idempotency_key == key))
    if report is None:
        return None
    if report.request_fingerprint != fingerprint:
        raise Conflict("该 Idempotency-Key 已用于另一份不同内容的提交，请为新的反映使用新的 Key",
                       code="idempotency_key_reused")
    return report


def _replayed(report):
    """The answer to a replay. The first answer may never have reached a reporter on a weak network, and the receipt
    code is his only way back to an anonymous report: so a replay issues a fresh code and the old one stops working
    (only the client holding the Idempotency-Key, within the retry window, can get one)."""
    if report.receipt_hash is None:
        return report, None, False
    for _ in range(INSERT_ATTEMPTS):
        code = new_receipt_code()
        locked = db.session.scalar(db.select(Report).where(Report.id == report.id).with_for_update())
        locked.receipt_hash = hash_receipt(code, configured_peppers()[0])
        add_event(locked, "receipt_reissued", visibility="internal", actor_label="系统",
                  note="重试提交：已重新发放查询码，原查询码作废")
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            continue
        return locked, code, False
    raise ServiceUnavailable("提交暂时失败，请稍后重试", code="submit_retry")


def _screen_later(report, user):
    """Queue WeChat's text check (WECHAT_TEXT_CHECK) to run after the answer: it flags, never blocks or drops."""
    from app.jobs import after_response
    from app.wechat.client import configured

    if not current_app.config.get("WECHAT_TEXT_CHECK", False) or not configured():
        return
    identities = getattr(user, "identities", None) or []
    after_response("app.reports.service:screen_report", report.id, identities[0].openid if identities else None)


def screen_report(report_id, openid=None):
    """Run msgSecCheck on a stored report and flag it for staff when WeChat calls it risky; failures are logged."""
    from app.wechat.service import text_is_risky

    report = db.session.get(Report, report_id)
    if report is None:
        return False
    try:
        risky = bool(text_is_risky(report.content, openid))
    except Exception as err:  # noqa: BLE001 - screening is best effort, never a reason to lose a report
        log.warning("text screening of report %s failed: %s", report_id, err)
        return False
    if risky:
        report.flagged, report.flag_reason = True, FLAG_REASON
        db.session.commit()
    return risky


def _kick_dispatcher(report):
    """Ask the dispatcher to send queued notifications (RQ job, or inline in development); never fails a submit."""
    if report.reporter_user_id is None:
        return
    from app.notify.service import kick

    kick()
