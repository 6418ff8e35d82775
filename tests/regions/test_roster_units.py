"""Cadre roster (publisher of that village), units (staff), unit creation (admin)."""

import sqlalchemy as sa

from app.extensions import db
from app.regions.models import Cadre, Unit
from app.security.models import AuditEntry
from tests.conftest import error_of

LONGJING, LUOJIAPO, BAOFENG, COUNTY = "420323103211", "420323102203", "420323103000", "420323000000"
ROSTER = {"cadres": [
    {"name": "张明", "post": "村党支部书记、村委会主任", "duties": "主持全面工作", "is_party_member": True,
     "supervision_phone": "0719-4200001"},
    {"name": "李华", "post": "村报账员"},
]}


def _put(client, headers, code=LONGJING, body=ROSTER):
    return client.put(f"/api/v1/villages/{code}/roster", json=body, headers=headers)


def test_publisher_of_the_village_replaces_the_roster(app, client, county, as_role):
    headers = as_role("publisher", LONGJING)
    response = _put(client, headers)
    assert response.status_code == 200
    assert [{k: v for k, v in c.items() if k != "id"} for c in response.get_json()] == [
        ROSTER["cadres"][0],
        {"name": "李华", "post": "村报账员", "duties": "", "is_party_member": False, "supervision_phone": None},
    ]
    second = _put(client, headers, body={"cadres": [{"name": "王芳", "post": "村妇联主席"}]})
    assert [c["name"] for c in second.get_json()] == ["王芳"]
    with app.app_context():
        cadres = db.session.scalars(sa.select(Cadre).where(Cadre.village_code == LONGJING)).all()
        assert [c.name for c in cadres] == ["王芳"]  # replaced, not appended
        entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "roster.replace")).all()
        assert [(e.object_id, e.detail) for e in entries] == [(LONGJING, {"count": 2}), (LONGJING, {"count": 1})]


def test_township_publisher_and_admin_may_edit(client, county, as_role):
    assert _put(client, as_role("publisher", BAOFENG)).status_code == 200
    assert _put(client, as_role("admin")).status_code == 200


def test_empty_roster_is_allowed(client, county, as_role):
    response = _put(client, as_role("publisher", LONGJING), body={"cadres": []})
    assert response.status_code == 200 and response.get_json() == []


def test_publisher_of_another_village_is_403(app, client, county, as_role):
    response = _put(client, as_role("publisher", LUOJIAPO))
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Cadre)) == 0


def test_other_roles_are_403(client, county, as_role):
    assert _put(client, as_role("resident")).status_code == 403
    assert _put(client, as_role("reviewer", LONGJING)).status_code == 403
    assert _put(client, as_role("inspector", COUNTY)).status_code == 403


def test_anonymous_is_401(client, county):
    response = _put(client, {})
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


def test_bad_phone_is_400(client, county, as_role):
    body = {"cadres": [{"name": "张明", "post": "书记", "supervision_phone": "call me"}]}
    response = _put(client, as_role("publisher", LONGJING), body=body)
    assert response.status_code == 400
    assert error_of(response)["fields"] == {"cadres.0.supervision_phone": ["电话号码格式不正确"]}


def test_roster_body_rules(client, county, as_role):
    headers = as_role("publisher", LONGJING)
    assert error_of(_put(client, headers, body={}))["fields"] == {"cadres": ["此项为必填项"]}
    too_many = {"cadres": [{"name": f"人{i}", "post": "委员"} for i in range(61)]}
    assert _put(client, headers, body=too_many).status_code == 400


def test_roster_of_unknown_village_is_404(client, county, as_role):
    assert _put(client, as_role("publisher", LONGJING), code="420323103299").status_code == 404
    assert _put(client, as_role("admin"), code=BAOFENG).status_code == 404  # a township has no roster


def test_units_are_for_staff_only(client, county, as_role):
    response = client.get("/api/v1/units?limit=100", headers=as_role("inspector", COUNTY))
    assert response.status_code == 200
    names = [u["name"] for u in response.get_json()["items"]]
    assert "竹山县农业农村局" in names and "宝丰镇人民政府" in names
    assert client.get("/api/v1/units", headers=as_role("resident")).status_code == 403
    assert client.get("/api/v1/units").status_code == 401


def test_units_filter_by_region(app, client, county, as_role):
    response = client.get(f"/api/v1/units?region={BAOFENG}", headers=as_role("publisher", LONGJING))
    assert [(u["name"], u["region_code"]) for u in response.get_json()["items"]] == [("宝丰镇人民政府", BAOFENG)]


def test_inactive_units_are_hidden(app, client, county, as_role):
    with app.app_context():
        unit = db.session.scalar(sa.select(Unit).where(Unit.name == "竹山县民政局"))
        unit.is_active = False
        db.session.commit()
    response = client.get("/api/v1/units?limit=100", headers=as_role("admin"))
    assert "竹山县民政局" not in [u["name"] for u in response.get_json()["items"]]


NEW_UNIT = {"name": "竹山县水利和湖泊局", "kind": "department", "region_code": COUNTY, "head_name": "周强",
            "head_post": "局长", "phone": "0719-4212345"}


def test_admin_creates_a_unit(app, client, county, as_role):
    response = client.post("/api/v1/admin/units", json=NEW_UNIT, headers=as_role("admin"))
    assert response.status_code == 201
    body = response.get_json()
    assert body["id"] and {k: body[k] for k in NEW_UNIT} == NEW_UNIT
    with app.app_context():
        assert db.session.get(Unit, body["id"]).name == NEW_UNIT["name"]
        assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.object_id == str(body["id"]))) == \
            "unit.create"


def test_county_admin_creates_units_in_the_county_only(client, county, as_role):
    headers = as_role("admin", COUNTY)
    assert client.post("/api/v1/admin/units", json=NEW_UNIT, headers=headers).status_code == 201
    elsewhere = {**NEW_UNIT, "region_code": "420322000000"}
    assert client.post("/api/v1/admin/units", json=elsewhere, headers=headers).status_code == 403


def test_duplicate_unit_is_400(client, county, as_role):
    headers = as_role("admin")
    duplicate = {**NEW_UNIT, "name": "竹山县教育局"}
    response = client.post("/api/v1/admin/units", json=duplicate, headers=headers)
    assert response.status_code == 400
    assert error_of(response)["code"] == "duplicate_unit"


def test_non_admin_is_403(client, county, as_role):
    for headers in (as_role("inspector", COUNTY), as_role("publisher", LONGJING), as_role("resident")):
        response = client.post("/api/v1/admin/units", json=NEW_UNIT, headers=headers)
        assert response.status_code == 403
    assert client.post("/api/v1/admin/units", json=NEW_UNIT).status_code == 401


def test_unknown_region_is_404(client, county, as_role):
    response = client.post("/api/v1/admin/units", json={**NEW_UNIT, "region_code": "429999000000"},
                           headers=as_role("admin"))
    assert response.status_code == 404
    assert error_of(response)["code"] == "region_not_found"


def test_bad_unit_is_400(client, county, as_role):
    response = client.post("/api/v1/admin/units", json={"name": "", "kind": "club", "region_code": "1"},
                           headers=as_role("admin"))
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"name", "kind", "region_code"}


def test_a_person_who_stays_on_the_roster_keeps_his_id_and_account_link(app, client, county, as_role, make_user):
    headers = as_role("publisher", LONGJING)
    first = {c["name"]: c["id"] for c in _put(client, headers).get_json()}
    account = make_user()
    admin = as_role("admin")
    linked = client.put(f"/api/v1/admin/cadres/{first['张明']}/account", json={"user_id": account}, headers=admin)
    assert linked.status_code == 200 and linked.get_json()["user_id"] == account
    again = _put(client, headers, body={"cadres": [ROSTER["cadres"][0], {"name": "王芳", "post": "村妇联主席"}]})
    ids = {c["name"]: c["id"] for c in again.get_json()}
    assert ids["张明"] == first["张明"] and "李华" not in ids
    with app.app_context():
        assert db.session.get(Cadre, first["张明"]).user_id == account
        assert db.session.get(Cadre, first["李华"]) is None


def test_only_an_admin_links_a_roster_person_and_bad_input_is_a_4xx(app, client, county, as_role, make_user):
    cadre_id = _put(client, as_role("publisher", LONGJING)).get_json()[0]["id"]
    url = f"/api/v1/admin/cadres/{cadre_id}/account"
    assert client.put(url, json={"user_id": 1}).status_code == 401
    assert client.put(url, json={"user_id": make_user()}, headers=as_role("publisher", LONGJING)).status_code == 403
    admin = as_role("admin")
    assert client.put(url, json={"user_id": 999999}, headers=admin).status_code == 400
    assert client.put(url, json={"user_id": "x"}, headers=admin).status_code == 400
    assert client.put("/api/v1/admin/cadres/999999/account", json={"user_id": None}, headers=admin).status_code == 404
    assert client.put(url, json={"user_id": None}, headers=admin).get_json()["user_id"] is None


def test_residents_see_the_units_they_may_name(client, county):
    units = client.get(f"/api/v1/villages/{LONGJING}/units")
    assert units.status_code == 200
    names = [u["name"] for u in units.get_json()]
    assert "竹山县农业农村局" in names and any("宝丰镇" in n for n in names)
    assert not any("麻家渡镇" in n for n in names)  # another township's government is not offered
    assert client.get("/api/v1/villages/999999999999/units").status_code == 404
