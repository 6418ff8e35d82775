"""Identity custody: sealed by default, unsealed only for the requester after a custodian's approval; audited."""

import sqlalchemy as sa

from app.extensions import db
from tests.conftest import error_of
from tests.triage.factories import make_report, triage_world_fixture  # noqa: F401  (fixture)

URL = "/api/v1/triage/reports"
CUSTODY = "/api/v1/custody/identity-requests"


def _audits(app, action):
    from app.security.models import AuditEntry

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def test_identity_sealed_until_custodian_approves_the_requester(app, client, triage_world):
    h = triage_world["h"]
    with app.app_context():
        rid = make_report()
    detail = client.get(f"{URL}/{rid}", headers=h["county"])
    assert detail.get_json()["reporter"] == {"anonymous": False, "sealed": True, "display": "实名（已封存）"}
    assert "张三丰" not in detail.get_data(as_text=True) and "13800001234" not in detail.get_data(as_text=True)
    assert _audits(app, "report.view") == 1

    short = client.post(f"{URL}/{rid}/identity-requests", headers=h["county"], json={"reason": "查"})
    assert short.status_code == 400 and "reason" in error_of(short)["fields"]
    resp = client.post(f"{URL}/{rid}/identity-requests", headers=h["county"], json={"reason": "需当面核实举报细节"})
    assert resp.status_code == 201, resp.get_json()
    filed = resp.get_json()
    assert filed["status"] == "pending" and filed["custodian_configured"] is True
    dup = client.post(f"{URL}/{rid}/identity-requests", headers=h["county"], json={"reason": "需当面核实举报细节"})
    assert error_of(dup)["code"] == "request_exists"

    assert client.get(CUSTODY, headers=h["county"]).status_code == 403
    assert client.post(f"{CUSTODY}/{filed['id']}/approve", headers=h["county"], json={}).status_code == 403
    listed = client.get(CUSTODY, headers=h["custodian"]).get_json()
    assert [r["id"] for r in listed["items"]] == [filed["id"]] and listed["items"][0]["status_label"] == "待审批"
    assert "张三丰" not in str(listed)

    approved = client.post(f"{CUSTODY}/{filed['id']}/approve", headers=h["custodian"], json={"note": "同意"})
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    again = client.post(f"{CUSTODY}/{filed['id']}/deny", headers=h["custodian"], json={})
    assert again.status_code == 409 and error_of(again)["code"] == "request_decided"
    assert client.post(f"{CUSTODY}/999/approve", headers=h["custodian"], json={}).status_code == 404

    reporter = client.get(f"{URL}/{rid}", headers=h["county"]).get_json()["reporter"]
    assert reporter["sealed"] is False and reporter["name"] == "张三丰" and reporter["phone"] == "13800001234"
    assert _audits(app, "report.identity_view") == 1 and _audits(app, "identity.approve") == 1
    # another inspector of the same report still sees it sealed
    assert client.get(f"{URL}/{rid}", headers=h["township"]).get_json()["reporter"]["sealed"] is True
    assert _audits(app, "report.view") == 3


def test_deny_keeps_the_identity_sealed(app, client, triage_world):
    h = triage_world["h"]
    with app.app_context():
        rid = make_report()
    req = client.post(f"{URL}/{rid}/identity-requests", headers=h["township"], json={"reason": "核实举报人身份信息"})
    denied = client.post(f"{CUSTODY}/{req.get_json()['id']}/deny", headers=h["custodian"], json={"note": "理由不充分"})
    assert denied.get_json()["status"] == "denied"
    assert client.get(f"{URL}/{rid}", headers=h["township"]).get_json()["reporter"]["sealed"] is True
    assert client.get(CUSTODY, headers=h["custodian"]).get_json()["items"] == []
    assert len(client.get(CUSTODY, headers=h["custodian"], query_string={"status": "denied"}).get_json()["items"]) == 1
    assert client.get(CUSTODY, headers=h["custodian"], query_string={"status": "x"}).status_code == 400


def test_without_a_custodian_requests_stay_pending(app, client, county, make_user, token_for):
    from tests.triage.factories import COUNTY

    inspector = token_for(make_user(("inspector", COUNTY)))
    with app.app_context():
        rid = make_report()
    resp = client.post(f"{URL}/{rid}/identity-requests", headers=inspector, json={"reason": "需当面核实举报细节"})
    body = resp.get_json()
    assert body["status"] == "pending" and body["custodian_configured"] is False and "未配置" in body["hint"]
    assert client.get(f"{URL}/{rid}", headers=inspector).get_json()["reporter"]["sealed"] is True


def test_anonymous_reports_have_no_identity_to_request(app, client, triage_world):
    with app.app_context():
        rid = make_report(anonymous=True)
    h = triage_world["h"]
    assert client.get(f"{URL}/{rid}", headers=h["county"]).get_json()["reporter"]["display"] == "匿名"
    resp = client.post(f"{URL}/{rid}/identity-requests", headers=h["county"], json={"reason": "需当面核实举报细节"})
    assert resp.status_code == 409 and error_of(resp)["code"] == "anonymous_report"
    resp = client.post(f"{URL}/{rid}/identity-requests", headers=h["publisher"], json={"reason": "需当面核实举报细节"})
    assert resp.status_code == 403


def test_custodian_cannot_approve_own_request(app, client, county, make_user, token_for):
    from tests.triage.factories import COUNTY

    both = token_for(make_user(("inspector", COUNTY), ("custodian", COUNTY)))
    with app.app_context():
        rid = make_report()
    req = client.post(f"{URL}/{rid}/identity-requests", headers=both, json={"reason": "需当面核实举报细节"}).get_json()
    assert error_of(client.post(f"{CUSTODY}/{req['id']}/approve", headers=both, json={}))["code"] == "own_request"
