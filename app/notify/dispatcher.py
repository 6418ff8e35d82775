"""Send queued notifications as WeChat subscribe messages: claim, send, record; retry with backoff.

Each message is claimed before it is sent (status `sending` with a lease in next_attempt_at; on PostgreSQL the
candidates are read with SELECT ... FOR UPDATE SKIP LOCKED, and every claim is a compare-and-set UPDATE), so two
dispatchers never send the same message. A dispatcher that dies mid-send leaves its claim to expire after
NOTIFY_LEASE_SECONDS; only then may the message be sent again (at-least-once in that one crash case).
"""

import logging
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.auth.models import WechatIdentity
from app.core.timeutil import to_cst, utcnow
from app.extensions import db
from app.notify.models import OutboxMessage

log = logging.getLogger(__name__)
UNSUBSCRIBED = 43101  # the user has not (or no longer) subscribed: final, never retried
PERMANENT_ERRCODES = {40003, 40037, 41030, 47003}  # bad openid, template, page or data: retrying cannot help
DEFAULT_FIELDS = "character_string1=tracking_no,phrase2=status_label,thing3=note,time4=at"
FIELD_LIMITS = {"thing": 20, "phrase": 5, "character_string": 32, "name": 10}


def _cfg(name, default):
    return current_app.config.get(name) or default


def backoff_seconds(attempts):
    """Delay before the next attempt after `attempts` failures: base·2^(n-1), capped."""
    base, cap = int(_cfg("NOTIFY_RETRY_BASE_SECONDS", 60)), int(_cfg("NOTIFY_RETRY_MAX_SECONDS", 6 * 3600))
    return min(cap, base * 2 ** max(0, attempts - 1))


def dispatch_pending(limit=100, now=None):
    """Send the messages that are due; returns counts by outcome (sent, retry, failed, unsubscribed, skipped)."""
    from app.wechat.client import configured

    if not configured() or not current_app.config.get("WECHAT_TEMPLATE_REPORT_UPDATE"):
        return {"not_configured": 1}
    now = now or utcnow()
    counts = Counter()
    for message_id, attempts in claim(limit, now):
        counts[_deliver(message_id, attempts, now)] += 1
    return dict(counts)


def claim(limit, now):
    """Mark up to `limit` due messages as `sending` under a lease; returns [(id, attempts after claiming)]."""
    lease = now + timedelta(seconds=int(_cfg("NOTIFY_LEASE_SECONDS", 600)))
    table = OutboxMessage.__table__
    due = sa.and_(table.c.status.in_(("pending", "sending")), table.c.next_attempt_at <= now)
    stmt = (sa.select(table.c.id, table.c.status, table.c.attempts).where(due)
            .order_by(table.c.next_attempt_at, table.c.id).limit(limit).with_for_update(skip_locked=True))
    claimed = []
    try:
        for row in db.session.execute(stmt).all():
            done = db.session.execute(table.update().where(
                table.c.id == row.id, table.c.status == row.status, table.c.attempts == row.attempts,
            ).values(status="sending", attempts=row.attempts + 1, next_attempt_at=lease))
            if done.rowcount == 1:
                claimed.append((row.id, row.attempts + 1))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return claimed


def _finish(message_id, attempts, **values):
    """Record an outcome, only if our claim still holds (same attempts count, still `sending`)."""
    table = OutboxMessage.__table__
    db.session.execute(table.update().where(table.c.id == message_id, table.c.status == "sending",
                                            table.c.attempts == attempts).values(**values))
    db.session.commit()


def _deliver(message_id, attempts, now):
    message = db.session.get(OutboxMessage, message_id)
    openid = db.session.scalar(sa.select(WechatIdentity.openid).where(WechatIdentity.user_id == message.user_id)
                               .order_by(WechatIdentity.id).limit(1))
    payload = dict(message.payload or {})
    db.session.commit()  # no transaction stays open while WeChat is called
    if openid is None:
        _finish(message_id, attempts, status="skipped", last_error="该用户未绑定微信")
        return "skipped"
    error = _send(openid, payload)
    if error is None:
        _finish(message_id, attempts, status="sent", sent_at=utcnow(), last_error=None)
        return "sent"
    errcode, text = error
    if errcode == UNSUBSCRIBED:
        _finish(message_id, attempts, status="unsubscribed", last_error=text)
        return "unsubscribed"
    if errcode in PERMANENT_ERRCODES or attempts >= int(_cfg("NOTIFY_MAX_ATTEMPTS", 8)):
        _finish(message_id, attempts, status="failed", last_error=text)
        return "failed"
    _finish(message_id, attempts, status="pending", last_error=text,
            next_attempt_at=now + timedelta(seconds=backoff_seconds(attempts)))
    return "retry"


def _send(openid, payload):
    """Send one subscribe message; None when WeChat accepted it, else (errcode or None, text)."""
    from app.errors import DomainError
    from app.wechat.client import WeChatError as WeChatClientException
    from app.wechat.service import send_subscribe_message

    cfg = current_app.config
    try:
        send_subscribe_message(openid, cfg["WECHAT_TEMPLATE_REPORT_UPDATE"], template_data(payload),
                               page=_cfg("WECHAT_REPORT_PAGE", "pages/reports/mine"))
    except WeChatClientException as err:
        return err.errcode, f"{err.errcode} {err.errmsg}"[:200]
    except DomainError as err:  # network failure or HTTP error: ServiceUnavailable from app.wechat
        return None, f"{err.code}: {err.message}"[:200]
    except Exception as err:  # anything else is retried, never lost
        log.exception("subscribe message failed")
        return None, f"{type(err).__name__}"[:200]
    return None


def template_data(payload):
    """The subscribe-message `data` for a report update (fields from WECHAT_TEMPLATE_REPORT_UPDATE_FIELDS)."""
    values = dict(payload)
    if values.get("at"):
        from datetime import datetime

        values["at"] = f"{to_cst(datetime.fromisoformat(values['at'])):%Y-%m-%d %H:%M}"
    values["note"] = values.get("note") or "您反映的事项有新进展"
    data = {}
    for pair in str(_cfg("WECHAT_TEMPLATE_REPORT_UPDATE_FIELDS", DEFAULT_FIELDS)).split(","):
        field, _, source = pair.strip().partition("=")
        if not field or not source:
            continue
        text = str(values.get(source.strip()) or "")
        kind = field.rstrip("0123456789")
        data[field] = {"value": text[:FIELD_LIMITS[kind]] if kind in FIELD_LIMITS else text}
    return data
