"""POST /reports: one transaction, encrypted identity, targets, channels, members, validation, permissions."""

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.notify.models import OutboxMessage
from app.reports.models import Report, TimelineEvent, report_attachments
from tests.conftest import error_of
from tests.files.conftest import FIXTURES, post_file
from tests.reports.conftest import BAOFENG, LONGJING, LUOJIAPO, MAJIADU, body, real_name, submit

pytestmark = pytest.mark.usefixtures("county")


def _report(app, tracking_no):
    with app.app_context():
        report = db.session.scalar(sa.select(Report).where(Report.tracking_no == tracking_no))
        db.session.expunge_all()
        return report


def test_anonymous_tipoff_with_photo(app, client, make_user, token_for):
    headers = token_for(make_user())
    upload_id = post_file(client, (FIXTURES / "gps_photo.jpg").read_bytes(), headers=headers).get_json()["id"]
    response = submit(client, body(attachment_ids=[upload_id]), headers)
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    assert re.fullmatch(r"JB\d{8}-[0-9A-Z]{6}", answer["tracking_no"])
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", answer["receipt_code"])
    assert answer["receipt_code_shown"] is True and answer["replayed"] is False
    assert answer["status"] == "received" and answer["status_label"] == "待受理"
    with app.app_context():
        report = db.session.scalar(sa.select(Report).where(Report.tracking_no == answer["tracking_no"]))
        assert report.anonymous and report.reporter_user_id is None and report.reporter_name is None
        assert report.receipt_hash and answer["receipt_code"].replace(" ", "") not in report.receipt_hash
        assert report.township_code == BAOFENG and report.county_code == "420323000000"
        assert report.channel == "miniprogram" and report.text_signature["v"] == 1
        assert [u.id for u in report.attachments] == [upload_id]
        assert [(e.action, e.visibility, e.to_status) for e in report.timeline] == [("submitted", "public",
                                                                                        "received")]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0  # nobody to tell


def test_real_name_identity_is_encrypted_at_rest_and_notifies_the_reporter(app, client, make_user, token_for):
    user_id = make_user()
    target = {"person_name": "王 某某", "person_post": "村委会主任"}
    reporter = {"name": "陈德明", "phone": "13907191234", "id_number": "420323196001011008"}
    response = submit(client, real_name(reporter=reporter, target=target), token_for(user_id))
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    # a real-name reporter follows his report by a receipt code too (issue 12, finding 7)
    assert answer["receipt_code_shown"] is True and len(answer["receipt_code"].replace(" ", "")) == 16
    with app.app_context():
        raw = db.session.execute(sa.text(
            "SELECT reporter_name, reporter_phone, reporter_id_number, target_person_name FROM reports")).one()
        for value in raw:
            assert value and "陈德明" not in value and "1390719" not in value and "王" not in value
        report = db.session.scalar(sa.select(Report))
        assert report.reporter_name == "陈德明" and report.reporter_id_number == "420323196001011008"
        assert report.reporter_user_id == user_id and report.target_person_post == "村委会主任"
        assert report.target_person_key and len(report.target_person_key) == 64
        message = db.session.scalar(sa.select(OutboxMessage))
        assert message.user_id == user_id and message.payload["tracking_no"] == answer["tracking_no"]
        assert message.status == "pending"


def test_same_person_gets_the_same_key(app, client):
    for name in ("王某某", "王 某某"):
        assert submit(client, body(target={"person_name": name})).status_code == 201
    with app.app_context():
        keys = set(db.session.scalars(sa.select(Report.target_person_key)))
    assert len(keys) == 1


def test_target_disclosure_must_be_published_in_that_village(app, client, make_user, token_for):
    from tests.disclosures.factories import create, publish_new

    class Staff:
        publisher = token_for(make_user(("publisher", LONGJING)))
        reviewer = token_for(make_user(("reviewer", LONGJING)))

    power_id = publish_new(client, Staff, "power")
    draft_id = create(client, Staff.publisher, "finance").get_json()["id"]
    ok = submit(client, body(target={"disclosure_id": power_id, "power_item": 1}))
    assert ok.status_code == 201, ok.get_json()
    report = _report(app, ok.get_json()["tracking_no"])
    assert (report.target_disclosure_id, report.target_power_item) == (power_id, 1)
    for target, field in (({"disclosure_id": draft_id}, "target.disclosure_id"),
                          ({"disclosure_id": 9999}, "target.disclosure_id"),
                          ({"disclosure_id": power_id, "power_item": 99}, "target.power_item")):
        response = submit(client, body(target=target))
        assert response.status_code == 400 and field in error_of(response)["fields"], target
    other_village = submit(client, body(village_code=LUOJIAPO, target={"disclosure_id": power_id}))
    assert "target.disclosure_id" in error_of(other_village)["fields"]
    no_list = submit(client, body(target={"power_item": 1}))
    assert "target.power_item" in error_of(no_list)["fields"]


@pytest.mark.parametrize(("change", "field"), [
    ({"kind": "gossip"}, "kind"),
    ({"topic": "天气"}, "topic"),
    ({"content": "短"}, "content"),
    ({"content": None}, "content"),
    ({"village_code": "420323103000"}, "village_code"),
    ({"village_code": "12"}, "village_code"),
    ({"anonymous": "yes"}, "anonymous"),
    ({"reporter": {"name": "张三", "phone": "13900000000"}}, "reporter"),
    ({"anonymous": False}, "reporter"),
    ({"anonymous": False, "reporter": {"name": "张三", "phone": "12"}}, "reporter.phone"),
    ({"anonymous": False, "reporter": {"name": "张三", "phone": "13900000000", "id_number": "1234"}},
     "reporter.id_number"),
    ({"attachment_ids": ["0" * 32]}, "attachment_ids.0"),
    ({"attachment_ids": ["x"]}, "attachment_ids.0"),
    ({"attachment_ids": [f"{i:032x}" for i in range(10)]}, "attachment_ids"),
    ({"channel": "fax"}, "channel"),
    ({"surprise": 1}, "surprise"),
])
def test_bad_input_is_a_chinese_field_error(client, change, field):
    response = submit(client, body(**change))
    assert response.status_code == 400, response.get_json()
    error = error_of(response)
    assert error["code"] == "validation_error" and field in error["fields"], error
    assert all(re.search(r"[\u4e00-\u9fff]", m) for m in error["fields"][field])


def test_not_json_and_not_an_object(client):
    assert submit(client, data=[1, 2]).status_code == 400
    response = client.post("/api/v1/reports", data="x", content_type="text/plain")
    assert response.status_code == 415 and error_of(response)["code"] == "unsupported_media_type"


def test_someone_elses_or_used_upload_is_refused(client, make_user, token_for):
    owner, thief = token_for(make_user()), token_for(make_user())
    upload_id = post_file(client, (FIXTURES / "gps_photo.jpg").read_bytes(), headers=owner).get_json()["id"]
    stolen = submit(client, body(attachment_ids=[upload_id]), thief)
    assert stolen.status_code == 400 and "attachment_ids.0" in error_of(stolen)["fields"]
    assert submit(client, body(attachment_ids=[upload_id]), owner).status_code == 201
    again = submit(client, body(attachment_ids=[upload_id]), owner)
    assert error_of(again)["fields"]["attachment_ids.0"] == ["该附件已用于其他反映，请重新上传"]


def test_contact_point_reports_need_a_bound_member(app, client, make_user, token_for, members):
    data = body(kind="contact_point", anonymous=False)
    assert submit(client, data).status_code == 401
    resident = make_user()
    refused = submit(client, data, token_for(resident))
    assert refused.status_code == 403 and error_of(refused)["code"] == "not_a_member"
    assert "联系点" in error_of(refused)["message"]
    members[resident] = {"member_id": 7, "layer": "农民群众", "type": "contact_point"}
    anonymous = submit(client, body(kind="contact_point"), token_for(resident))
    assert "anonymous" in error_of(anonymous)["fields"]
    ok = submit(client, data, token_for(resident))
    assert ok.status_code == 201, ok.get_json()
    report = _report(app, ok.get_json()["tracking_no"])
    assert (report.contact_member_id, report.contact_layer, report.reporter_user_id) == (7, "农民群众", resident)
    # an anonymous tip-off by a member carries nothing that points at him
    tip = submit(client, body(), token_for(resident))
    report = _report(app, tip.get_json()["tracking_no"])
    assert report.contact_member_id is None and report.reporter_user_id is None


def test_staff_enter_letters_for_a_reporter(app, client, make_user, token_for):
    inspector = make_user(("inspector", BAOFENG))
    letter = submit(client, body(channel="letter"), token_for(inspector))
    assert letter.status_code == 201, letter.get_json()
    assert letter.get_json()["receipt_code"]  # to hand over to the anonymous writer
    report = _report(app, letter.get_json()["tracking_no"])
    assert report.operator_id == inspector and report.reporter_user_id is None and report.channel == "letter"
    phone = submit(client, real_name(channel="phone"), token_for(inspector))
    report = _report(app, phone.get_json()["tracking_no"])
    assert phone.status_code == 201 and report.reporter_name == "陈德明" and report.reporter_user_id is None
    with app.app_context():
        from app.security.models import AuditEntry

        assert db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "report.enter")) == 2


@pytest.mark.parametrize(("grant", "status"), [
    (None, 401), ((), 403), (("inspector", MAJIADU), 403), (("publisher", LONGJING), 403),
])
def test_who_may_not_enter_letters(client, make_user, token_for, grant, status):
    headers = {} if grant is None else token_for(make_user(*([grant] if grant else [])))
    response = submit(client, body(channel="visit"), headers)
    assert response.status_code == status
    assert re.search(r"[\u4e00-\u9fff]", error_of(response)["message"])


def test_topics_are_configurable(client, make_app):
    listed = client.get("/api/v1/reports/topics").get_json()
    assert listed["topics"][0] == "领导干部廉洁自律" and len(listed["topics"]) == 10
    assert {"value": "tipoff", "label": "检举控告"} in listed["kinds"]
    custom = make_app(REPORT_TOPICS="环境卫生，其他").test_client()
    assert custom.get("/api/v1/reports/topics").get_json()["topics"] == ["环境卫生", "其他"]
    assert submit(custom, body(topic="环境卫生")).status_code == 201
    assert submit(custom, body()).status_code == 400


def test_one_transaction_nothing_half_written(app, client):
    bad = submit(client, body(attachment_ids=["a" * 32]))
    assert bad.status_code == 400
    with app.app_context():
        for table in (Report, TimelineEvent):
            assert db.session.scalar(sa.select(sa.func.count()).select_from(table)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(report_attachments)) == 0
