"""Outcomes on reports and problems; a problem is not concluded over an unanswered warning without a reason."""

from datetime import timedelta

from app.core.timeutil import today_cst
from app.extensions import db
from tests.triage.factories import make_report, triage_world_fixture  # noqa: F401  (fixture)


def _report(app, **extra):
    with app.app_context():
        return make_report(**extra)


def test_each_outcome_is_recorded_with_date_and_actor(app, client, triage_world):
    h = triage_world["h"]
    report_id = _report(app)
    url = f"/api/v1/triage/reports/{report_id}/outcomes"
    today = today_cst().isoformat()
    bodies = [
        {"kind": "defused", "occurred_on": today, "note": "约谈当事人，当场化解"},
        {"kind": "verified", "occurred_on": today, "verdict": "partly"},
        {"kind": "filed", "occurred_on": today, "case_number": "竹纪立〔2026〕1号"},
        {"kind": "disciplined", "occurred_on": today, "persons": 3, "party_members": 2},
        {"kind": "referred", "occurred_on": today, "unit_id": triage_world["agri"]},
        {"kind": "closed", "occurred_on": today},
    ]
    for body in bodies:
        response = client.post(url, json=body, headers=h["county"])
        assert response.status_code == 201, response.get_json()
    listed = client.get(url, headers=h["county"]).get_json()
    assert [o["kind_label"] for o in listed] == ["超前化解", "初步核实", "立案", "处分", "转有关部门", "了结"]
    assert listed[1]["verdict_label"] == "部分属实" and listed[4]["department"] == "竹山县农业农村局"
    with app.app_context():
        from app.reports.models import Report
        from app.triage.network_models import Outcome

        assert {o.actor_id for o in db.session.scalars(db.select(Outcome))} == {triage_world["ids"]["county"]}
        notes = [e.note for e in db.session.get(Report, report_id).timeline if e.action == "outcome"]
        assert notes[1].startswith("初步核实：部分属实") and all(e for e in notes)


def test_bad_outcomes_are_refused(app, client, triage_world):
    h = triage_world["h"]
    url = f"/api/v1/triage/reports/{_report(app)}/outcomes"
    today = today_cst().isoformat()
    cases = [
        ({"kind": "defused", "occurred_on": today}, "note_required"),
        ({"kind": "verified", "occurred_on": today}, "verdict_required"),
        ({"kind": "filed", "occurred_on": today}, "case_number_required"),
        ({"kind": "disciplined", "occurred_on": today, "persons": 1, "party_members": 2}, "party_members_invalid"),
        ({"kind": "referred", "occurred_on": today}, "department_required"),
        ({"kind": "closed", "occurred_on": (today_cst() + timedelta(days=1)).isoformat()}, "date_in_future"),
        ({"kind": "won", "occurred_on": today}, "validation_error"),
    ]
    for body, code in cases:
        response = client.post(url, json=body, headers=h["county"])
        assert (response.status_code, response.get_json()["error"]["code"]) == (400, code), body
    filed = {"kind": "filed", "occurred_on": today, "case_number": "竹纪立〔2026〕9号"}
    assert client.post(url, json=filed, headers=h["county"]).status_code == 201
    assert client.post(url, json=filed, headers=h["county"]).status_code == 409


def test_who_may_not_record_outcomes(app, client, triage_world):
    h = triage_world["h"]
    report_id = _report(app)
    body = {"kind": "closed", "occurred_on": today_cst().isoformat()}
    url = f"/api/v1/triage/reports/{report_id}/outcomes"
    assert client.post(url, json=body).status_code == 401
    for who in ("publisher", "reviewer", "resident", "handler", "custodian", "majiadu"):
        assert client.post(url, json=body, headers=h[who]).status_code in (403, 404), who
        assert client.get(url, headers=h[who]).status_code in (403, 404), who


def test_case_outcome_and_conclusion_over_an_unanswered_warning(app, client, triage_world):
    h = triage_world["h"]
    ids = [_report(app, kind="suggestion"), _report(app, kind="suggestion", content="同一问题的第二封")]
    case = client.post("/api/v1/triage/cases", json={"report_ids": ids, "title": "低保评议"},
                       headers=h["county"]).get_json()
    outcome = client.post(f"/api/v1/triage/cases/{case['id']}/outcomes",
                          json={"kind": "verified", "occurred_on": today_cst().isoformat(), "verdict": "substantiated"},
                          headers=h["county"])
    assert outcome.status_code == 201 and outcome.get_json()["case_id"] == case["id"]
    due = (today_cst() + timedelta(days=10)).isoformat()
    warning = client.post("/api/v1/triage/warnings", json={"unit_id": triage_world["agri"], "case_id": case["id"],
                                                            "content": "请整改", "due_date": due}, headers=h["county"])
    assert warning.status_code == 201
    url = f"/api/v1/triage/cases/{case['id']}/conclude"
    refused = client.post(url, json={"result": "已核实处理"}, headers=h["county"])
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "warning_unanswered"
    assert "竹山县农业农村局" in refused.get_json()["error"]["message"]
    done = client.post(url, json={"result": "已核实处理", "reason": "单位已撤并，由县政府督办"}, headers=h["county"])
    assert done.status_code == 200 and done.get_json()["conclude_reason"] == "单位已撤并，由县政府督办"


def test_answered_warning_lets_the_case_conclude_and_rectifying_answers_repeat(app, client, triage_world):
    h = triage_world["h"]
    case = client.post("/api/v1/triage/cases", json={"report_ids": [_report(app, kind="suggestion")], "title": "道路"},
                       headers=h["county"]).get_json()
    due = (today_cst() + timedelta(days=10)).isoformat()
    warning = client.post("/api/v1/triage/warnings", json={"unit_id": triage_world["agri"], "case_id": case["id"],
                                                            "content": "请整改", "due_date": due},
                          headers=h["county"]).get_json()
    url = f"/api/v1/unit/warnings/{warning['id']}/rectification"
    for _ in range(2):
        answer = client.post(url, json={"state": "rectifying", "content": "正在整改"}, headers=h["handler"])
        assert answer.status_code == 200
    assert client.post(url, json={"state": "rectifying", "content": "x"}, headers=h["edu_handler"]).status_code == 404
    assert client.post(url, json={"state": "rectifying", "content": "x"}, headers=h["county"]).status_code == 403
    assert client.post(f"/api/v1/triage/cases/{case['id']}/conclude", json={"result": "已办结"},
                       headers=h["county"]).status_code == 200
    assert client.post(url, json={"state": "rectified", "content": "整改完毕", "evidence": "照片"},
                       headers=h["handler"]).get_json()["status"] == "rectified"
    assert client.post(url, json={"state": "rectifying", "content": "再报"}, headers=h["handler"]).status_code == 409
