"""Browser: the custodian logs in and filters the audit log; an inspector enrols TOTP with the QR code."""

import re

import pyotp
import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="浏览器测试需要 Playwright").expect


def test_custodian_filters_the_audit_log(demo, page, screenshot, browser, live_server):
    admin = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=live_server.url).new_page()
    log_in(admin, "admin")  # something worth auditing
    admin.context.close()

    log_in(page, "custodian")
    nav = page.locator(".sidenav")
    expect(nav.get_by_role("link", name="审计日志")).to_be_visible()
    assert nav.get_by_role("link", name="账号与授权").count() == 0
    nav.get_by_role("link", name="审计日志").click()
    page.get_by_label("操作人").fill("admin")
    page.get_by_label("操作", exact=True).fill("auth.login")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"actor=admin"))
    rows = page.locator("table.audit tbody tr")
    assert rows.count() == 1
    assert "auth.login" in rows.first.inner_text() and "admin" in rows.first.inner_text()
    screenshot("audit")

    page.get_by_label("操作人").fill("nobody-here")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_text("未找到该账号")).to_be_visible()


def test_inspector_enrols_totp_by_scanning_the_qr_code(app, demo, page, screenshot):
    log_in(page, "inspector")
    page.get_by_role("link", name="动态口令").first.click()
    page.get_by_role("button", name="开始绑定").click()
    expect(page.get_by_role("img", name="动态口令绑定二维码")).to_be_visible()
    screenshot("totp")
    secret = page.locator(".secret code").inner_text()
    page.get_by_label("验证器上的 6 位数字").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="确认绑定").click()
    page.wait_for_url(re.compile(r"/console/$"))
    expect(page.get_by_text("动态口令已启用")).to_be_visible()
    with app.app_context():
        assert db.session.scalar(sa.select(User.totp_enabled).where(User.username == "inspector")) is True
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(re.compile(r"/console/login$"))
    expect(page.get_by_text("您已安全退出")).to_be_visible()
