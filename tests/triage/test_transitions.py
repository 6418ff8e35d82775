"""Transitions through the API: rules, timeline (public/internal), reporter notification, audit, 409s."""

from datetime import timedelta

import sqlalchemy as sa

from app.core.timeutil import today_cst
from app.extensions import db
from tests.conftest import error_of
from tests.triage.factories import LUOJIAPO, make_report, triage_world_fixture  # noqa: F401  (fixture)

URL = "/api/v1/triage/reports"


def _post(client, headers, rid, action, body=None):
    return client.post(f"{URL}/{rid}/{action}", headers=headers, json=body or {})


def _outbox(app):
    from app.notify.models import OutboxMessage

    with app.app_context():
        return [(m.user_id, m.payload["action"]) for m in db.session.scalars(sa.select(OutboxMessage))]


def _audit(app, action):
    from app.security.models import AuditEntry

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def test_accepting_a_tipoff_needs_a_disposition_and_tells_the_reporter(app, client, triage_world):
    h, resident = triage_world["h"], triage_world["ids"]["resident"]
    with app.app_context():
        rid = make_report(reporter_user_id=resident)
    resp = _post(client, h["county"], rid, "accept")
    assert resp.status_code == 400 and error_of(resp)["code"] == "disposition_required"
    assert error_of(_post(client, h["county"], rid, "accept", {"disposition": "x"}))["fields"]["disposition"]
    resp = _post(client, h["county"], rid, "accept", {"disposition": "preliminary_verification", "note": "交一室"})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "accepted" and body["disposition_label"] == "初步核实"
    accept, note = body["timeline"]
    assert (accept["action"], accept["visibility"], accept["actor_label"]) == ("accept", "public", "竹山县纪委监委")
    assert accept["note"] == "您反映的问题已受理"
    assert note["visibility"] == "internal" and "初步核实" in note["note"] and "交一室" in note["note"]
    assert _outbox(app) == [(resident, "accept")]
    assert _audit(app, "report.accept") == 1
    assert {a["action"] for a in body["allowed_actions"]} == {"assign", "hold", "conclude", "merge"}
    assert body["stage"] == "conclude" and body["due_at"] == (today_cst() + timedelta(days=90)).isoformat()


def test_township_inspector_label_and_non_tipoff_without_disposition(app, client, triage_world):
    with app.app_context():
        rid = make_report(kind="suggestion")
    resp = _post(client, triage_world["h"]["township"], rid, "accept", {"disposition": "close_out"})
    assert error_of(resp)["code"] == "disposition_not_allowed"
    body = _post(client, triage_world["h"]["township"], rid, "accept").get_json()
    assert body["timeline"][0]["actor_label"] == "宝丰镇纪委"


def test_refusal_needs_a_reason_which_the_reporter_reads(app, client, triage_world):
    h = triage_world["h"]
    with app.app_context():
        rid = make_report()
    resp = _post(client, h["county"], rid, "refuse", {})
    assert resp.status_code == 400 and "reason" in error_of(resp)["fields"]
    assert error_of(_post(client, h["county"], rid, "refuse", {"reason": "  "}))["code"] == "validation_error"
    body = _post(client, h["county"], rid, "refuse", {"reason": "不属于本机关管辖，已转交县信访局"}).get_json()
    assert body["status"] == "not_accepted"
    assert body["timeline"][0]["visibility"] == "public" and "信访局" in body["timeline"][0]["note"]
    resp = _post(client, h["county"], rid, "accept", {"disposition": "talk_inquiry"})
    assert resp.status_code == 409 and error_of(resp)["code"] == "invalid_transition"
    assert "不予受理" in error_of(resp)["message"]


def test_illegal_transitions_are_409(app, client, triage_world):
    h = triage_world["h"]
    with app.app_context():
        rid = make_report(kind="question")
    for action, body in (("close", {}), ("hold", {}), ("resume", {}), ("conclude", {"result": "已处理完毕"}),
                         ("reopen", {"reason": "重新核查"})):
        resp = _post(client, h["county"], rid, action, body)
        assert resp.status_code == 409, action
    assert client.post(f"{URL}/999/accept", headers=h["county"], json={}).status_code == 404
    assert client.post(f"{URL}/{rid}/accept", json={}).status_code == 401


def test_full_lifecycle_assign_hold_conclude_close_reopen(app, client, triage_world):
    h, agri = triage_world["h"], triage_world["agri"]
    with app.app_context():
        rid = make_report(kind="question", reporter_user_id=triage_world["ids"]["resident"])
    assert _post(client, h["county"], rid, "accept").status_code == 200
    assert _post(client, h["county"], rid, "hold", {"note": "等待材料"}).get_json()["status"] == "on_hold"
    body = _post(client, h["county"], rid, "resume").get_json()
    assert body["status"] == "accepted"
    due = (today_cst() + timedelta(days=7)).isoformat()
    past = (today_cst() - timedelta(days=1)).isoformat()
    assert error_of(_post(client, h["county"], rid, "assign", {"unit_id": agri, "due_date": past}))["code"] == \
        "due_date_past"
    assert error_of(_post(client, h["county"], rid, "assign", {"unit_id": 9999, "due_date": due}))["code"] == \
        "unit_not_found"
    assert "unit_id" in error_of(_post(client, h["county"], rid, "assign", {"due_date": due}))["fields"]
    with app.app_context():
        from app.regions.models import Unit

        other_town = db.session.scalar(sa.select(Unit.id).where(Unit.region_code == "420323102000"))
    assert error_of(_post(client, h["county"], rid, "assign", {"unit_id": other_town, "due_date": due}))["code"] == \
        "unit_out_of_region"
    body = _post(client, h["county"], rid, "assign", {"unit_id": agri, "due_date": due}).get_json()
    assert body["status"] == "assigned" and body["stage"] == "assignment" and body["due_at"] == due
    assert body["assignments"][0]["unit_name"] == "竹山县农业农村局" and body["assignments"][0]["open"]
    # reassign: the first assignment is withdrawn
    body = _post(client, h["county"], rid, "assign", {"unit_id": triage_world["edu"], "due_date": due}).get_json()
    assert [a["open"] for a in body["assignments"]] == [False, True]
    assert _post(client, h["county"], rid, "conclude", {"result": "已办结"}).status_code == 409
    with app.app_context():
        from app.auth.models import User
        from app.triage import service
        from app.triage.models import Assignment

        handler = db.session.get(User, triage_world["ids"]["handler"])
        open_one = db.session.scalar(sa.select(Assignment).where(Assignment.withdrawn_at.is_(None)))
        try:
            service.answer_assignment(handler, open_one, answer="不是我单位", rectified=False)
            raise AssertionError("another unit answered")
        except Exception as err:  # noqa: BLE001
            assert getattr(err, "status", None) == 403
        db.session.rollback()
    body = _post(client, h["county"], rid, "conclude", {"result": "已查实，责令整改"})
    assert body.status_code == 409  # still assigned: the unit must respond first
    with app.app_context():
        from app.auth.models import User
        from app.triage import service
        from app.triage.models import Assignment

        edu = db.session.get(User, triage_world["ids"]["edu_handler"])
        open_one = db.session.scalar(sa.select(Assignment).where(Assignment.withdrawn_at.is_(None)))
        service.answer_assignment(edu, open_one, answer="已整改到位", rectified=True)
        db.session.commit()
    body = _post(client, h["county"], rid, "conclude", {"result": "已查实，责令整改"}).get_json()
    assert body["status"] == "concluded" and body["stage"] is None
    assert any(e["action"] == "conclude" and e["visibility"] == "public" and e["note"] == "已查实，责令整改"
               for e in body["timeline"])
    assert [d["kind"] for d in body["deadlines"] if d["status"] == "met"][-1] == "result_notice"
    assert _post(client, h["county"], rid, "close").get_json()["status"] == "closed"
    assert error_of(_post(client, h["county"], rid, "reopen"))["fields"]["reason"]
    body = _post(client, h["county"], rid, "reopen", {"reason": "举报人补充了新线索"}).get_json()
    assert body["status"] == "reopened" and body["stage"] == "accept"
    actions = [a for _, a in _outbox(app)]
    assert actions == ["accept", "conclude", "reopen"]


def test_messages_public_and_internal(app, client, triage_world):
    h = triage_world["h"]
    with app.app_context():
        rid = make_report(reporter_user_id=triage_world["ids"]["resident"])
    url = f"{URL}/{rid}/messages"
    assert error_of(client.post(url, headers=h["county"], json={"content": "x", "visibility": "all"}))["fields"]
    assert error_of(client.post(url, headers=h["county"], json={"visibility": "public"}))["fields"]["content"]
    resp = client.post(url, headers=h["county"], json={"content": "请补充照片", "visibility": "public"})
    assert resp.status_code == 201 and resp.get_json()["visibility"] == "public"
    assert client.post(url, headers=h["county"], json={"content": "内部", "visibility": "internal"}).status_code == 201
    assert client.post(url, headers=h["publisher"], json={"content": "x", "visibility": "public"}).status_code == 403
    assert client.post(url, headers=h["majiadu"], json={"content": "x", "visibility": "public"}).status_code == 404
    assert _outbox(app) == [(triage_world["ids"]["resident"], "message")]


def test_service_merge_and_conclude_as_casework_calls_them(app, triage_world):
    from app.auth.models import User
    from app.reports.models import Report
    from app.triage import service

    with app.app_context():
        a, b = make_report(reporter_user_id=triage_world["ids"]["resident"]), make_report(LUOJIAPO)
        inspector = db.session.get(User, triage_world["ids"]["county"])
        event = service.apply_action(inspector, db.session.get(Report, a), "merge", case_id=7)
        assert (event.visibility, event.to_status) == ("public", "merged")
        report_b = db.session.get(Report, b)
        service.apply_action(inspector, report_b, "accept", disposition="close_out")
        event = service.apply_action(inspector, report_b, "conclude", result="予以了结")
        db.session.commit()
        assert report_b.status == "concluded" and event.note == "予以了结"
        township = db.session.get(User, triage_world["ids"]["township"])
        try:
            service.apply_action(township, report_b, "close")
            raise AssertionError("out of scope")
        except Exception as err:  # noqa: BLE001
            assert getattr(err, "status", None) == 403
        notes = [e.note for e in db.session.get(Report, a).timeline]
        assert "并入问题 #7" in notes


def test_reporter_dispute_reopens_within_the_window(make_app, triage_world):
    from app.auth.models import User
    from app.reports.models import Report
    from app.triage import service

    short = make_app(REPORT_DISPUTE_DAYS=0)
    with short.app_context():
        rid = make_report(kind="question")
        inspector = db.session.get(User, triage_world["ids"]["county"])
        report = db.session.get(Report, rid)
        service.apply_action(inspector, report, "accept")
        service.apply_action(inspector, report, "conclude", result="已答复")
        try:
            service.reporter_dispute(report, "")
            raise AssertionError("accepted an empty dispute")
        except Exception as err:  # noqa: BLE001
            assert getattr(err, "code", None) == "reason_required"
        event = service.reporter_dispute(report, "结果与事实不符")
        assert report.status == "reopened" and event.visibility == "public" and event.actor_label == "举报人"
        service.apply_action(inspector, report, "conclude", result="复核后维持")
        report.status_changed_at -= timedelta(days=1)
        try:
            service.reporter_dispute(report, "仍有异议")
            raise AssertionError("window should be closed")
        except Exception as err:  # noqa: BLE001
            assert getattr(err, "code", None) == "dispute_window_closed"
        db.session.rollback()
