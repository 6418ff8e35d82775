"""Browser: the admin logs in, looks around the region pages and creates a staff account with a role grant."""

import re

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="浏览器测试需要 Playwright").expect


def test_admin_creates_a_staff_account_with_a_grant(app, demo, page, screenshot):
    log_in(page, "admin", screenshot)
    expect(page.get_by_role("heading", name="您好，系统管理员")).to_be_visible()
    screenshot("dashboard")

    page.locator(".sidenav").get_by_role("link", name="区划与村庄").click()
    page.get_by_role("link", name="查看下级").first.click()
    page.get_by_role("row", name=re.compile("宝丰镇")).get_by_role("link", name="查看下级").click()
    expect(page.get_by_role("row", name=re.compile("龙井村"))).to_be_visible()
    screenshot("regions")

    page.get_by_role("row", name=re.compile("龙井村")).get_by_role("link", name="村干部名单").click()
    expect(page.get_by_role("heading", name="龙井村 · 村干部名单")).to_be_visible()
    screenshot("roster")

    page.locator(".sidenav").get_by_role("link", name="单位管理").click()
    expect(page.get_by_role("cell", name="竹山县农业农村局", exact=True)).to_be_visible()
    screenshot("units")

    page.locator(".sidenav").get_by_role("link", name="账号与授权").click()
    expect(page.get_by_role("cell", name="publisher_longjing", exact=True)).to_be_visible()
    screenshot("accounts")
    page.get_by_role("link", name="新建账号").click()
    page.get_by_label("用户名").fill("wang.fang")
    page.get_by_label("姓名 / 名称").fill("王芳")
    page.get_by_label("初始密码").fill("Wangfang-2026")
    page.get_by_label("再次输入密码").fill("Wangfang-2026")
    page.locator("#f-grant-0-role").select_option("reviewer")
    page.locator("#f-grant-0-region_code").fill("420323103211")
    screenshot("account-new")
    page.get_by_role("button", name="创建账号").click()

    page.wait_for_url(re.compile(r"/console/admin/accounts/\d+$"))
    expect(page.get_by_text("已新建账号 wang.fang（王芳）")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("村务监督委员会.*龙井村"))).to_be_visible()
    screenshot("account")
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "wang.fang"))
        assert [(g.role, g.region_code) for g in user.grants] == [("reviewer", "420323103211")]

    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="生成微信绑定邀请码").click()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", page.locator("#invite-code").inner_text())
    screenshot("invite")


def test_admin_sees_row_errors_of_a_bad_region_file(app, demo, page, screenshot, tmp_path):
    bad = tmp_path / "regions.csv"
    bad.write_text("code,name,level,parent_code\n420323999000,新镇,township,420323000000\n"
                   "4203239992,坏代码,village,420323999000\n420323999201,,village,420323999000\n", encoding="utf-8")
    log_in(page, "admin")
    page.locator(".sidenav").get_by_role("link", name="区划导入").click()
    page.get_by_label("CSV 文件").set_input_files(str(bad))
    page.get_by_role("button", name="检查并导入").click()
    expect(page.get_by_text("导入失败，共 2 处错误，未导入任何数据。")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("第 3 行.*区划代码应为 12 位数字"))).to_be_visible()
    screenshot("region-import")


def test_tablet_width_puts_the_navigation_above_the_content(demo, page, screenshot):
    page.set_viewport_size({"width": 820, "height": 1180})
    log_in(page, "admin")
    nav, content = page.locator(".sidenav").bounding_box(), page.locator("main.content").bounding_box()
    assert nav["y"] + nav["height"] <= content["y"] + 1
    assert content["width"] > 760
    page.locator(".sidenav").get_by_role("link", name="账号与授权").click()
    expect(page.get_by_role("link", name="新建账号")).to_be_visible()
    screenshot("tablet")
