"""Console: the inspector's queue and report page — filters, transitions, messages, identity, who may not."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.timeutil import today_cst
from app.extensions import db
from tests.console.conftest import post_form, text
from tests.triage.case_factories import BAOFENG, COUNTY, LONGJING, LUOJIAPO, OTHER_COUNTY, make_report, unit_id

SECRET_TEXT = "村主任把低保名额给了自己的亲戚"


@pytest.fixture(name="staff")
def staff_fixture(app, county, console_as):
    """Logged-in console clients around the demo county (and an inspector of a neighbouring county)."""
    from app.regions.models import Region

    with app.app_context():
        db.session.add(Region(code=OTHER_COUNTY, name="竹溪县", display_name="竹溪县", level="county"))
        db.session.commit()
    agri = unit_id(app, "竹山县农业农村局")
    return {
        "inspector": console_as(("inspector", COUNTY)),
        "baofeng": console_as(("inspector", BAOFENG)),
        "other_county": console_as(("inspector", OTHER_COUNTY)),
        "publisher": console_as(("publisher", LONGJING)),
        "handler": console_as(("unit_handler", None, agri), unit_id=agri),
        "agri": agri,
    }


def _status(app, report_id):
    from app.reports.models import Report

    with app.app_context():
        return db.session.get(Report, report_id).status


def _tipoff(app, **kw):
    return make_report(app, kind="tipoff", topic="强农惠农政策落实", content=SECRET_TEXT, anonymous=False,
                       reporter_name="张三丰", **kw)


def test_queue_lists_and_filters_the_inspectors_reports(app, staff):
    tip = _tipoff(app)
    other = make_report(app, LUOJIAPO, kind="suggestion", topic="工程质量", content="水泥路开裂，建议返修")
    client = staff["inspector"]
    page = client.get("/console/triage")
    assert page.status_code == 200
    body = text(page)
    assert "信访件" in body and SECRET_TEXT in body and "水泥路开裂" in body
    assert "张三丰" not in body  # identity never in the queue

    only_tip = text(client.get("/console/triage?kind=tipoff"))
    assert SECRET_TEXT in only_tip and "水泥路开裂" not in only_tip
    by_text = text(client.get("/console/triage?q=水泥路"))
    assert "水泥路开裂" in by_text and SECRET_TEXT not in by_text
    by_village = text(client.get(f"/console/triage?village={LUOJIAPO}"))
    assert "水泥路开裂" in by_village and SECRET_TEXT not in by_village
    by_status = text(client.get("/console/triage?status=accepted"))
    assert "暂无" in by_status or "没有符合条件" in by_status
    assert client.get("/console/triage?topic=工程质量&overdue=1").status_code == 200
    assert client.get("/console/triage?due_soon=1").status_code == 200
    assert {tip, other}


def test_the_township_inspector_sees_only_his_township(app, staff):
    make_report(app, LONGJING, content="宝丰镇的反映")
    make_report(app, LUOJIAPO, content="麻家渡镇的反映")
    body = text(staff["baofeng"].get("/console/triage"))
    assert "宝丰镇的反映" in body and "麻家渡镇的反映" not in body
    assert "麻家渡镇的反映" not in text(staff["other_county"].get("/console/triage"))


def test_bad_queue_filters_are_a_clear_400(staff):
    resp = staff["inspector"].get("/console/triage?village=12")
    assert resp.status_code == 400
    assert "筛选条件有误" in text(resp) and "区划代码应为 12 位数字" in text(resp)
    resp = staff["inspector"].get("/console/triage?status=bogus")
    assert resp.status_code == 400 and "未知的状态" in text(resp)


def test_publishers_and_unit_handlers_cannot_open_the_queue(app, staff):
    _tipoff(app)
    for who in ("publisher", "handler"):
        resp = staff[who].get("/console/triage")
        assert resp.status_code == 403
        assert SECRET_TEXT not in text(resp)
    nav = text(staff["publisher"].get("/console/"))
    assert "信访件" not in nav and "/console/triage" not in nav


def test_report_page_shows_timeline_sealed_identity_and_audits_the_view(app, staff):
    report_id = _tipoff(app)
    resp = staff["inspector"].get(f"/console/triage/reports/{report_id}")
    assert resp.status_code == 200
    body = text(resp)
    assert SECRET_TEXT in body and "实名（已封存）" in body and "张三丰" not in body
    assert "办理记录" in body and "data-confirm-step" in body and "申请查看身份" in body
    from app.security.models import AuditEntry

    with app.app_context():
        actions = list(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_id == str(report_id))))
    assert "report.view" in actions


def test_other_scopes_get_404_and_others_403_for_a_report(app, staff):
    report_id = _tipoff(app, )
    luojiapo = make_report(app, LUOJIAPO)
    assert staff["other_county"].get(f"/console/triage/reports/{report_id}").status_code == 404
    assert staff["baofeng"].get(f"/console/triage/reports/{luojiapo}").status_code == 404
    assert staff["inspector"].get("/console/triage/reports/999999").status_code == 404
    for who in ("publisher", "handler"):
        resp = staff[who].get(f"/console/triage/reports/{report_id}")
        assert resp.status_code == 403 and SECRET_TEXT not in text(resp)
    resp = post_form(staff["other_county"], f"/console/triage/reports/{report_id}/act/accept",
                     {"accept-disposition": "talk_inquiry"}, page="/console/")
    assert resp.status_code == 404 and _status(app, report_id) == "received"


def test_accepting_a_tipoff_needs_a_disposition(app, staff):
    report_id = _tipoff(app)
    client = staff["inspector"]
    url = f"/console/triage/reports/{report_id}/act/accept"
    resp = post_form(client, url, {"accept-note": "先核实"}, page="/console/")
    assert resp.status_code == 400
    assert "请选择处置方式" in text(resp) and _status(app, report_id) == "received"

    resp = post_form(client, url, {"accept-disposition": "talk_inquiry", "confirm": "1"}, page="/console/")
    assert resp.status_code == 302
    assert _status(app, report_id) == "accepted"
    page = text(client.get(resp.headers["Location"]))
    assert "已受理" in page and "处置方式：谈话函询" in page


def test_refuse_without_reason_saves_nothing(app, staff):
    report_id = make_report(app)
    resp = post_form(staff["inspector"], f"/console/triage/reports/{report_id}/act/refuse", {}, page="/console/")
    assert resp.status_code == 400 and "理由" in text(resp)
    assert _status(app, report_id) == "received"
    bogus = post_form(staff["inspector"], f"/console/triage/reports/{report_id}/act/explode", {}, page="/console/")
    assert bogus.status_code == 404


def test_assign_checks_unit_and_due_date(app, staff):
    report_id = make_report(app)
    client = staff["inspector"]
    assert post_form(client, f"/console/triage/reports/{report_id}/act/accept", {"confirm": "1"},
                     page="/console/").status_code == 302
    url = f"/console/triage/reports/{report_id}/act/assign"
    past = (today_cst() - timedelta(days=3)).isoformat()
    resp = post_form(client, url, {"assign-unit_id": str(staff["agri"]), "assign-due_date": past}, page="/console/")
    assert resp.status_code == 400 and "答复期限不能早于今天" in text(resp)
    resp = post_form(client, url, {"assign-unit_id": "abc", "assign-due_date": "not a date"}, page="/console/")
    assert resp.status_code == 400 and _status(app, report_id) == "accepted"
    due = (today_cst() + timedelta(days=10)).isoformat()
    resp = post_form(client, url, {"assign-unit_id": str(staff["agri"]), "assign-due_date": due,
                                   "assign-note": "请核实", "confirm": "1"}, page="/console/")
    assert resp.status_code == 302 and _status(app, report_id) == "assigned"
    assert "竹山县农业农村局" in text(client.get(f"/console/triage/reports/{report_id}"))


def test_illegal_transition_is_a_409_page(app, staff):
    report_id = make_report(app)
    resp = post_form(staff["inspector"], f"/console/triage/reports/{report_id}/act/close", {}, page="/console/")
    assert resp.status_code == 409 and "不能执行" in text(resp)


def test_messages_public_and_internal(app, staff):
    report_id = make_report(app)
    client = staff["inspector"]
    url = f"/console/triage/reports/{report_id}/messages"
    empty = post_form(client, url, {"msg-visibility": "public"}, page="/console/")
    assert empty.status_code == 400 and "留言" in text(empty)
    assert post_form(client, url, {"msg-content": "已转相关部门核实", "msg-visibility": "public"},
                     page="/console/").status_code == 302
    assert post_form(client, url, {"msg-content": "内部：注意回避", "msg-visibility": "internal"},
                     page="/console/").status_code == 302
    from app.reports.models import TimelineEvent

    with app.app_context():
        events = {(e.note, e.visibility) for e in db.session.scalars(
            sa.select(TimelineEvent).where(TimelineEvent.report_id == report_id, TimelineEvent.action == "message"))}
    assert events == {("已转相关部门核实", "public"), ("内部：注意回避", "internal")}
    assert post_form(staff["publisher"], url, {"msg-content": "x", "msg-visibility": "public"},
                     page="/console/").status_code == 403


def test_identity_request_form(app, staff):
    report_id = _tipoff(app)
    client = staff["inspector"]
    url = f"/console/triage/reports/{report_id}/identity-request"
    short = post_form(client, url, {"idr-reason": "看看"}, page="/console/")
    assert short.status_code == 400 and "5" in text(short)
    ok = post_form(client, url, {"idr-reason": "需要当面核实低保评定的具体情况"}, page="/console/")
    assert ok.status_code == 302
    page = text(client.get(f"/console/triage/reports/{report_id}"))
    assert "待审批" in page and "张三丰" not in page
    again = post_form(client, url, {"idr-reason": "需要当面核实低保评定的具体情况"}, page="/console/")
    assert again.status_code == 409 and "已提交过" in text(again)
    anonymous = make_report(app)
    resp = post_form(client, f"/console/triage/reports/{anonymous}/identity-request",
                     {"idr-reason": "需要当面核实具体情况"}, page="/console/")
    assert resp.status_code == 409 and "匿名" in text(resp)


def test_attachments_are_served_only_for_their_report(app, staff):
    import io

    from PIL import Image

    from app.files.service import create_upload
    from app.reports.models import report_attachments

    buf = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buf, "PNG")
    report_id = make_report(app)
    other = make_report(app)
    with app.app_context():
        upload = create_upload(buf.getvalue())
        db.session.execute(report_attachments.insert().values(report_id=report_id, upload_id=upload.id))
        db.session.commit()
        upload_id = upload.id
    client = staff["inspector"]
    assert f"/attachments/{upload_id}" in text(client.get(f"/console/triage/reports/{report_id}"))
    resp = client.get(f"/console/triage/reports/{report_id}/attachments/{upload_id}")
    assert resp.status_code == 200 and resp.mimetype == "image/png"
    assert "sandbox" in resp.headers["Content-Security-Policy"]
    assert client.get(f"/console/triage/reports/{other}/attachments/{upload_id}").status_code == 404
    assert staff["other_county"].get(
        f"/console/triage/reports/{report_id}/attachments/{upload_id}").status_code == 404
