"""Figures: counts, medians and overdue counts equal what happened; the xlsx and csv downloads say the same."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from app.core.timeutil import CST, today_cst
from app.extensions import db
from tests.conftest import error_of
from tests.triage.case_factories import (  # noqa: F401  (the casework fixture)
    LONGJING,
    LUOJIAPO,
    casework_fixture,
    make_report,
)

SEPT = "from=2026-09-01&to=2026-09-30"


def at(day, hour=10):
    """A China-time moment in September 2026 as aware UTC."""
    return datetime(2026, 9, day, hour, tzinfo=CST).astimezone(UTC)


@pytest.fixture
def story(app, casework):
    """Four reports in September 2026 with known milestones (see the comments for the expected figures)."""
    from app.reports.models import Report
    from app.triage.models import Assignment, ReportDeadline

    a = make_report(app, LONGJING, received_at=at(1), status="concluded")  # accepted +2 days, concluded +9 days
    b = make_report(app, LONGJING, kind="tipoff", channel="letter", received_at=at(2), status="assigned",
                    layer="farmer")  # accepted +7 days (5 working days), assigned, the unit's answer overdue
    c = make_report(app, LUOJIAPO, received_at=at(4))  # never decided: overdue for acceptance
    d = make_report(app, LUOJIAPO, received_at=at(5, 9), status="not_accepted", topic="土地纠纷")  # refused 7 Sep
    with app.app_context():
        db.session.add_all([
            ReportDeadline(report_id=a, accepted_on=date(2026, 9, 3), concluded_on=date(2026, 9, 10)),
            ReportDeadline(report_id=b, stage="assignment", due_on=date(2026, 9, 20), accepted_on=date(2026, 9, 9)),
            ReportDeadline(report_id=d),
            Assignment(report_id=b, unit_id=casework.agri, due_date=date(2026, 9, 20)),
        ])
        db.session.get(Report, d).status_changed_at = at(7)
        db.session.commit()
    return {"a": a, "b": b, "c": c, "d": d}


def _rows(body):
    return {row["label"]: row for row in body["items"]}


def test_figures_by_township_equal_what_happened(client, casework, story):
    resp = client.get(f"/api/v1/triage/stats?{SEPT}&by=township", headers=casework.inspector)
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["from"] == "2026-09-01" and body["to"] == "2026-09-30" and body["by_label"] == "乡镇（街道）"
    rows = _rows(body)
    baofeng, majiadu = rows["宝丰镇"], rows["麻家渡镇"]
    assert baofeng["key"] == "420323103000"
    assert (baofeng["total"], baofeng["accepted"], baofeng["concluded"]) == (2, 2, 1)
    assert baofeng["median_days_to_accept"] == 4.5  # 2 and 7 calendar days
    assert baofeng["median_workdays_to_accept"] == 3.5  # 2 and 5 working days (1-9 Sep 2026 has no holiday)
    assert (baofeng["median_days_to_conclude"], baofeng["median_workdays_to_conclude"]) == (9, 7)
    assert baofeng["overdue_accept"] == 0 and baofeng["overdue_answer"] == 1
    late_conclusion = 1 if (today_cst() - date(2026, 9, 9)).days > 90 else 0
    assert baofeng["overdue_conclude"] == late_conclusion
    assert (majiadu["total"], majiadu["accepted"], majiadu["overdue_accept"], majiadu["overdue_answer"]) == (2, 0, 1, 0)
    assert majiadu["median_days_to_accept"] is None
    total = body["total"]
    assert total["label"] == "合计"
    assert (total["total"], total["accepted"], total["concluded"], total["overdue_accept"]) == (4, 2, 1, 1)
    assert total["median_days_to_accept"] == 4.5 and total["overdue_answer"] == 1
    assert [c["label"] for c in body["columns"]][:3] == ["代码", "名称", "反映总数"]


@pytest.mark.parametrize(("by", "expected"), [
    ("kind", {"意见建议": 3, "检举控告": 1}),
    ("channel", {"网页": 3, "来信": 1}),
    ("layer", {"农民群众": 1, "非联系点反映": 3}),
    ("status", {"已办结": 1, "已交办": 1, "待受理": 1, "不予受理": 1}),
    ("topic", {"村级债务": 3, "土地纠纷": 1}),
    ("village", {"龙井村": 2, "罗家坡村": 2}),
    ("unit", {"竹山县农业农村局": 1, "未交办": 3}),
])
def test_every_grouping(client, casework, story, by, expected):
    body = client.get(f"/api/v1/triage/stats?{SEPT}&by={by}", headers=casework.inspector).get_json()
    assert {label: row["total"] for label, row in _rows(body).items()} == expected
    assert body["total"]["total"] == 4


def test_xlsx_and_csv_say_the_same(client, casework, story):
    body = client.get(f"/api/v1/triage/stats?{SEPT}&by=township", headers=casework.inspector).get_json()
    resp = client.get(f"/api/v1/triage/stats?{SEPT}&by=township&format=xlsx", headers=casework.inspector)
    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="stats_township_20260901-20260930.xlsx"')
    assert "filename*=UTF-8''" + quote("反映问题统计_按乡镇（街道）_20260901-20260930.xlsx") in disposition
    sheet = load_workbook(io.BytesIO(resp.data)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "反映问题统计（按乡镇（街道））" and "2026-09-01" in values[1][0]
    headers = values[2]
    assert headers[:4] == ("代码", "乡镇（街道）", "反映总数", "已受理")[:4] or list(headers[:4]) == [
        "代码", "乡镇（街道）", "反映总数", "已受理"]
    by_label = {row[1]: dict(zip(headers, row, strict=True)) for row in values[3:]}
    for label, row in {**_rows(body), "合计": body["total"]}.items():
        sheet_row = by_label[label]
        assert sheet_row["反映总数"] == row["total"] and sheet_row["受理超期"] == row["overdue_accept"]
        assert (sheet_row["受理用时中位数（工作日）"] or None) == row["median_workdays_to_accept"]
        assert sheet_row["单位反馈超期"] == row["overdue_answer"]

    resp = client.get(f"/api/v1/triage/stats?{SEPT}&by=kind&format=csv", headers=casework.inspector)
    assert resp.mimetype == "text/csv" and resp.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["代码", "类别", "反映总数"]
    assert {r[1]: int(r[2]) for r in rows[1:]} == {"意见建议": 3, "检举控告": 1, "合计": 4}


def test_scope_and_default_period(app, client, casework, story):
    make_report(app, LONGJING)  # received now: in the current quarter, unlike September 2026's story
    body = client.get("/api/v1/triage/stats", headers=casework.inspector).get_json()
    assert body["total"]["total"] == 1 and body["by"] == "township"
    township = client.get(f"/api/v1/triage/stats?{SEPT}", headers=casework.township).get_json()
    assert set(_rows(township)) == {"宝丰镇"} and township["total"]["total"] == 2
    other = client.get(f"/api/v1/triage/stats?{SEPT}", headers=casework.other_county).get_json()
    assert other["items"] == [] and other["total"]["total"] == 0
    admin = client.get(f"/api/v1/triage/stats?{SEPT}", headers=casework.admin).get_json()
    assert admin["total"]["total"] == 4
    region = client.get(f"/api/v1/triage/stats?{SEPT}&region=420323102000", headers=casework.inspector).get_json()
    assert region["total"]["total"] == 2
    assert client.get(f"/api/v1/triage/stats?{SEPT}&region=420323102000",
                      headers=casework.township).status_code == 403


def test_bad_input_and_who_may_not(client, casework):
    for query, field in (("by=person", "by"), ("from=2026-13-01", "from"), ("format=pdf", "format"),
                         ("region=42", "region")):
        resp = client.get(f"/api/v1/triage/stats?{query}", headers=casework.inspector)
        assert resp.status_code == 400 and field in error_of(resp)["fields"], query
    backwards = client.get("/api/v1/triage/stats?from=2026-09-30&to=2026-09-01", headers=casework.inspector)
    assert backwards.status_code == 400 and error_of(backwards)["message"] == "结束日期不能早于开始日期"
    too_long = client.get("/api/v1/triage/stats?from=2020-01-01&to=2026-09-01", headers=casework.inspector)
    assert too_long.status_code == 400
    for who in ("publisher", "resident", "agri_handler"):
        assert client.get("/api/v1/triage/stats", headers=getattr(casework, who)).status_code == 403, who
    assert client.get("/api/v1/triage/stats").status_code == 401


def test_current_quarter():
    from app.triage.stats import current_quarter

    assert current_quarter(date(2026, 11, 30)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert current_quarter(date(2026, 1, 1)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert current_quarter(date(2026, 6, 30)) == (date(2026, 4, 1), date(2026, 6, 30))
    assert current_quarter(date(2026, 9, 1) + timedelta(days=0)) == (date(2026, 7, 1), date(2026, 9, 30))


def test_reports_merged_into_a_concluded_case_count_as_concluded(app, client, casework):
    r1, r2 = make_report(app), make_report(app)
    case_id = client.post("/api/v1/triage/cases", json={"report_ids": [r1, r2], "title": "同一问题"},
                          headers=casework.inspector).get_json()["id"]
    before = client.get("/api/v1/triage/stats?by=status", headers=casework.inspector).get_json()
    assert before["total"]["total"] == 2 and before["total"]["concluded"] == 0
    assert _rows(before)["已合并"]["total"] == 2 and before["total"]["overdue_accept"] == 0
    client.post(f"/api/v1/triage/cases/{case_id}/conclude", json={"result": "已解决"}, headers=casework.inspector)
    after = client.get("/api/v1/triage/stats?by=status", headers=casework.inspector).get_json()["total"]
    assert (after["concluded"], after["median_days_to_conclude"], after["accepted"]) == (2, 0, 0)
