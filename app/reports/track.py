"""Following a report up: by receipt code, sent in a request body only (every reporter gets one; hard rate limits
that fail closed), or as its logged-in reporter (GET /me/reports)."""

import sqlalchemy as sa
from flask import current_app

from app.core.pagination import keyset_page
from app.core.ratelimit import hit_limits
from app.core.secret_lookup import SecretKind, find_by_secret
from app.errors import Conflict
from app.extensions import db
from app.reports.models import Report
from app.reports.receipts import hash_receipt, normalize_receipt, receipt_hashes
from app.reports.timeline import add_event
from app.reports.topics import CLOSED_STATUSES

DEFAULT_LOOKUP_LIMIT = "10 per hour;30 per day"
DEFAULT_MESSAGE_LIMIT = "10 per hour;30 per day"
DEFAULT_MISS_ALERT = "200 per hour"
LIMIT_MESSAGE = "查询过于频繁，请稍后再试"
RECEIPT = SecretKind(
    scope="receipt_lookup", miss_scope="receipt_miss", label="receipt",
    limit_setting="RECEIPT_LOOKUP_LIMIT", default_limit=DEFAULT_LOOKUP_LIMIT,
    miss_setting="RECEIPT_MISS_ALERT", default_miss=DEFAULT_MISS_ALERT,
    invalid_message="回执码应为 16 位数字", invalid_code="invalid_receipt",
    not_found_message="未找到该回执码对应的反映，请核对后重试", not_found_code="receipt_not_found",
    limit_message=LIMIT_MESSAGE,
)


def configured_peppers():
    """RECEIPT_PEPPERS as bytes, newest first; refuses to run without one."""
    raw = current_app.config.get("RECEIPT_PEPPERS") or ""
    peppers = [p.strip().encode("utf-8") for p in raw.split(",") if p.strip()]
    if not peppers:
        raise RuntimeError("RECEIPT_PEPPERS is not configured")
    return peppers


def _report_of(digits):
    """The report stored under any configured pepper; one found under an older pepper moves to the newest."""
    peppers = configured_peppers()
    hashes = receipt_hashes(digits, peppers)
    report = db.session.scalar(sa.select(Report).where(Report.receipt_hash.in_(hashes)))
    if report is not None and report.receipt_hash != hashes[0]:
        report.receipt_hash = hash_receipt(digits, peppers[0])
        db.session.commit()
    return report


def find_by_receipt(code, client_key):
    """The report of a receipt code (from a request body), counted against the per-address limit first."""
    return find_by_secret(RECEIPT, code, client_key, normalize=normalize_receipt, find=_report_of)


def track(code, client_key):
    """Status and public timeline of the report a receipt code opens."""
    return find_by_receipt(code, client_key)


def limit_reporter_writes(report, scope, message="留言过于频繁，请稍后再试"):
    """Count one write (message, dispute) by a receipt-code holder against RECEIPT_MESSAGE_LIMIT per report."""
    hit_limits(current_app.config.get("RECEIPT_MESSAGE_LIMIT") or DEFAULT_MESSAGE_LIMIT, scope,
               report.receipt_hash, fail_closed=True, message=message)


def reply(code, content, client_key):
    """The reporter writes back (补充情况) to the report a receipt code opens."""
    return reply_to(find_by_receipt(code, client_key), content)


def reply_to(report, content):
    """A public reporter_message event on a report already opened by its receipt code (staff see it in the queue)."""
    limit_reporter_writes(report, "receipt_message")
    if report.status in CLOSED_STATUSES:
        raise Conflict("该反映已办理完毕，不能再留言；如有新情况请重新提交反映", code="report_closed")
    add_event(report, "reporter_message", note=content, visibility="public", actor_label="反映人")
    db.session.commit()
    return report


def my_reports(user, limit, cursor):
    """The caller's own (real-name) reports, newest first; anonymous ones are never linked to an account."""
    stmt = sa.select(Report).where(Report.reporter_user_id == user.id)
    return keyset_page(db.session, stmt, [(Report.id, True)], limit, cursor)
