"""The staff work list and staff detail; attachments of affairs and party disclosures."""

import pytest

from app.extensions import db
from app.files.models import Upload
from tests.conftest import error_of
from tests.disclosures.factories import LONGJING, LUOJIAPO, act, affairs, create, publish_new


def test_work_list_by_village_kind_and_state(client, staff):
    draft = create(client, staff.publisher, "finance").get_json()["id"]
    submitted = create(client, staff.publisher, "affairs").get_json()["id"]
    act(client, staff.publisher, submitted, "submit")
    published = publish_new(client, staff, "power")
    create(client, staff.other_publisher, "party", village=LUOJIAPO)
    url = "/api/v1/staff/disclosures"
    mine = client.get(url, headers=staff.publisher).get_json()["items"]
    assert [i["id"] for i in mine] == [published, submitted, draft]  # newest change first
    assert [i["id"] for i in client.get(url + "?state=submitted", headers=staff.reviewer).get_json()["items"]] == [
        submitted]
    assert [i["id"] for i in client.get(url + "?kind=power", headers=staff.reviewer).get_json()["items"]] == [
        published]
    assert client.get(url + f"?village={LONGJING}&period=2026-03", headers=staff.inspector).get_json()["items"][0][
        "id"] == draft
    assert len(client.get(url, headers=staff.inspector).get_json()["items"]) == 3  # 宝丰镇 only
    assert len(client.get(url, headers=staff.admin).get_json()["items"]) == 4
    page = client.get(url + "?limit=2", headers=staff.publisher).get_json()
    rest = client.get(url + f"?limit=2&cursor={page['next_cursor']}", headers=staff.publisher).get_json()
    assert [i["id"] for i in page["items"] + rest["items"]] == [published, submitted, draft]


def test_work_list_permissions_and_input(client, staff):
    url = "/api/v1/staff/disclosures"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=staff.resident).status_code == 403
    assert client.get(url + f"?village={LUOJIAPO}", headers=staff.publisher).status_code == 403
    assert "state" in error_of(client.get(url + "?state=lost", headers=staff.publisher))["fields"]
    assert "village" in error_of(client.get(url + "?village=12", headers=staff.publisher))["fields"]


def test_staff_detail_shows_drafts_and_review_notes(client, staff):
    disclosure_id = create(client, staff.publisher, "finance").get_json()["id"]
    act(client, staff.publisher, disclosure_id, "submit")
    act(client, staff.reviewer, disclosure_id, "reject", {"reason": "请补充凭证号"})
    body = client.get(f"/api/v1/staff/disclosures/{disclosure_id}", headers=staff.inspector).get_json()
    assert body["state"] == "rejected" and body["versions"][0]["review_note"] == "请补充凭证号"
    assert body["versions"][0]["submitted_by"] == "测试用户1" and body["versions"][0]["reviewed_by"] == "测试用户2"
    assert client.get("/api/v1/staff/disclosures/999", headers=staff.publisher).status_code == 404


def _upload(app, upload_id, mime="application/pdf", size=2048):
    with app.app_context():
        db.session.add(Upload(id=upload_id, sha256="0" * 64, mime=mime, size=size))
        db.session.commit()


def test_attachments_are_checked_and_listed(app, client, staff):
    _upload(app, "a1b2c3d4e5f60718293a4b5c6d7e8f90")
    _upload(app, "b1b2c3d4e5f60718293a4b5c6d7e8f90", mime="image/png", size=20 * 1024 * 1024)
    _upload(app, "c1b2c3d4e5f60718293a4b5c6d7e8f90", mime="text/html")
    bad = create(client, staff.publisher, "affairs", content=affairs(
        ["a1b2c3d4e5f60718293a4b5c6d7e8f90", "b1b2c3d4e5f60718293a4b5c6d7e8f90", "c1b2c3d4e5f60718293a4b5c6d7e8f90",
         "ffffffffffffffffffffffffffffffff"]))
    assert error_of(bad)["fields"] == {"attachment_ids.1": ["附件不能超过 10 MB"],
                                       "attachment_ids.2": ["附件只能是图片（JPG、PNG、WebP）或 PDF 文件"],
                                       "attachment_ids.3": ["附件不存在，请重新上传"]}
    disclosure_id = publish_new(client, staff, "party", content=affairs(["a1b2c3d4e5f60718293a4b5c6d7e8f90"]))
    public = client.get(f"/api/v1/disclosures/{disclosure_id}").get_json()
    assert public["content"]["attachments"] == [{"id": "a1b2c3d4e5f60718293a4b5c6d7e8f90",
                                                 "mime": "application/pdf", "size": 2048}]
    with app.app_context():
        (check,) = app.extensions["mss_public_upload_checks"]
        assert check("a1b2c3d4e5f60718293a4b5c6d7e8f90") is True
        assert check("b1b2c3d4e5f60718293a4b5c6d7e8f90") is False


@pytest.mark.parametrize("kind", ["affairs", "party"])
def test_text_kinds_publish(client, staff, kind):
    disclosure_id = publish_new(client, staff, kind)
    body = client.get(f"/api/v1/disclosures/{disclosure_id}").get_json()
    assert body["content"]["paragraphs"][1] == "请村民监督。" and body["content"]["items"][0]["label"] == "会议时间"
