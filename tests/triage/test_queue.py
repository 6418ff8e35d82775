"""The queue: filters, keyset pages, deadlines in SQL equal deadlines in Python, bad input."""

from datetime import timedelta

from app.core.timeutil import start_of_day_utc, today_cst
from app.extensions import db
from tests.conftest import error_of
from tests.triage.factories import BAOFENG, LONGJING, LUOJIAPO, make_report, triage_world_fixture  # noqa: F401  (fixture)

URL = "/api/v1/triage/reports"


def _items(client, headers, **params):
    resp = client.get(URL, headers=headers, query_string=params)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()["items"]


def test_filters_and_item_fields(app, client, triage_world):
    h = triage_world["h"]
    with app.app_context():
        tip = make_report(content="低保名额被村主任亲戚占用，100%属实")
        question = make_report(kind="question", topic="医疗", content="合作医疗报销比例是多少")
        far = make_report(LUOJIAPO, kind="suggestion", topic="道路", content="希望硬化通组公路")
    county = h["county"]
    assert [i["id"] for i in _items(client, county)] == [far, question, tip]
    assert [i["id"] for i in _items(client, county, kind="question")] == [question]
    assert [i["id"] for i in _items(client, county, topic="道路")] == [far]
    assert [i["id"] for i in _items(client, county, village=LUOJIAPO)] == [far]
    assert [i["id"] for i in _items(client, county, township=BAOFENG)] == [question, tip]
    assert [i["id"] for i in _items(client, county, q="亲戚")] == [tip]
    assert [i["id"] for i in _items(client, county, q="100%")] == [tip]
    assert _items(client, county, q="1%属") == []  # % is literal, not a wildcard
    assert [i["id"] for i in _items(client, county, status="received,accepted")] == [far, question, tip]
    assert _items(client, county, status="accepted") == []
    item = _items(client, county, kind="tipoff")[0]
    assert item["kind_label"] == "检举控告" and item["status_label"] == "待受理"
    assert item["village_name"] and item["township_name"] and item["stage"] == "accept"
    assert item["due_status"] == "ok" and item["overdue"] is False and item["remaining_workdays"] >= 10
    assert "张三丰" not in str(item) and "reporter_name" not in item


def test_bad_queue_input_is_a_clear_400(client, triage_world):
    h = triage_world["h"]["county"]
    for params, field in (({"status": "bogus"}, "status"), ({"village": "123"}, "village"),
                          ({"kind": "x"}, "kind"), ({"limit": "0"}, "limit"), ({"overdue": "maybe"}, "overdue")):
        err = error_of(client.get(URL, headers=h, query_string=params))
        assert err["code"] == "validation_error" and field in err["fields"], params
    assert error_of(client.get(URL, headers=h, query_string={"cursor": "!!"}))["code"] == "invalid_cursor"


def test_keyset_pages_cover_everything_once(app, client, triage_world):
    with app.app_context():
        ids = [make_report(kind="question") for _ in range(5)]
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get(URL, headers=triage_world["h"]["county"], query_string=params).get_json()
        seen += [i["id"] for i in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(ids, reverse=True)


def test_overdue_and_due_soon_in_sql_match_python(make_app, client, triage_world):
    """Reports received on each of the last 45 days: the SQL filters agree with each item's own flags."""
    custom = make_app(TRIAGE_ACCEPT_DAYS=12, TRIAGE_ACCEPT_NOTICE_DAYS=8)
    today = today_cst()
    with custom.app_context():
        for back in range(45):
            at = start_of_day_utc(today - timedelta(days=back)) + timedelta(hours=10)
            make_report(kind="question", anonymous=bool(back % 2), received_at=at)
    api = custom.test_client()
    h = triage_world["h"]["county"]
    everything = _items(api, h, limit=100)
    assert len(everything) == 45
    overdue = {i["id"] for i in everything if i["overdue"]}
    soon = {i["id"] for i in everything if i["due_soon"]}
    assert overdue and soon and len(overdue | soon) < 45
    assert {i["id"] for i in _items(api, h, limit=100, overdue="1")} == overdue
    assert {i["id"] for i in _items(api, h, limit=100, due_soon="true")} == soon
    # a named report on the same day is due earlier than an anonymous one (8 < 12 working days)
    named = [i for i in everything if not i["anonymous"]]
    anonymous = [i for i in everything if i["anonymous"]]
    assert min(i["remaining_workdays"] for i in named) < min(i["remaining_workdays"] for i in anonymous)


def test_stored_deadlines_of_assignments_filter_too(app, client, triage_world):
    h = triage_world["h"]["county"]
    with app.app_context():
        soon, later = make_report(kind="question"), make_report(kind="question")
    for rid, days in ((soon, 1), (later, 40)):
        client.post(f"{URL}/{rid}/accept", headers=h, json={})
        due = (today_cst() + timedelta(days=days)).isoformat()
        resp = client.post(f"{URL}/{rid}/assign", headers=h, json={"unit_id": triage_world["agri"], "due_date": due})
        assert resp.status_code == 200
    assert [i["id"] for i in _items(client, h, due_soon="1")] == [soon]
    assert _items(client, h, overdue="1") == []
    with app.app_context():
        from app.triage.models import ReportDeadline

        row = db.session.get(ReportDeadline, later)
        row.due_on = today_cst() - timedelta(days=1)  # as if the due date had passed
        db.session.commit()
    item = _items(client, h, overdue="1")
    assert [i["id"] for i in item] == [later] and item[0]["due_status_label"] == "已超期"


def test_similar_reports_best_first_within_what_the_user_sees(app, client, triage_world):
    h = triage_world["h"]
    with app.app_context():
        base = make_report(content="村主任把低保名额给了自己的亲戚，请调查")
        dup = make_report(content="村委会主任优亲厚友，低保名额给了他亲戚")
        near = make_report(content="村主任把低保名额给了自己的亲戚")
        make_report(kind="question", topic="医疗", content="合作医疗报销比例是多少")
        elsewhere = make_report(LUOJIAPO, content="村主任把低保名额给了自己的亲戚，请调查")
    resp = client.get(f"{URL}/{base}/similar", headers=h["county"])
    assert resp.status_code == 200
    found = resp.get_json()
    assert [f["report"]["id"] for f in found] == [near, elsewhere, dup]  # the unrelated question is not listed
    assert found[0]["reasons"][0].startswith("文本相似度") and "同一村" in found[0]["reasons"]
    assert [f["score"] for f in found] == sorted((f["score"] for f in found), reverse=True)
    township = client.get(f"{URL}/{base}/similar", headers=h["township"]).get_json()
    assert elsewhere not in [f["report"]["id"] for f in township]
    assert client.get(f"{URL}/{elsewhere}/similar", headers=h["township"]).status_code == 404
    assert client.get(f"{URL}/{base}/similar", headers=h["publisher"]).status_code == 403
