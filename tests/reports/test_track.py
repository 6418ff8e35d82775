"""Follow-up: the receipt code (in a POST body) opens status and public timeline under hard limits; /me/reports."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.reports.models import Report
from app.reports.receipts import hash_receipt
from app.reports.timeline import add_event
from tests.conftest import error_of
from tests.reports.conftest import body, real_name, submit

pytestmark = pytest.mark.usefixtures("county")


def track(client, code, **kwargs):
    """POST /reports/track with the code in the body."""
    return client.post("/api/v1/reports/track", json={"receipt_code": code}, **kwargs)


def write_back(client, code, content, **kwargs):
    """POST /reports/track/messages."""
    return client.post("/api/v1/reports/track/messages", json={"receipt_code": code, "content": content}, **kwargs)


def _filed(client, **changes):
    answer = submit(client, body(**changes)).get_json()
    return answer["tracking_no"], answer["receipt_code"]


def _add_event(app, tracking_no, action, visibility, note, status=None):
    with app.app_context():
        report = db.session.scalar(sa.select(Report).where(Report.tracking_no == tracking_no))
        if status:
            report.status = status
        add_event(report, action, visibility=visibility, note=note, actor_label="县纪委监委", to_status=status)
        db.session.commit()


def test_the_code_shows_status_and_public_timeline_only(app, client):
    tracking_no, code = _filed(client)
    _add_event(app, tracking_no, "note", "internal", "内部：疑似与另一件重复")
    _add_event(app, tracking_no, "accept", "public", "已受理，将在规定时限内办理", status="accepted")
    for typed in (code, code.replace(" ", ""), code.replace(" ", "-"), "".join(chr(ord(c) + 0xFEE0) if c.isdigit()
                                                                                else c for c in code)):
        response = track(client, typed)
        assert response.status_code == 200, typed
    answer = response.get_json()
    assert answer["tracking_no"] == tracking_no and answer["status"] == "accepted"
    assert answer["status_label"] == "已受理" and answer["kind_label"] == "检举控告" and answer["can_reply"] is True
    assert [e["action"] for e in answer["timeline"]] == ["submitted", "accept"]
    assert answer["timeline"][1]["actor_label"] == "县纪委监委" and answer["timeline"][1]["action_label"] == "受理"
    text = response.get_data(as_text=True)
    assert "内部" not in text and "content" not in answer and "低保" not in text


def test_unknown_and_malformed_codes(client):
    unknown = track(client, "1234567812345678")
    assert unknown.status_code == 404 and error_of(unknown)["code"] == "receipt_not_found"
    assert "回执码" in error_of(unknown)["message"]
    malformed = track(client, "12345")
    assert malformed.status_code == 400 and error_of(malformed)["code"] == "invalid_receipt"


def test_lookups_are_limited_per_address(make_app, client):
    _, code = _filed(client)
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                       RECEIPT_LOOKUP_LIMIT="3 per hour").test_client()
    statuses = [track(limited, c).status_code
                for c in ("1111222233334444", "1111222233334445", code)]
    assert statuses == [404, 404, 200]
    blocked = track(limited, code)  # even the right code, once the address is over
    assert blocked.status_code == 429 and 0 < int(blocked.headers["Retry-After"]) <= 3600
    assert error_of(blocked)["code"] == "rate_limited" and "频繁" in error_of(blocked)["message"]
    other = track(limited, code, environ_base={"REMOTE_ADDR": "10.3.3.3"})
    assert other.status_code == 200


def test_lookups_fail_closed_when_the_limiter_storage_is_down(make_app, client):
    _, code = _filed(client)
    broken = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0").test_client()
    response = track(broken, code)
    assert response.status_code == 503 and error_of(response)["code"] == "rate_limit_unavailable"
    assert response.headers["Retry-After"]
    reply = write_back(broken, code, "补充情况")
    assert reply.status_code == 503


def test_a_code_hashed_under_an_old_pepper_still_opens_and_is_rehashed(app, make_app):
    old_client = make_app(RECEIPT_PEPPERS="old-pepper-0123456789abcdef").test_client()
    tracking_no, code = _filed(old_client)
    rotated = make_app(RECEIPT_PEPPERS="new-pepper-0123456789abcdef,old-pepper-0123456789abcdef")
    assert track(rotated.test_client(), code).status_code == 200
    with app.app_context():
        stored = db.session.scalar(sa.select(Report.receipt_hash).where(Report.tracking_no == tracking_no))
    assert stored == hash_receipt(code, b"new-pepper-0123456789abcdef")


def test_the_anonymous_reporter_writes_back(app, client):
    tracking_no, code = _filed(client)
    response = write_back(client, code, "补充：评上的是村主任的亲戚。")
    assert response.status_code == 201, response.get_json()
    timeline = response.get_json()["timeline"]
    assert timeline[-1]["action"] == "reporter_message" and timeline[-1]["note"].startswith("补充")
    assert timeline[-1]["actor_label"] == "反映人"
    with app.app_context():
        report = db.session.scalar(sa.select(Report).where(Report.tracking_no == tracking_no))
        assert report.timeline[-1].visibility == "public" and report.timeline[-1].actor_id is None


def test_bad_messages(app, client):
    tracking_no, code = _filed(client)
    empty = write_back(client, code, "  ")
    assert empty.status_code == 400 and "content" in error_of(empty)["fields"]
    unknown = write_back(client, "1234567812345678", "你好")
    assert unknown.status_code == 404
    _add_event(app, tracking_no, "close", "public", "已归档", status="closed")
    closed = write_back(client, code, "还有问题")
    assert closed.status_code == 409 and error_of(closed)["code"] == "report_closed"


def test_messages_are_limited_per_code(make_app, client):
    _, code = _filed(client)
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", RECEIPT_MESSAGE_LIMIT="2 per day")
    statuses = [write_back(limited.test_client(), code, "补充",
                                           environ_base={"REMOTE_ADDR": f"10.4.4.{i}"}).status_code for i in range(3)]
    assert statuses == [201, 201, 429]


def test_my_reports_lists_only_my_real_name_reports(app, client, make_user, token_for):
    me, other = token_for(make_user()), token_for(make_user())
    mine = [submit(client, real_name(content=f"第{i}件事情需要反映一下情况。"), me).get_json()["tracking_no"]
            for i in range(3)]
    submit(client, body(), me)  # anonymous: never linked to the account
    submit(client, real_name(), other)
    _add_event(app, mine[0], "note", "internal", "内部备注")
    first = client.get("/api/v1/me/reports?limit=2", headers=me)
    assert first.status_code == 200
    page = first.get_json()
    assert [r["tracking_no"] for r in page["items"]] == [mine[2], mine[1]] and page["next_cursor"]
    second = client.get(f"/api/v1/me/reports?limit=2&cursor={page['next_cursor']}", headers=me).get_json()
    assert [r["tracking_no"] for r in second["items"]] == [mine[0]] and second["next_cursor"] is None
    item = second["items"][0]
    assert item["content"].startswith("第0件") and [e["action"] for e in item["timeline"]] == ["submitted"]
    assert "reporter_name" not in item and "receipt_hash" not in item


def test_my_reports_needs_a_login_and_a_sane_query(client, make_user, token_for):
    assert client.get("/api/v1/me/reports").status_code == 401
    assert client.get("/api/v1/me/reports", headers={"Authorization": "Bearer " + "x" * 40}).status_code == 401
    me = token_for(make_user())
    too_many = client.get("/api/v1/me/reports?limit=1000", headers=me)
    assert too_many.status_code == 400 and "limit" in error_of(too_many)["fields"]
    forged = client.get("/api/v1/me/reports?cursor=WyJ4Il0", headers=me)
    assert forged.status_code == 400 and error_of(forged)["code"] == "invalid_cursor"
