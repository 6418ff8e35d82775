"""Binding a member's WeChat account with its invite code, and what the membership means for reports."""

import sqlalchemy as sa

from app.auth.models import User
from app.contacts.models import ContactMember
from app.extensions import db
from tests.conftest import error_of
from tests.contacts.conftest import COUNTY, member_body

URL = "/api/v1/admin/contact-points"


def _bearer(session):
    return {"Authorization": f"Bearer {session['token']}"}


def _wechat(client, who):
    response = client.post("/api/v1/auth/wechat", json={"code": f"user:{who}"})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _register(client, headers, **overrides):
    response = client.post(URL, json=member_body(**overrides), headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _membership(app, user_id):
    with app.app_context():
        user = db.session.get(User, user_id)
        return [hook(user) for hook in app.extensions["mss_reporter_membership"]]


def test_invite_binds_the_members_wechat_and_reports_carry_the_layer(wechat_app, fake_wechat, county, as_role):
    client = wechat_app.test_client()
    inspector = as_role("inspector", COUNTY)
    created = _register(client, inspector, layer="retired_cadre")
    resident = _wechat(client, "laoganbu")
    assert client.get("/api/v1/me/contact-point", headers=_bearer(resident)).get_json() == {"member": None}
    assert _membership(wechat_app, resident["user"]["id"]) == [None]

    response = client.post("/api/v1/auth/bind", json={"invite_code": created["invite_code"].lower()},
                           headers=_bearer(resident))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["bound"] == "contact_point" and body["session"] is None
    assert body["membership_id"] == created["member"]["id"] and body["layer"] == "retired_cadre"
    mine = client.get("/api/v1/me/contact-point", headers=_bearer(resident)).get_json()["member"]
    assert mine["id"] == created["member"]["id"] and mine["phone"] == "13871000001"  # his own number in full
    assert _membership(wechat_app, resident["user"]["id"]) == [
        {"member_id": created["member"]["id"], "layer": "retired_cadre", "type": "contact_point"}]
    listed = client.get(URL + "?bound=true", headers=inspector).get_json()["items"]
    assert [m["id"] for m in listed] == [created["member"]["id"]] and listed[0]["bound_at"]

    reused = client.post("/api/v1/auth/bind", json={"invite_code": created["invite_code"]},
                         headers=_bearer(_wechat(client, "someone-else")))
    assert reused.status_code == 409 and error_of(reused)["code"] == "invite_used"

    assert client.post(f"{URL}/{created['member']['id']}/deactivate", headers=inspector).status_code == 200
    assert _membership(wechat_app, resident["user"]["id"]) == [None]  # no new contact-point reports
    assert client.get("/api/v1/me/contact-point", headers=_bearer(resident)).get_json() == {"member": None}


def test_a_new_invite_revokes_the_old_one_and_rebinds_a_new_phone(wechat_app, fake_wechat, county, as_role):
    client = wechat_app.test_client()
    admin = as_role("admin")
    created = _register(client, admin)
    old_phone = _wechat(client, "old-phone")
    assert client.post("/api/v1/auth/bind", json={"invite_code": created["invite_code"]},
                       headers=_bearer(old_phone)).status_code == 200
    fresh = client.post(f"{URL}/{created['member']['id']}/invite", headers=admin).get_json()
    second = client.post(f"{URL}/{created['member']['id']}/invite", headers=admin).get_json()
    new_phone = _wechat(client, "new-phone")
    stale = client.post("/api/v1/auth/bind", json={"invite_code": fresh["invite_code"]}, headers=_bearer(new_phone))
    assert stale.status_code == 404 and error_of(stale)["code"] == "invalid_invite"
    response = client.post("/api/v1/auth/bind", json={"invite_code": second["invite_code"]},
                           headers=_bearer(new_phone))
    assert response.status_code == 200
    assert _membership(wechat_app, new_phone["user"]["id"])[0]["member_id"] == created["member"]["id"]
    assert _membership(wechat_app, old_phone["user"]["id"]) == [None]


def test_one_account_is_one_member_and_needs_wechat(wechat_app, fake_wechat, county, as_role, make_user,
                                                    token_for):
    client = wechat_app.test_client()
    admin = as_role("admin")
    first = _register(client, admin, phone="13871000001")
    second = _register(client, admin, phone="13871000002", type="informant", layer=None)
    resident = _wechat(client, "twice")
    assert client.post("/api/v1/auth/bind", json={"invite_code": first["invite_code"]},
                       headers=_bearer(resident)).status_code == 200
    response = client.post("/api/v1/auth/bind", json={"invite_code": second["invite_code"]},
                           headers=_bearer(resident))
    assert response.status_code == 409 and error_of(response)["code"] == "already_member"

    password_only = token_for(make_user())
    response = client.post("/api/v1/auth/bind", json={"invite_code": second["invite_code"]}, headers=password_only)
    assert response.status_code == 400 and error_of(response)["code"] == "wechat_login_required"
    other = _wechat(client, "informant")
    response = client.post("/api/v1/auth/bind", json={"invite_code": second["invite_code"]}, headers=_bearer(other))
    assert response.status_code == 200 and response.get_json()["layer"] is None  # the failures did not spend it
    with wechat_app.app_context():
        bound = dict(db.session.execute(sa.select(ContactMember.id, ContactMember.user_id)).all())
        assert bound == {first["member"]["id"]: resident["user"]["id"], second["member"]["id"]: other["user"]["id"]}


def test_invite_of_a_deactivated_member_no_longer_binds(wechat_app, fake_wechat, county, as_role):
    client = wechat_app.test_client()
    admin = as_role("admin")
    created = _register(client, admin)
    assert client.post(f"{URL}/{created['member']['id']}/deactivate", headers=admin).status_code == 200
    response = client.post("/api/v1/auth/bind", json={"invite_code": created["invite_code"]},
                           headers=_bearer(_wechat(client, "late")))
    assert response.status_code == 404 and error_of(response)["code"] == "invalid_invite"


def test_a_bound_member_files_a_contact_point_report_that_carries_his_layer(wechat_app, fake_wechat, county,
                                                                           as_role):
    from app.reports.models import Report

    client = wechat_app.test_client()
    admin = as_role("admin")
    created = _register(client, admin, layer="enterprise")
    member = _wechat(client, "qiye")
    report = {"village_code": "420323103211", "kind": "contact_point", "topic": "其他", "anonymous": False,
              "content": "村里招商引资项目的土地流转费用尚未公开，企业和群众都很关心。"}
    refused = client.post("/api/v1/reports", json=report, headers=_bearer(member))
    assert refused.status_code == 403  # not yet bound
    assert client.post("/api/v1/auth/bind", json={"invite_code": created["invite_code"]},
                       headers=_bearer(member)).status_code == 200
    response = client.post("/api/v1/reports", json=report, headers=_bearer(member))
    assert response.status_code == 201, response.get_json()
    with wechat_app.app_context():
        row = db.session.scalar(sa.select(Report))
        assert (row.contact_member_id, row.contact_layer) == (created["member"]["id"], "enterprise")
        assert row.reporter_user_id == member["user"]["id"]
    assert client.post(f"{URL}/{created['member']['id']}/deactivate", headers=admin).status_code == 200
    again = client.post("/api/v1/reports", json={**report, "content": report["content"] + "（再次反映）"},
                        headers=_bearer(member))
    assert again.status_code == 403  # a deactivated member files no new contact-point reports
