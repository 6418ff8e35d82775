"""Password login, opaque hashed tokens, expiry, logout, /me (throttling: test_throttle.py)."""

from datetime import timedelta

import sqlalchemy as sa

from app.auth.current import token_hash
from app.auth.models import Token, User
from app.core.timeutil import utcnow
from app.extensions import db
from app.security.models import AuditEntry
from tests.conftest import error_of

PASSWORD = "Passw0rd-test"
LONGJING = "420323103211"


def login(client, username, password=PASSWORD, **extra):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password, **extra})


def test_login_returns_a_session(app, client, county, make_user):
    uid = make_user(("publisher", LONGJING), username="pub")
    response = login(client, "pub")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"token", "expires_at", "user", "totp_enrollment_required"}
    assert body["totp_enrollment_required"] is False
    assert body["user"]["id"] == uid and body["user"]["roles"] == ["publisher", "resident"]
    assert body["expires_at"].endswith("+08:00")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.get_json()["username"] == "pub"
    with app.app_context():
        user = db.session.get(User, uid)
        assert user.last_login_at is not None
        token = db.session.scalar(sa.select(Token).where(Token.user_id == uid))
        ttl = token.expires_at - token.created_at
        assert timedelta(hours=11, minutes=59) < ttl <= timedelta(hours=12, minutes=1)  # STAFF_TOKEN_TTL_HOURS


def test_password_is_stored_as_argon2id(app, make_user):
    uid = make_user(username="hashed")
    with app.app_context():
        stored = db.session.get(User, uid).password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_wrong_password_and_unknown_user_look_the_same(client, make_user):
    make_user(username="someone")
    wrong = login(client, "someone", "Wrong-passw0rd")
    unknown = login(client, "nobody-here", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert error_of(wrong)["code"] == error_of(unknown)["code"] == "invalid_credentials"
    assert error_of(wrong)["message"] == error_of(unknown)["message"] == "用户名、密码或动态口令不正确"


def test_inactive_account_cannot_log_in(app, client, make_user):
    uid = make_user(username="gone")
    with app.app_context():
        db.session.get(User, uid).is_active = False
        db.session.commit()
    assert login(client, "gone").status_code == 401


def test_tokens_are_opaque_and_stored_hashed(app, client, make_user):
    uid = make_user(username="opaque")
    raw = login(client, "opaque").get_json()["token"]
    assert len(raw) >= 40 and str(uid) not in raw.split("-") and "." not in raw
    with app.app_context():
        stored = [row.token_hash for row in db.session.scalars(sa.select(Token))]
        dump = " ".join(str(v) for row in db.session.execute(sa.text("SELECT * FROM tokens")) for v in row)
    assert stored == [token_hash(raw)]
    assert raw not in dump


def test_expired_token_is_401(app, client, make_user):
    make_user(username="late")
    raw = login(client, "late").get_json()["token"]
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with app.app_context():
        token = db.session.scalar(sa.select(Token).where(Token.token_hash == token_hash(raw)))
        token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_token"


def test_logout_revokes_only_this_token(app, client, make_user):
    make_user(username="leaver")
    first = {"Authorization": "Bearer " + login(client, "leaver").get_json()["token"]}
    second = {"Authorization": "Bearer " + login(client, "leaver").get_json()["token"]}
    response = client.post("/api/v1/auth/logout", headers=first)
    assert response.status_code == 204 and response.data == b""
    assert client.get("/api/v1/me", headers=first).status_code == 401
    assert client.post("/api/v1/auth/logout", headers=first).status_code == 401
    assert client.get("/api/v1/me", headers=second).status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "auth.logout")) == 1


def test_logout_needs_a_token(client):
    assert client.post("/api/v1/auth/logout").status_code == 401


def test_malformed_authorization_headers(client, make_user, token_for):
    uid = make_user(username="headers")
    raw = token_for(uid)["Authorization"].split(" ", 1)[1]
    assert client.get("/api/v1/me", headers={"Authorization": f"bearer {raw}"}).status_code == 200
    for header in ("Bearer short", "Bearer " + "x" * 200, f"Bearer {raw[:-1]}X"):
        response = client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert error_of(response)["code"] == "invalid_token"
    assert client.get("/api/v1/me", headers={"Authorization": f"Basic {raw}"}).status_code == 401


def test_me_shows_roles_and_scopes(client, county, make_user, token_for):
    from app.demo.seed import LONGJING as VILLAGE

    uid = make_user(("publisher", VILLAGE), ("inspector", "420323000000"), username="scoped")
    body = client.get("/api/v1/me", headers=token_for(uid)).get_json()
    assert body["roles"] == ["inspector", "publisher", "resident"]
    assert body["is_staff"] is True and body["wechat_bound"] is False and body["totp_enabled"] is False
    scopes = sorted((g["role"], g["region_code"], g["region_name"]) for g in body["grants"])
    assert scopes == [("inspector", "420323000000", "竹山县"), ("publisher", VILLAGE, "龙井村")]
    assert "password_hash" not in body and "totp_secret" not in body


def test_me_of_a_resident(client, as_role):
    body = client.get("/api/v1/me", headers=as_role("resident")).get_json()
    assert body["roles"] == ["resident"] and body["grants"] == [] and body["is_staff"] is False


def test_login_writes_the_audit_log(app, client, make_user):
    uid = make_user(username="audited")
    login(client, "audited")
    with app.app_context():
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "auth.login"))
        assert (entry.actor_id, entry.actor_name, entry.object_type, entry.object_id) == (
            uid, "audited", "user", str(uid))
        assert entry.address_hash and "127.0.0.1" not in entry.address_hash
