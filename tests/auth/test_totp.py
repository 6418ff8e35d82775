"""TOTP: setup, enable, login with a second factor; enrolment required for some roles."""

import pyotp
import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db
from tests.conftest import error_of

PASSWORD = "Passw0rd-test"


def _login(client, username, **extra):
    return client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD, **extra})


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def _enrol(client, headers):
    setup = client.post("/api/v1/auth/totp/setup", headers=headers)
    assert setup.status_code == 200
    secret = setup.get_json()["secret"]
    enable = client.post("/api/v1/auth/totp/enable", json={"otp": pyotp.TOTP(secret).now()}, headers=headers)
    assert enable.status_code == 200 and enable.get_json() == {"totp_enabled": True}
    return secret


def _wrong_code(secret):
    totp = pyotp.TOTP(secret)
    return next(c for c in ("000000", "111111", "222222", "333333") if not totp.verify(c, valid_window=1))


def test_setup_enable_then_login_needs_the_code(app, client, county, make_user):
    uid = make_user(("inspector", "420323000000"), username="insp")
    headers = _bearer(_login(client, "insp").get_json()["token"])
    setup = client.post("/api/v1/auth/totp/setup", headers=headers).get_json()
    assert setup["otpauth_uri"].startswith("otpauth://totp/") and "insp" in setup["otpauth_uri"]
    with app.app_context():
        assert db.session.get(User, uid).totp_enabled is False  # not active until confirmed
    assert _login(client, "insp").status_code == 200

    wrong = client.post("/api/v1/auth/totp/enable", json={"otp": _wrong_code(setup["secret"])}, headers=headers)
    assert wrong.status_code == 400 and error_of(wrong)["code"] == "invalid_otp"

    ok = client.post("/api/v1/auth/totp/enable", json={"otp": pyotp.TOTP(setup["secret"]).now()}, headers=headers)
    assert ok.status_code == 200
    with app.app_context():
        user = db.session.get(User, uid)
        assert user.totp_enabled is True and user.totp_secret == setup["secret"]
        raw = db.session.execute(sa.text("SELECT totp_secret FROM users WHERE id = :i"), {"i": uid}).scalar()
        assert setup["secret"] not in raw  # encrypted at rest

    without = _login(client, "insp")
    assert without.status_code == 401 and error_of(without)["code"] == "invalid_credentials"
    assert _login(client, "insp", otp=_wrong_code(setup["secret"])).status_code == 401
    with_code = _login(client, "insp", otp=pyotp.TOTP(setup["secret"]).now())
    assert with_code.status_code == 200


def test_setup_twice_after_enable_is_409(client, make_user, token_for):
    headers = token_for(make_user(username="twice"))
    _enrol(client, headers)
    response = client.post("/api/v1/auth/totp/setup", headers=headers)
    assert response.status_code == 409 and error_of(response)["code"] == "totp_already_enabled"
    again = client.post("/api/v1/auth/totp/enable", json={"otp": "123456"}, headers=headers)
    assert again.status_code == 409


def test_enable_without_setup_is_409(client, make_user, token_for):
    response = client.post("/api/v1/auth/totp/enable", json={"otp": "123456"}, headers=token_for(make_user()))
    assert response.status_code == 409 and error_of(response)["code"] == "totp_not_started"


def test_otp_must_be_six_digits(client, make_user, token_for):
    response = client.post("/api/v1/auth/totp/enable", json={"otp": "12ab56"}, headers=token_for(make_user()))
    assert response.status_code == 400
    assert error_of(response)["fields"] == {"otp": ["动态口令应为 6 位数字"]}


def test_totp_endpoints_need_login(client):
    assert client.post("/api/v1/auth/totp/setup").status_code == 401
    assert client.post("/api/v1/auth/totp/enable", json={"otp": "123456"}).status_code == 401


@pytest.fixture
def strict_app(make_app, app):
    return make_app(TOTP_REQUIRED_ROLES=("inspector", "custodian"))


def test_required_roles_get_a_restricted_token_until_enrolled(strict_app, county, make_user):
    client = strict_app.test_client()
    make_user(("inspector", "420323000000"), username="must")
    body = _login(client, "must").get_json()
    assert body["totp_enrollment_required"] is True
    headers = _bearer(body["token"])

    for method, url in (("get", "/api/v1/units"), ("get", "/api/v1/admin/audit"),
                        ("post", "/api/v1/admin/users/1/invites")):
        response = getattr(client, method)(url, headers=headers)
        assert response.status_code == 403, url
        assert error_of(response)["code"] == "totp_enrollment_required"
    assert client.get("/api/v1/me", headers=headers).status_code == 200

    _enrol(client, headers)  # lifts the restriction of this very token
    assert client.get("/api/v1/units", headers=headers).status_code == 200

    fresh = _login(client, "must")
    assert fresh.status_code == 401  # from now on the code is needed


def test_restricted_token_may_log_out(strict_app, county, make_user):
    client = strict_app.test_client()
    make_user(("custodian", "420323000000"), username="keeper")
    headers = _bearer(_login(client, "keeper").get_json()["token"])
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_other_roles_are_not_restricted(strict_app, county, make_user):
    client = strict_app.test_client()
    make_user(("publisher", "420323103211"), username="free")
    body = _login(client, "free").get_json()
    assert body["totp_enrollment_required"] is False
    assert client.get("/api/v1/units", headers=_bearer(body["token"])).status_code == 200
