"""Idempotent retries (also concurrent, on PostgreSQL), submission rate limits, WeChat text screening."""

import threading

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.reports.models import Report
from tests.conftest import PG, error_of
from tests.reports.conftest import body, real_name, submit

pytestmark = pytest.mark.usefixtures("county")


def _count(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Report))


def _tracks(client, code):
    return client.post("/api/v1/reports/track", json={"receipt_code": code}).status_code == 200


def test_a_retry_returns_the_original_report_with_a_fresh_receipt_code(app, client):
    first = submit(client, key="retry-1")
    assert first.status_code == 201 and first.get_json()["receipt_code"]
    again = submit(client, key="retry-1")
    assert again.status_code == 200
    answer = again.get_json()
    assert answer["tracking_no"] == first.get_json()["tracking_no"]
    assert answer["replayed"] is True and answer["receipt_code_shown"] is True
    # the first answer may have been lost on the way: the retry's code works, the old one no longer does
    assert answer["receipt_code"] != first.get_json()["receipt_code"]
    assert _tracks(client, answer["receipt_code"]) and not _tracks(client, first.get_json()["receipt_code"])
    assert _count(app) == 1


def test_a_real_name_retry_gets_a_fresh_receipt_code(app, client, make_user, token_for):
    headers = token_for(make_user())
    first = submit(client, real_name(), headers, key="rn").get_json()
    again = submit(client, real_name(), headers, key="rn").get_json()
    assert again["replayed"] is True and again["receipt_code_shown"] is True
    assert again["receipt_code"] != first["receipt_code"] and again["tracking_no"] == first["tracking_no"]


def test_the_same_key_with_another_body_is_a_conflict(app, client):
    assert submit(client, key="retry-2").status_code == 201
    response = submit(client, body(content="这是另外一件完全不同的事情，请处理。"), key="retry-2")
    assert response.status_code == 409 and error_of(response)["code"] == "idempotency_key_reused"
    assert _count(app) == 1


def test_an_overlong_key_is_refused(app, client):
    response = submit(client, key="k" * 81)
    assert response.status_code == 400 and error_of(response)["code"] == "invalid_idempotency_key"
    assert _count(app) == 0


def test_keys_are_scoped_per_account_and_per_address(app, client, make_user, token_for):
    alice, bob = token_for(make_user()), token_for(make_user())
    assert submit(client, real_name(), alice, key="k").status_code == 201
    assert submit(client, real_name(), bob, key="k").status_code == 201
    assert submit(client, real_name(), alice, key="k").status_code == 200
    assert submit(client, key="k", environ_base={"REMOTE_ADDR": "10.1.1.1"}).status_code == 201
    assert submit(client, key="k", environ_base={"REMOTE_ADDR": "10.1.1.2"}).status_code == 201
    assert submit(client, key="k", environ_base={"REMOTE_ADDR": "10.1.1.1"}).status_code == 200
    assert _count(app) == 4
    with app.app_context():
        scopes = set(db.session.scalars(sa.select(Report.idempotency_scope)))
    assert not any("10.1.1" in s for s in scopes)  # an anonymous scope never stores the address itself


def test_an_anonymous_retry_by_a_logged_in_user_is_not_linked_to_his_account(app, client, make_user, token_for):
    user_id = make_user()
    assert submit(client, body(), token_for(user_id), key="anon").status_code == 201
    with app.app_context():
        report = db.session.scalar(sa.select(Report))
        assert report.reporter_user_id is None and str(user_id) not in report.idempotency_scope.split(":", 1)[0]
        assert report.idempotency_scope.startswith("a:")


@pytest.mark.skipif(not PG, reason="concurrent retries need PostgreSQL")
def test_concurrent_retries_make_one_report(app):
    barrier = threading.Barrier(8)
    results = []

    def worker():
        client = app.test_client()
        barrier.wait()
        response = submit(client, key="storm-1")
        results.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(status for status, _ in results)
    assert statuses.count(201) == 1 and statuses.count(200) == 7, results
    assert len({answer["tracking_no"] for _, answer in results}) == 1
    codes = [answer["receipt_code"] for _, answer in results]
    assert all(codes) and len(set(codes)) == 8
    # replays are serialized on the report row: exactly the last code handed out works
    assert sum(1 for code in codes if _tracks(app.test_client(), code)) == 1
    assert _count(app) == 1


def test_submission_limits_per_address_and_per_account(make_app, make_user, token_for):
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", REPORT_LIMIT_ADDRESS="3 per hour",
                       REPORT_LIMIT_ACCOUNT="1 per hour").test_client()
    headers = token_for(make_user())
    assert submit(limited, real_name(), headers).status_code == 201
    by_account = submit(limited, real_name(), headers)
    assert by_account.status_code == 429 and int(by_account.headers["Retry-After"]) > 0
    assert "频繁" in error_of(by_account)["message"]
    assert submit(limited).status_code == 201  # the address still has room (the account hit counted it too)
    by_address = submit(limited)
    assert by_address.status_code == 429 and by_address.headers["Retry-After"]
    assert submit(limited, environ_base={"REMOTE_ADDR": "10.2.2.2"}).status_code == 201


def test_staff_entering_letters_are_not_throttled(make_app, make_user, token_for):
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", REPORT_LIMIT_ADDRESS="1 per hour",
                       REPORT_LIMIT_ACCOUNT="1 per hour").test_client()
    inspector = token_for(make_user(("inspector", "420323000000")))
    assert {submit(limited, body(channel="letter"), inspector).status_code for _ in range(3)} == {201}


def _screening_app(make_app, fake_wechat, **extra):
    from tests.fake_wechat import APPID, SECRET

    return make_app(WECHAT_APPID=APPID, WECHAT_SECRET=SECRET, WECHAT_API_BASE=fake_wechat.base_url,
                    WECHAT_TIMEOUT=1, WECHAT_TEXT_CHECK=True, **extra)


def test_risky_text_is_flagged_not_dropped(make_app, fake_wechat):
    screening = _screening_app(make_app, fake_wechat)
    client = screening.test_client()
    risky = submit(client, body(content="这是一段违规测试文字，用于检测。"))
    assert risky.status_code == 201
    # the reporter's answer comes first: WeChat is asked only once the response has been sent
    assert fake_wechat.calls_to("/wxa/msg_sec_check") == []
    risky.close()  # what the WSGI server does after sending it
    clean = submit(client, body())
    clean.close()
    assert clean.status_code == 201
    with screening.app_context():
        flags = {r.tracking_no: (r.flagged, r.flag_reason) for r in db.session.scalars(sa.select(Report))}
    assert flags[risky.get_json()["tracking_no"]][0] is True and flags[risky.get_json()["tracking_no"]][1]
    assert flags[clean.get_json()["tracking_no"]] == (False, None)
    assert len(fake_wechat.calls_to("/wxa/msg_sec_check")) == 2


def test_wechat_failure_or_hang_never_blocks_a_submission(make_app, fake_wechat):
    screening = _screening_app(make_app, fake_wechat)
    client = screening.test_client()
    fake_wechat.fail("/wxa/msg_sec_check", 500, {"errcode": -1, "errmsg": "system busy"})
    for content in ("违规测试：服务器出错时也要收下。", "违规测试：微信繁忙时也要收下。"):
        answer = submit(client, body(content=content))
        assert answer.status_code == 201
        answer.close()
    fake_wechat.hang_seconds = 1.5
    checks = len(fake_wechat.calls_to("/wxa/msg_sec_check"))
    hanging = submit(client, body(content="违规测试：微信无响应时也要收下。"))
    assert hanging.status_code == 201 and len(fake_wechat.calls_to("/wxa/msg_sec_check")) == checks
    hanging.close()  # the check times out after the answer was sent: nothing is lost, nothing flagged
    with screening.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(Report.flagged.is_(True))) == 0
        assert _count(screening) == 3


def test_screening_is_off_by_default(make_app, fake_wechat):
    from tests.fake_wechat import APPID, SECRET

    quiet = make_app(WECHAT_APPID=APPID, WECHAT_SECRET=SECRET, WECHAT_API_BASE=fake_wechat.base_url)
    assert submit(quiet.test_client(), body(content="违规测试，但未开启检测。")).status_code == 201
    assert fake_wechat.calls_to("/wxa/msg_sec_check") == []


def test_old_retry_keys_are_forgotten(app, client):
    from datetime import timedelta

    from app.core.timeutil import utcnow

    assert submit(client, key="old").status_code == 201
    assert submit(client, body(content="另一件事情也需要反映一下。"), key="new").status_code == 201
    with app.app_context():
        old = db.session.scalar(sa.select(Report).where(Report.idempotency_key == "old"))
        old.received_at = utcnow() - timedelta(hours=72)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["reports", "forget-retry-keys", "--hours", "48"])
    assert result.exit_code == 0 and "1" in result.output
    with app.app_context():
        assert set(db.session.scalars(sa.select(Report.idempotency_key))) == {None, "new"}
