"""Console: QR poster batches — start one for a township, progress polled while the job runs after the response,
past batches listed, downloads named in Chinese; templates; the public-address warning."""

import io
import re
import zipfile

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests.console.conftest import post_form, text

MAJIADU, BAOFENG, LONGJING = "420323102000", "420323103000", "420323103211"


@pytest.fixture
def batch_app(app, monkeypatch, tmp_path):
    """The test app rendering batches in-process into a temporary folder."""
    monkeypatch.setitem(app.config, "QR_BATCH_PROCESSES", 1)
    monkeypatch.setitem(app.config, "QR_EXPORT_DIR", str(tmp_path))
    return app


def _batch(app):
    from app.qr.models import QrBatch

    with app.app_context():
        return db.session.scalar(sa.select(QrBatch).order_by(QrBatch.id.desc()).limit(1))


def test_admin_exports_a_townships_posters(batch_app, admin_client):
    form = admin_client.get("/console/admin/qr-batches")
    assert form.status_code == 200 and "麻家渡镇" in text(form) and "开始生成" in text(form)
    assert "还没有批量导出记录" in text(form)
    resp = post_form(admin_client, "/console/admin/qr-batches",
                     {"township_code": MAJIADU, "template": "table_card", "format": "png"}, page="/console/")
    assert resp.status_code == 302, text(resp)
    batch = _batch(batch_app)
    assert batch.status == "queued"  # with jobs inline it runs once the answer has been sent
    page = admin_client.get(resp.headers["Location"])
    assert 'data-running="yes"' in text(page) and "qr-batch.js" in text(page)
    progress = admin_client.get(f"/console/admin/qr-batches/{batch.id}/progress").get_json()
    assert progress == {"status": "queued", "status_label": "排队中", "done": 0, "total": 21, "file_name": None,
                        "error": None, "download_url": None}
    resp.close()  # the server has sent the redirect: the job runs now
    progress = admin_client.get(f"/console/admin/qr-batches/{batch.id}/progress").get_json()
    assert progress["status"] == "done" and progress["done"] == 21
    assert progress["download_url"] == f"/console/admin/qr-batches/{batch.id}/download"
    page = admin_client.get(f"/console/admin/qr-batches/{batch.id}")
    body = text(page)
    assert page.status_code == 200 and "<progress" in body and 'value="21" max="21"' in body
    assert 'data-running="no"' in body and "麻家渡镇 · 桌牌（100×70 毫米，横版）" in body and "可下载至" in body
    assert "下载 麻家渡镇-桌牌（100×70 毫米，横版）.zip" in body
    download = admin_client.get(f"/console/admin/qr-batches/{batch.id}/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert "%E9%BA%BB%E5%AE%B6%E6%B8%A1%E9%95%87" in download.headers["Content-Disposition"]  # 麻家渡镇
    names = zipfile.ZipFile(io.BytesIO(download.get_data())).namelist()
    assert len(names) == 21 and all(n.endswith(".png") for n in names)
    listed = text(admin_client.get("/console/admin/qr-batches"))
    row = re.search(r'<table class="table" id="batch-list">.*?</table>', listed, re.S).group(0)
    for shown in ("麻家渡镇", "桌牌（100×70 毫米，横版）", "PNG 图片", "21/21", "已完成", "下载"):
        assert shown in row, shown


def test_the_pages_warn_in_red_about_a_private_address(batch_app, admin_client, monkeypatch):
    monkeypatch.setitem(batch_app.config, "PUBLIC_BASE_URL", "http://192.168.1.20:5000")
    for url in ("/console/admin/qr-batches", f"/console/villages/{LONGJING}/poster", "/console/posters"):
        body = text(admin_client.get(url))
        assert 'class="alert base-url-warning" role="alert"' in body, url
        assert "PUBLIC_BASE_URL（http://192.168.1.20:5000）是内网地址" in body, url
    monkeypatch.setitem(batch_app.config, "PUBLIC_BASE_URL", "https://jd.example.gov.cn")
    assert "base-url-warning" not in text(admin_client.get("/console/admin/qr-batches"))


def test_a_running_batch_refreshes_and_cannot_be_downloaded_yet(batch_app, admin_client):
    from app.qr.models import QrBatch

    with batch_app.app_context():
        batch = QrBatch(status="running", template="a4_notice", format="png", scope_code=MAJIADU,
                        village_codes=["420323102200"], done=3, total=21)
        db.session.add(batch)
        db.session.commit()
        batch_id = batch.id
    page = admin_client.get(f"/console/admin/qr-batches/{batch_id}")
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in text(page)
    assert 'value="3" max="21"' in text(page) and "生成中" in text(page)
    early = admin_client.get(f"/console/admin/qr-batches/{batch_id}/download")
    assert early.status_code == 409 and "仍在生成中" in text(early)
    with batch_app.app_context():
        db.session.execute(sa.update(QrBatch).where(QrBatch.id == batch_id).values(
            status="failed", error_code="x", error_message="字体缺失"))
        db.session.commit()
    failed = text(admin_client.get(f"/console/admin/qr-batches/{batch_id}"))
    assert "生成失败：<span>字体缺失</span>" in failed


def test_bad_batch_input_saves_nothing(batch_app, admin_client):
    for data, message in (({"template": "a4_notice", "format": "png"}, "必须且只能填写一项"),
                          ({"township_code": MAJIADU, "template": "a4_notice", "format": "gif"}, "格式应为"),
                          ({"township_code": MAJIADU, "template": "no_such", "format": "png"}, "no_such"),
                          ({"township_code": LONGJING, "template": "a4_notice", "format": "png"}, "乡镇")):
        resp = post_form(admin_client, "/console/admin/qr-batches", data, page="/console/")
        assert resp.status_code in (400, 404), (data, resp.status_code)
        assert message in text(resp), data
    assert _batch(batch_app) is None


def test_who_may_not_export_or_see_a_batch(batch_app, admin_client, console_as):
    post_form(admin_client, "/console/admin/qr-batches", {"township_code": MAJIADU, "template": "table_card",
                                                          "format": "png"}, page="/console/")
    batch_id = _batch(batch_app).id
    publisher = console_as(("publisher", LONGJING))
    resp = post_form(publisher, "/console/admin/qr-batches", {"township_code": BAOFENG, "template": "a4_notice",
                                                              "format": "png"}, page="/console/")
    assert resp.status_code == 403
    assert publisher.get(f"/console/admin/qr-batches/{batch_id}").status_code == 404
    assert publisher.get(f"/console/admin/qr-batches/{batch_id}/download").status_code == 404
    for grants in ((("inspector", "420323000000"),), (("custodian", "420323000000"),)):
        other = console_as(*grants)
        assert other.get("/console/admin/qr-batches").status_code == 403
        assert other.get("/console/admin/qr-templates").status_code == 403


def test_template_previews(batch_app, admin_client):
    page = admin_client.get("/console/admin/qr-templates")
    body = text(page)
    assert page.status_code == 200 and "a4_notice" in body and "table_card" in body
    assert body.count("template-preview") == 2
    src = re.search(r'src="(/console/villages/\d{12}/poster\.png\?template=table_card)"', body).group(1)
    image = admin_client.get(src)
    assert image.status_code == 200 and image.mimetype == "image/png"
