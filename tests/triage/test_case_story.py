"""The whole story through the API: mixed reports -> case, warning, rectification, conclusions, figures, xlsx."""

import io
from datetime import timedelta

import sqlalchemy as sa
from openpyxl import load_workbook

from app.core.timeutil import today_cst
from app.extensions import db
from tests.triage.case_factories import LONGJING, LUOJIAPO, casework_fixture  # noqa: F401  (the casework fixture)

ROAD = "村里修路的钱花了多少一直没有公开，村民有意见，希望公布维修资金明细。"


def _submit(client, headers=None, **body):
    payload = {"village_code": LONGJING, "kind": "suggestion", "topic": "村级债务", "content": ROAD,
               "anonymous": True, "channel": "h5", **body}
    resp = client.post("/api/v1/reports", json=payload, headers=headers or {})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def test_from_mixed_reports_to_conclusions_and_figures(app, client, casework):
    due = (today_cst() + timedelta(days=10)).isoformat()
    real = _submit(client, casework.resident, anonymous=False, reporter={"name": "张建国", "phone": "13800001234"})
    dup = _submit(client, content="修村道的钱到底花了多少？一直没公开明细，希望公布维修资金。")
    tip = _submit(client, kind="tipoff", topic="强农惠农政策落实", content="村委会主任把低保名额给了自己亲戚。",
                  target={"person_name": "李某", "person_post": "村委会主任"})
    other = _submit(client, village_code=LUOJIAPO, topic="工程质量", content="新修的水渠刚完工就开裂了，质量太差。")

    queue = client.get("/api/v1/triage/reports?limit=100", headers=casework.inspector).get_json()["items"]
    ids = {item["tracking_no"]: item["id"] for item in queue}
    a, b, c, d = (ids[r["tracking_no"]] for r in (real, dup, tip, other))
    similar = client.get(f"/api/v1/triage/reports/{a}/similar", headers=casework.inspector).get_json()
    assert similar[0]["report"]["id"] == b

    assert client.post(f"/api/v1/triage/reports/{a}/accept", json={}, headers=casework.inspector).status_code == 200
    case = client.post("/api/v1/triage/cases", json={"report_ids": [a, b], "title": "村道维修资金不公开"},
                       headers=casework.inspector)
    assert case.status_code == 201, case.get_json()
    case_id = case.get_json()["id"]
    accepted = client.post(f"/api/v1/triage/reports/{c}/accept", json={"disposition": "preliminary_verification"},
                           headers=casework.inspector)
    assert accepted.status_code == 200, accepted.get_json()
    assigned = client.post(f"/api/v1/triage/reports/{c}/assign", json={"unit_id": casework.agri, "due_date": due},
                           headers=casework.inspector)
    assert assigned.status_code == 200, assigned.get_json()
    warning = client.post("/api/v1/triage/warnings", headers=casework.inspector, json={
        "unit_id": casework.agri, "case_id": case_id, "content": "村道维修资金未按规定公开，请督促整改。",
        "due_date": due})
    assert warning.status_code == 201, warning.get_json()

    unit_items = client.get("/api/v1/unit/assignments", headers=casework.agri_handler).get_json()["items"]
    assert [i["report"]["tracking_no"] for i in unit_items] == [tip["tracking_no"]]
    assert client.post(f"/api/v1/unit/assignments/{unit_items[0]['id']}/response", headers=casework.agri_handler,
                       json={"content": "经核实，低保名额已重新评议", "rectified": True}).status_code == 200
    assert client.post(f"/api/v1/unit/warnings/{warning.get_json()['id']}/response", headers=casework.agri_handler,
                       json={"content": "已督促村委会张榜公开维修资金明细", "rectified": True}).status_code == 200

    concluded = client.post(f"/api/v1/triage/cases/{case_id}/conclude", json={"result": "维修资金明细已张榜公开"},
                            headers=casework.inspector)
    assert concluded.status_code == 200, concluded.get_json()
    assert client.post(f"/api/v1/triage/reports/{c}/conclude", json={"result": "低保名额已重新评议"},
                       headers=casework.inspector).status_code == 200
    assert client.post(f"/api/v1/triage/reports/{d}/refuse", json={"reason": "请向乡镇政府反映"},
                       headers=casework.inspector).status_code == 200

    tracked = client.post("/api/v1/reports/track", json={"receipt_code": dup["receipt_code"]}).get_json()
    assert "维修资金明细已张榜公开" in str(tracked)
    with app.app_context():
        from app.notify.models import OutboxMessage

        told = [m.payload["action"] for m in db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.user_id == casework.ids.resident))]
    assert "conclude" in told

    stats = client.get("/api/v1/triage/stats?by=kind", headers=casework.inspector).get_json()
    assert (stats["total"]["total"], stats["total"]["accepted"], stats["total"]["concluded"]) == (4, 2, 3)
    rows = {r["label"]: r for r in stats["items"]}
    assert rows["检举控告"]["concluded"] == 1 and rows["意见建议"]["total"] == 3
    sheet = load_workbook(io.BytesIO(client.get("/api/v1/triage/stats?by=kind&format=xlsx",
                                                headers=casework.inspector).data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert {row[1]: (row[2], row[4]) for row in values[3:]} == {
        "意见建议": (3, 2), "检举控告": (1, 1), "合计": (4, 3)}
    ledger = client.get("/api/v1/triage/ledger", headers=casework.inspector).get_json()["items"]
    assert {(line["type"], line["status"]) for line in ledger} == {("case", "concluded"), ("warning", "rectified"),
                                                                   ("report", "concluded"), ("report", "not_accepted")}
