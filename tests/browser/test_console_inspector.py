"""Browser: the county inspector works the queue — accepts a tip-off, assigns it to a unit, writes to the reporter;
then looks at the figures."""

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="浏览器测试需要 Playwright").expect
TIPOFF = "村里今年的低保名额评定没有开村民代表会议"


@pytest.fixture(name="demo_reports")
def demo_reports_fixture(app, demo):
    """The demo reports (filed through the real submission path)."""
    from app.reports.demo import seed_reports

    with app.app_context():
        seed_reports(echo=lambda *_: None)
        db.session.commit()


def _transition(page, label):
    """The transition form whose summary is exactly `label`, opened."""
    details = page.locator("details.transition").filter(has=page.locator("summary", has_text=re.compile(f"^{label}$")))
    details.locator("summary").click()
    return details


def test_inspector_accepts_assigns_and_messages(app, demo_reports, page, screenshot):
    from app.reports.models import Report

    log_in(page, "inspector")
    page.locator(".sidenav").get_by_role("link", name="信访件").click()
    expect(page.get_by_role("heading", name="信访件")).to_be_visible()
    page.get_by_label("类别").select_option(label="检举控告")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"kind=tipoff"))
    screenshot("staff-queue")
    page.get_by_role("row", name=re.compile("低保名额评定")).get_by_role("link").first.click()
    expect(page.get_by_text(TIPOFF)).to_be_visible()

    accept = _transition(page, "受理")
    accept.get_by_label("处置方式").select_option(label="初步核实")
    accept.get_by_role("button", name="受理", exact=True).click()
    dialog = page.locator("dialog.confirm-dialog")
    expect(dialog).to_contain_text("受理后将通知举报人")
    screenshot("staff-confirm")
    dialog.get_by_role("button", name="确认受理").click()
    expect(page.get_by_text("已受理", exact=True).first).to_be_visible()

    assign = _transition(page, "交办")
    assign.get_by_label("承办单位").select_option(label="竹山县民政局")
    from app.core.timeutil import today_cst

    assign.get_by_label("答复期限").fill(today_cst().replace(day=1).replace(year=today_cst().year + 1).isoformat())
    assign.get_by_role("button", name="交办", exact=True).click()
    expect(dialog).to_contain_text("交办后将通知竹山县民政局的承办人员，举报人可见“已交办”")
    dialog.get_by_role("button", name="取消").click()  # cancelling changes nothing
    expect(dialog).to_have_count(0)
    with app.app_context():
        status = db.session.scalar(sa.select(Report.status).where(Report.content.startswith("村里今年的低保")))
    assert status == "accepted"
    assign.get_by_role("button", name="交办", exact=True).click()
    dialog.get_by_role("button", name="确认交办").click()
    expect(page.locator(".flash-success")).to_have_text("已交办")

    expect(page.get_by_label("仅内部可见")).to_be_checked()  # a message is internal unless the inspector says so
    page.get_by_label("留言或备注").fill("您反映的低保评定问题已交县民政局核实，请耐心等待。")
    page.get_by_label("举报人可见").check()
    page.get_by_role("button", name="发送").click()
    expect(page.locator(".flash-success")).to_have_text("留言已发送给反映人")
    expect(page.locator("#timeline")).to_contain_text("已交县民政局核实")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot("staff-report")
    with app.app_context():
        report = db.session.scalar(sa.select(Report).where(Report.content.startswith("村里今年的低保")))
        assert report.status == "assigned" and report.disposition == "preliminary_verification"
        assert ("message", "public") in [(e.action, e.visibility) for e in report.timeline]

    page.locator(".sidenav").get_by_role("link", name="统计").click()
    expect(page.locator("#chart-month svg")).to_be_visible()
    screenshot("staff-stats")


def test_without_javascript_the_confirmation_is_a_page(app, demo_reports, browser, live_server):
    from app.reports.models import Report
    from tests.browser.conftest import VIEWPORT

    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", base_url=live_server.url,
                                  java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, "inspector")
        page.goto("/console/triage?kind=tipoff")
        page.get_by_role("row", name=re.compile("低保名额评定")).get_by_role("link").first.click()
        page.locator("details.transition summary", has_text=re.compile("^受理$")).click()
        page.get_by_label("处置方式").first.select_option(label="谈话函询")
        page.get_by_role("button", name="受理", exact=True).click()
        panel = page.locator("[data-confirm-panel]")
        expect(panel).to_contain_text("受理后将通知举报人")
        with app.app_context():
            report = db.session.scalar(sa.select(Report).where(Report.content.startswith("村里今年的低保")))
            assert report.status == "received"
        panel.get_by_role("button", name="确认受理").click()
        expect(page.locator(".flash-success")).to_have_text("已受理")
        with app.app_context():
            report = db.session.scalar(sa.select(Report).where(Report.content.startswith("村里今年的低保")))
            assert report.status == "accepted" and report.disposition == "talk_inquiry"
    finally:
        context.close()
