"""The contact-point admin API: register, list, invite, deactivate; bad input and who may not call."""

import sqlalchemy as sa

from app.auth.models import Invite
from app.contacts.models import ContactMember
from app.extensions import db
from tests.conftest import error_of
from tests.contacts.conftest import BAOFENG, COUNTY, LONGJING, LUOJIAPO, MAJIADU, OTHER_COUNTY, member_body

URL = "/api/v1/admin/contact-points"


def test_register_returns_the_member_and_a_one_time_invite(app, client, county, as_role, register):
    body = register(as_role("inspector", COUNTY), name=" 张  明华 ", phone="138 7100 0001")
    member, code = body["member"], body["invite_code"]
    assert member["name"] == "张 明华" and member["type"] == "contact_point" and member["type_label"] == "联系点成员"
    assert member["layer"] == "farmer" and member["layer_label"] == "农民群众"
    assert member["level"] == "village" and member["level_label"] == "村级"
    assert member["region"] == {"code": LONGJING, "name": "宝丰镇龙井村"}
    assert member["phone"] == "138****0001" and member["phone_masked"] is True  # an inspector sees it masked
    assert member["bound"] is False and member["is_active"] is True
    assert len(code) == 14 and code.count("-") == 2 and body["expires_at"].endswith("+08:00")
    with app.app_context():
        invite = db.session.scalar(sa.select(Invite))
        assert invite.purpose == "contact_point" and invite.target_id == member["id"]
        assert code.replace("-", "") not in invite.code_hash
        raw = db.session.execute(sa.text("SELECT name, phone, phone_key FROM contact_members")).one()
        assert "张" not in raw.name and "13871000001" not in raw.phone and "13871000001" not in raw.phone_key


def test_layers_are_accepted_by_code_or_label_and_informants_need_none(client, county, as_role, register):
    admin = as_role("admin")
    assert register(admin, layer="老干部", phone="13871000002")["member"]["layer"] == "retired_cadre"
    informant = register(admin, type="信访情报员", layer=None, region_code=BAOFENG, phone="0719-4212345")["member"]
    assert informant["type"] == "informant" and informant["layer"] is None and informant["layer_label"] == ""
    assert informant["level"] == "township" and informant["phone"] == "0719-4212345"  # admins see phones
    county_level = register(admin, type="informant", layer="", region_code=COUNTY, phone="13871000003")["member"]
    assert county_level["level"] == "county"
    layers = client.get("/api/v1/contact-points/layers").get_json()
    assert [item["label"] for item in layers][:3] == ["招商企业", "农民群众", "社区居民"] and len(layers) == 10


def test_bad_input_is_a_clear_400(client, county, as_role):
    admin = as_role("admin")
    cases = [
        ({"layer": "农民"}, "layer", "界别“农民”无效"),
        ({"layer": None}, "layer", "联系点成员必须填写界别"),
        ({"phone": "12345"}, "phone", "电话号码格式不正确"),
        ({"phone": "138712345678"}, "phone", "电话号码格式不正确"),
        ({"type": "volunteer"}, "type", "类别“volunteer”无效"),
        ({"name": ""}, "name", "长度"),
        ({"region_code": "4203"}, "region_code", "12 位"),
    ]
    for overrides, field, text in cases:
        response = client.post(URL, json=member_body(**overrides), headers=admin)
        assert response.status_code == 400, overrides
        error = error_of(response)
        assert error["code"] == "validation_error" and text in error["fields"][field][0], error
    response = client.post(URL, json={"name": "张三"}, headers=admin)
    assert set(error_of(response)["fields"]) >= {"type", "region_code", "phone"}
    response = client.post(URL, json=member_body(region_code="420323999999"), headers=admin)
    assert response.status_code == 404 and error_of(response)["code"] == "region_not_found"
    response = client.post(URL, data="x", headers=admin)
    assert response.status_code == 415


def test_the_same_phone_is_registered_once_while_active(client, county, as_role, register):
    admin = as_role("admin")
    first = register(admin)["member"]
    response = client.post(URL, json=member_body(name="别人", phone="138-7100-0001"), headers=admin)
    assert response.status_code == 409 and error_of(response)["code"] == "duplicate_phone"
    assert client.post(f"{URL}/{first['id']}/deactivate", headers=admin).status_code == 200
    assert register(admin)["member"]["id"] != first["id"]  # registered again after deactivation


def test_who_may_not_register(client, county, other_county, as_role):
    for headers in (as_role("resident"), as_role("publisher", LONGJING), as_role("reviewer", LONGJING),
                    as_role("custodian", COUNTY), as_role("inspector", OTHER_COUNTY)):
        response = client.post(URL, json=member_body(), headers=headers)
        assert response.status_code == 403, error_of(response)
        assert client.get(URL, headers=headers).status_code in (200, 403)
    assert client.post(URL, json=member_body()).status_code == 401
    response = client.post(URL, json=member_body(region_code=MAJIADU), headers=as_role("inspector", BAOFENG))
    assert response.status_code == 403 and error_of(response)["code"] == "region_out_of_scope"


def test_list_is_scoped_filtered_and_paginated(client, county, other_county, as_role, register):
    admin = as_role("admin")
    register(admin, phone="13871000001")
    register(admin, layer="retired_cadre", region_code=LUOJIAPO, phone="13871000002")
    register(admin, type="informant", layer=None, region_code=BAOFENG, phone="13871000003")
    register(admin, layer="official", region_code=COUNTY, phone="13871000004")

    everything = client.get(URL, headers=admin).get_json()
    assert len(everything["items"]) == 4 and everything["next_cursor"] is None
    assert everything["items"][0]["phone"] == "13871000004"  # newest first, in full for an admin
    baofeng = client.get(URL, headers=as_role("inspector", BAOFENG)).get_json()["items"]
    assert sorted(m["phone"] for m in baofeng) == ["138****0001", "138****0003"]
    assert client.get(URL, headers=as_role("inspector", OTHER_COUNTY)).get_json()["items"] == []

    def names(query):
        response = client.get(URL + query, headers=admin)
        assert response.status_code == 200, response.get_json()
        return [m["layer"] for m in response.get_json()["items"]]

    assert names("?layer=retired_cadre") == ["retired_cadre"]
    assert names("?layer=老干部") == ["retired_cadre"]
    assert names("?type=informant") == [None]
    assert names(f"?region={BAOFENG}") == [None, "farmer"]
    assert names("?bound=true") == []
    assert names("?phone=138 7100 0002") == ["retired_cadre"]
    first = client.get(URL + "?limit=3", headers=admin).get_json()
    second = client.get(URL + f"?limit=3&cursor={first['next_cursor']}", headers=admin).get_json()
    assert len(first["items"]) == 3 and [m["layer"] for m in second["items"]] == ["farmer"]
    response = client.get(URL + "?layer=nope", headers=admin)
    assert response.status_code == 400 and "layer" in error_of(response)["fields"]
    for headers in (as_role("resident"), as_role("publisher", LONGJING)):
        assert client.get(URL, headers=headers).status_code == 403


def test_detail_invite_and_deactivate_are_scoped(app, client, county, other_county, as_role, register):
    inspector = as_role("inspector", COUNTY)
    member = register(inspector)["member"]
    item = f"{URL}/{member['id']}"
    assert client.get(item, headers=inspector).get_json()["name"] == "张明华"
    stranger = as_role("inspector", OTHER_COUNTY)
    for method, path in (("get", item), ("post", item + "/invite"), ("post", item + "/deactivate")):
        assert getattr(client, method)(path, headers=stranger).status_code == 403
        assert getattr(client, method)(path, headers=as_role("publisher", LONGJING)).status_code == 403
    missing = client.get(f"{URL}/999999", headers=inspector)
    assert missing.status_code == 404 and error_of(missing)["code"] == "member_not_found"

    again = client.post(item + "/invite", headers=inspector)
    assert again.status_code == 201 and again.get_json()["member"]["id"] == member["id"]
    with app.app_context():
        assert len(db.session.scalars(sa.select(Invite)).all()) == 2

    deactivated = client.post(item + "/deactivate", headers=inspector)
    assert deactivated.status_code == 200 and deactivated.get_json()["is_active"] is False
    assert deactivated.get_json()["deactivated_at"].endswith("+08:00")
    twice = client.post(item + "/deactivate", headers=inspector)
    assert twice.status_code == 409 and error_of(twice)["code"] == "member_inactive"
    refused = client.post(item + "/invite", headers=inspector)
    assert refused.status_code == 409 and error_of(refused)["code"] == "member_inactive"
    with app.app_context():
        assert db.session.get(ContactMember, member["id"]).deactivated_by_id is not None
