"""Browser: the unit handler of 县农业农村局 answers a warning with the rectification."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="浏览器测试需要 Playwright").expect
WARNING = "龙井村集体林地流转合同未经村民代表会议讨论，请于期限内核查整改并反馈。"


@pytest.fixture
def warning_id(app, demo):
    """A warning from the county inspector to 竹山县农业农村局."""
    from app.auth.models import User
    from app.core.timeutil import today_cst
    from app.regions.models import Unit
    from app.triage.warnings import create_warning

    with app.app_context():
        inspector = db.session.scalar(sa.select(User).where(User.username == "inspector"))
        unit = db.session.scalar(sa.select(Unit).where(Unit.name == "竹山县农业农村局"))
        return create_warning(inspector, {"unit_id": unit.id, "content": WARNING,
                                          "due_date": today_cst() + timedelta(days=15)}).id


def test_unit_handler_answers_a_warning_with_the_rectification(app, warning_id, page, screenshot):
    from app.triage.case_models import UnitWarning

    log_in(page, "unit_handler")
    page.locator(".sidenav").get_by_role("link", name="交办与预警").click()
    item = page.locator(f"#warning-{warning_id}")
    expect(item).to_contain_text(WARNING)
    expect(item).to_contain_text("整改期限")
    item.get_by_text("反馈办理情况").click()
    screenshot("staff-unit")
    item.get_by_label("办理和整改情况").fill("已组织村民代表会议重新表决，合同已补正并公示。")
    item.get_by_label("已整改完毕").check()
    item.get_by_label("整改佐证").fill("村民代表会议记录及公示照片")
    item.get_by_role("button", name="提交反馈").click()
    dialog = page.locator("dialog.confirm-dialog")
    expect(dialog).to_contain_text("答复将提交给竹山县纪委监委")
    dialog.get_by_role("button", name="确认提交反馈").click()
    expect(page.locator(".flash-success")).to_have_text("已反馈预警的办理情况（已整改）。")
    expect(page.locator(f"#warning-{warning_id}")).to_contain_text("已整改")
    with app.app_context():
        assert db.session.get(UnitWarning, warning_id).status == "rectified"
