"""Console: the custodian's identity requests — approve unseals for the requester only, deny keeps it sealed."""

import sqlalchemy as sa

from app.extensions import db
from tests.console.conftest import post_form, text
from tests.console.test_triage import (
    SECRET_TEXT,
    _tipoff,
    staff_fixture,  # noqa: F401  (the logged-in clients: `staff`)
)
from tests.triage.case_factories import COUNTY, OTHER_COUNTY

REASON = "需要当面核实低保评定的具体情况"


def _request(app, staff, report_id):
    resp = post_form(staff["inspector"], f"/console/triage/reports/{report_id}/identity-request",
                     {"idr-reason": REASON}, page="/console/")
    assert resp.status_code == 302
    from app.triage.models import IdentityRequest

    with app.app_context():
        return db.session.scalar(sa.select(IdentityRequest.id).where(IdentityRequest.report_id == report_id))


def test_custodian_approves_and_only_the_requester_sees_the_identity(app, staff, console_as):
    report_id = _tipoff(app)
    request_id = _request(app, staff, report_id)
    custodian = console_as(("custodian", COUNTY))
    page = custodian.get("/console/custody")
    body = text(page)
    assert page.status_code == 200 and REASON in body and "批准" in body
    assert SECRET_TEXT not in body and "张三丰" not in body  # the custodian never reads the report
    resp = post_form(custodian, f"/console/custody/{request_id}/approve", {"note": "同意"}, page="/console/")
    assert resp.status_code == 302
    assert "没有待审批的申请" in text(custodian.get("/console/custody"))
    assert REASON in text(custodian.get("/console/custody?status=approved"))
    shown = text(staff["inspector"].get(f"/console/triage/reports/{report_id}"))
    assert "张三丰" in shown
    assert "本次查看已记入审计日志" in shown
    other = console_as(("inspector", COUNTY))
    assert "张三丰" not in text(other.get(f"/console/triage/reports/{report_id}"))
    again = post_form(custodian, f"/console/custody/{request_id}/deny", {}, page="/console/")
    assert again.status_code == 409 and "已经处理过" in text(again)


def test_deny_keeps_it_sealed(app, staff, console_as):
    report_id = _tipoff(app)
    request_id = _request(app, staff, report_id)
    custodian = console_as(("custodian", COUNTY))
    resp = post_form(custodian, f"/console/custody/{request_id}/deny", {"note": "理由不充分"}, page="/console/")
    assert resp.status_code == 302
    page = text(staff["inspector"].get(f"/console/triage/reports/{report_id}"))
    assert "张三丰" not in page and "已驳回" in page and "理由不充分" in page


def test_bad_decisions_and_who_may_not_decide(app, staff, console_as):
    report_id = _tipoff(app)
    request_id = _request(app, staff, report_id)
    custodian = console_as(("custodian", COUNTY))
    long_note = post_form(custodian, f"/console/custody/{request_id}/approve", {"note": "长" * 600}, page="/console/")
    assert long_note.status_code == 400 and "500" in text(long_note)
    assert post_form(custodian, f"/console/custody/{request_id}/maybe", {}, page="/console/").status_code == 400
    assert custodian.get("/console/custody?status=whatever").status_code == 400
    elsewhere = console_as(("custodian", OTHER_COUNTY))
    assert REASON not in text(elsewhere.get("/console/custody"))
    assert post_form(elsewhere, f"/console/custody/{request_id}/approve", {}, page="/console/").status_code == 404
    for who in ("inspector", "publisher", "handler"):
        assert staff[who].get("/console/custody").status_code == 403
        assert post_form(staff[who], f"/console/custody/{request_id}/approve", {}, page="/console/").status_code == 403
    assert "张三丰" not in text(staff["inspector"].get(f"/console/triage/reports/{report_id}"))


def test_the_custodian_sees_whom_it_accuses_and_cannot_approve_a_conflicted_requester(app, staff, console_as):
    from app.reports.models import ReportConflict
    from app.triage.models import IdentityRequest

    accused = staff["baofeng"].user_id
    report_id = _tipoff(app, target_person_post="村党支部书记")
    with app.app_context():  # a request filed by the person a later-found match names
        db.session.add(ReportConflict(report_id=report_id, user_id=accused, reason="same_name"))
        pending = IdentityRequest(report_id=report_id, requester_id=accused, reason=REASON, status="pending")
        db.session.add(pending)
        db.session.commit()
        request_id = pending.id
    custodian = console_as(("custodian", COUNTY))
    body = text(custodian.get("/console/custody"))
    assert "申请人可能是被反映对象" in body and "村党支部书记" in body and "不能批准" in body
    refused = post_form(custodian, f"/console/custody/{request_id}/approve", {}, page="/console/")
    assert refused.status_code == 409 and "不能批准" in text(refused)
    with app.app_context():
        assert db.session.get(IdentityRequest, request_id).status == "pending"
