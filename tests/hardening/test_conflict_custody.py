"""Custody over conflicts (issue 12, deliverable 2, through the matrix's eyes): an inspector who becomes a possible
match of a matter after filing an identity request can no longer see the report, and no custodian can approve his
request (409 requester_conflicted); a custodian who is himself a possible match never sees or decides it (404)."""

import sqlalchemy as sa

from app.extensions import db
from tests.conftest import error_of

HOME, COUNTY = "420323103211", "420323000000"


def _named(app, user_id, name):
    from app.auth.models import User

    with app.app_context():
        db.session.get(User, user_id).display_name = name
        db.session.commit()


def _report(client, headers, person_name, person_post):
    body = {"village_code": HOME, "kind": "tipoff", "topic": "村级债务", "anonymous": False, "channel": "letter",
            "reporter": {"name": "李华", "phone": "13812345678"},
            "content": f"反映{person_name}在修路工程中收受好处，账目不公开。",
            "target": {"person_name": person_name, "person_post": person_post}}
    response = client.post("/api/v1/reports", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    from app.reports.models import Report

    with client.application.app_context():
        return db.session.scalar(sa.select(Report.id).where(Report.tracking_no == response.get_json()["tracking_no"]))


def test_a_requester_who_becomes_a_match_is_never_approved(app, client, county, make_user, token_for):
    from app.triage.models import IdentityRequest

    clean, requester = make_user(("inspector", COUNTY)), make_user(("inspector", COUNTY))
    custodian, namesake = make_user(("custodian", COUNTY)), make_user(("custodian", COUNTY))
    _named(app, requester, "周正清")
    _named(app, namesake, "谢祥")
    h = {name: token_for(uid) for name, uid in (("clean", clean), ("requester", requester),
                                                  ("custodian", custodian), ("namesake", namesake))}
    first = _report(client, h["clean"], "谢祥", "村党支部书记")
    filed = client.post(f"/api/v1/triage/reports/{first}/identity-requests", headers=h["requester"],
                        json={"reason": "需要联系实名举报人核实细节"})
    assert filed.status_code == 201, filed.get_json()
    with app.app_context():
        request_id = db.session.scalar(sa.select(IdentityRequest.id).where(IdentityRequest.report_id == first))

    # the namesake custodian is a possible match of 谢祥: the request does not exist for him
    listed = client.get("/api/v1/custody/identity-requests", headers=h["namesake"]).get_json()["items"]
    assert request_id not in [r["id"] for r in listed]
    assert client.post(f"/api/v1/custody/identity-requests/{request_id}/approve", headers=h["namesake"],
                       json={}).status_code == 404

    # a later report of the same matter names the requester; merged into one case, the matter accuses him too
    second = _report(client, h["clean"], "周正清", "县纪委监委干部")
    case = client.post("/api/v1/triage/cases", headers=h["clean"],
                       json={"report_ids": [first, second], "title": "修路工程问题"})
    assert case.status_code == 201, case.get_json()
    assert client.get(f"/api/v1/triage/reports/{first}", headers=h["requester"]).status_code == 404
    refused = client.post(f"/api/v1/custody/identity-requests/{request_id}/approve", headers=h["custodian"], json={})
    assert refused.status_code == 409 and error_of(refused)["code"] == "requester_conflicted"
    denied = client.post(f"/api/v1/custody/identity-requests/{request_id}/deny", headers=h["custodian"], json={})
    assert denied.status_code == 200, denied.get_json()
