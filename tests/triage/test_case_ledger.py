"""The 台账: item, unit, due date, result and status of every case and warning, as JSON, xlsx and csv."""

import csv
import io
from datetime import timedelta

from openpyxl import load_workbook

from app.core.timeutil import today_cst
from tests.conftest import error_of
from tests.triage.case_factories import (  # noqa: F401  (the casework fixture)
    act,
    casework_fixture,
    make_report,
)


def _story(app, client, casework):
    r1, r2 = make_report(app), make_report(app)
    act(app, casework.ids.inspector, r2, "accept")
    due = today_cst() + timedelta(days=7)
    act(app, casework.ids.inspector, r2, "assign", unit_id=casework.agri, due_date=due)
    case = client.post("/api/v1/triage/cases", json={"report_ids": [r1, r2], "title": "村道维修款不公开"},
                       headers=casework.inspector).get_json()
    warning = client.post("/api/v1/triage/warnings", headers=casework.inspector, json={
        "unit_id": casework.edu, "case_id": case["id"], "content": "=HYPERLINK(\"x\") 请规范资金公开",
        "due_date": (today_cst() + timedelta(days=3)).isoformat()}).get_json()
    client.post(f"/api/v1/unit/warnings/{warning['id']}/response", json={"content": "已公开", "rectified": True},
                headers=casework.edu_handler)
    return case, warning, due


def test_ledger_lists_cases_and_warnings(app, client, casework):
    case, warning, due = _story(app, client, casework)
    resp = client.get("/api/v1/triage/ledger", headers=casework.inspector)
    assert resp.status_code == 200, resp.get_json()
    lines = {item["type"]: item for item in resp.get_json()["items"]}
    c, w = lines["case"], lines["warning"]
    assert (c["id"], c["item"], c["report_count"], c["status_label"]) == (case["id"], "村道维修款不公开", 2, "办理中")
    assert c["units"] == "竹山县农业农村局、竹山县教育局" and c["due_date"] == due.isoformat() and c["overdue"] is False
    assert (w["units"], w["result"], w["status"]) == ("竹山县教育局", "已公开（已整改）", "rectified")
    assert w["status_label"] == "已整改"
    only = client.get("/api/v1/triage/ledger?type=warning", headers=casework.inspector).get_json()["items"]
    assert [i["type"] for i in only] == ["warning"]
    assert client.get("/api/v1/triage/ledger", headers=casework.majiadu).get_json()["items"] == []


def test_ledger_downloads(app, client, casework):
    _story(app, client, casework)
    resp = client.get("/api/v1/triage/ledger?format=xlsx", headers=casework.inspector)
    assert resp.status_code == 200 and "filename*=UTF-8''" in resp.headers["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(resp.data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "问题线索处置台账"
    assert list(rows[2]) == ["类型", "编号", "事项", "涉及反映数", "涉及反映（受理编号）", "承办单位", "办理期限",
                             "各次反馈", "办理结果", "状态", "是否超期", "登记时间"]
    assert {r[0] for r in rows[3:]} == {"问题", "预警"}
    warning_row = next(r for r in rows[3:] if r[0] == "预警")
    assert warning_row[2].startswith("'=HYPERLINK")  # a formula typed by a user stays text
    text = client.get("/api/v1/triage/ledger?format=csv", headers=casework.inspector).data.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[0][0] == "类型"


def test_ledger_bad_input_and_who_may_not(client, casework):
    bad = client.get("/api/v1/triage/ledger?type=all", headers=casework.inspector)
    assert bad.status_code == 400 and "type" in error_of(bad)["fields"]
    backwards = client.get("/api/v1/triage/ledger?from=2026-10-01&to=2026-01-01", headers=casework.inspector)
    assert backwards.status_code == 400
    for who in ("publisher", "resident", "agri_handler", "admin"):
        assert client.get("/api/v1/triage/ledger", headers=getattr(casework, who)).status_code == 403, who
