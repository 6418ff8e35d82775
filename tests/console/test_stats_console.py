"""Console: the figures with SVG charts and downloads, and the 台账 with its downloads."""

from datetime import timedelta

import pytest

from app.core.timeutil import today_cst
from tests.console.conftest import post_form, text
from tests.console.test_triage import staff_fixture  # noqa: F401  (the logged-in clients: `staff`)
from tests.triage.case_factories import LUOJIAPO, make_report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_stats_page_has_charts_and_table(app, staff):
    make_report(app, topic="工程质量")
    make_report(app, topic="工程质量")
    make_report(app, LUOJIAPO, topic="村级债务", kind="contact_point", layer="农民群众")
    resp = staff["inspector"].get("/console/stats?by=topic")
    assert resp.status_code == 200
    body = text(resp)
    assert body.count("<svg") == 3 and 'class="bar"' in body
    assert "按月份" in body and "按问题类型" in body and "按联系点界别" in body
    assert "工程质量：2 件" in body and "村级债务：1 件" in body
    assert "合计" in body and "反映总数" in body
    today = today_cst()
    month = f"{today.year}年{today.month}月：3 件"
    assert month in body


def test_stats_downloads(app, staff):
    make_report(app)
    client = staff["inspector"]
    xlsx = client.get("/console/stats?by=township&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.mimetype == XLSX
    assert "filename*=UTF-8''" in xlsx.headers["Content-Disposition"]
    csv = client.get("/console/stats?by=kind&format=csv")
    assert csv.status_code == 200 and csv.get_data().startswith("\ufeff".encode())
    assert "反映总数" in csv.get_data(as_text=True)


@pytest.mark.parametrize("query, message", [
    ("from=2026-13-01", "开始日期"), ("by=nothing", "分组"),
    ("from=2026-05-01&to=2026-04-01", "结束日期不能早于开始日期"),
    ("from=2020-01-01&to=2026-01-01", "三年"),
])
def test_bad_stats_queries_are_clear_400s(staff, query, message):
    resp = staff["inspector"].get(f"/console/stats?{query}")
    assert resp.status_code == 400 and message in text(resp)


def test_who_may_see_stats_and_ledger(app, staff, console_as):
    admin = console_as(("admin",))
    assert admin.get("/console/stats").status_code == 200
    assert admin.get("/console/ledger").status_code == 403  # the 台账 is the inspectors'
    for who in ("publisher", "handler"):
        assert staff[who].get("/console/stats").status_code == 403
        assert staff[who].get("/console/ledger").status_code == 403
        assert staff[who].get("/console/ledger?format=xlsx").status_code == 403


def test_ledger_lists_cases_and_warnings_and_downloads(app, staff):
    client = staff["inspector"]
    r1 = make_report(app)
    post_form(client, "/console/cases/merge", {"report_ids": str(r1), "title": "低保评定问题"}, page="/console/")
    due = (today_cst() + timedelta(days=5)).isoformat()
    post_form(client, "/console/warnings/new", {"unit_id": str(staff["agri"]), "content": "请规范低保评定",
                                                "due_date": due}, page="/console/")
    page = client.get("/console/ledger")
    assert page.status_code == 200
    body = text(page)
    assert "低保评定问题" in body and "请规范低保评定" in body and "竹山县农业农村局" in body
    only_cases = text(client.get("/console/ledger?type=case"))
    assert "低保评定问题" in only_cases and "请规范低保评定" not in only_cases
    xlsx = client.get("/console/ledger?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.mimetype == XLSX
    csv = client.get("/console/ledger?format=csv&type=warning").get_data(as_text=True)
    assert "请规范低保评定" in csv and "低保评定问题" not in csv
    assert client.get("/console/ledger?type=other").status_code == 400
    assert "结束日期不能早于开始日期" in text(client.get("/console/ledger?from=2026-05-01&to=2026-04-01"))
