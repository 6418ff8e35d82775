"""Warnings (预警): sent within scope, never to the accused's unit, answered by the unit with its rectification."""

from datetime import timedelta

from app.core.timeutil import today_cst
from app.extensions import db
from tests.conftest import error_of
from tests.triage.case_factories import (  # noqa: F401  (the casework fixture)
    LONGJING,
    act,
    casework_fixture,
    make_report,
)


def _due(days=10):
    return (today_cst() + timedelta(days=days)).isoformat()


def _warn(client, headers, unit_id, **extra):
    body = {"unit_id": unit_id, "content": "村道维修资金使用不规范，请限期整改并反馈。", "due_date": _due(), **extra}
    return client.post("/api/v1/triage/warnings", json=body, headers=headers)


def test_warning_about_a_case_and_reports_is_answered_and_rectified(app, client, casework):
    r1, r2 = make_report(app), make_report(app, reporter_name="李四", anonymous=False, content="机密内容：道路款")
    case_id = client.post("/api/v1/triage/cases", json={"report_ids": [r1], "title": "村道维修款"},
                          headers=casework.inspector).get_json()["id"]
    resp = _warn(client, casework.inspector, casework.agri, case_id=case_id, report_ids=[r2])
    assert resp.status_code == 201, resp.get_json()
    warning = resp.get_json()
    assert warning["status"] == "open" and warning["status_label"] == "待反馈" and not warning["overdue"]
    assert warning["unit"]["name"] == "竹山县农业农村局" and warning["case_title"] == "村道维修款"
    assert [r["id"] for r in warning["reports"]] == [r2]

    listed = client.get("/api/v1/triage/warnings", headers=casework.inspector).get_json()["items"]
    assert [w["id"] for w in listed] == [warning["id"]]
    assert client.get("/api/v1/triage/warnings?status=rectified", headers=casework.inspector).get_json()["items"] == []

    mine = client.get("/api/v1/unit/warnings", headers=casework.agri_handler)
    assert mine.status_code == 200
    text = mine.get_data(as_text=True)
    assert "李四" not in text and "reporter" not in text and "机密内容" not in text  # not assigned: no content
    item = mine.get_json()["items"][0]
    assert item["reports"][0]["content"] is None and item["reports"][0]["topic"] == "村级债务"
    assert client.get("/api/v1/unit/warnings", headers=casework.edu_handler).get_json()["items"] == []

    url = f"/api/v1/unit/warnings/{warning['id']}/response"
    first = client.post(url, json={"content": "已开展自查，正在整改", "rectified": False},
                        headers=casework.agri_handler)
    assert first.status_code == 200 and first.get_json()["status"] == "answered"
    done = client.post(url, json={"content": "已整改完毕，资金明细已公开", "rectified": True},
                       headers=casework.agri_handler)
    body = done.get_json()
    assert body["status"] == "rectified" and body["status_label"] == "已整改"
    assert [r["rectified"] for r in body["responses"]] == [False, True]
    again = client.post(url, json={"content": "再次", "rectified": True}, headers=casework.agri_handler)
    assert again.status_code == 409 and error_of(again)["code"] == "already_rectified"
    assert client.get("/api/v1/triage/warnings?status=rectified",
                      headers=casework.inspector).get_json()["items"][0]["id"] == warning["id"]


def test_content_shows_to_the_unit_only_for_reports_assigned_to_it(app, client, casework):
    r1 = make_report(app, content="具体内容：挪用修路款", reporter_name="王五", anonymous=False)
    act(app, casework.ids.inspector, r1, "accept")
    act(app, casework.ids.inspector, r1, "assign", unit_id=casework.agri, due_date=today_cst() + timedelta(days=5))
    _warn(client, casework.inspector, casework.agri, report_ids=[r1])
    resp = client.get("/api/v1/unit/warnings", headers=casework.agri_handler)
    assert resp.get_json()["items"][0]["reports"][0]["content"] == "具体内容：挪用修路款"
    assert "王五" not in resp.get_data(as_text=True)


def test_never_to_the_unit_of_the_accused(app, client, casework):
    by_unit = make_report(app, kind="tipoff", target_unit_id=casework.agri)
    resp = _warn(client, casework.inspector, casework.agri, report_ids=[by_unit])
    assert resp.status_code == 409 and error_of(resp)["code"] == "accused_unit"
    assert "被反映单位" in error_of(resp)["message"]
    by_person = make_report(app, kind="tipoff", target_user_id=casework.ids.agri_staff)
    assert _warn(client, casework.inspector, casework.agri, report_ids=[by_person]).status_code == 409
    case_id = client.post("/api/v1/triage/cases", json={"report_ids": [by_person], "title": "x"},
                          headers=casework.inspector).get_json()["id"]
    assert _warn(client, casework.inspector, casework.agri, case_id=case_id).status_code == 409
    assert _warn(client, casework.inspector, casework.edu, case_id=case_id).status_code == 201


def test_bad_input(app, client, casework):
    cases = (({"unit_id": casework.agri, "content": "x"}, "due_date"),
             ({"unit_id": casework.agri, "due_date": _due()}, "content"),
             ({"content": "x", "due_date": _due()}, "unit_id"),
             ({"unit_id": casework.agri, "content": "x", "due_date": "明天"}, "due_date"),
             ({"unit_id": casework.agri, "content": "x", "due_date": _due(), "report_ids": "1"}, "report_ids"))
    for body, field in cases:
        resp = client.post("/api/v1/triage/warnings", json=body, headers=casework.inspector)
        assert resp.status_code == 400 and field in error_of(resp)["fields"], (body, resp.get_json())
    past = _warn(client, casework.inspector, casework.agri, due_date=_due(-1))
    assert past.status_code == 400 and error_of(past)["message"] == "整改期限不能早于今天"
    assert _warn(client, casework.inspector, 99999).status_code == 404
    assert _warn(client, casework.inspector, casework.agri, case_id=777).status_code == 404
    assert _warn(client, casework.inspector, casework.agri, report_ids=[424242]).status_code == 404
    bad = client.get("/api/v1/triage/warnings?status=late", headers=casework.inspector)
    assert bad.status_code == 400 and "status" in error_of(bad)["fields"]
    resp = client.post("/api/v1/unit/warnings/1/response", json={"content": ""}, headers=casework.agri_handler)
    assert resp.status_code == 400 and {"content", "rectified"} <= set(error_of(resp)["fields"])


def test_who_may_not(app, client, casework):
    assert _warn(client, casework.township, casework.agri).status_code == 403  # a county department
    for who in ("publisher", "resident", "agri_handler", "admin"):
        assert _warn(client, getattr(casework, who), casework.agri).status_code == 403, who
        assert client.get("/api/v1/triage/warnings", headers=getattr(casework, who)).status_code == 403
    warning_id = _warn(client, casework.inspector, casework.agri).get_json()["id"]
    assert client.get("/api/v1/triage/warnings", headers=casework.other_county).get_json()["items"] == []
    url = f"/api/v1/unit/warnings/{warning_id}/response"
    body = {"content": "已整改", "rectified": True}
    assert client.post(url, json=body, headers=casework.edu_handler).status_code == 404
    for who in ("inspector", "publisher", "resident"):
        assert client.post(url, json=body, headers=getattr(casework, who)).status_code == 403, who
        assert client.get("/api/v1/unit/warnings", headers=getattr(casework, who)).status_code == 403
    assert client.get("/api/v1/unit/warnings").status_code == 401


def test_overdue_warnings_show(app, client, casework):
    from app.triage.case_models import UnitWarning

    with app.app_context():
        db.session.add(UnitWarning(unit_id=casework.agri, region_code="420323000000", content="逾期未反馈",
                                   due_date=today_cst() - timedelta(days=1), status="open"))
        db.session.commit()
    items = client.get("/api/v1/triage/warnings?status=overdue", headers=casework.inspector).get_json()["items"]
    assert [(w["status"], w["status_label"], w["overdue"]) for w in items] == [("overdue", "已超期", True)]
    assert client.get("/api/v1/triage/warnings?status=open", headers=casework.inspector).get_json()["items"] == []
    unit = client.get("/api/v1/unit/warnings?status=overdue", headers=casework.agri_handler).get_json()["items"]
    assert unit[0]["overdue"] is True
