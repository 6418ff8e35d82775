"""Console: the unit handler's assignments and warnings, and his answers with the rectification."""

from datetime import timedelta

import sqlalchemy as sa

from app.core.timeutil import today_cst
from app.extensions import db
from tests.console.conftest import post_form, text
from tests.console.test_triage import staff_fixture  # noqa: F401  (the logged-in clients: `staff`)
from tests.triage.case_factories import act, make_report, report_of, unit_id


def _assigned(app, staff, content="低保评定没有开村民代表会议"):
    report_id = make_report(app, content=content, anonymous=False, reporter_name="张三丰")
    inspector = staff["inspector"].user_id
    act(app, inspector, report_id, "accept")
    act(app, inspector, report_id, "assign", unit_id=staff["agri"], due_date=today_cst() + timedelta(days=7),
        note="请核实并整改")
    from app.triage.models import Assignment

    with app.app_context():
        return report_id, db.session.scalar(sa.select(Assignment.id).where(Assignment.report_id == report_id))


def _warning(app, staff, unit, content="请规范低保评定程序"):
    from app.auth.models import User
    from app.triage.warnings import create_warning

    with app.app_context():
        user = db.session.get(User, staff["inspector"].user_id)
        return create_warning(user, {"unit_id": unit, "content": content,
                                     "due_date": today_cst() + timedelta(days=10)}).id


def test_handler_sees_his_units_work_without_identity(app, staff):
    _assigned(app, staff)
    _warning(app, staff, staff["agri"])
    page = staff["handler"].get("/console/unit")
    assert page.status_code == 200
    body = text(page)
    assert "低保评定没有开村民代表会议" in body and "请核实并整改" in body and "请规范低保评定程序" in body
    assert "答复期限" in body and "整改期限" in body
    assert "张三丰" not in body and "13800001234" not in body
    assert "交办与预警" in text(staff["handler"].get("/console/"))


def test_answer_an_assignment_and_a_warning(app, staff):
    report_id, assignment_id = _assigned(app, staff)
    warning_id = _warning(app, staff, staff["agri"])
    client = staff["handler"]
    resp = post_form(client, f"/console/unit/assignments/{assignment_id}/response",
                     {"content": "已重新召开村民代表会议评议", "rectified": "true", "confirm": "1"}, page="/console/")
    assert resp.status_code == 302
    assert report_of(app, report_id)[0] == "responded"
    resp = post_form(client, f"/console/unit/warnings/{warning_id}/response",
                     {"content": "正在逐户复核", "rectified": "false", "confirm": "1"}, page="/console/")
    assert resp.status_code == 302
    body = text(client.get("/console/unit"))
    assert "已重新召开村民代表会议评议" in body and "正在逐户复核" in body
    resp = post_form(client, f"/console/unit/warnings/{warning_id}/response",
                     {"content": "复核完毕，已取消不符合条件的一户", "rectified": "true",
                                                    "confirm": "1"}, page="/console/")
    assert resp.status_code == 302
    from app.triage.case_models import UnitWarning

    with app.app_context():
        assert db.session.get(UnitWarning, warning_id).status == "rectified"
    again = post_form(client, f"/console/unit/warnings/{warning_id}/response",
                      {"content": "再报", "rectified": "true", "confirm": "1"}, page="/console/")
    assert again.status_code == 409 and "不能再次反馈" in text(again)
    twice = post_form(client, f"/console/unit/assignments/{assignment_id}/response",
                      {"content": "再答", "rectified": "true", "confirm": "1"}, page="/console/")
    assert twice.status_code == 409


def test_bad_answers_save_nothing(app, staff):
    report_id, assignment_id = _assigned(app, staff)
    client = staff["handler"]
    resp = post_form(client, f"/console/unit/assignments/{assignment_id}/response", {"content": "已整改"},
                     page="/console/")
    assert resp.status_code == 400 and "请按提示修改" in text(resp)
    resp = post_form(client, f"/console/unit/assignments/{assignment_id}/response", {"rectified": "true"},
                     page="/console/")
    assert resp.status_code == 400
    assert report_of(app, report_id)[0] == "assigned"
    assert client.get("/console/unit?a_status=bogus").status_code == 400


def test_other_units_and_other_roles_may_not(app, staff, console_as):
    report_id, assignment_id = _assigned(app, staff)
    edu = unit_id(app, "竹山县教育局")
    warning_id = _warning(app, staff, staff["agri"])
    other = console_as(("unit_handler", None, edu), unit_id=edu)
    body = text(other.get("/console/unit"))
    assert "低保评定没有开村民代表会议" not in body and "请规范低保评定程序" not in body
    assert post_form(other, f"/console/unit/assignments/{assignment_id}/response",
                     {"content": "越权", "rectified": "true"}, page="/console/").status_code == 404
    assert post_form(other, f"/console/unit/warnings/{warning_id}/response",
                     {"content": "越权", "rectified": "true"}, page="/console/").status_code == 404
    for who in ("inspector", "publisher"):
        assert staff[who].get("/console/unit").status_code == 403
    assert report_of(app, report_id)[0] == "assigned"


def test_an_answer_asks_first_and_names_the_office_it_goes_to(app, staff):
    report_id, assignment_id = _assigned(app, staff)
    warning_id = _warning(app, staff, staff["agri"])
    client = staff["handler"]
    url = f"/console/unit/assignments/{assignment_id}/response"
    answer = {"content": "已重新召开村民代表会议评议", "rectified": "true"}
    asked = post_form(client, url, answer, page="/console/")
    body = text(asked)
    assert asked.status_code == 200 and "请确认：提交反馈" in body
    assert "答复将提交给竹山县纪委监委" in body and "看不到答复内容" in body and "只能答复一次" in body
    assert 'name="confirm" value="1"' in body and 'value="已重新召开村民代表会议评议"' in body
    status, events = report_of(app, report_id)
    assert status == "assigned" and not any(a == "respond" for a, _, _ in events)
    assert post_form(client, url, {**answer, "confirm": "1"}, page="/console/").status_code == 302
    assert report_of(app, report_id)[0] == "responded"
    again = post_form(client, url, answer, page="/console/")
    assert again.status_code == 409 and "请确认" not in text(again)

    w_url = f"/console/unit/warnings/{warning_id}/response"
    partial = text(post_form(client, w_url, {"content": "正在复核", "rectified": "false"}, page="/console/"))
    assert "答复将提交给竹山县纪委监委" in partial and "整改完毕后请再次反馈" in partial
    final = text(post_form(client, w_url, {"content": "复核完毕", "rectified": "true"}, page="/console/"))
    assert "选择“已整改完毕”后预警关闭" in final
    from app.triage.case_models import UnitWarning

    with app.app_context():
        warning = db.session.get(UnitWarning, warning_id)
        assert warning.status == "open" and not warning.responses


def test_a_township_inspectors_assignment_is_answered_to_the_township_office(app, staff, console_as):
    from tests.triage.case_factories import BAOFENG

    township = console_as(("inspector", BAOFENG))
    report_id = make_report(app)
    act(app, township.user_id, report_id, "accept")
    act(app, township.user_id, report_id, "assign", unit_id=staff["agri"], due_date=today_cst() + timedelta(days=5))
    from app.triage.models import Assignment

    with app.app_context():
        assignment_id = db.session.scalar(sa.select(Assignment.id).where(Assignment.report_id == report_id))
    body = text(post_form(staff["handler"], f"/console/unit/assignments/{assignment_id}/response",
                          {"content": "已核实", "rectified": "false"}, page="/console/"))
    assert "答复将提交给宝丰镇纪委" in body
