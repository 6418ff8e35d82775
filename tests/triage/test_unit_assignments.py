"""The unit handler's assignments: only his unit's, never the reporter, answered once, overdue shown."""

from datetime import timedelta

import sqlalchemy as sa

from app.core.timeutil import today_cst
from app.extensions import db
from tests.conftest import error_of
from tests.triage.case_factories import (  # noqa: F401  (the casework fixture)
    act,
    casework_fixture,
    make_report,
    report_of,
)


def _assigned(app, casework, due_days=7, **kwargs):
    rid = make_report(app, **kwargs)
    act(app, casework.ids.inspector, rid, "accept", **({"disposition": "preliminary_verification"}
                                                         if kwargs.get("kind") == "tipoff" else {}))
    due = today_cst() + timedelta(days=due_days)
    act(app, casework.ids.inspector, rid, "assign", unit_id=casework.agri, due_date=due)
    from app.triage.models import Assignment

    with app.app_context():
        return rid, db.session.scalar(sa.select(Assignment.id).where(Assignment.report_id == rid))


def test_handler_sees_his_assignments_without_reporter_and_answers(app, client, casework):
    rid, aid = _assigned(app, casework, kind="tipoff", content="村会计虚报冒领补贴", anonymous=False,
                         reporter_name="赵六", reporter_user_id=casework.ids.resident)
    resp = client.get("/api/v1/unit/assignments", headers=casework.agri_handler)
    assert resp.status_code == 200
    items = resp.get_json()["items"]
    assert [a["id"] for a in items] == [aid]
    assert items[0]["status"] == "open" and items[0]["status_label"] == "待答复" and not items[0]["overdue"]
    assert items[0]["report"]["content"] == "村会计虚报冒领补贴" and items[0]["report"]["village_name"]
    text = resp.get_data(as_text=True)
    assert "赵六" not in text and "reporter" not in text and str(casework.ids.resident) not in [
        str(v) for v in items[0]["report"].values()]
    assert client.get("/api/v1/unit/assignments", headers=casework.edu_handler).get_json()["items"] == []

    url = f"/api/v1/unit/assignments/{aid}/response"
    answered = client.post(url, json={"content": "经核实已退回冒领资金", "rectified": True},
                           headers=casework.agri_handler)
    assert answered.status_code == 200, answered.get_json()
    body = answered.get_json()
    assert body["status"] == "answered" and body["answer"] == "经核实已退回冒领资金" and body["rectified"] is True
    status, events = report_of(app, rid)
    assert status == "responded" and events[-1][0] == "respond" and events[-1][1] == "internal"
    again = client.post(url, json={"content": "再次", "rectified": True}, headers=casework.agri_handler)
    assert again.status_code == 409
    assert client.get("/api/v1/unit/assignments?status=answered",
                      headers=casework.agri_handler).get_json()["items"][0]["id"] == aid
    assert client.get("/api/v1/unit/assignments?status=open", headers=casework.agri_handler).get_json()["items"] == []


def test_overdue_assignments_show(app, client, casework):
    _, aid = _assigned(app, casework)
    from app.triage.models import Assignment

    with app.app_context():
        db.session.get(Assignment, aid).due_date = today_cst() - timedelta(days=2)
        db.session.commit()
    items = client.get("/api/v1/unit/assignments?status=overdue", headers=casework.agri_handler).get_json()["items"]
    assert [(a["id"], a["status"], a["overdue"]) for a in items] == [(aid, "overdue", True)]


def test_bad_input_and_who_may_not(app, client, casework):
    _, aid = _assigned(app, casework)
    url = f"/api/v1/unit/assignments/{aid}/response"
    for body, field in (({"rectified": True}, "content"), ({"content": "好"}, "rectified"),
                        ({"content": "", "rectified": True}, "content"),
                        ({"content": "好", "rectified": "也许"}, "rectified")):
        resp = client.post(url, json=body, headers=casework.agri_handler)
        assert resp.status_code == 400 and field in error_of(resp)["fields"], body
    bad = client.get("/api/v1/unit/assignments?status=x", headers=casework.agri_handler)
    assert bad.status_code == 400
    good = {"content": "已办理", "rectified": False}
    assert client.post(url, json=good, headers=casework.edu_handler).status_code == 404
    assert client.post("/api/v1/unit/assignments/9999/response", json=good,
                       headers=casework.agri_handler).status_code == 404
    for who in ("inspector", "publisher", "resident", "admin"):
        assert client.post(url, json=good, headers=getattr(casework, who)).status_code == 403, who
        assert client.get("/api/v1/unit/assignments", headers=getattr(casework, who)).status_code == 403, who
    assert client.get("/api/v1/unit/assignments").status_code == 401


def test_a_report_naming_the_handler_is_not_listed_to_him(app, client, casework):
    rid, aid = _assigned(app, casework, kind="tipoff")
    from app.reports.models import Report, ReportConflict

    with app.app_context():  # the accused turns out to be the handler himself after the assignment
        db.session.get(Report, rid).target_user_id = casework.ids.agri_handler
        db.session.add(ReportConflict(report_id=rid, user_id=casework.ids.agri_handler, reason="named_account"))
        db.session.commit()
    assert client.get("/api/v1/unit/assignments", headers=casework.agri_handler).get_json()["items"] == []
    resp = client.post(f"/api/v1/unit/assignments/{aid}/response", json={"content": "无问题", "rectified": False},
                       headers=casework.agri_handler)
    assert resp.status_code == 403 and report_of(app, rid)[0] == "assigned"
