"""Console login, TOTP, CSRF, idle timeout and logout."""

import base64
import io
import re
from datetime import timedelta

import pyotp
import sqlalchemy as sa

from app.auth.models import LoginThrottle, Token, User
from app.core.timeutil import utcnow
from app.extensions import db
from app.security.models import AuditEntry
from tests.console.conftest import PASSWORD, csrf_of, login, post_form, text


def _decode_qr(b64):
    """The text of a QR code image (decoded with zbar, as a phone's scanner would)."""
    from PIL import Image
    from pyzbar.pyzbar import decode

    return decode(Image.open(io.BytesIO(base64.b64decode(b64))))[0].data.decode("utf-8")


def _tokens(app, user_id):
    with app.app_context():
        return list(db.session.scalars(sa.select(Token).where(Token.user_id == user_id)))


def test_anonymous_page_redirects_to_login_with_next(client):
    response = client.get("/console/admin/accounts?q=abc")
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/login?next=/console/admin/accounts?q%3Dabc"


def test_login_page_is_chinese_and_has_csrf(client):
    response = client.get("/console/login")
    assert response.status_code == 200
    body = text(response)
    assert "工作人员登录" in body and "动态口令" in body
    assert csrf_of(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_login_sets_session_cookie_flags_and_opens_dashboard(app, client, make_user):
    user_id = make_user(("admin",), username="desk")
    response = login(client, "desk")
    assert response.status_code == 302 and response.headers["Location"] == "/console/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/console/")
    assert page.status_code == 200
    assert "您好，测试用户" in text(page) and "欢迎回来" in text(page)
    with client.session_transaction() as sess:
        assert set(sess) >= {"console_sid", "console_csrf"} and "console_token" not in sess
        raw = sess["console_sid"]
    rows = _tokens(app, user_id)
    assert len(rows) == 1 and rows[0].token_hash != raw and rows[0].revoked_at is None
    assert rows[0].console is True and rows[0].last_seen_at is not None
    with app.app_context():
        actions = list(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.actor_id == user_id)))
    assert "auth.login" in actions


def test_wrong_password_is_refused_in_chinese_and_counted(app, client, make_user):
    make_user(("admin",), username="desk")
    response = login(client, "desk", password="wrong-password-1")
    assert response.status_code == 401
    assert "用户名、密码或动态口令不正确" in text(response)
    assert 'value="desk"' in text(response)  # the username stays, the password does not
    with app.app_context():
        assert db.session.scalar(sa.select(LoginThrottle.failures)) == 1
    assert client.get("/console/").status_code == 302


def test_missing_fields_show_field_errors(client):
    page = client.get("/console/login")
    response = client.post("/console/login", data={"csrf_token": csrf_of(page), "username": "", "password": ""})
    assert response.status_code == 400
    assert text(response).count("此项为必填项") == 2


def test_repeated_failures_slow_down_that_address_only(app, make_user):
    user_id = make_user(("admin",), username="desk")
    stranger = app.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "203.0.113.50"
    for _ in range(3):
        assert login(stranger, "desk", password="wrong-password-1").status_code == 401
    response = login(stranger, "desk")
    assert response.status_code == 429
    assert "失败次数过多" in text(response) and int(response.headers["Retry-After"]) > 0
    assert _tokens(app, user_id) == []
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "198.51.100.60"
    assert login(owner, "desk").status_code == 302  # the right person, elsewhere, is not locked out
    assert owner.get("/console/").status_code == 200


def test_totp_enabled_account_needs_the_code(app, client, make_user, county):
    user_id = make_user(("inspector", "420323000000"), username="insp")
    secret = pyotp.random_base32()
    with app.app_context():
        user = db.session.get(User, user_id)
        user.totp_secret, user.totp_enabled = secret, True
        db.session.commit()
    assert login(client, "insp").status_code == 401
    bad = login(client, "insp", otp="12ab56")
    assert bad.status_code == 400 and "动态口令应为 6 位数字" in text(bad)
    assert login(client, "insp", otp=pyotp.TOTP(secret).now()).status_code == 302
    assert client.get("/console/").status_code == 200


def test_required_totp_enrolment_restricts_the_session_until_confirmed(app, make_app, make_user, county):
    user_id = make_user(("inspector", "420323000000"), username="insp")
    client = make_app(TOTP_REQUIRED_ROLES=("inspector",)).test_client()
    response = login(client, "insp")
    assert response.headers["Location"] == "/console/totp"
    blocked = client.get("/console/audit")
    assert blocked.status_code == 302 and blocked.headers["Location"] == "/console/totp"
    start = post_form(client, "/console/totp/start", page="/console/totp")
    assert start.status_code == 302
    page = client.get("/console/totp")
    with app.app_context():
        secret = db.session.get(User, user_id).totp_secret
    assert secret in text(page)
    uri = _decode_qr(re.search(r'src="data:image/png;base64,([^"]+)"', text(page)).group(1))
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri
    wrong = client.post("/console/totp/enable", data={"csrf_token": csrf_of(page), "otp": "000000"})
    if pyotp.TOTP(secret).verify("000000", valid_window=1):  # the one-in-a-hundred-thousand clash
        return
    assert wrong.status_code == 400 and "动态口令不正确" in text(wrong)
    done = client.post("/console/totp/enable", data={"csrf_token": csrf_of(page), "otp": pyotp.TOTP(secret).now()})
    assert done.status_code == 302 and done.headers["Location"] == "/console/"
    assert client.get("/console/").status_code == 200
    with app.app_context():
        assert db.session.get(User, user_id).totp_enabled is True
    assert "已启用动态口令" in text(client.get("/console/totp"))


def test_post_without_or_with_wrong_csrf_token_is_refused(app, console_as):
    client = console_as(("admin",))
    for data in ({}, {"csrf_token": "forged"}):
        response = client.post("/console/logout", data=data)
        assert response.status_code == 400
        assert "页面已过期或请求来源无法确认" in text(response)
    assert client.get("/console/").status_code == 200  # still logged in
    assert all(t.revoked_at is None for t in _tokens(app, client.user_id))


def test_login_form_needs_csrf_too(client, make_user):
    make_user(("admin",), username="desk")
    response = client.post("/console/login", data={"username": "desk", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/console/").status_code == 302


def _idle(app, user_id, minutes):
    """Move the server-side idle clock of the user's console sessions back."""
    with app.app_context():
        for row in db.session.scalars(sa.select(Token).where(Token.user_id == user_id)):
            row.last_seen_at = utcnow() - timedelta(minutes=minutes)
        db.session.commit()


def test_idle_session_expires_and_its_token_is_revoked(app, console_as):
    client = console_as(("admin",))
    with client.session_transaction() as sess:
        stolen = dict(sess)
    _idle(app, client.user_id, 31)
    response = client.get("/console/admin/accounts")
    assert response.status_code == 302 and response.headers["Location"].startswith("/console/login?next=")
    assert "长时间未操作，已自动退出" in text(client.get("/console/login"))
    assert all(t.revoked_at is not None for t in _tokens(app, client.user_id))
    assert client.get("/console/").status_code == 302
    replay = app.test_client()  # a copy of the cookie taken before the timeout is worthless too
    with replay.session_transaction() as sess:
        sess.update(stolen)
    assert replay.get("/console/").status_code == 302


def test_activity_within_the_idle_window_keeps_the_session(app, console_as):
    client = console_as(("admin",))
    _idle(app, client.user_id, 29)
    assert client.get("/console/").status_code == 200
    (row,) = _tokens(app, client.user_id)
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)


def test_idle_minutes_is_a_setting(make_app, make_user):
    user_id = make_user(("admin",), username="desk")
    client = make_app(CONSOLE_IDLE_MINUTES=5).test_client()
    login(client, "desk")
    _idle(client.application, user_id, 6)
    assert client.get("/console/").status_code == 302


def test_logout_revokes_the_token_so_the_old_cookie_is_worthless(app, console_as):
    client = console_as(("admin",))
    with client.session_transaction() as sess:
        stolen = dict(sess)
    response = post_form(client, "/console/logout", page="/console/")
    assert response.status_code == 302 and response.headers["Location"] == "/console/login"
    assert "您已安全退出" in text(client.get("/console/login"))
    assert all(t.revoked_at is not None for t in _tokens(app, client.user_id))
    replay = app.test_client()
    with replay.session_transaction() as sess:
        sess.update(stolen)
    assert replay.get("/console/").status_code == 302


def test_logout_is_post_only(console_as):
    client = console_as(("admin",))
    assert client.get("/console/logout").status_code == 405


def test_revoked_token_ends_the_console_session(app, console_as):
    client = console_as(("admin",))
    with app.app_context():
        for row in db.session.scalars(sa.select(Token).where(Token.user_id == client.user_id)):
            row.revoked_at = row.created_at
        db.session.commit()
    response = client.get("/console/")
    assert response.status_code == 302
    assert "登录已失效" in text(client.get("/console/login"))


def test_next_is_followed_only_inside_the_console(client, make_user):
    make_user(("admin",), username="desk")
    assert login(client, "desk", next_url="/console/audit").headers["Location"] == "/console/audit"
    for bad in ("https://evil.example/console/", "//evil.example/console/", "/api/v1/me", "/console/../api",
                "/\\evil.example", "/console//evil"):
        fresh = client.application.test_client()
        assert login(fresh, "desk", next_url=bad).headers["Location"] == "/console/", bad


def test_logged_in_visit_to_login_goes_to_dashboard(console_as):
    client = console_as(("admin",))
    assert client.get("/console/login").headers["Location"] == "/console/"


def test_bearer_tokens_are_not_accepted_by_the_console(client, as_role):
    response = client.get("/console/", headers=as_role("admin"))
    assert response.status_code == 400
    assert "不接受 Bearer 令牌" in text(response)


def test_disabled_account_loses_its_session(app, console_as):
    client = console_as(("admin",))
    with app.app_context():
        db.session.get(User, client.user_id).is_active = False
        db.session.commit()
    assert client.get("/console/").status_code == 302


def test_console_user_is_the_current_user_for_services(app, console_as, make_user):
    """Pages call services with app.auth.current.current_user(): the console session's user is the one acted on."""
    other = make_user(("admin",))
    client = console_as(("admin",), username="desk")
    post_form(client, "/console/totp/start", page="/console/totp")
    with app.app_context():
        assert db.session.get(User, client.user_id).totp_secret
        assert db.session.get(User, other).totp_secret is None


def test_production_cookie_is_secure_httponly_and_lax(make_app):
    """ProductionConfig's cookie setting reaches the console's session cookie (with HttpOnly and SameSite=Lax)."""
    from config import ProductionConfig

    secure = make_app(SESSION_COOKIE_SECURE=ProductionConfig.SESSION_COOKIE_SECURE)
    cookie = secure.test_client().get("/console/login", base_url="https://jd.example.gov.cn").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_console_login_shares_the_api_login_rate_limit(make_app, make_user):
    make_user(("admin",), username="desk")
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    api, console = limited.test_client(), limited.test_client()
    for _ in range(20):
        api.post("/api/v1/auth/login", json={"username": "nobody", "password": "x"})
    response = login(console, "desk")
    assert response.status_code == 429
    assert "操作过于频繁" in text(response)
    assert console.get("/console/login").status_code == 200  # reading the form is not counted
