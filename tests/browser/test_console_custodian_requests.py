"""Browser: an inspector asks to see a real-name reporter's identity; the custodian approves it; the inspector
then sees the name (and that the view is audited)."""

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests.browser.conftest import VIEWPORT, log_in
from tests.browser.test_console_inspector import demo_reports_fixture  # noqa: F401  (`demo_reports`)

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="浏览器测试需要 Playwright").expect
REASON = "需就财务公开办公费支出问题当面向反映人核实情况"


def test_custodian_approves_an_identity_request(app, demo_reports, page, screenshot, browser, live_server):
    from app.reports.models import Report
    from app.triage.models import IdentityRequest

    inspector = browser.new_context(viewport=VIEWPORT, locale="zh-CN", base_url=live_server.url).new_page()
    log_in(inspector, "inspector")
    with app.app_context():
        report_id = db.session.scalar(sa.select(Report.id).where(Report.anonymous.is_(False),
                                                                 Report.content.contains("办公费")))
    inspector.goto(f"/console/triage/reports/{report_id}")
    expect(inspector.get_by_text("实名（已封存）")).to_be_visible()
    inspector.get_by_label("申请理由").fill(REASON)
    inspector.get_by_role("button", name="申请查看身份").click()
    expect(inspector.get_by_text("申请已提交，等待身份保管员审批")).to_be_visible()

    log_in(page, "custodian")
    page.locator(".sidenav").get_by_role("link", name="身份查看申请").click()
    row = page.get_by_role("row", name=re.compile(REASON))
    expect(row).to_be_visible()
    screenshot("staff-custody")
    page.on("dialog", lambda dialog: dialog.accept())
    row.get_by_label("审批意见").fill("同意，仅限本次核实使用")
    row.get_by_role("button", name="批准").click()
    expect(page.get_by_text(re.compile("已批准对 .* 的身份查看申请"))).to_be_visible()
    expect(page.get_by_text("没有待审批的申请")).to_be_visible()
    with app.app_context():
        assert db.session.scalar(sa.select(IdentityRequest.status)) == "approved"

    inspector.reload()
    expect(inspector.locator(".reporter")).to_contain_text("陈德明")
    expect(inspector.get_by_text("本次查看已记入审计日志")).to_be_visible()
    inspector.context.close()
