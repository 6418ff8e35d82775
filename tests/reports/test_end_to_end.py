"""Issue 5's "done means", through the API: photo tip-off, receipt, retry, member report, nothing readable."""

import io

import sqlalchemy as sa
from PIL import Image

from app.extensions import db
from tests.files.conftest import FIXTURES, post_file
from tests.reports.conftest import BAOFENG, LONGJING, body, submit


def test_anonymous_photo_tipoff_and_member_report(wechat_app, fake_wechat, county, as_role):
    client = wechat_app.test_client()
    upload = post_file(client, (FIXTURES / "gps_photo.jpg").read_bytes(), "IMG_0001.jpg").get_json()
    filed = submit(client, body(attachment_ids=[upload["id"]]), key="e2e-1")
    assert filed.status_code == 201
    tracking_no, code = filed.get_json()["tracking_no"], filed.get_json()["receipt_code"]
    retry = submit(client, body(attachment_ids=[upload["id"]]), key="e2e-1")
    assert retry.status_code == 200 and retry.get_json()["tracking_no"] == tracking_no
    code = retry.get_json()["receipt_code"]  # a retry hands out a fresh code; the earlier one stops working
    progress = client.post("/api/v1/reports/track", json={"receipt_code": code}).get_json()
    assert progress["tracking_no"] == tracking_no and progress["status_label"] == "待受理"
    photo = client.get(f"/api/v1/uploads/{upload['id']}", headers=as_role("inspector", BAOFENG)).get_data()
    assert not Image.open(io.BytesIO(photo)).getexif() and b"HUAWEI" not in photo

    inspector = as_role("inspector", "420323000000")
    member = client.post("/api/v1/admin/contact-points", headers=inspector, json={
        "name": "张明华", "type": "contact_point", "layer": "farmer", "region_code": LONGJING,
        "phone": "13871000001"}).get_json()
    session = client.post("/api/v1/auth/wechat", json={"code": "user:zhangminghua"}).get_json()
    headers = {"Authorization": f"Bearer {session['token']}"}
    bound = client.post("/api/v1/auth/bind", json={"invite_code": member["invite_code"]}, headers=headers)
    assert bound.status_code == 200, bound.get_json()
    report = submit(client, body(kind="contact_point", anonymous=False, topic="作风问题",
                                 content="联系点收集到群众反映：村干部办事拖拉，群众多次跑腿。"), headers)
    assert report.status_code == 201, report.get_json()
    with wechat_app.app_context():
        row = db.session.execute(sa.text(
            "SELECT contact_member_id, contact_layer FROM reports WHERE tracking_no = :t"),
            {"t": report.get_json()["tracking_no"]}).one()
        assert tuple(row) == (member["member"]["id"], "farmer")
