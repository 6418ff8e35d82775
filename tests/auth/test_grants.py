"""Role grants: nobody grants himself, custodian/inspector need a second admin, no custodian+inspector overlap."""

from types import SimpleNamespace

import sqlalchemy as sa

from app.auth.models import RoleGrant, User
from app.core.permissions import can
from app.extensions import db
from app.security.models import AuditEntry
from tests.conftest import error_of

COUNTY, OTHER_COUNTY = "420323000000", "420322000000"
BAOFENG, LONGJING = "420323103000", "420323103211"


def _grant(client, headers, user_id, role, region=None, unit_id=None):
    body = {"role": role, **({"region_code": region} if region else {}), **({"unit_id": unit_id} if unit_id else {})}
    return client.post(f"/api/v1/admin/users/{user_id}/grants", json=body, headers=headers)


def _actions(app, user_id):
    with app.app_context():
        return db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_id == str(user_id))
                                  .order_by(AuditEntry.id)).all()


def test_nobody_grants_a_role_to_himself(app, client, county, make_user, token_for):
    admin = make_user(("admin", COUNTY))
    headers = token_for(admin)
    for role, region in (("custodian", COUNTY), ("inspector", BAOFENG), ("reviewer", LONGJING), ("admin", BAOFENG)):
        response = _grant(client, headers, admin, role, region)
        assert response.status_code == 403, role
        assert error_of(response)["code"] == "self_grant"
        assert "不能给本人账号授予角色" in error_of(response)["message"]
    with app.app_context():
        assert [g.role for g in db.session.scalars(sa.select(RoleGrant).where(RoleGrant.user_id == admin))] == [
            "admin"]


def test_custodian_grant_is_pending_until_a_second_admin_confirms(app, client, county, make_user, token_for):
    first, second = make_user(("admin",), username="first"), make_user(("admin",), username="second")
    target = make_user(username="keeper")
    target_headers = token_for(target)
    response = _grant(client, token_for(first), target, "custodian", COUNTY)
    assert response.status_code == 201
    body = response.get_json()
    assert body["roles"] == ["resident"] and body["grants"] == []
    (pending,) = body["pending_grants"]
    assert (pending["role"], pending["region_code"], pending["pending"]) == ("custodian", COUNTY, True)
    # a pending grant confers nothing
    assert client.get("/api/v1/custody/identity-requests", headers=target_headers).status_code == 403
    assert client.get("/api/v1/me", headers=target_headers).get_json()["roles"] == ["resident"]

    listed = client.get("/api/v1/admin/grants/pending", headers=token_for(second)).get_json()
    assert [(g["id"], g["username"], g["granted_by_id"]) for g in listed["items"]] == [(pending["id"], "keeper", first)]
    own = client.post(f"/api/v1/admin/grants/{pending['id']}/confirm", headers=token_for(first))
    assert own.status_code == 403 and error_of(own)["code"] == "second_admin_required"

    confirmed = client.post(f"/api/v1/admin/grants/{pending['id']}/confirm", headers=token_for(second))
    assert confirmed.status_code == 200
    assert confirmed.get_json()["roles"] == ["custodian", "resident"] and confirmed.get_json()["pending_grants"] == []
    assert client.get("/api/v1/custody/identity-requests", headers=target_headers).status_code == 200
    again = client.post(f"/api/v1/admin/grants/{pending['id']}/confirm", headers=token_for(second))
    assert again.status_code == 409 and error_of(again)["code"] == "grant_not_pending"
    assert client.get("/api/v1/admin/grants/pending", headers=token_for(second)).get_json()["items"] == []
    with app.app_context():
        row = db.session.get(RoleGrant, pending["id"])
        assert (row.granted_by_id, row.confirmed_by_id, row.pending) == (first, second, False)
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "account.grant_confirmed"))
        assert entry.actor_id == second and entry.detail["requested_by_id"] == first
    assert _actions(app, target) == ["account.grant_requested", "account.grant_confirmed"]


def test_inspector_grant_and_new_account_grants_wait_too_other_roles_do_not(app, client, county, make_user,
                                                                         token_for):
    headers = token_for(make_user(("admin",)))
    target = make_user()
    assert _grant(client, headers, target, "inspector", BAOFENG).get_json()["roles"] == ["resident"]
    assert _grant(client, headers, target, "reviewer", LONGJING).get_json()["roles"] == ["resident", "reviewer"]
    created = client.post("/api/v1/admin/users", headers=headers, json={
        "username": "new_insp", "display_name": "新纪检", "password": "Strong-passw0rd",
        "grants": [{"role": "inspector", "region_code": COUNTY}, {"role": "publisher", "region_code": LONGJING}]})
    assert created.status_code == 201
    assert created.get_json()["roles"] == ["publisher", "resident"]
    assert [g["role"] for g in created.get_json()["pending_grants"]] == ["inspector"]


def test_the_grantee_and_admins_made_by_the_requester_cannot_confirm(app, client, county, make_user, token_for):
    from app.regions.importer import import_regions

    with app.app_context():
        import_regions("code,name,level,parent_code\n420322000000,郧西县,county,\n")
    first = make_user(("admin",), username="first")
    target = make_user(("admin",), username="grantee")  # an admin himself
    puppet = make_user(username="puppet")
    with app.app_context():  # an admin whose admin role the requester gave him
        db.session.add(RoleGrant(user_id=puppet, role="admin", granted_by_id=first))
        db.session.commit()
    grant_id = _grant(client, token_for(first), target, "inspector", COUNTY).get_json()["pending_grants"][0]["id"]
    himself = client.post(f"/api/v1/admin/grants/{grant_id}/confirm", headers=token_for(target))
    assert himself.status_code == 403 and error_of(himself)["code"] == "self_grant"
    made = client.post(f"/api/v1/admin/grants/{grant_id}/confirm", headers=token_for(puppet))
    assert made.status_code == 403 and error_of(made)["code"] == "second_admin_required"
    outsider = make_user(("admin", OTHER_COUNTY))
    assert client.post(f"/api/v1/admin/grants/{grant_id}/confirm", headers=token_for(outsider)).status_code == 403
    assert client.post("/api/v1/admin/grants/999999/confirm", headers=token_for(puppet)).status_code == 404
    assert client.post(f"/api/v1/admin/grants/{grant_id}/confirm", headers=token_for(make_user(
        ("inspector", COUNTY)))).status_code == 403


def test_pending_list_is_scoped(app, client, county, make_user, token_for):
    from app.regions.importer import import_regions

    with app.app_context():
        import_regions("code,name,level,parent_code\n420322000000,郧西县,county,\n")
    root = token_for(make_user(("admin",)))
    ours, theirs = make_user(), make_user()
    _grant(client, root, ours, "inspector", BAOFENG)
    _grant(client, root, theirs, "inspector", OTHER_COUNTY)
    county_admin = token_for(make_user(("admin", COUNTY)))
    listed = client.get("/api/v1/admin/grants/pending", headers=county_admin).get_json()["items"]
    assert [g["user_id"] for g in listed] == [ours]
    assert len(client.get("/api/v1/admin/grants/pending", headers=token_for(make_user(("admin",)))).get_json()[
        "items"]) == 2
    assert client.get("/api/v1/admin/grants/pending", headers=token_for(make_user(("custodian",)))).status_code == 403


def test_custodian_and_inspector_never_overlap_on_one_account(app, client, county, make_user, token_for):
    from app.regions.importer import import_regions

    with app.app_context():
        import_regions("code,name,level,parent_code\n420322000000,郧西县,county,\n")
    first, second = token_for(make_user(("admin",))), token_for(make_user(("admin",)))
    held = make_user(("custodian", COUNTY))
    clash = _grant(client, first, held, "inspector", BAOFENG)  # a township inside the custodian's county
    assert clash.status_code == 409 and error_of(clash)["code"] == "separation_of_duties"
    assert "身份保管员和纪检监察干部" in error_of(clash)["message"]
    assert _grant(client, first, held, "inspector", OTHER_COUNTY).status_code == 201  # another county is fine

    waiting = make_user()
    assert _grant(client, first, waiting, "inspector", BAOFENG).status_code == 201
    assert _grant(client, first, waiting, "custodian", None).status_code == 409  # a pending grant counts too
    assert _grant(client, first, waiting, "custodian", COUNTY).status_code == 409

    # two pending grants that clash cannot both be confirmed
    racer = make_user()
    with app.app_context():
        db.session.add_all([RoleGrant(user_id=racer, role="inspector", region_code=BAOFENG, pending=True),
                            RoleGrant(user_id=racer, role="custodian", region_code=COUNTY, pending=True)])
        db.session.commit()
        ids = db.session.scalars(sa.select(RoleGrant.id).where(RoleGrant.user_id == racer)
                                 .order_by(RoleGrant.id)).all()
    assert client.post(f"/api/v1/admin/grants/{ids[0]}/confirm", headers=second).status_code == 409


def test_withdrawing_a_pending_grant_is_audited(app, client, county, make_user, token_for):
    headers = token_for(make_user(("admin",)))
    target = make_user()
    target_headers = token_for(target)
    grant_id = _grant(client, headers, target, "custodian", COUNTY).get_json()["pending_grants"][0]["id"]
    withdrawn = client.delete(f"/api/v1/admin/users/{target}/grants/{grant_id}", headers=headers)
    assert withdrawn.status_code == 200 and withdrawn.get_json()["pending_grants"] == []
    assert client.get("/api/v1/me", headers=target_headers).status_code == 200  # nothing was held: no logout
    assert _actions(app, target) == ["account.grant_requested", "account.grant_withdrawn"]


def test_permissions_ignore_a_pending_grant_even_if_handed_one(app):
    pending = RoleGrant(role="custodian", region_code=None, unit_id=None, pending=True)
    confirmed = RoleGrant(role="custodian", region_code=None, unit_id=None, pending=False)
    assert can(SimpleNamespace(grants=[pending]), "identity.custody") is False
    assert can(SimpleNamespace(grants=[confirmed]), "identity.custody") is True


def test_cli_grants_directly_and_audits(app, county, make_user):
    target = make_user(username="desk_clerk")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["accounts", "grant", "desk_clerk", "custodian", "--region", COUNTY])
    assert result.exit_code == 0, result.output
    assert "已授予" in result.output
    with app.app_context():
        user = db.session.get(User, target)
        assert [(g.role, g.region_code) for g in user.grants] == [("custodian", COUNTY)]
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "account.grant"))
        assert entry.actor_id is None and entry.detail["via"] == "cli" and entry.object_id == str(target)
    clash = runner.invoke(args=["accounts", "grant", "desk_clerk", "inspector", "--region", BAOFENG])
    assert clash.exit_code == 1 and "身份保管员和纪检监察干部" in clash.output
    missing = runner.invoke(args=["accounts", "grant", "nobody", "admin"])
    assert missing.exit_code == 2 and "不存在" in missing.output


def test_cli_confirms_a_grant_waiting_for_a_second_admin(app, county, make_user):
    target = make_user(username="waiting_clerk")
    with app.app_context():
        db.session.add(RoleGrant(user_id=target, role="inspector", region_code=BAOFENG, pending=True))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["accounts", "grant", "waiting_clerk", "inspector", "--region", BAOFENG])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert [(g.role, g.pending) for g in db.session.get(User, target).grants] == [("inspector", False)]
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "account.grant_confirmed"))
        assert entry.actor_id is None and entry.detail["via"] == "cli"


def test_demo_seed_still_grants_directly(app, county):
    from app.demo.seed import ACCOUNTS, seed_accounts

    with app.app_context():
        seed_accounts()
        custodian = db.session.scalar(sa.select(User).where(User.username == "custodian"))
        assert [g.role for g in custodian.grants] == ["custodian"] and custodian.pending_grants == []
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RoleGrant)
                                 .where(RoleGrant.pending.is_(True))) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.is_demo.is_(True))) == len(
            ACCOUNTS)
