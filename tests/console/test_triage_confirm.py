"""Console: 受理, 不予受理, 交办 and 办结 ask for confirmation naming who will be told; messages default to internal."""

from datetime import timedelta

import sqlalchemy as sa

from app.core.timeutil import today_cst
from app.extensions import db
from tests.console.conftest import post_form, text
from tests.console.test_triage import staff_fixture  # noqa: F401  (the logged-in clients: `staff`)
from tests.triage.case_factories import act, make_report, report_of

DUE = (today_cst() + timedelta(days=10)).isoformat()


def _trace(app, report_id):
    """What a transition leaves behind: (status, timeline length, outbox rows, transition audit entries)."""
    from app.notify.models import OutboxMessage
    from app.reports.models import Report, TimelineEvent
    from app.security.models import AuditEntry

    with app.app_context():
        status = db.session.get(Report, report_id).status
        events = db.session.scalar(sa.select(sa.func.count()).select_from(TimelineEvent)
                                   .where(TimelineEvent.report_id == report_id))
        outbox = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
        audits = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
            AuditEntry.object_id == str(report_id), AuditEntry.action != "report.view"))
        return status, events, outbox, audits


def test_accept_without_confirm_changes_nothing_and_names_the_anonymous_reporter(app, staff):
    report_id = make_report(app, kind="tipoff", topic="强农惠农政策落实", content="低保名额给了亲戚")
    client = staff["inspector"]
    url = f"/console/triage/reports/{report_id}/act/accept"
    before = _trace(app, report_id)
    resp = post_form(client, url, {"accept-disposition": "preliminary_verification", "accept-note": "先查账"},
                     page="/console/")
    assert resp.status_code == 200
    body = text(resp)
    assert "请确认：受理" in body and "受理后将通知举报人（匿名举报人凭回执码可见）" in body
    assert "状态“已受理”及说明“您反映的问题已受理”" in body and "此操作不能撤销" in body
    assert "举报人看不到" in body  # the disposition and the internal note stay inside
    assert 'name="confirm" value="1"' in body and 'value="preliminary_verification"' in body
    assert 'value="先查账"' in body  # the second POST sends exactly what was typed
    assert _trace(app, report_id) == before  # the dry run left no event, notification or audit entry

    done = post_form(client, url, {"accept-disposition": "preliminary_verification", "accept-note": "先查账",
                                   "confirm": "1"}, page="/console/")
    assert done.status_code == 302
    status, events = report_of(app, report_id)
    assert status == "accepted"
    assert ("accept", "public", "您反映的问题已受理") in events
    assert any(a == "note" and v == "internal" and "先查账" in n for a, v, n in events)


def test_a_reporter_with_an_account_is_told_a_wechat_notice_will_be_sent(app, staff, make_user):
    resident = make_user()
    report_id = make_report(app, anonymous=False, reporter_user_id=resident, reporter_name="张三丰")
    client = staff["inspector"]
    url = f"/console/triage/reports/{report_id}/act/accept"
    before = _trace(app, report_id)
    body = text(post_form(client, url, {}, page="/console/"))
    assert "受理后将通知举报人（实名举报人，已绑定微信账号）" in body
    assert "将向举报人的微信账号发送 1 条服务通知" in body and "张三丰" not in body
    assert _trace(app, report_id) == before
    assert post_form(client, url, {"confirm": "1"}, page="/console/").status_code == 302
    from app.notify.models import OutboxMessage

    with app.app_context():
        assert [m.user_id for m in db.session.scalars(sa.select(OutboxMessage))] == [resident]


def test_assign_names_the_unit_and_its_handlers(app, staff):
    report_id = make_report(app)
    inspector = staff["inspector"]
    act(app, inspector.user_id, report_id, "accept")
    url = f"/console/triage/reports/{report_id}/act/assign"
    form = {"assign-unit_id": str(staff["agri"]), "assign-due_date": DUE, "assign-note": "请核实"}
    before = _trace(app, report_id)
    resp = post_form(inspector, url, form, page="/console/")
    assert resp.status_code == 200
    body = text(resp)
    assert "交办后将通知竹山县农业农村局的承办人员，举报人可见“已交办”" in body
    assert "竹山县农业农村局的承办人员（" in body and "共 1 人" in body and "看不到举报人的身份" in body
    assert "状态“已交办”。" in body  # the note was internal: the reporter sees the status only
    assert _trace(app, report_id) == before

    public = post_form(inspector, url, {**form, "assign-visibility": "public"}, page="/console/")
    assert "状态“已交办”及说明“" in text(public) and "请核实" in text(public)
    assert post_form(inspector, url, {**form, "confirm": "1"}, page="/console/").status_code == 302
    assert report_of(app, report_id)[0] == "assigned"


def test_assign_to_a_unit_without_handlers_warns_and_bad_input_is_refused_before_confirming(app, staff):
    from app.regions.models import Unit

    with app.app_context():
        edu = db.session.scalar(sa.select(Unit.id).where(Unit.name == "竹山县教育局"))
    report_id = make_report(app)
    act(app, staff["inspector"].user_id, report_id, "accept")
    url = f"/console/triage/reports/{report_id}/act/assign"
    body = text(post_form(staff["inspector"], url, {"assign-unit_id": str(edu), "assign-due_date": DUE},
                          page="/console/"))
    assert "竹山县教育局目前没有承办人员账号" in body
    past = (today_cst() - timedelta(days=1)).isoformat()
    late = post_form(staff["inspector"], url, {"assign-unit_id": str(edu), "assign-due_date": past},
                     page="/console/")
    assert late.status_code == 400 and "请确认" not in text(late) and "答复期限不能早于今天" in text(late)
    twice = post_form(staff["inspector"], f"/console/triage/reports/{report_id}/act/accept", {}, page="/console/")
    assert twice.status_code == 409 and "请确认" not in text(twice)


def test_conclude_and_refuse_name_what_the_reporter_reads(app, staff):
    report_id = make_report(app)
    act(app, staff["inspector"].user_id, report_id, "accept")
    url = f"/console/triage/reports/{report_id}/act/conclude"
    body = text(post_form(staff["inspector"], url, {"conclude-result": "经核实，道路维修款已在村务栏补充公开。"},
                          page="/console/"))
    assert "办结后办理结果将告知举报人（匿名举报人凭回执码可见）" in body
    assert "“经核实，道路维修款已在村务栏补充公开。”" in body and report_of(app, report_id)[0] == "accepted"
    assert post_form(staff["inspector"], url, {"conclude-result": "经核实，道路维修款已在村务栏补充公开。",
                                               "confirm": "1"}, page="/console/").status_code == 302
    assert report_of(app, report_id)[0] == "concluded"

    other = make_report(app)
    refuse = text(post_form(staff["inspector"], f"/console/triage/reports/{other}/act/refuse",
                            {"refuse-reason": "不属于纪检监察机关受理范围"}, page="/console/"))
    assert "不予受理后，理由将告知举报人" in refuse and report_of(app, other)[0] == "received"


def test_the_report_page_asks_before_these_actions_and_defaults_the_message_to_internal(app, staff):
    report_id = make_report(app)
    body = text(staff["inspector"].get(f"/console/triage/reports/{report_id}"))
    assert body.count("data-confirm-step") == 2  # 受理 and 不予受理 are open on a received report
    assert 'name="msg-visibility" value="internal" checked' in body
    assert 'name="msg-visibility" value="public">' in body and "举报人可见" in body


def test_a_message_posted_without_choosing_stays_internal(app, staff, client, token_for):
    from app.reports.models import Report
    from app.reports.timeline import public_timeline

    report_id = make_report(app)
    url = f"/console/triage/reports/{report_id}/messages"
    unchosen = post_form(staff["inspector"], url, {"msg-content": "内部：先别打草惊蛇"}, page="/console/")
    assert unchosen.status_code == 302
    headers = token_for(staff["inspector"].user_id)
    api = client.post(f"/api/v1/triage/reports/{report_id}/messages", headers=headers, json={"content": "接口留言"})
    assert api.status_code == 201 and api.get_json()["visibility"] == "internal"
    with app.app_context():
        report = db.session.get(Report, report_id)
        notes = {e.note: e.visibility for e in report.timeline if e.action == "message"}
        assert notes == {"内部：先别打草惊蛇": "internal", "接口留言": "internal"}
        assert not any(e.action == "message" for e in public_timeline(report))
    chosen = post_form(staff["inspector"], url, {"msg-content": "已转交核实", "msg-visibility": "public"},
                       page="/console/")
    assert chosen.status_code == 302
    with app.app_context():
        assert [e.note for e in public_timeline(db.session.get(Report, report_id)) if e.action == "message"] == [
            "已转交核实"]
