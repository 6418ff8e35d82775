"""Cases: merging keeps each report's timeline and reporter; concluding a case concludes and tells everyone."""

import sqlalchemy as sa

from app.extensions import db
from tests.conftest import error_of
from tests.triage.case_factories import (  # noqa: F401  (the casework fixture)
    LONGJING,
    LUOJIAPO,
    act,
    casework_fixture,
    make_report,
    report_of,
)


def _case(client, headers, ids, title="村道维修款使用不公开"):
    return client.post("/api/v1/triage/cases", json={"report_ids": ids, "title": title}, headers=headers)


def test_merge_keeps_each_timeline_and_tells_each_reporter(app, client, casework):
    r1 = make_report(app, reporter_user_id=casework.ids.resident, anonymous=False, reporter_name="张三")
    r2 = make_report(app, content="村道维修的钱去哪了？")
    r3 = make_report(app, LUOJIAPO)
    act(app, casework.ids.inspector, r2, "accept")
    act(app, casework.ids.inspector, r3, "accept")
    act(app, casework.ids.inspector, r3, "assign", unit_id=casework.agri, due_date=_in_days(10))

    resp = _case(client, casework.inspector, [r1, r2, r3])
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "open" and body["status_label"] == "办理中" and body["report_count"] == 3
    assert body["township_code"] is None and body["county_code"] == "420323000000"
    assert [r["id"] for r in body["reports"]] == [r1, r2, r3]
    assert "张三" not in resp.get_data(as_text=True) and "reporter" not in resp.get_data(as_text=True)

    for rid, status in ((r1, "merged"), (r2, "merged"), (r3, "assigned")):
        got, events = report_of(app, rid)
        assert got == status
        assert events[0][0] == "submitted"  # its own timeline, from the start
        assert ("merge", "public", "已与同类问题合并办理") in events
    _, events2 = report_of(app, r2)
    assert [e[0] for e in events2][:2] == ["submitted", "accept"]

    with app.app_context():
        from app.notify.models import OutboxMessage

        sent = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.user_id == casework.ids.resident))
        assert [m.payload["action"] for m in sent] == ["merge"]


def test_conclude_case_concludes_every_report_and_tells_every_reporter(app, client, casework, make_user):
    other = make_user()
    r1 = make_report(app, reporter_user_id=casework.ids.resident, anonymous=False)
    r2 = make_report(app, reporter_user_id=other, anonymous=False)
    r3 = make_report(app)
    act(app, casework.ids.inspector, r3, "accept")
    act(app, casework.ids.inspector, r3, "assign", unit_id=casework.agri, due_date=_in_days(5))
    case_id = _case(client, casework.inspector, [r1, r2, r3]).get_json()["id"]

    blocked = client.post(f"/api/v1/triage/cases/{case_id}/conclude", json={"result": "已整改"},
                          headers=casework.inspector)
    assert blocked.status_code == 409 and error_of(blocked)["code"] == "awaiting_unit"

    answered = client.post(_assignment_url(app, r3) + "/response", headers=casework.agri_handler,
                           json={"content": "已公开维修款明细", "rectified": True})
    assert answered.status_code == 200, answered.get_json()
    resp = client.post(f"/api/v1/triage/cases/{case_id}/conclude", json={"result": "维修款明细已张榜公开"},
                       headers=casework.inspector)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["status"] == "concluded" and resp.get_json()["result"] == "维修款明细已张榜公开"
    assert report_of(app, r3)[0] == "concluded"
    for rid in (r1, r2, r3):
        events = report_of(app, rid)[1]
        assert ("conclude", "public", "维修款明细已张榜公开") in events
    with app.app_context():
        from app.notify.models import OutboxMessage

        told = {(m.user_id, m.payload["action"]) for m in db.session.scalars(sa.select(OutboxMessage))}
    assert {(casework.ids.resident, "conclude"), (other, "conclude")} <= told

    again = client.post(f"/api/v1/triage/cases/{case_id}/conclude", json={"result": "再次"}, headers=casework.inspector)
    assert again.status_code == 409 and error_of(again)["code"] == "case_concluded"
    more = client.post(f"/api/v1/triage/cases/{case_id}/reports", json={"report_ids": [make_report(app)]},
                       headers=casework.inspector)
    assert more.status_code == 409


def test_add_reports_list_and_detail(app, client, casework):
    r1, r2 = make_report(app), make_report(app)
    case = _case(client, casework.township, [r1]).get_json()
    assert case["township_code"] == "420323103000"
    resp = client.post(f"/api/v1/triage/cases/{case['id']}/reports", json={"report_ids": [r2]},
                       headers=casework.township)
    assert resp.status_code == 200 and resp.get_json()["report_count"] == 2
    listed = client.get("/api/v1/triage/cases?status=open", headers=casework.township).get_json()
    assert [c["id"] for c in listed["items"]] == [case["id"]] and listed["next_cursor"] is None
    assert client.get("/api/v1/triage/cases", headers=casework.majiadu).get_json()["items"] == []
    assert client.get("/api/v1/triage/cases", headers=casework.inspector).get_json()["items"][0]["id"] == case["id"]
    detail = client.get(f"/api/v1/triage/cases/{case['id']}", headers=casework.inspector).get_json()
    assert [r["id"] for r in detail["reports"]] == [r1, r2]
    assert client.get(f"/api/v1/triage/cases/{case['id']}", headers=casework.majiadu).status_code == 404


def test_bad_input(app, client, casework):
    r1 = make_report(app)
    for body, field in (({"title": "x"}, "report_ids"), ({"report_ids": [r1]}, "title"),
                        ({"report_ids": [], "title": "x"}, "report_ids"),
                        ({"report_ids": ["a"], "title": "x"}, "report_ids.0"),
                        ({"report_ids": [r1], "title": "x" * 121}, "title")):
        resp = client.post("/api/v1/triage/cases", json=body, headers=casework.inspector)
        assert resp.status_code == 400 and field in error_of(resp)["fields"], (body, resp.get_json())
    assert _case(client, casework.inspector, [999999]).status_code == 404
    assert _case(client, casework.inspector, [r1]).status_code == 201
    dup = _case(client, casework.inspector, [r1])
    assert dup.status_code == 409 and error_of(dup)["code"] == "already_in_case"
    assert "已并入问题" in error_of(dup)["message"]
    refused = make_report(app)
    act(app, casework.ids.inspector, refused, "refuse", reason="不属于受理范围")
    resp = _case(client, casework.inspector, [refused])
    assert resp.status_code == 409 and error_of(resp)["code"] == "not_mergeable"
    missing = client.post("/api/v1/triage/cases/999/conclude", json={"result": "x"}, headers=casework.inspector)
    assert missing.status_code == 404 and error_of(missing)["message"] == "未找到该问题"
    empty = client.post("/api/v1/triage/cases/999/conclude", json={"result": ""}, headers=casework.inspector)
    assert empty.status_code == 400


def test_who_may_not(app, client, casework):
    r1 = make_report(app)
    assert _case(client, casework.other_county, [r1]).status_code == 404
    assert _case(client, casework.majiadu, [r1]).status_code == 404
    for who in ("publisher", "resident", "agri_handler", "admin"):
        resp = _case(client, getattr(casework, who), [r1])
        assert resp.status_code == 403, who
        assert client.get("/api/v1/triage/cases", headers=getattr(casework, who)).status_code == 403
    assert client.post("/api/v1/triage/cases", json={"report_ids": [r1], "title": "x"}).status_code == 401
    case_id = _case(client, casework.inspector, [r1]).get_json()["id"]
    for who in ("other_county", "majiadu"):
        assert client.get(f"/api/v1/triage/cases/{case_id}", headers=getattr(casework, who)).status_code == 404
        resp = client.post(f"/api/v1/triage/cases/{case_id}/conclude", json={"result": "x"},
                           headers=getattr(casework, who))
        assert resp.status_code == 404


def test_a_case_holding_a_report_naming_an_inspector_is_hidden_from_him_whole(app, client, casework):
    r1 = make_report(app)
    r2 = make_report(app, kind="tipoff", target_user_id=casework.ids.inspector2, content="某干部收受红包")
    assert client.get(f"/api/v1/triage/reports/{r1}", headers=casework.inspector2).status_code == 200
    case_id = _case(client, casework.inspector, [r1, r2]).get_json()["id"]
    # one matter, one set of possible matches: the case and every report in it are now hidden from him
    assert client.get(f"/api/v1/triage/cases/{case_id}", headers=casework.inspector2).status_code == 404
    assert client.get(f"/api/v1/triage/reports/{r1}", headers=casework.inspector2).status_code == 404
    listed = client.get("/api/v1/triage/cases", headers=casework.inspector2).get_json()["items"]
    assert case_id not in [c["id"] for c in listed]
    resp = client.post(f"/api/v1/triage/cases/{case_id}/conclude", json={"result": "x"}, headers=casework.inspector2)
    assert resp.status_code == 404
    assert _case(client, casework.inspector2, [r2]).status_code == 404
    assert client.get(f"/api/v1/triage/cases/{case_id}", headers=casework.inspector).status_code == 200


def _in_days(n):
    from datetime import timedelta

    from app.core.timeutil import today_cst

    return today_cst() + timedelta(days=n)


def _assignment_url(app, report_id):
    from app.triage.models import Assignment

    with app.app_context():
        aid = db.session.scalar(sa.select(Assignment.id).where(Assignment.report_id == report_id))
    return f"/api/v1/unit/assignments/{aid}"
