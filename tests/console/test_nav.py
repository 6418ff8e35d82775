"""The left navigation and the dashboard show exactly what each role's permissions allow."""

import re

import pytest

from app.console.nav import NavEntry, add_nav
from tests.console.conftest import text

MINE = {"区划与村庄", "区划导入", "单位管理", "账号与授权", "审计日志", "村干部名单"}


def _nav_labels(response):
    nav = re.search(r'<nav class="sidenav".*?</nav>', text(response), re.S).group(0)
    return set(re.findall(r">([^<>]+)</a>", nav)) - {"首页"}


@pytest.mark.parametrize(("grant", "expected"), [
    (("admin",), MINE),
    (("admin", "420323000000"), MINE),
    (("custodian", "420323000000"), {"审计日志"}),
    (("publisher", "420323103211"), {"村干部名单"}),
    (("reviewer", "420323103211"), set()),
    (("inspector", "420323000000"), set()),
])
def test_nav_shows_only_allowed_pages(console_as, county, grant, expected):
    response = console_as(grant).get("/console/")
    assert response.status_code == 200
    assert _nav_labels(response) & MINE == expected


def test_unit_handler_sees_no_admin_pages(app, console_as, county):
    from app.extensions import db
    from app.regions.models import Unit

    with app.app_context():
        unit_id = db.session.scalar(db.select(Unit.id).limit(1))
    response = console_as(("unit_handler", None, unit_id), unit_id=unit_id).get("/console/")
    assert _nav_labels(response) & MINE == set()


def test_dashboard_greets_and_lists_roles_with_scopes(console_as, county):
    response = console_as(("publisher", "420323103211"), ("reviewer", "420323102203")).get("/console/")
    body = text(response)
    assert "您好，测试用户" in body
    assert "村务公开员" in body and "龙井村" in body
    assert "村务监督委员会" in body and "罗家坡村" in body
    assert "尚未启用动态口令" in body


def test_account_without_roles_is_told_to_ask_for_one(console_as):
    response = console_as().get("/console/")
    assert response.status_code == 200
    assert "还没有任何工作角色" in text(response)
    assert _nav_labels(response) == set()


def test_registered_entries_appear_for_permitted_roles_only(app, console_as, county):
    """Later console pages plug in through the registry: an entry is shown only when can(user, action)."""
    add_nav(app, NavEntry("统计图表", "console.totp", "stats.view", "监督执纪", "按月、按主题统计"))
    try:
        assert "统计图表" in _nav_labels(console_as(("inspector", "420323000000")).get("/console/"))
        assert "统计图表" not in _nav_labels(console_as(("custodian", "420323000000")).get("/console/"))
    finally:
        app.extensions["mss_console_nav"] = [e for e in app.extensions["mss_console_nav"] if e.label != "统计图表"]
