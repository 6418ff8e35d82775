"""POST /auth/wechat against the fake WeChat server."""

import time

import sqlalchemy as sa

from app.auth.models import Token, User, WechatIdentity
from app.extensions import db
from app.security.models import AuditEntry
from tests.conftest import error_of
from tests.fake_wechat import APPID, SECRET


def _wechat(client, code):
    return client.post("/api/v1/auth/wechat", json={"code": code})


def test_first_login_creates_a_resident_and_second_reuses_it(wechat_app, fake_wechat):
    client = wechat_app.test_client()
    first = _wechat(client, "user:alice")
    assert first.status_code == 200, first.get_json()
    body = first.get_json()
    assert body["user"]["roles"] == ["resident"] and body["user"]["wechat_bound"] is True
    assert body["totp_enrollment_required"] is False
    second = _wechat(client, "user:alice")
    assert second.get_json()["user"]["id"] == body["user"]["id"]
    assert second.get_json()["token"] != body["token"]
    other = _wechat(client, "user:bob")
    assert other.get_json()["user"]["id"] != body["user"]["id"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.get_json()["display_name"] == "微信用户"

    with wechat_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2
        identity = db.session.scalar(sa.select(WechatIdentity).where(WechatIdentity.user_id == body["user"]["id"]))
        assert identity.openid.startswith("o") and len(identity.openid) == 28
        token = db.session.scalar(sa.select(Token).where(Token.user_id == body["user"]["id"]).limit(1))
        assert (token.expires_at - token.created_at).total_seconds() > 24 * 3600  # TOKEN_TTL_HOURS for residents
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "auth.resident_created")) == 2

    sessions = fake_wechat.calls_to("/sns/jscode2session")
    assert [c["query"]["js_code"] for c in sessions] == ["user:alice", "user:alice", "user:bob"]
    assert sessions[0]["query"]["appid"] == APPID and sessions[0]["query"]["secret"] == SECRET


def test_login_needs_no_access_token(wechat_app, fake_wechat):
    client = wechat_app.test_client()
    assert _wechat(client, "user:one").status_code == 200
    assert _wechat(client, "user:two").status_code == 200
    assert fake_wechat.calls_to("/cgi-bin/token") == []


def test_invalid_code_is_400(wechat_app, fake_wechat):
    response = _wechat(wechat_app.test_client(), "bad-code")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_code" and "重新进入小程序" in error["message"]


def test_wechat_rate_limit_is_429_with_retry_after(wechat_app, fake_wechat):
    response = _wechat(wechat_app.test_client(), "busy-now")
    assert response.status_code == 429
    assert error_of(response)["code"] == "wechat_rate_limited"
    assert int(response.headers["Retry-After"]) > 0


def test_unexpected_wechat_error_is_503(wechat_app, fake_wechat):
    fake_wechat.fail("/sns/jscode2session", {"errcode": -1, "errmsg": "system error"})
    response = _wechat(wechat_app.test_client(), "user:x")
    assert response.status_code == 503 and error_of(response)["code"] == "wechat_error"


def test_wechat_http_failure_is_503(wechat_app, fake_wechat):
    fake_wechat.fail("/sns/jscode2session", 502)
    response = _wechat(wechat_app.test_client(), "user:x")
    assert response.status_code == 503 and error_of(response)["code"] == "wechat_unavailable"


def test_missing_openid_is_503(wechat_app, fake_wechat):
    fake_wechat.fail("/sns/jscode2session", {"session_key": "x"})
    assert _wechat(wechat_app.test_client(), "user:x").status_code == 503


def test_not_configured_is_503(client):
    response = _wechat(client, "user:alice")
    assert response.status_code == 503
    assert error_of(response)["code"] == "wechat_not_configured"


def test_server_down_is_503(make_app, app):
    down = make_app(WECHAT_APPID=APPID, WECHAT_SECRET=SECRET, WECHAT_API_BASE="http://127.0.0.1:9/",
                    WECHAT_TIMEOUT=1)
    started = time.monotonic()
    response = _wechat(down.test_client(), "user:alice")
    assert response.status_code == 503 and error_of(response)["code"] == "wechat_unavailable"
    assert time.monotonic() - started < 2


def test_hanging_server_is_503_after_the_timeout(make_app, app, fake_wechat):
    slow = make_app(WECHAT_APPID=APPID, WECHAT_SECRET=SECRET, WECHAT_API_BASE=fake_wechat.base_url,
                    WECHAT_TIMEOUT=0.3)
    fake_wechat.hang_seconds = 2.0
    try:
        started = time.monotonic()
        response = _wechat(slow.test_client(), "user:alice")
        elapsed = time.monotonic() - started
    finally:
        fake_wechat.hang_seconds = 0.0
    assert response.status_code == 503 and error_of(response)["code"] == "wechat_unavailable"
    assert elapsed < 1.5


def test_code_is_required(wechat_app):
    response = wechat_app.test_client().post("/api/v1/auth/wechat", json={"code": ""})
    assert response.status_code == 400 and "code" in error_of(response)["fields"]


def test_disabled_account_cannot_log_in(wechat_app, fake_wechat):
    client = wechat_app.test_client()
    uid = _wechat(client, "user:gone").get_json()["user"]["id"]
    with wechat_app.app_context():
        db.session.get(User, uid).is_active = False
        db.session.commit()
    response = _wechat(client, "user:gone")
    assert response.status_code == 401 and error_of(response)["code"] == "account_disabled"
