"""Account administration: list, create, grant and revoke within scope."""

import sqlalchemy as sa

from app.auth.models import RoleGrant, User
from app.extensions import db
from app.regions.models import Unit
from app.security.models import AuditEntry
from tests.conftest import error_of

COUNTY, OTHER_COUNTY = "420323000000", "420322000000"
BAOFENG, LONGJING = "420323103000", "420323103211"


def _new(username="new_staff", **extra):
    return {"username": username, "display_name": "新同事", "password": "Strong-passw0rd", **extra}


def test_admin_creates_a_staff_account_that_can_log_in(app, client, county, make_user, token_for):
    admin_id = make_user(("admin",), username="root")
    body = _new(grants=[{"role": "publisher", "region_code": LONGJING}])
    response = client.post("/api/v1/admin/users", json=body, headers=token_for(admin_id))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["username"] == "new_staff" and created["roles"] == ["publisher", "resident"]
    assert created["grants"][0]["region_name"] == "龙井村"
    login = client.post("/api/v1/auth/login", json={"username": "new_staff", "password": "Strong-passw0rd"})
    assert login.status_code == 200
    with app.app_context():
        user = db.session.get(User, created["id"])
        assert user.password_hash.startswith("$argon2id$")
        assert user.grants[0].granted_by_id == admin_id
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "account.create"))
        assert entry.actor_id == admin_id and entry.object_id == str(created["id"])
        assert "Strong-passw0rd" not in str(entry.detail)


def test_create_user_input_errors(client, county, make_user, token_for):
    headers = token_for(make_user(("admin",), username="taken"))
    weak = client.post("/api/v1/admin/users", json=_new(password="abcdefghijk"), headers=headers)
    assert weak.status_code == 400
    assert error_of(weak)["fields"] == {"password": ["密码须同时包含字母和数字"]}
    short = client.post("/api/v1/admin/users", json=_new(password="Ab1"), headers=headers)
    assert error_of(short)["fields"] == {"password": ["长度应在 10 到 256 之间"]}
    bad_name = client.post("/api/v1/admin/users", json=_new(username="a b"), headers=headers)
    assert "username" in error_of(bad_name)["fields"]
    duplicate = client.post("/api/v1/admin/users", json=_new(username="taken"), headers=headers)
    assert duplicate.status_code == 400 and error_of(duplicate)["code"] == "duplicate_username"
    bad_role = client.post("/api/v1/admin/users", json=_new(grants=[{"role": "resident"}]), headers=headers)
    assert bad_role.status_code == 400 and "grants.0.role" in error_of(bad_role)["fields"]
    handler = client.post("/api/v1/admin/users", json=_new(grants=[{"role": "unit_handler"}]), headers=headers)
    assert handler.status_code == 400 and error_of(handler)["fields"] == {"unit_id": ["必须指定单位"]}
    twice = client.post("/api/v1/admin/users", json=_new(grants=[{"role": "reviewer", "region_code": LONGJING}] * 2),
                        headers=headers)
    assert twice.status_code == 400 and error_of(twice)["code"] == "duplicate_grant"
    no_region = client.post("/api/v1/admin/users", json=_new(grants=[{"role": "reviewer", "region_code": "429999"
                                                                                                    "000000"}]),
                            headers=headers)
    assert no_region.status_code == 404 and error_of(no_region)["code"] == "region_not_found"
    no_unit = client.post("/api/v1/admin/users", json=_new(unit_id=999999), headers=headers)
    assert no_unit.status_code == 404 and error_of(no_unit)["code"] == "unit_not_found"


def test_non_admins_are_403(client, county, as_role):
    for headers in (as_role("inspector", COUNTY), as_role("publisher", LONGJING), as_role("custodian", COUNTY),
                    as_role("resident")):
        assert client.get("/api/v1/admin/users", headers=headers).status_code == 403
        assert client.post("/api/v1/admin/users", json=_new(), headers=headers).status_code == 403
        assert client.post("/api/v1/admin/users/1/grants", json={"role": "admin"}, headers=headers).status_code == 403
    assert client.get("/api/v1/admin/users").status_code == 401


def test_list_users_with_search_and_pages(client, make_user, token_for):
    headers = token_for(make_user(("admin",), username="root"))
    for name in ("alpha_1", "alpha_2", "beta_1", "alphax1"):
        make_user(username=name)
    everyone = client.get("/api/v1/admin/users?limit=2", headers=headers).get_json()
    assert len(everyone["items"]) == 2 and everyone["next_cursor"]
    rest = client.get(f"/api/v1/admin/users?limit=2&cursor={everyone['next_cursor']}", headers=headers).get_json()
    assert rest["next_cursor"]
    last = client.get(f"/api/v1/admin/users?limit=2&cursor={rest['next_cursor']}", headers=headers).get_json()
    names = [u["username"] for u in everyone["items"] + rest["items"] + last["items"]]
    assert names == ["root", "alpha_1", "alpha_2", "beta_1", "alphax1"] and last["next_cursor"] is None
    found = client.get("/api/v1/admin/users?q=alpha", headers=headers).get_json()
    assert [u["username"] for u in found["items"]] == ["alpha_1", "alpha_2", "alphax1"]
    literal = client.get("/api/v1/admin/users?q=a_1", headers=headers).get_json()  # "_" is not a wildcard
    assert [u["username"] for u in literal["items"]] == ["alpha_1", "beta_1"]


def test_wechat_only_residents_are_not_listed(client, make_user, token_for, app):
    headers = token_for(make_user(("admin",), username="root"))
    with app.app_context():
        db.session.add(User(display_name="微信用户"))
        db.session.commit()
    assert [u["username"] for u in client.get("/api/v1/admin/users", headers=headers).get_json()["items"]] == ["root"]


def test_grant_and_revoke(app, client, county, make_user, token_for):
    headers = token_for(make_user(("admin",)))
    target = make_user(username="target")
    target_headers = token_for(target)
    response = client.post(f"/api/v1/admin/users/{target}/grants", json={"role": "reviewer", "region_code": LONGJING},
                           headers=headers)
    assert response.status_code == 201
    grant = response.get_json()["grants"][0]
    assert (grant["role"], grant["region_code"]) == ("reviewer", LONGJING)
    again = client.post(f"/api/v1/admin/users/{target}/grants", json={"role": "reviewer", "region_code": LONGJING},
                        headers=headers)
    assert again.status_code == 400 and error_of(again)["code"] == "duplicate_grant"

    revoked = client.delete(f"/api/v1/admin/users/{target}/grants/{grant['id']}", headers=headers)
    assert revoked.status_code == 200 and revoked.get_json()["grants"] == []
    assert client.get("/api/v1/me", headers=target_headers).status_code == 401  # sessions end with the grant
    assert client.delete(f"/api/v1/admin/users/{target}/grants/{grant['id']}", headers=headers).status_code == 404
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_id == str(target))
                                     .order_by(AuditEntry.id)).all()
        assert actions == ["account.grant", "account.revoke"]


def test_unit_grant(app, client, county, make_user, token_for):
    headers = token_for(make_user(("admin", COUNTY)))
    with app.app_context():
        unit_id = db.session.scalar(sa.select(Unit.id).where(Unit.name == "竹山县教育局"))
    target = make_user()
    response = client.post(f"/api/v1/admin/users/{target}/grants", json={"role": "unit_handler", "unit_id": unit_id},
                           headers=headers)
    assert response.status_code == 201
    assert response.get_json()["grants"][0]["unit_id"] == unit_id
    missing = client.post(f"/api/v1/admin/users/{target}/grants", json={"role": "unit_handler", "unit_id": 999999},
                          headers=headers)
    assert missing.status_code == 404


def test_county_admin_stays_in_the_county(app, client, county, make_user, token_for):
    from app.regions.importer import import_regions

    with app.app_context():
        import_regions("code,name,level,parent_code\n420322000000,郧西县,county,\n")
    headers = token_for(make_user(("admin", COUNTY)))
    target = make_user()
    url = f"/api/v1/admin/users/{target}/grants"
    assert client.post(url, json={"role": "inspector", "region_code": BAOFENG}, headers=headers).status_code == 201
    outside = client.post(url, json={"role": "inspector", "region_code": OTHER_COUNTY}, headers=headers)
    assert outside.status_code == 403
    above = client.post(url, json={"role": "inspector", "region_code": "420000000000"}, headers=headers)
    assert above.status_code in (403, 404)
    global_role = client.post(url, json={"role": "custodian"}, headers=headers)
    assert global_role.status_code == 403
    created = client.post("/api/v1/admin/users", json=_new(grants=[{"role": "admin"}]), headers=headers)
    assert created.status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.username == "new_staff")) is None
        grants = db.session.scalars(sa.select(RoleGrant).where(RoleGrant.user_id == target)).all()
        assert [(g.role, g.region_code) for g in grants] == [("inspector", BAOFENG)]


def test_county_admin_cannot_revoke_a_global_grant(app, client, county, make_user, token_for):
    root = make_user(("admin",), username="root")
    headers = token_for(make_user(("admin", COUNTY)))
    with app.app_context():
        grant_id = db.session.scalar(sa.select(RoleGrant.id).where(RoleGrant.user_id == root))
    assert client.delete(f"/api/v1/admin/users/{root}/grants/{grant_id}", headers=headers).status_code == 403


def test_global_admin_grants_global_roles(client, county, make_user, token_for):
    headers = token_for(make_user(("admin",)))
    target = make_user()
    response = client.post(f"/api/v1/admin/users/{target}/grants", json={"role": "custodian"}, headers=headers)
    assert response.status_code == 201 and response.get_json()["roles"] == ["resident"]  # pending (test_grants.py)
    grant_id = response.get_json()["pending_grants"][0]["id"]
    second = token_for(make_user(("admin",)))
    confirmed = client.post(f"/api/v1/admin/grants/{grant_id}/confirm", headers=second)
    assert confirmed.status_code == 200 and confirmed.get_json()["roles"] == ["custodian", "resident"]


def test_unknown_user_is_404(client, make_user, token_for):
    headers = token_for(make_user(("admin",)))
    response = client.post("/api/v1/admin/users/999999/grants", json={"role": "admin"}, headers=headers)
    assert response.status_code == 404 and error_of(response)["code"] == "user_not_found"
