"""The outbox dispatcher against the fake WeChat server: retries with backoff, 43101 final, never twice."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.timeutil import utcnow
from app.extensions import db
from app.notify.dispatcher import backoff_seconds, dispatch_pending, template_data
from app.notify.models import OutboxMessage
from tests.conftest import PG
from tests.fake_wechat import APPID, SECRET
from tests.reports.conftest import real_name, submit

SEND = "/cgi-bin/message/subscribe/send"
OPENID = "o-reporter-000000000000000001"


@pytest.fixture
def notify_app(make_app, app, fake_wechat):
    """An app that sends report updates through the fake WeChat server; jobs queued, not inline, so tests
    decide when the dispatcher runs."""
    return make_app(WECHAT_APPID=APPID, WECHAT_SECRET=SECRET, WECHAT_API_BASE=fake_wechat.base_url,
                    WECHAT_TIMEOUT=1, WECHAT_TEMPLATE_REPORT_UPDATE="TPL-REPORT-UPDATE")


def _queue(app, user_id, count=1):
    """Outbox rows as the reports domain writes them."""
    with app.app_context():
        for i in range(count):
            db.session.add(OutboxMessage(dedupe_key=f"report_event:{user_id}-{i}", user_id=user_id,
                                         kind="report_update",
                                         payload={"tracking_no": f"JB20260301-00000{i}", "status": "accepted",
                                                  "status_label": "已受理", "action": "accept", "note": "已受理",
                                                  "at": "2026-03-01T02:00:00+00:00"}))
        db.session.commit()


def _dispatch(app, **kwargs):
    with app.app_context():
        return dispatch_pending(**kwargs)


def _rows(app):
    with app.app_context():
        rows = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return rows


def test_a_message_is_sent_once(notify_app, fake_wechat, make_user):
    _queue(notify_app, make_user(openid=OPENID))
    assert _dispatch(notify_app) == {"sent": 1}
    assert _dispatch(notify_app) == {}
    calls = fake_wechat.calls_to(SEND)
    assert len(calls) == 1
    assert calls[0]["body"]["touser"] == OPENID and calls[0]["body"]["template_id"] == "TPL-REPORT-UPDATE"
    assert calls[0]["body"]["data"]["phrase2"] == {"value": "已受理"}
    row = _rows(notify_app)[0]
    assert row.status == "sent" and row.sent_at is not None and row.attempts == 1


def test_failures_are_retried_with_backoff_until_sent(notify_app, fake_wechat, make_user):
    _queue(notify_app, make_user(openid=OPENID))
    fake_wechat.fail(SEND, 500, {"errcode": -1, "errmsg": "system busy"})
    start = utcnow()
    assert _dispatch(notify_app, now=start) == {"retry": 1}
    row = _rows(notify_app)[0]
    assert row.status == "pending" and row.attempts == 1 and row.last_error
    with notify_app.app_context():
        assert row.next_attempt_at >= start + timedelta(seconds=backoff_seconds(1))
    assert _dispatch(notify_app, now=start) == {}  # not due yet
    assert _dispatch(notify_app, now=start + timedelta(hours=1)) == {"retry": 1}
    assert _dispatch(notify_app, now=start + timedelta(hours=2)) == {"sent": 1}
    assert _dispatch(notify_app, now=start + timedelta(days=1)) == {}
    assert len(fake_wechat.calls_to(SEND)) == 3 and _rows(notify_app)[0].status == "sent"


def test_backoff_grows_and_is_capped(app):
    with app.app_context():
        delays = [backoff_seconds(n) for n in range(1, 12)]
    assert delays[:3] == [60, 120, 240] and delays[-1] == 6 * 3600 and delays == sorted(delays)


def test_unsubscribed_is_final(notify_app, fake_wechat, make_user):
    _queue(notify_app, make_user(openid=OPENID))
    fake_wechat.unsubscribed.add(OPENID)
    assert _dispatch(notify_app) == {"unsubscribed": 1}
    assert _dispatch(notify_app, now=utcnow() + timedelta(days=30)) == {}
    row = _rows(notify_app)[0]
    assert row.status == "unsubscribed" and row.last_error.startswith("43101")
    assert len(fake_wechat.calls_to(SEND)) == 1


def test_give_up_after_max_attempts_and_on_permanent_errors(make_app, notify_app, fake_wechat, make_user):
    capped = make_app(WECHAT_APPID=APPID, WECHAT_SECRET=SECRET, WECHAT_API_BASE=fake_wechat.base_url,
                      WECHAT_TIMEOUT=1, WECHAT_TEMPLATE_REPORT_UPDATE="TPL", NOTIFY_MAX_ATTEMPTS=2)
    _queue(capped, make_user(openid=OPENID), count=2)
    fake_wechat.fail(SEND, 500, {"errcode": 47003, "errmsg": "argument invalid"}, 500)
    assert _dispatch(capped) == {"retry": 1, "failed": 1}
    assert _dispatch(capped, now=utcnow() + timedelta(hours=1)) == {"failed": 1}
    assert [r.status for r in _rows(capped)] == ["failed", "failed"]


def test_accounts_without_wechat_are_skipped(notify_app, fake_wechat, make_user):
    _queue(notify_app, make_user())
    assert _dispatch(notify_app) == {"skipped": 1}
    assert fake_wechat.calls_to(SEND) == []


def test_nothing_is_sent_or_lost_while_wechat_is_not_configured(app, make_user):
    _queue(app, make_user(openid=OPENID))
    assert _dispatch(app) == {"not_configured": 1}
    assert _rows(app)[0].status == "pending"


def test_a_dead_dispatchers_claim_expires(notify_app, fake_wechat, make_user):
    from app.notify.dispatcher import claim

    _queue(notify_app, make_user(openid=OPENID))
    with notify_app.app_context():
        assert len(claim(10, utcnow())) == 1  # claimed, then the process "dies" before sending
    assert _dispatch(notify_app) == {}
    assert _dispatch(notify_app, now=utcnow() + timedelta(minutes=11)) == {"sent": 1}
    assert len(fake_wechat.calls_to(SEND)) == 1


@pytest.mark.skipif(not PG, reason="concurrent dispatchers need PostgreSQL")
def test_concurrent_dispatchers_never_send_twice(notify_app, fake_wechat, make_user):
    _queue(notify_app, make_user(openid=OPENID), count=20)
    barrier = threading.Barrier(4)
    results = []

    def worker():
        with notify_app.app_context():
            barrier.wait()
            results.append(dispatch_pending(limit=7))
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    while _dispatch(notify_app).get("sent"):
        pass
    assert {r.status for r in _rows(notify_app)} == {"sent"}
    sent = [c["body"]["data"]["character_string1"]["value"] for c in fake_wechat.calls_to(SEND)]
    assert len(sent) == len(set(sent)) == 20


def test_a_submission_queues_and_sends_inline(notify_app, fake_wechat, make_user, token_for, county):
    user_id = make_user(openid=OPENID)
    response = submit(notify_app.test_client(), real_name(), token_for(user_id))
    assert response.status_code == 201
    # the answer is complete before WeChat is contacted: a slow WeChat never holds up the reporter
    assert fake_wechat.calls_to(SEND) == [] and _rows(notify_app)[0].status == "pending"
    response.close()  # what the WSGI server does once the response has been sent
    rows = _rows(notify_app)
    assert len(rows) == 1 and rows[0].payload["action"] == "submitted" and rows[0].status == "sent"
    assert fake_wechat.calls_to(SEND)[0]["body"]["data"]["character_string1"]["value"] == \
        response.get_json()["tracking_no"]


def test_cli_dispatch(notify_app, fake_wechat, make_user):
    _queue(notify_app, make_user(openid=OPENID))
    result = notify_app.test_cli_runner().invoke(args=["notify", "dispatch"])
    assert result.exit_code == 0 and "sent 1" in result.output


def test_template_data_respects_field_limits(app):
    with app.app_context():
        data = template_data({"tracking_no": "JB20260301-7F3K9Q", "status_label": "不予受理", "note": "很" * 40,
                              "at": "2026-03-01T02:00:00+00:00"})
    assert data["thing3"]["value"] == "很" * 20 and data["time4"]["value"] == "2026-03-01 10:00"
    assert data["phrase2"]["value"] == "不予受理"
