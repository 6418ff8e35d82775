"""Browser: a publisher drafts a finance disclosure from the accountant's .xlsx, a reviewer approves it, the
publisher publishes it; also the compliance view and the village's QR poster."""

import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.disclosures.models import Disclosure
from app.extensions import db
from tests.browser.conftest import DOCS_SCREENSHOTS, VIEWPORT, log_in

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="浏览器测试需要 Playwright").expect
LEDGER = Path(__file__).resolve().parents[1] / "fixtures" / "finance_sample.xlsx"


def test_publisher_uploads_a_ledger_and_the_reviewer_approves_it(app, demo, page, screenshot, browser, live_server,
                                                                 tmp_path):
    log_in(page, "publisher_longjing")
    page.locator(".sidenav").get_by_role("link", name="公开事项").click()
    page.get_by_role("link", name="新建公开").click()
    page.get_by_label("村（社区）").select_option(label="宝丰镇 龙井村")
    page.get_by_label("公开类别").select_option(label="财务公开")
    page.get_by_role("button", name="下一步：填写内容").click()
    page.get_by_label("标题").fill("龙井村2026年3月财务收支公开")
    page.get_by_label("公开期间").fill("2026-03")
    screenshot("pub-editor")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("草稿已保存")).to_be_visible()

    page.get_by_role("link", name="上传收支台账").click()
    page.get_by_label("台账文件").set_input_files(str(LEDGER))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_text("尚未保存")).to_be_visible()
    expect(page.locator("#preview-closing")).to_have_text("199,618.59 元")
    screenshot("pub-import-preview")
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text("已导入 29 行收支明细")).to_be_visible()
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("已提交村务监督委员会审核")).to_be_visible()
    with app.app_context():
        disclosure = db.session.scalar(sa.select(Disclosure))
        assert disclosure.latest.state == "submitted" and len(disclosure.latest.content["lines"]) == 29

    reviewer = browser.new_context(viewport=VIEWPORT, locale="zh-CN", base_url=live_server.url).new_page()
    log_in(reviewer, "reviewer_longjing")
    reviewer.locator(".sidenav").get_by_role("link", name="公开事项").click()
    reviewer.get_by_label("状态").select_option(label="待审核")
    reviewer.get_by_role("button", name="筛选").click()
    row = reviewer.get_by_role("row", name=re.compile("龙井村2026年3月财务收支公开"))
    expect(row).to_be_visible()
    screenshot_page(reviewer, tmp_path, "pub-list")
    row.get_by_role("link", name="查看").click()
    expect(reviewer.get_by_role("button", name="审核通过", exact=True)).to_be_visible()
    assert reviewer.get_by_role("link", name="修改内容").count() == 0
    reviewer.get_by_label("审核意见（可不填）").fill("已核对凭证")
    screenshot_page(reviewer, tmp_path, "pub-review")
    reviewer.get_by_role("button", name="审核通过", exact=True).click()
    dialog = reviewer.locator("dialog.confirm-dialog")
    expect(dialog).to_contain_text("审核通过后村务公开员可发布")
    dialog.get_by_role("button", name="确认审核通过").click()
    expect(reviewer.locator(".flash-success")).to_contain_text("已审核通过")
    reviewer.context.close()

    page.reload()
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="发布").click()
    expect(page.get_by_text("已发布，群众扫码即可查看")).to_be_visible()
    expect(page.get_by_role("cell", name="已核对凭证", exact=False)).to_be_visible()
    screenshot("pub-detail")
    with app.app_context():
        assert db.session.scalar(sa.select(Disclosure)).status == "published"


def test_reviewer_sees_compliance_and_the_publisher_the_poster(demo, page, screenshot, browser, live_server, tmp_path):
    log_in(page, "reviewer_longjing")
    page.locator(".sidenav").get_by_role("link", name="逾期未公开").click()
    expect(page.get_by_text("共检查 1 个村")).to_be_visible()
    screenshot("pub-compliance")

    publisher = browser.new_context(viewport=VIEWPORT, locale="zh-CN", base_url=live_server.url).new_page()
    log_in(publisher, "publisher_longjing")
    publisher.locator(".sidenav").get_by_role("link", name="二维码海报").click()
    publisher.get_by_role("row", name=re.compile("龙井村")).get_by_role("link", name="预览与下载").click()
    image = publisher.get_by_role("img", name="龙井村二维码海报预览")
    expect(image).to_be_visible()
    publisher.wait_for_function("document.querySelector('.poster-preview img').naturalWidth > 0")
    screenshot_page(publisher, tmp_path, "pub-poster")
    with publisher.expect_download() as download:
        publisher.get_by_role("link", name="下载 PNG").first.click()
    assert download.value.suggested_filename.endswith(".png")
    publisher.context.close()


def screenshot_page(other, folder, name):
    """Screenshot another tab as console-<name>.png (docs/screenshots/ with MSS_SCREENSHOTS=1, else folder)."""
    folder = DOCS_SCREENSHOTS if os.environ.get("MSS_SCREENSHOTS") == "1" else folder
    folder.mkdir(parents=True, exist_ok=True)
    other.screenshot(path=str(folder / f"console-{name}.png"))
