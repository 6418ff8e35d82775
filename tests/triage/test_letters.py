"""Posted letters credited to a named member: counted as his report, in his layer and place; bad input refused whole."""

from datetime import timedelta

import sqlalchemy as sa

from app.core.timeutil import today_cst
from app.extensions import db
from tests.triage.factories import triage_world_fixture  # noqa: F401  (fixture)
from tests.triage.network_helpers import (
    BAOFENG,
    LONGJING,
    enter_letter,
    letter_body,
    register_member,
    report_by_tracking,
)


def _counts(app):
    from app.reports.models import Report
    from app.triage.network_models import Letter

    with app.app_context():
        return (db.session.scalar(sa.select(sa.func.count()).select_from(Report)),
                db.session.scalar(sa.select(sa.func.count()).select_from(Letter)))


def test_letter_counts_as_the_members_report_and_tells_his_bound_account(app, client, triage_world, make_user):
    h = triage_world["h"]
    member = register_member(client, h["county"], layer="retired_cadre")
    resident = make_user(openid="wx-member-1")
    with app.app_context():
        from app.auth.models import User
        from app.contacts.service import bind_member

        bind_member(db.session.get(User, resident), member["id"])
        db.session.commit()
    pdf = open("tests/fixtures/tiny.pdf", "rb").read()
    upload = client.post("/api/v1/uploads", data={"file": (__import__("io").BytesIO(pdf), "scan.pdf")},
                         headers=h["county"], content_type="multipart/form-data")
    assert upload.status_code == 201, upload.get_json()
    body = enter_letter(client, h["county"], member["id"], attachment_ids=[upload.get_json()["id"]])
    report = report_by_tracking(app, body["tracking_no"])
    assert (report.kind, report.channel, report.contact_member_id, report.contact_layer) == (
        "contact_point", "letter", member["id"], "retired_cadre")
    assert report.village_code == LONGJING and report.reporter_user_id == resident and not report.anonymous
    with app.app_context():
        from app.notify.models import OutboxMessage
        from app.triage.network_models import Letter

        letter = db.session.get(Letter, report.id)
        assert letter.postmarked_on == today_cst() - timedelta(days=3)
        assert letter.form == {"subject": "村级债务", "suggestion": "建议公开债务明细"}
        assert db.session.scalar(sa.select(OutboxMessage.user_id).where(OutboxMessage.user_id == resident))
        from app.reports.models import Report

        assert len(db.session.get(Report, report.id).attachments) == 1
    mine = client.get("/api/v1/me/reports", headers=triage_world["h"]["county"])
    assert mine.status_code == 200


def test_member_found_by_name_number_and_phone(client, triage_world):
    h = triage_world["h"]
    member = register_member(client, h["county"], name="李 秀英", phone="13871000009")
    for q in ("李秀英", str(member["id"]), "138-7100-0009"):
        found = client.get("/api/v1/triage/letters/members", query_string={"q": q}, headers=h["county"]).get_json()
        assert [m["id"] for m in found] == [member["id"]], q
        assert found[0]["phone"] == "138****0009"
    assert client.get("/api/v1/triage/letters/members", query_string={"q": "李秀英"},
                      headers=h["majiadu"]).get_json() == []  # his member lies in another township


def test_bad_letters_are_refused_and_nothing_is_saved(app, client, triage_world):
    h = triage_world["h"]
    member = register_member(client, h["county"])
    gone = register_member(client, h["county"], name="王德", phone="13871000002")
    assert client.post(f"/api/v1/admin/contact-points/{gone['id']}/deactivate", headers=h["county"]).status_code == 200
    first = enter_letter(client, h["county"], member["id"])
    before = _counts(app)
    cases = [
        (letter_body(99999), 404, "member_not_found"),
        (letter_body(gone["id"]), 409, "member_inactive"),
        (letter_body(member["id"], postmarked_on=(today_cst() + timedelta(days=1)).isoformat()), 400,
         "postmark_in_future"),
        (letter_body(member["id"]), 409, "duplicate_letter"),
        (letter_body(member["id"], content="村里修路欠款多年未还 ，群众意见很大。请尽快核查！"), 409,
         "duplicate_letter"),
        (letter_body(member["id"], content="短"), 400, "validation_error"),
        (letter_body(member["id"], content="另一封来信：低保评议不公开。", attachment_ids=["0" * 32]), 400,
         "validation_error"),
    ]
    for body, status, code in cases:
        response = client.post("/api/v1/triage/letters", json=body, headers=h["county"])
        assert (response.status_code, response.get_json()["error"]["code"]) == (status, code), body
    duplicate = client.post("/api/v1/triage/letters", json=letter_body(member["id"]), headers=h["county"]).get_json()
    assert duplicate["error"]["fields"]["duplicate_of"] == [first["tracking_no"]]
    assert "合并" in duplicate["error"]["message"]
    assert _counts(app) == before


def test_idempotent_retry_returns_the_same_letter(app, client, triage_world):
    h = triage_world["h"]
    member = register_member(client, h["county"])
    headers = {**h["county"], "Idempotency-Key": "letter-1"}
    first = client.post("/api/v1/triage/letters", json=letter_body(member["id"]), headers=headers)
    again = client.post("/api/v1/triage/letters", json=letter_body(member["id"]), headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["tracking_no"] == again.get_json()["tracking_no"]
    assert _counts(app)[1] == 1


def test_who_may_not_enter_letters(client, triage_world):
    h = triage_world["h"]
    member = register_member(client, h["county"])
    body = letter_body(member["id"])
    assert client.post("/api/v1/triage/letters", json=body).status_code == 401
    for who in ("publisher", "reviewer", "handler", "resident", "custodian", "majiadu"):
        response = client.post("/api/v1/triage/letters", json=body, headers=h[who])
        assert response.status_code == 403, who
        assert client.get("/api/v1/triage/letters/members", query_string={"q": "张明华"},
                          headers=h[who]).status_code in (200, 403)
    township = register_member(client, h["county"], name="赵平", phone="13871000003", region=BAOFENG)
    assert client.post("/api/v1/triage/letters", json=letter_body(township["id"]),
                       headers=h["township"]).status_code == 201


def test_contact_point_feedback_by_staff_still_needs_the_letter_entry(client, triage_world):
    body = {"village_code": LONGJING, "kind": "contact_point", "topic": "村级债务", "content": "代为登记的联系点反馈",
            "anonymous": False, "channel": "letter", "reporter": {"name": "张三", "phone": "13800001111"}}
    response = client.post("/api/v1/reports", json=body, headers=triage_world["h"]["county"])
    assert response.status_code == 400
    assert "登记联系点来信" in response.get_json()["error"]["fields"]["kind"][0]
