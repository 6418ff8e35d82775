"""Batch exports through the API: scope, a job run after the response, progress, downloads, the list, failures."""

import io
import zipfile
from urllib.parse import quote

import sqlalchemy as sa
from PIL import Image

from app.extensions import db
from app.qr.models import Poster, QrBatch
from tests.conftest import error_of
from tests.qr import pdftools
from tests.qr.test_api_codes import BASE, LONGJING, LUOJIAPO, decoded

BAOFENG = "420323103000"
OTHER_BAOFENG_VILLAGE = "420323103200"


def start(client, headers, **body):
    """POST /qr/batches, then close the response as a server does once it is sent: the inline job runs then."""
    response = client.post("/api/v1/qr/batches", json=body, headers=headers)
    response.close()
    return response


def status_of(client, headers, batch):
    """The batch as GET /qr/batches/{id} shows it now."""
    return client.get(f"/api/v1/qr/batches/{batch['id']}", headers=headers).get_json()


def test_village_list_batch_runs_inline_and_downloads_a_zip(app, client, county, as_role):
    headers = as_role("publisher", LONGJING)
    response = start(client, headers, village_codes=[LONGJING], template="table_card", format="png")
    assert response.status_code == 202, response.get_json()
    assert response.get_json()["status"] == "queued"  # the job runs once the answer has been sent
    batch = status_of(client, headers, response.get_json())
    assert batch["status"] == "done" and batch["done"] == batch["total"] == 1 and batch["error"] is None
    download = client.get(batch["download_url"], headers=headers)
    assert download.status_code == 200 and download.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        assert archive.namelist() == [f"{LONGJING}_龙井村.png"]
        png = archive.read(archive.namelist()[0])
    with app.app_context():
        poster = db.session.scalar(sa.select(Poster).where(Poster.batch_id == batch["id"]))
        assert poster.village_code == LONGJING and poster.template == "table_card"
    assert decoded(png) == [f"{BASE}/v/{LONGJING}?s={poster.id}"]


def test_township_batch_is_one_vector_pdf_named_in_chinese(app, client, county, as_role):
    headers = as_role("admin")
    response = start(client, headers, township_code=BAOFENG, template="a4_notice", format="pdf")
    assert response.status_code == 202, response.get_json()
    batch = status_of(client, headers, response.get_json())
    assert batch["status"] == "done", batch
    assert batch["total"] == 29 and batch["done"] == 29 and batch["township_code"] == BAOFENG
    assert batch["township_name"] == "宝丰镇" and batch["template_label"] == "A4 公开栏海报（竖版）"
    assert batch["file_name"] == "宝丰镇-A4 公开栏海报（竖版）.pdf" and batch["expires_at"] > batch["finished_at"]
    download = client.get(batch["download_url"], headers=headers)
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == f"attachment; filename*=UTF-8''{quote(batch['file_name'])}"
    pdf = download.data
    assert pdftools.page_count(pdf) == 29 and pdftools.image_count(pdf) == 2
    assert pdftools.fonts(pdf)[0]["emb"] == "yes" and "龙井村" in pdftools.text(pdf)
    with app.app_context():
        first = db.session.scalar(sa.select(Poster).where(Poster.batch_id == batch["id"]).order_by(Poster.id))
    [page] = pdftools.pages(pdf, 60, 1, 1)  # 20 % scale
    assert decoded_image(page) == [f"{BASE}/v/{first.village_code}?s={first.id}"]


def test_past_batches_are_listed(app, client, county, as_role, make_user, token_for):
    from app.auth.models import User

    admin = make_user(("admin",))
    with app.app_context():
        db.session.get(User, admin).display_name = "县纪委 李管理"
        db.session.commit()
    headers = token_for(admin)
    first = start(client, headers, township_code=BAOFENG, template="table_card", format="png").get_json()
    second = start(client, headers, village_codes=[LONGJING], template="a4_notice", format="pdf_village").get_json()
    listed = client.get("/api/v1/qr/batches", headers=headers)
    assert listed.status_code == 200
    items = listed.get_json()["items"]
    assert [b["id"] for b in items] == [second["id"], first["id"]]
    newest, oldest = items
    assert (oldest["township_name"], oldest["template_label"], oldest["format"], oldest["total"]) == (
        "宝丰镇", "桌牌（100×70 毫米，横版）", "png", 29)
    assert oldest["created_by"] == "县纪委 李管理" and oldest["status_label"] == "已完成"
    assert oldest["created_at"] and oldest["expires_at"]
    assert oldest["file_name"] == "宝丰镇-桌牌（100×70 毫米，横版）.zip"
    assert newest["township_name"] == "所选 1 个村（社区）" and newest["format_label"] == "PDF（每村一个文件）"
    others = client.get("/api/v1/qr/batches", headers=as_role("publisher", LUOJIAPO)).get_json()["items"]
    assert others == []
    assert client.get("/api/v1/qr/batches", headers=as_role("resident")).status_code == 403


def decoded_image(img):
    """Decode a PIL image."""
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return decoded(buf.getvalue())


def test_download_is_409_until_done_and_after_failure(app, client, county, as_role, make_user, token_for):
    user = make_user(("admin",))
    headers = token_for(user)
    with app.app_context():
        waiting = QrBatch(status="running", template="a4_notice", format="png", village_codes=[LONGJING], total=1,
                          done=0, created_by=user)
        failed = QrBatch(status="failed", template="a4_notice", format="png", village_codes=[LONGJING], total=1,
                         error_code="qr_url", error_message="二维码链接过长，无法编码", created_by=user)
        db.session.add_all([waiting, failed])
        db.session.commit()
        waiting_id, failed_id = waiting.id, failed.id
    busy = client.get(f"/api/v1/qr/batches/{waiting_id}/download", headers=headers)
    assert busy.status_code == 409 and error_of(busy)["code"] == "qr_batch_not_ready"
    assert "0/1" in error_of(busy)["message"]
    gone = client.get(f"/api/v1/qr/batches/{failed_id}/download", headers=headers)
    assert gone.status_code == 409 and "二维码链接过长" in error_of(gone)["message"]
    status = client.get(f"/api/v1/qr/batches/{failed_id}", headers=headers).get_json()
    assert status["status"] == "failed" and status["error"]["message"] == "二维码链接过长，无法编码"


def test_a_failing_render_is_recorded_and_no_zip_is_served(client, county, make_app, as_role, tmp_path):
    broken = make_app(PUBLIC_BASE_URL="https://" + "x" * 700, QR_EXPORT_DIR=str(tmp_path / "exports"))
    headers = as_role("admin")
    response = start(broken.test_client(), headers, village_codes=[LONGJING])
    assert response.status_code == 202
    batch = status_of(broken.test_client(), headers, response.get_json())
    assert batch["status"] == "failed"
    assert batch["error"]["code"] == "qr_url" and "二维码链接" in batch["error"]["message"]
    assert batch["download_url"] is None
    assert not list((tmp_path / "exports").glob("*.zip"))


def test_batch_scope_and_bad_input(client, county, as_role):
    publisher = as_role("publisher", LONGJING)
    assert start(client, None, village_codes=[LONGJING]).status_code == 401
    assert start(client, as_role("resident"), village_codes=[LONGJING]).status_code == 403
    assert start(client, publisher, village_codes=[LONGJING, LUOJIAPO]).status_code == 403
    assert start(client, publisher, township_code=BAOFENG).status_code == 403
    assert start(client, as_role("inspector", BAOFENG), township_code=BAOFENG).status_code == 403
    both = start(client, publisher, township_code=BAOFENG, village_codes=[LONGJING])
    assert both.status_code == 400 and "township_code" in error_of(both)["fields"]
    neither = start(client, publisher, template="a4_notice")
    assert neither.status_code == 400
    fmt = start(client, publisher, village_codes=[LONGJING], format="jpg")
    assert fmt.status_code == 400 and "格式应为 png、pdf" in error_of(fmt)["fields"]["format"][0]
    unknown = start(client, as_role("admin"), village_codes=["420323999999"])
    assert unknown.status_code == 400 and "420323999999" in error_of(unknown)["message"]
    village_as_township = start(client, as_role("admin"), township_code=LONGJING)
    assert village_as_township.status_code == 400
    template = start(client, publisher, village_codes=[LONGJING], template="missing")
    assert template.status_code == 404 and "missing" in error_of(template)["message"]


def test_other_people_cannot_see_a_batch(client, county, as_role):
    mine = as_role("publisher", LONGJING)
    batch = start(client, mine, village_codes=[LONGJING], template="table_card").get_json()
    assert client.get(f"/api/v1/qr/batches/{batch['id']}", headers=as_role("publisher", LUOJIAPO)).status_code == 404
    assert client.get(f"/api/v1/qr/batches/{batch['id']}/download",
                      headers=as_role("publisher", LUOJIAPO)).status_code == 404
    assert client.get(f"/api/v1/qr/batches/{batch['id']}", headers=as_role("admin")).status_code == 200
    assert client.get(f"/api/v1/qr/batches/{batch['id']}", headers=as_role("resident")).status_code == 403
    assert client.get("/api/v1/qr/batches/9999", headers=mine).status_code == 404


def test_batch_images_open(client, county, as_role):
    headers = as_role("admin")
    batch = status_of(client, headers, start(client, headers, village_codes=[LUOJIAPO, LONGJING],
                                             template="table_card").get_json())
    with zipfile.ZipFile(io.BytesIO(client.get(batch["download_url"], headers=headers).data)) as archive:
        names = archive.namelist()
        assert names == [f"{LUOJIAPO}_罗家坡村.png", f"{LONGJING}_龙井村.png"]
        assert Image.open(io.BytesIO(archive.read(names[0]))).info["dpi"][0] > 299
