"""POST /uploads and GET /uploads/{id}: sanitised by content, stored with its hash, served only to who may see it."""

import hashlib
import io

from PIL import ExifTags, Image

from app.extensions import db
from app.files.models import Upload
from tests.conftest import error_of
from tests.files.conftest import post_file

LONGJING = "420323103211"
BAOFENG, MAJIADU = "420323103000", "420323102000"


def test_gps_photo_is_stored_without_exif_and_with_its_hash(app, client, fixture_bytes, make_user, token_for):
    raw = fixture_bytes("gps_photo.jpg")
    headers = token_for(make_user())
    response = post_file(client, raw, "IMG_20260301_张三.jpg", headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["mime"] == "image/jpeg" and len(body["id"]) == 32 and body["width"] and body["height"]
    stored = client.get(f"/api/v1/uploads/{body['id']}", headers=headers)
    assert stored.status_code == 200 and stored.mimetype == "image/jpeg"
    data = stored.get_data()
    assert body["sha256"] == hashlib.sha256(data).hexdigest() and body["size"] == len(data)
    image = Image.open(io.BytesIO(data))
    exif = image.getexif()
    assert ExifTags.Base.Make not in exif and not exif.get_ifd(ExifTags.IFD.GPSInfo)
    assert b"Exif" not in data and b"HUAWEI" not in data and b"SERIAL-0042" not in data and b"xmpmeta" not in data
    assert "icc_profile" not in image.info
    with app.app_context():
        row = db.session.get(Upload, body["id"])
        assert row.sha256 == body["sha256"] and row.uploader_id is not None


def test_refusals_are_clear_chinese_errors(client, fixture_bytes):
    bomb = post_file(client, fixture_bytes("bomb.png"), "bomb.png")
    assert bomb.status_code == 413 and error_of(bomb)["code"] == "image_too_large"
    exe = post_file(client, fixture_bytes("renamed_exe.png"), "cat.png")
    assert exe.status_code == 415 and "仅支持" in error_of(exe)["message"]
    elf = post_file(client, fixture_bytes("renamed_elf.jpg"), "cat.jpg")
    assert elf.status_code == 415
    empty = post_file(client, fixture_bytes("empty.jpg"), "empty.jpg")
    assert empty.status_code == 400 and error_of(empty)["code"] == "empty_file"
    js = post_file(client, fixture_bytes("javascript.pdf"), "a.pdf")
    assert js.status_code == 422 and error_of(js)["code"] == "pdf_active_content"
    missing = client.post("/api/v1/uploads", data={}, content_type="multipart/form-data")
    assert missing.status_code == 400 and error_of(missing)["code"] == "file_missing"
    json_body = client.post("/api/v1/uploads", json={"file": "x"})
    assert json_body.status_code == 400


def test_size_limit_and_pdf_by_content(make_app, fixture_bytes):
    small = make_app(MAX_UPLOAD_BYTES=1000).test_client()
    big = post_file(small, fixture_bytes("truncated.jpg"))
    assert big.status_code == 413 and error_of(big)["code"] == "file_too_large"
    pdf = post_file(small, fixture_bytes("tiny.pdf"), "scan.jpg")
    assert pdf.status_code == 201 and pdf.get_json()["mime"] == "application/pdf"


def test_pdf_is_served_as_a_sandboxed_attachment(client, fixture_bytes, make_user, token_for):
    headers = token_for(make_user())
    upload_id = post_file(client, fixture_bytes("tiny.pdf"), "a.pdf", headers).get_json()["id"]
    response = client.get(f"/api/v1/uploads/{upload_id}", headers=headers)
    assert response.status_code == 200 and response.get_data() == fixture_bytes("tiny.pdf")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]


def test_only_the_uploader_reads_an_unattached_upload(client, fixture_bytes, make_user, token_for, county):
    owner, other = token_for(make_user()), token_for(make_user())
    inspector = token_for(make_user(("inspector", BAOFENG)))
    upload_id = post_file(client, fixture_bytes("gps_photo.jpg"), headers=owner).get_json()["id"]
    assert client.get(f"/api/v1/uploads/{upload_id}", headers=owner).status_code == 200
    for headers in ({}, other, inspector):
        response = client.get(f"/api/v1/uploads/{upload_id}", headers=headers)
        assert response.status_code == 404 and error_of(response)["code"] == "upload_not_found"
    anonymous_id = post_file(client, fixture_bytes("gps_photo.jpg")).get_json()["id"]
    assert client.get(f"/api/v1/uploads/{anonymous_id}").status_code == 404
    assert client.get("/api/v1/uploads/../../etc/passwd").status_code == 404
    assert client.get("/api/v1/uploads/" + "0" * 32).status_code == 404


def test_attached_upload_is_read_by_inspectors_of_that_village_only(app, client, fixture_bytes, make_user,
                                                                     token_for, county):
    upload_id = post_file(client, fixture_bytes("gps_photo.jpg")).get_json()["id"]
    report = client.post("/api/v1/reports", json={
        "village_code": LONGJING, "kind": "tipoff", "topic": "工程质量", "content": "村道路面开裂，请核查施工质量。",
        "anonymous": True, "attachment_ids": [upload_id]})
    assert report.status_code == 201, report.get_json()
    inspector = token_for(make_user(("inspector", BAOFENG)))
    assert client.get(f"/api/v1/uploads/{upload_id}", headers=inspector).status_code == 200
    for grant in (("inspector", MAJIADU), ("publisher", LONGJING), ("reviewer", LONGJING), ("admin", None)):
        response = client.get(f"/api/v1/uploads/{upload_id}", headers=token_for(make_user(grant)))
        assert response.status_code == 404, grant
    with app.app_context():
        from app.security.models import AuditEntry

        assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "upload.view")) is not None


def test_upload_used_by_a_published_disclosure_is_public(app, client, fixture_bytes, make_user, token_for, county):
    from tests.disclosures.factories import affairs, publish_new

    publisher = token_for(make_user(("publisher", LONGJING)))
    reviewer = token_for(make_user(("reviewer", LONGJING)))
    upload_id = post_file(client, fixture_bytes("gps_photo.jpg"), headers=publisher).get_json()["id"]

    class Staff:
        pass

    staff = Staff()
    staff.publisher, staff.reviewer = publisher, reviewer
    publish_new(client, staff, "affairs", content=affairs([upload_id]))
    response = client.get(f"/api/v1/uploads/{upload_id}")
    assert response.status_code == 200 and "public" in response.headers["Cache-Control"]


def test_upload_limits_per_address_and_per_account(make_app, fixture_bytes, make_user, token_for):
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", UPLOAD_LIMIT_ADDRESS="2 per hour",
                       UPLOAD_LIMIT_ACCOUNT="1 per hour").test_client()
    headers = token_for(make_user())
    assert post_file(limited, fixture_bytes("gps_photo.jpg"), headers=headers).status_code == 201
    by_account = post_file(limited, fixture_bytes("gps_photo.jpg"), headers=headers)
    assert by_account.status_code == 429 and int(by_account.headers["Retry-After"]) > 0
    assert error_of(by_account)["code"] == "rate_limited"
    by_address = post_file(limited, fixture_bytes("gps_photo.jpg"))
    assert by_address.status_code == 429 and int(by_address.headers["Retry-After"]) > 0
    other = post_file(limited, fixture_bytes("gps_photo.jpg"), environ={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 201
