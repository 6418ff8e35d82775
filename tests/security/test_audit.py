"""The append-only audit log: written by actions, read by admin and custodian, never changed."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.security.models import AuditEntry
from app.security.service import audit
from tests.conftest import error_of

COUNTY = "420323000000"


def _entries(client, headers, query=""):
    response = client.get("/api/v1/admin/audit" + query, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_login_and_admin_actions_are_audited(client, county, make_user, token_for):
    make_user(username="staffer")
    admin_id = make_user(("admin",), username="root")
    headers = token_for(admin_id)
    assert client.post("/api/v1/auth/login", json={"username": "staffer", "password": "Passw0rd-test"}).status_code \
        == 200
    client.post("/api/v1/auth/login", json={"username": "staffer", "password": "wrong-Passw0rd"})
    created = client.post("/api/v1/admin/users", headers=headers, json={
        "username": "fresh", "display_name": "新人", "password": "Strong-passw0rd"}).get_json()
    client.post(f"/api/v1/admin/users/{created['id']}/invites", headers=headers)

    items = _entries(client, headers)["items"]
    actions = [e["action"] for e in items]
    assert actions == ["account.invite", "account.create", "auth.login_failed", "auth.login"]  # newest first
    invite = items[0]
    assert invite["actor_id"] == admin_id and invite["actor_name"] == "root"
    assert (invite["object_type"], invite["object_id"]) == ("user", str(created["id"]))
    assert invite["at"].endswith("+08:00") and invite["address_hash"]
    assert "invite_code" not in str(invite["detail"])  # the code itself is never logged


@pytest.fixture
def log(app, make_user):
    """Five entries by two actors, on two objects, over two days."""
    first, second = make_user(username="first"), make_user(username="second")
    with app.app_context():
        from app.auth.models import User

        one, two = db.session.get(User, first), db.session.get(User, second)
        base = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
        rows = [("report.view", one, "report", 1, 0), ("report.view", two, "report", 2, 1),
                ("identity.unseal", two, "report", 1, 25), ("report.view", one, "report", 1, 26),
                ("unit.create", None, "unit", 9, 27)]
        for action, actor, kind, oid, hours in rows:
            entry = audit(action, actor, kind, oid, {"note": action})
            entry.at = base + timedelta(hours=hours)
        db.session.commit()
    return first, second


def test_filters(client, county, log, as_role):
    first, second = log
    headers = as_role("custodian", COUNTY)
    assert len(_entries(client, headers, f"?actor_id={first}")["items"]) == 2
    assert [e["action"] for e in _entries(client, headers, "?action=identity.unseal")["items"]] == ["identity.unseal"]
    on_one = _entries(client, headers, "?object_type=report&object_id=1")["items"]
    assert [e["actor_id"] for e in on_one] == [first, second, first]
    day_two = _entries(client, headers, "?since=2026-03-02T00:00:00%2B08:00&until=2026-03-03T00:00:00%2B08:00")
    assert [e["action"] for e in day_two["items"]] == ["unit.create", "report.view", "identity.unseal"]
    anonymous = _entries(client, headers, "?object_type=unit")["items"][0]
    assert anonymous["actor_id"] is None and anonymous["actor_name"] is None


def test_bad_filters_are_400(client, as_role):
    headers = as_role("admin")
    naive = client.get("/api/v1/admin/audit?since=2026-03-02T00:00:00", headers=headers)
    assert naive.status_code == 400 and "since" in error_of(naive)["fields"]
    assert "时区" in error_of(naive)["fields"]["since"][0]
    assert client.get("/api/v1/admin/audit?actor_id=abc", headers=headers).status_code == 400


def test_pages(client, log, as_role):
    headers = as_role("admin")
    page = _entries(client, headers, "?limit=2")
    ids = [e["id"] for e in page["items"]]
    while page["next_cursor"]:
        page = _entries(client, headers, f"?limit=2&cursor={page['next_cursor']}")
        ids += [e["id"] for e in page["items"]]
    assert len(ids) == 5 and ids == sorted(ids, reverse=True)


def test_only_admin_and_custodian_may_read(client, county, as_role):
    assert client.get("/api/v1/admin/audit", headers=as_role("admin", COUNTY)).status_code == 200
    assert client.get("/api/v1/admin/audit", headers=as_role("custodian", COUNTY)).status_code == 200
    for role, region in (("inspector", COUNTY), ("publisher", "420323103211"), ("reviewer", "420323103211"),
                         ("unit_handler", None), ("resident", None)):
        response = client.get("/api/v1/admin/audit", headers=as_role(role, region))
        assert response.status_code == 403, role
        assert error_of(response)["code"] == "forbidden"
    assert client.get("/api/v1/admin/audit").status_code == 401


def test_there_is_no_api_to_change_the_log(client, as_role):
    headers = as_role("admin")
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)("/api/v1/admin/audit", headers=headers).status_code == 405


def test_orm_refuses_update_and_delete(app, log):
    with app.app_context():
        entry = db.session.scalar(sa.select(AuditEntry).limit(1))
        entry.action = "rewritten"
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.commit()
        db.session.rollback()

        entry = db.session.scalar(sa.select(AuditEntry).limit(1))
        db.session.delete(entry)
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.commit()
        db.session.rollback()

        with pytest.raises(RuntimeError, match="append-only"):
            db.session.execute(sa.update(AuditEntry).values(action="rewritten"))
        db.session.rollback()
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.execute(sa.delete(AuditEntry))
        db.session.rollback()

        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 5
        assert "rewritten" not in db.session.scalars(sa.select(AuditEntry.action)).all()


def test_the_database_refuses_a_raw_update_and_on_postgresql_a_raw_delete(app, log):
    with app.app_context():
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE audit_log SET action = 'rewritten'"))
        if db.engine.dialect.name == "postgresql":
            with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.engine.begin() as conn:
                conn.execute(sa.text("DELETE FROM audit_log"))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 5
        assert "rewritten" not in db.session.scalars(sa.select(AuditEntry.action)).all()


def test_audit_joins_the_callers_transaction(app, make_user):
    with app.app_context():
        audit("something.tried")
        db.session.rollback()  # the action failed: its entry goes with it
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0
        audit("something.done", None, "thing", 7)
        db.session.commit()
        entry = db.session.scalar(sa.select(AuditEntry))
        assert (entry.action, entry.object_id, entry.address_hash) == ("something.done", "7", None)
