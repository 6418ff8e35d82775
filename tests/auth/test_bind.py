"""POST /auth/bind with a staff invite: the WeChat identity moves to the staff account."""

from datetime import timedelta

import sqlalchemy as sa

from app.auth.models import Invite, WechatIdentity
from app.core.timeutil import utcnow
from app.extensions import db
from tests.conftest import error_of

LONGJING = "420323103211"


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def _invite(client, admin_headers, user_id):
    response = client.post(f"/api/v1/admin/users/{user_id}/invites", headers=admin_headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_staff_invite_binds_wechat_to_the_staff_account(wechat_app, fake_wechat, county, make_user, token_for):
    client = wechat_app.test_client()
    admin = token_for(make_user(("admin",), username="root"))
    staff_id = make_user(("publisher", LONGJING), username="pub_longjing")
    invite = _invite(client, admin, staff_id)
    assert len(invite["invite_code"]) == 14 and invite["invite_code"].count("-") == 2
    assert invite["expires_at"].endswith("+08:00")

    resident = client.post("/api/v1/auth/wechat", json={"code": "user:cadre"}).get_json()
    resident_headers = _bearer(resident["token"])
    response = client.post("/api/v1/auth/bind", json={"invite_code": invite["invite_code"].lower()},
                           headers=resident_headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["bound"] == "staff"
    session = body["session"]
    assert session["user"]["id"] == staff_id and session["user"]["wechat_bound"] is True
    assert "publisher" in session["user"]["roles"]

    assert client.get("/api/v1/me", headers=resident_headers).status_code == 401  # the resident session is over
    staff_me = client.get("/api/v1/me", headers=_bearer(session["token"])).get_json()
    assert staff_me["id"] == staff_id
    again = client.post("/api/v1/auth/wechat", json={"code": "user:cadre"}).get_json()
    assert again["user"]["id"] == staff_id  # the same WeChat now logs into the staff account

    with wechat_app.app_context():
        identities = db.session.scalars(sa.select(WechatIdentity)).all()
        assert [i.user_id for i in identities] == [staff_id]
        row = db.session.scalar(sa.select(Invite))
        assert row.used_at is not None and row.used_by_id == resident["user"]["id"]
        assert invite["invite_code"] not in row.code_hash


def test_reused_invite_is_409(wechat_app, fake_wechat, county, make_user, token_for):
    client = wechat_app.test_client()
    admin = token_for(make_user(("admin",)))
    invite = _invite(client, admin, make_user(("reviewer", LONGJING)))
    first = client.post("/api/v1/auth/wechat", json={"code": "user:first"}).get_json()
    assert client.post("/api/v1/auth/bind", json={"invite_code": invite["invite_code"]},
                       headers=_bearer(first["token"])).status_code == 200
    second = client.post("/api/v1/auth/wechat", json={"code": "user:second"}).get_json()
    response = client.post("/api/v1/auth/bind", json={"invite_code": invite["invite_code"]},
                           headers=_bearer(second["token"]))
    assert response.status_code == 409 and error_of(response)["code"] == "invite_used"


def test_unknown_or_expired_invite_is_404(wechat_app, fake_wechat, make_user, token_for):
    client = wechat_app.test_client()
    resident = _bearer(client.post("/api/v1/auth/wechat", json={"code": "user:r"}).get_json()["token"])
    response = client.post("/api/v1/auth/bind", json={"invite_code": "ABCD-EFGH-JKMN"}, headers=resident)
    assert response.status_code == 404 and error_of(response)["code"] == "invalid_invite"

    admin = token_for(make_user(("admin",)))
    invite = _invite(client, admin, make_user())
    with wechat_app.app_context():
        row = db.session.scalar(sa.select(Invite))
        row.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    response = client.post("/api/v1/auth/bind", json={"invite_code": invite["invite_code"]}, headers=resident)
    assert response.status_code == 404


def test_bind_needs_a_wechat_login(client, make_user, token_for):
    admin = token_for(make_user(("admin",)))
    invite = _invite(client, admin, make_user())
    password_only = token_for(make_user())
    response = client.post("/api/v1/auth/bind", json={"invite_code": invite["invite_code"]}, headers=password_only)
    assert response.status_code == 400 and error_of(response)["code"] == "wechat_login_required"
    with client.application.app_context():
        assert db.session.scalar(sa.select(Invite)).used_at is None  # not spent by the failed attempt


def test_bind_needs_login_and_a_code(client, make_user, token_for):
    assert client.post("/api/v1/auth/bind", json={"invite_code": "ABCD-EFGH-JKMN"}).status_code == 401
    response = client.post("/api/v1/auth/bind", json={"invite_code": "AB"}, headers=token_for(make_user()))
    assert response.status_code == 400 and "invite_code" in error_of(response)["fields"]


def test_only_admins_create_invites(client, county, make_user, token_for):
    target = make_user()
    for grants in ([("publisher", LONGJING)], [("inspector", "420323000000")], []):
        response = client.post(f"/api/v1/admin/users/{target}/invites", headers=token_for(make_user(*grants)))
        assert response.status_code == 403
    response = client.post("/api/v1/admin/users/999999/invites", headers=token_for(make_user(("admin",))))
    assert response.status_code == 404 and error_of(response)["code"] == "user_not_found"


def test_bound_staff_with_required_totp_gets_a_restricted_session(make_app, app, fake_wechat, county, make_user,
                                                                  token_for):
    from tests.fake_wechat import APPID, SECRET

    strict = make_app(WECHAT_APPID=APPID, WECHAT_SECRET=SECRET, WECHAT_API_BASE=fake_wechat.base_url,
                      TOTP_REQUIRED_ROLES=("inspector",))
    client = strict.test_client()
    admin = token_for(make_user(("admin",)))
    inspector = make_user(("inspector", "420323000000"))
    invite = _invite(client, admin, inspector)
    resident = _bearer(client.post("/api/v1/auth/wechat", json={"code": "user:insp"}).get_json()["token"])
    session = client.post("/api/v1/auth/bind", json={"invite_code": invite["invite_code"]},
                          headers=resident).get_json()["session"]
    assert session["totp_enrollment_required"] is True
    response = client.get("/api/v1/units", headers=_bearer(session["token"]))
    assert response.status_code == 403 and error_of(response)["code"] == "totp_enrollment_required"
    later = client.post("/api/v1/auth/wechat", json={"code": "user:insp"}).get_json()
    assert later["user"]["id"] == inspector and later["totp_enrollment_required"] is True
