"""The 台账 as the whole book: single reports too, each answer, warning lines naming and counting their reports."""

import io
from datetime import timedelta

from openpyxl import load_workbook

from app.core.timeutil import today_cst
from tests.triage.case_factories import act, casework_fixture, make_report  # noqa: F401  (fixture)


def test_single_reports_answers_and_warning_reports(app, client, casework):
    single = make_report(app, content="村里路灯坏了半年没人修。")
    act(app, casework.ids.inspector, single, "accept")
    due = today_cst() + timedelta(days=10)
    act(app, casework.ids.inspector, single, "assign", unit_id=casework.agri, due_date=due)
    waiting = make_report(app, content="未受理的反映不进台账。")
    merged = [make_report(app, content=f"村道维修款不公开（{n}）") for n in range(2)]
    case = client.post("/api/v1/triage/cases", json={"report_ids": merged, "title": "村道维修款"},
                       headers=casework.inspector).get_json()
    warning = client.post("/api/v1/triage/warnings", json={"unit_id": casework.edu, "case_id": case["id"],
                                                            "report_ids": [single], "content": "请整改",
                                                            "due_date": due.isoformat()},
                          headers=casework.inspector).get_json()
    url = f"/api/v1/unit/warnings/{warning['id']}/rectification"
    client.post(url, json={"state": "rectifying", "content": "正在公开"}, headers=casework.edu_handler)
    client.post(url, json={"state": "rectified", "content": "已公开", "evidence": "公开栏照片"},
                headers=casework.edu_handler)
    items = client.get("/api/v1/triage/ledger", headers=casework.inspector).get_json()["items"]
    by_type = {}
    for line in items:
        by_type.setdefault(line["type"], []).append(line)
    assert [line["id"] for line in by_type["report"]] == [single]
    report_line = by_type["report"][0]
    assert (report_line["units"], report_line["due_date"], report_line["status_label"]) == (
        "竹山县农业农村局", due.isoformat(), "已交办")
    assert waiting not in [line["id"] for line in items if line["type"] == "report"]
    warning_line = by_type["warning"][0]
    assert warning_line["report_count"] == 3 and len(warning_line["reports"].split("、")) == 3
    assert "正在整改：正在公开" in warning_line["answers"]
    assert "整改完毕：已公开（佐证：公开栏照片）" in warning_line["answers"]
    assert "整改完毕" in by_type["case"][0]["answers"]
    only = client.get("/api/v1/triage/ledger?type=report", headers=casework.inspector).get_json()["items"]
    assert {line["type"] for line in only} == {"report"}
    sheet = load_workbook(io.BytesIO(client.get("/api/v1/triage/ledger?format=xlsx",
                                                headers=casework.inspector).data)).active
    assert sheet.freeze_panes == "A4" and {row[0] for row in sheet.iter_rows(min_row=4, values_only=True)} == {
        "单件反映", "问题", "预警"}
    assert sheet.column_dimensions["C"].width > 8
    assert client.get("/api/v1/triage/ledger", headers=casework.majiadu).get_json()["items"] == []
