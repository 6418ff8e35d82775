"""Receipt codes travel in a POST body only: the old URL forms answer 410 without a lookup; every reporter (real-name
too) follows, writes back to and disputes his report by receipt code."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.reports.models import Report
from tests.conftest import error_of
from tests.reports.conftest import body, real_name, submit

pytestmark = pytest.mark.usefixtures("county")
ZHUSHAN = "420323000000"


def track(client, code, **kwargs):
    """POST /reports/track."""
    return client.post("/api/v1/reports/track", json={"receipt_code": code}, **kwargs)


def dispute(client, code, reason, **kwargs):
    """POST /reports/track/dispute."""
    return client.post("/api/v1/reports/track/dispute", json={"receipt_code": code, "reason": reason}, **kwargs)


def _concluded(app, client, as_role, data=None):
    """A question filed, accepted and concluded through the triage API; returns (tracking_no, receipt_code)."""
    filed = submit(client, data or body(kind="question")).get_json()
    inspector = as_role("inspector", ZHUSHAN)
    report_id = _report(app, filed["tracking_no"])[0]
    for action, payload in (("accept", {}), ("conclude", {"result": "经核实，已按规定答复。"})):
        answer = client.post(f"/api/v1/triage/reports/{report_id}/{action}", json=payload, headers=inspector)
        assert answer.status_code == 200, answer.get_json()
    return filed["tracking_no"], filed["receipt_code"]


def _report(app, tracking_no):
    """The stored report of a tracking number (detached: read its columns only)."""
    with app.app_context():
        report = db.session.scalar(sa.select(Report).where(Report.tracking_no == tracking_no))
        return report.id, report.status, [e.action for e in report.timeline]


def test_old_get_path_is_gone_and_never_looks_the_code_up(make_app, client):
    code = submit(client).get_json()["receipt_code"].replace(" ", "")
    # limiter storage down: a lookup would answer 503 (fail closed); the old path answers 410 before any of it
    broken = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0").test_client()
    for c in (broken, client):
        gone = c.get(f"/api/v1/reports/track/{code}")
        assert gone.status_code == 410, gone.get_json()
        error = error_of(gone)
        assert error["code"] == "moved_to_post" and "查询码" in error["message"]
        assert code not in gone.get_data(as_text=True)
    assert client.get("/api/v1/reports/track/0000000000000000").status_code == 410  # the same for any code


def test_old_message_path_is_gone_and_writes_nothing(app, client):
    filed = submit(client).get_json()
    code = filed["receipt_code"].replace(" ", "")
    gone = client.post(f"/api/v1/reports/track/{code}/messages", json={"content": "补充：还有一件事。"})
    assert gone.status_code == 410 and error_of(gone)["code"] == "moved_to_post"
    assert _report(app, filed["tracking_no"])[2] == ["submitted"]


def test_the_code_must_be_in_the_body(client):
    missing = client.post("/api/v1/reports/track", json={})
    assert missing.status_code == 400 and "receipt_code" in error_of(missing)["fields"]
    as_query = client.post("/api/v1/reports/track?receipt_code=1234567812345678", json={})
    assert as_query.status_code == 400
    wrong_type = client.post("/api/v1/reports/track", json={"receipt_code": 1234567812345678})
    assert wrong_type.status_code == 400 and "receipt_code" in error_of(wrong_type)["fields"]


def test_a_real_name_reporter_follows_his_report_by_receipt_code(client, make_user, token_for):
    me = token_for(make_user())
    filed = submit(client, real_name(), me).get_json()
    assert filed["receipt_code_shown"] is True and len(filed["receipt_code"].replace(" ", "")) == 16
    answer = track(client, filed["receipt_code"])
    assert answer.status_code == 200 and answer.get_json()["tracking_no"] == filed["tracking_no"]
    assert answer.get_json()["can_dispute"] is False and answer.get_json()["can_reply"] is True
    text = answer.get_data(as_text=True)
    assert "陈德明" not in text and "13907191234" not in text
    wrote = client.post("/api/v1/reports/track/messages",
                        json={"receipt_code": filed["receipt_code"], "content": "补充：相关照片已交村监委会。"})
    assert wrote.status_code == 201 and wrote.get_json()["timeline"][-1]["action"] == "reporter_message"


def test_the_reporter_disputes_a_conclusion(app, client, as_role):
    tracking_no, code = _concluded(app, client, as_role)
    shown = track(client, code).get_json()
    assert shown["status"] == "concluded" and shown["can_dispute"] is True
    empty = dispute(client, code, "   ")
    assert empty.status_code == 400 and "reason" in error_of(empty)["fields"]
    answer = dispute(client, code, "答复与事实不符：低保户名单仍未公示。")
    assert answer.status_code == 201, answer.get_json()
    view = answer.get_json()
    assert view["status"] == "reopened" and view["can_dispute"] is False
    last = view["timeline"][-1]
    assert last["action"] == "reopen" and last["note"].startswith("答复与事实不符") and last["actor_label"] == "举报人"
    again = dispute(client, code, "仍有异议")
    assert again.status_code == 409 and error_of(again)["code"] == "not_concluded"
    assert _report(app, tracking_no)[1] == "reopened"


def test_a_dispute_needs_a_concluded_report_within_the_window(app, client, as_role):
    filed = submit(client).get_json()
    early = dispute(client, filed["receipt_code"], "还没办就有异议")
    assert early.status_code == 409 and error_of(early)["code"] == "not_concluded"
    assert "办结" in error_of(early)["message"]
    later = body(kind="question", content="垃圾清运点设置不合理，请调整。")
    tracking_no, code = _concluded(app, client, as_role, later)
    with app.app_context():
        report = db.session.get(Report, _report(app, tracking_no)[0])
        report.status_changed_at -= timedelta(days=31)
        db.session.commit()
    assert track(client, code).get_json()["can_dispute"] is False
    late = dispute(client, code, "结果不对")
    assert late.status_code == 409 and error_of(late)["code"] == "dispute_window_closed"
    unknown = dispute(client, "1234567812345678", "结果不对")
    assert unknown.status_code == 404 and error_of(unknown)["code"] == "receipt_not_found"


def test_disputes_share_the_lookup_limit(make_app, client):
    code = submit(client).get_json()["receipt_code"]
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                       RECEIPT_LOOKUP_LIMIT="2 per hour").test_client()
    statuses = [dispute(limited, c, "有异议").status_code for c in ("1111222233334444", code, code)]
    assert statuses == [404, 409, 429]


def test_openapi_declares_the_post_operations_and_the_gone_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/reports/track", "/api/v1/reports/track/messages", "/api/v1/reports/track/dispute"):
        operation = paths[path]["post"]
        assert "requestBody" in operation and "429" in operation["responses"], path
    assert "410" in paths["/api/v1/reports/track/{code}"]["get"]["responses"]
    assert "410" in paths["/api/v1/reports/track/{code}/messages"]["post"]["responses"]
