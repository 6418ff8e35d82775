"""Proposals up (意见建议): drawn from problems, answered once, counted by year; mailings and petition volumes."""

from datetime import timedelta

from app.core.timeutil import today_cst
from tests.triage.factories import make_report, triage_world_fixture  # noqa: F401  (fixture)
from tests.triage.network_helpers import COUNTY, LONGJING


def _case(app, client, headers):
    with app.app_context():
        report_id = make_report(kind="suggestion")
    return client.post("/api/v1/triage/cases", json={"report_ids": [report_id], "title": "村务公开"},
                       headers=headers).get_json()["id"]


def _body(case_id, **extra):
    return {"region_code": COUNTY, "addressee": "party_committee", "title": "关于村务公开的建议",
            "content": "建议统一公开栏样式并按月更新。", "sent_on": today_cst().isoformat(), "case_ids": [case_id],
            **extra}


def test_proposal_answered_and_listed_by_year(app, client, triage_world):
    h = triage_world["h"]
    created = client.post("/api/v1/triage/proposals", json=_body(_case(app, client, h["county"])), headers=h["county"])
    assert created.status_code == 201, created.get_json()
    proposal = created.get_json()
    assert proposal["addressee_label"] == "县委" and proposal["answer"] is None
    url = f"/api/v1/triage/proposals/{proposal['id']}/answer"
    answer = {"answer": "县委已批示，由县委办督办", "answered_on": today_cst().isoformat()}
    assert client.post(url, json=answer, headers=h["county"]).get_json()["answer"] == "县委已批示，由县委办督办"
    assert client.post(url, json=answer, headers=h["county"]).status_code == 409
    year = today_cst().year
    assert len(client.get("/api/v1/triage/proposals", query_string={"year": year},
                          headers=h["county"]).get_json()["items"]) == 1
    assert client.get("/api/v1/triage/proposals", query_string={"year": year - 1},
                      headers=h["county"]).get_json()["items"] == []


def test_bad_proposals_and_who_may_not(app, client, triage_world):
    h = triage_world["h"]
    case_id = _case(app, client, h["county"])
    future = (today_cst() + timedelta(days=2)).isoformat()
    assert client.post("/api/v1/triage/proposals", json=_body(case_id, sent_on=future),
                       headers=h["county"]).status_code == 400
    empty = client.post("/api/v1/triage/proposals", json=_body(case_id, case_ids=[]), headers=h["county"])
    assert empty.status_code == 400
    assert client.post("/api/v1/triage/proposals", json=_body(99999), headers=h["county"]).status_code == 404
    assert client.post("/api/v1/triage/proposals", json=_body(case_id, addressee="mayor"),
                       headers=h["county"]).status_code == 400
    assert client.post("/api/v1/triage/proposals", json=_body(case_id)).status_code == 401
    for who in ("publisher", "handler", "resident", "custodian", "township"):
        assert client.post("/api/v1/triage/proposals", json=_body(case_id), headers=h[who]).status_code == 403, who
    assert client.get("/api/v1/triage/proposals", headers=h["handler"]).status_code == 403


def test_mailings_and_petition_volumes(client, triage_world):
    h = triage_world["h"]
    day = today_cst().isoformat()
    mailing = client.post("/api/v1/triage/mailings", json={"region_code": COUNTY, "mailed_on": day,
                                                            "layers": {"farmer": 300, "deputy": 200}},
                          headers=h["county"])
    assert mailing.status_code == 201 and mailing.get_json()["forms"] == 500
    assert client.post("/api/v1/triage/mailings", json={"region_code": COUNTY, "mailed_on": day, "layers": {"x": 1}},
                       headers=h["county"]).status_code == 400
    for who, region in (("township", COUNTY), ("publisher", LONGJING)):
        body = {"region_code": region, "mailed_on": day, "layers": {"farmer": 1}}
        assert client.post("/api/v1/triage/mailings", json=body, headers=h[who]).status_code == 403
    year = today_cst().year
    for volume in (300, 150):  # a correction replaces the year's figure
        assert client.post("/api/v1/triage/petitions", json={"region_code": COUNTY, "year": year, "volume": volume},
                           headers=h["county"]).status_code == 201
    assert [p["volume"] for p in client.get("/api/v1/triage/petitions", headers=h["county"]).get_json()] == [150]
    assert client.post("/api/v1/triage/petitions", json={"region_code": COUNTY, "year": year + 1, "volume": 1},
                       headers=h["county"]).status_code == 400
    assert client.post("/api/v1/triage/petitions", json={"region_code": COUNTY, "year": year, "volume": 1},
                       headers=h["handler"]).status_code == 403
