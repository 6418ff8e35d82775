"""Console: a unit reports 正在整改 several times, then 整改完毕 with evidence; the inspector's warning list and case
page show each department's state; 办结 of a whole case asks first, naming every reporter who will be told."""

from datetime import timedelta

from app.core.timeutil import today_cst
from app.extensions import db
from tests.console.conftest import post_form, text
from tests.console.test_triage import staff_fixture  # noqa: F401  (the logged-in clients: `staff`)
from tests.triage.case_factories import make_report, report_of, unit_id


def _case_with_warning(app, staff, *reports):
    from app.auth.models import User
    from app.triage.cases import create_case
    from app.triage.warnings import create_warning

    with app.app_context():
        user = db.session.get(User, staff["inspector"].user_id)
        case_id = create_case(user, list(reports), "低保评定不公开").id
        warning = create_warning(user, {"unit_id": staff["agri"], "case_id": case_id, "content": "请规范低保评定程序",
                                        "due_date": today_cst() + timedelta(days=10)})
        return case_id, warning.id


def _warning(app, warning_id):
    from app.triage.case_models import UnitWarning

    with app.app_context():
        warning = db.session.get(UnitWarning, warning_id)
        return warning.status, [(r.rectified, r.evidence) for r in warning.responses]


def test_rectifying_twice_then_rectified_with_evidence(app, staff):
    case_id, warning_id = _case_with_warning(app, staff, make_report(app))
    handler, url = staff["handler"], f"/console/unit/warnings/{warning_id}/response"
    page = text(handler.get("/console/unit"))
    assert 'name="state" value="rectifying"' in page and "整改佐证" in page
    for step in ("已逐户复核 12 户", "已复核全部 40 户"):
        asked = post_form(handler, url, {"state": "rectifying", "content": step}, page="/console/")
        assert asked.status_code == 200 and "请确认：提交反馈" in text(asked) and "整改完毕后请再次反馈" in text(asked)
        assert post_form(handler, url, {"state": "rectifying", "content": step, "confirm": "1"},
                         page="/console/").status_code == 302
    assert _warning(app, warning_id) == ("answered", [(False, None), (False, None)])
    listing = text(staff["inspector"].get("/console/warnings"))
    assert "正在整改（已反馈 2 次）" in listing and "已复核全部 40 户" in listing
    no_evidence = post_form(handler, url, {"state": "rectified", "content": "整改完毕", "confirm": "1"},
                            page="/console/")
    assert no_evidence.status_code == 400 and 'id="err-evidence"' in text(no_evidence)
    final = {"state": "rectified", "content": "整改完毕", "evidence": "村务公开栏照片 3 张，镇政府文件 12 号"}
    asked = text(post_form(handler, url, final, page="/console/"))
    assert "整改佐证“村务公开栏照片 3 张，镇政府文件 12 号”将随反馈一并提交" in asked
    assert _warning(app, warning_id)[0] == "answered"
    assert post_form(handler, url, {**final, "confirm": "1"}, page="/console/").status_code == 302
    assert _warning(app, warning_id) == ("rectified", [(False, None), (False, None),
                                                      (True, "村务公开栏照片 3 张，镇政府文件 12 号")])
    after = post_form(handler, url, {"state": "rectifying", "content": "再报", "confirm": "1"}, page="/console/")
    assert after.status_code == 409 and "不能再次反馈" in text(after)
    case_page = text(staff["inspector"].get(f"/console/cases/{case_id}"))
    assert "竹山县农业农村局" in case_page and "整改完毕" in case_page and "镇政府文件 12 号" in case_page
    assert "整改完毕" in text(staff["inspector"].get("/console/warnings"))


def test_bad_rectifications_and_other_units(app, staff, console_as):
    _, warning_id = _case_with_warning(app, staff, make_report(app))
    url = f"/console/unit/warnings/{warning_id}/response"
    bad_state = post_form(staff["handler"], url, {"state": "done", "content": "好了"}, page="/console/")
    assert bad_state.status_code == 400 and 'id="err-state"' in text(bad_state)
    empty = post_form(staff["handler"], url, {"state": "rectifying", "content": ""}, page="/console/")
    assert empty.status_code == 400 and 'id="err-content"' in text(empty)
    edu = unit_id(app, "竹山县教育局")
    other = console_as(("unit_handler", None, edu), unit_id=edu)
    assert post_form(other, url, {"state": "rectifying", "content": "越权", "confirm": "1"},
                     page="/console/").status_code == 404
    assert post_form(staff["inspector"], url, {"state": "rectifying", "content": "越权", "confirm": "1"},
                     page="/console/").status_code == 403
    assert _warning(app, warning_id) == ("open", [])


def test_concluding_a_case_names_every_reporter_first(app, staff, make_user):
    resident = make_user(("resident",))
    bound = make_report(app, anonymous=False, reporter_name="李四", reporter_user_id=resident)
    anonymous = make_report(app)
    case_id, warning_id = _case_with_warning(app, staff, bound, anonymous)
    client, url = staff["inspector"], f"/console/cases/{case_id}/conclude"
    result = {"result": "低保名单已重新评议并公示"}
    waiting = post_form(client, url, result, page="/console/")
    body = text(waiting)
    assert waiting.status_code == 409 and "竹山县农业农村局" in body and 'id="err-reason"' in body
    asked = post_form(client, url, {**result, "reason": "单位已电话报告，书面反馈随后补交"}, page="/console/")
    body = text(asked)
    assert asked.status_code == 200 and "请确认：办结问题" in body and "全部 2 位举报人" in body
    for report_id in (bound, anonymous):
        assert report_of(app, report_id)[0] == "merged"
    from app.reports.models import Report

    with app.app_context():
        numbers = [db.session.get(Report, rid).tracking_no for rid in (bound, anonymous)]
    assert f"{numbers[0]} 的举报人：实名举报人，已绑定微信账号" in body
    assert f"{numbers[1]} 的举报人：匿名举报人凭回执码可见" in body
    assert "已绑定微信的 1 位举报人" in body and "单位已电话报告" in body and 'name="confirm" value="1"' in body
    assert "李四" not in body
    done = post_form(client, url, {**result, "reason": "单位已电话报告，书面反馈随后补交", "confirm": "1"},
                     page="/console/")
    assert done.status_code == 302
    from app.triage.case_models import Case

    with app.app_context():
        case = db.session.get(Case, case_id)
        assert (case.status, case.conclude_reason) == ("concluded", "单位已电话报告，书面反馈随后补交")
    assert ("conclude", "public", "低保名单已重新评议并公示") in report_of(app, bound)[1]
    assert "办结理由" in text(client.get(f"/console/cases/{case_id}"))


def test_who_may_not_conclude_a_case(app, staff):
    case_id, _ = _case_with_warning(app, staff, make_report(app))
    for who, status in (("publisher", 403), ("handler", 403), ("other_county", 404)):
        resp = post_form(staff[who], f"/console/cases/{case_id}/conclude",
                         {"result": "越权办结", "reason": "越权", "confirm": "1"}, page="/console/")
        assert resp.status_code == status, who
        assert "低保评定不公开" not in text(resp)
    from app.triage.case_models import Case

    with app.app_context():
        assert db.session.get(Case, case_id).status == "open"
