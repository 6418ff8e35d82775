"""Following a report up: by receipt code (anonymous, hard rate limits that fail closed) or as its logged-in
reporter (GET /me/reports)."""

import logging

import sqlalchemy as sa
from flask import current_app

from app.core.pagination import keyset_page
from app.core.ratelimit import hit_limits
from app.errors import BadRequest, Conflict, NotFound
from app.extensions import db
from app.reports.models import Report
from app.reports.receipts import hash_receipt, normalize_receipt, receipt_hashes
from app.reports.timeline import add_event
from app.reports.topics import CLOSED_STATUSES

log = logging.getLogger(__name__)
DEFAULT_LOOKUP_LIMIT = "10 per hour;30 per day"
DEFAULT_MESSAGE_LIMIT = "10 per hour;30 per day"
DEFAULT_MISS_ALERT = "200 per hour"
LIMIT_MESSAGE = "查询过于频繁，请稍后再试"


def configured_peppers():
    """RECEIPT_PEPPERS as bytes, newest first; refuses to run without one."""
    raw = current_app.config.get("RECEIPT_PEPPERS") or ""
    peppers = [p.strip().encode("utf-8") for p in raw.split(",") if p.strip()]
    if not peppers:
        raise RuntimeError("RECEIPT_PEPPERS is not configured")
    return peppers


def _limit_lookup(client_key):
    hit_limits(current_app.config.get("RECEIPT_LOOKUP_LIMIT") or DEFAULT_LOOKUP_LIMIT, "receipt_lookup",
               client_key, fail_closed=True, message=LIMIT_MESSAGE)


def find_by_receipt(code, client_key):
    """The report of a receipt code, counted against the per-address lookup limit first (fails closed)."""
    _limit_lookup(client_key)
    digits = normalize_receipt(code)
    if digits is None:
        raise BadRequest("回执码应为 16 位数字", code="invalid_receipt")
    peppers = configured_peppers()
    hashes = receipt_hashes(digits, peppers)
    report = db.session.scalar(sa.select(Report).where(Report.receipt_hash.in_(hashes)))
    if report is None:
        _note_miss()
        raise NotFound("未找到该回执码对应的反映，请核对后重试", code="receipt_not_found")
    if report.receipt_hash != hashes[0]:  # stored under an older pepper: move it to the newest
        report.receipt_hash = hash_receipt(digits, peppers[0])
        db.session.commit()
    return report


def _note_miss():
    """Count failed lookups across all addresses; past RECEIPT_MISS_ALERT log a warning for operators."""
    from app.errors import TooManyRequests

    try:
        hit_limits(current_app.config.get("RECEIPT_MISS_ALERT") or DEFAULT_MISS_ALERT, "receipt_miss", "all")
    except TooManyRequests:
        log.warning("receipt lookups: failed lookups above RECEIPT_MISS_ALERT; possible code guessing")


def track(code, client_key):
    """Status and public timeline of the report a receipt code opens."""
    return find_by_receipt(code, client_key)


def reply(code, content, client_key):
    """The anonymous reporter writes back: a public reporter_message event (staff see it in the queue)."""
    report = find_by_receipt(code, client_key)
    hit_limits(current_app.config.get("RECEIPT_MESSAGE_LIMIT") or DEFAULT_MESSAGE_LIMIT, "receipt_message",
               report.receipt_hash, fail_closed=True, message="留言过于频繁，请稍后再试")
    if report.status in CLOSED_STATUSES:
        raise Conflict("该反映已办理完毕，不能再留言；如有新情况请重新提交反映", code="report_closed")
    add_event(report, "reporter_message", note=content, visibility="public", actor_label="反映人")
    db.session.commit()
    return report


def my_reports(user, limit, cursor):
    """The caller's own (real-name) reports, newest first; anonymous ones are never linked to an account."""
    stmt = sa.select(Report).where(Report.reporter_user_id == user.id)
    return keyset_page(db.session, stmt, [(Report.id, True)], limit, cursor)
