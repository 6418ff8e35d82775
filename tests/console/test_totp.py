"""Console login hardening: residents stay out, TOTP enrolment and status, CSRF on every publisher form."""

import pyotp
import pytest

from app.auth.models import User, WechatIdentity
from app.extensions import db
from tests.console.conftest import csrf_of, login, post_form, text
from tests.console.test_disclosures import make_draft
from tests.disclosures.factories import LONGJING


def test_a_wechat_resident_cannot_log_into_the_console(app, client):
    with app.app_context():
        user = User(username="resident-openid", display_name="群众")
        db.session.add(user)
        db.session.flush()
        db.session.add(WechatIdentity(openid="o-resident", user_id=user.id))
        db.session.commit()
    for password in ("", "anything-at-all"):
        refused = login(client, "resident-openid", password=password)
        assert refused.status_code in (400, 401) and "console_token" not in refused.headers.get("Set-Cookie", "")
    assert client.get("/console/disclosures").status_code == 302


def test_an_account_without_roles_sees_no_work_pages(console_as, county):
    nobody = console_as()
    assert "还没有任何工作角色" in text(nobody.get("/console/"))
    for url in ("/console/disclosures", "/console/disclosures/new", "/console/compliance", "/console/posters"):
        assert nobody.get(url).status_code == 403, url


def test_enabled_totp_is_shown_and_cannot_be_restarted_silently(app, county, console_as):
    client = console_as(("publisher", LONGJING), username="pub_totp")
    with app.app_context():
        user = db.session.get(User, client.user_id)
        user.totp_secret, user.totp_enabled = pyotp.random_base32(), True
        db.session.commit()
    page = client.get("/console/totp")
    assert page.status_code == 200 and "已启用动态口令" in text(page) and "开始绑定" not in text(page)


def test_enrolment_shows_a_png_qr_code_and_a_new_secret_replaces_the_old(app, county, console_as):
    client = console_as(("reviewer", LONGJING), username="rev_totp")
    post_form(client, "/console/totp/start", page="/console/totp")
    with app.app_context():
        first = db.session.get(User, client.user_id).totp_secret
    page = text(client.get("/console/totp"))
    assert 'src="data:image/png;base64,' in page and first in page
    post_form(client, "/console/totp/start", page="/console/totp")
    with app.app_context():
        assert db.session.get(User, client.user_id).totp_secret != first
    wrong = post_form(client, "/console/totp/enable", {"otp": "12"}, page="/console/totp")
    assert wrong.status_code == 400 and "动态口令应为 6 位数字" in text(wrong)


@pytest.mark.parametrize("path", ["submit", "approve", "reject", "publish", "withdraw", "edit", "correct",
                                  "import", "import/confirm", "attachments"])
def test_every_publisher_form_needs_the_csrf_token(app, county, console_as, path):
    client = console_as(("publisher", LONGJING), ("reviewer", LONGJING), username="both_csrf")
    did = make_draft(app, client.user_id)
    refused = client.post(f"/console/disclosures/{did}/{path}", data={"reason": "理由充分", "csrf_token": "x"})
    assert refused.status_code == 400 and "页面已过期" in text(refused)
    missing = client.post(f"/console/disclosures/{did}/{path}", data={"reason": "理由充分"})
    assert missing.status_code == 400
    assert "提交审核" in text(client.get(f"/console/disclosures/{did}"))  # still a draft


def test_session_cookie_flags_on_the_console(app, county, make_user):
    make_user(("publisher", LONGJING), username="cookie_pub")
    client = app.test_client()
    response = login(client, "cookie_pub")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert csrf_of(client.get("/console/disclosures"))
