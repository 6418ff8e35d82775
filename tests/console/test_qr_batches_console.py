"""Console: QR poster batches — start one for a township, watch the progress, download the zip; templates."""

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
    resp = post_form(admin_client, "/console/admin/qr-batches",
                     {"township_code": MAJIADU, "template": "table_card", "format": "png"}, page="/console/")
    assert resp.status_code == 302, text(resp)
    batch = _batch(batch_app)
    assert batch.status == "done" and batch.total == batch.done == 21
    page = admin_client.get(resp.headers["Location"])
    body = text(page)
    assert page.status_code == 200 and "<progress" in body and 'value="21" max="21"' in body
    assert "Refresh" not in page.headers and "下载压缩包" in body
    download = admin_client.get(f"/console/admin/qr-batches/{batch.id}/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(download.get_data())).namelist()
    assert len(names) == 21 and all(n.endswith(".png") for n in names)


def test_a_running_batch_refreshes_and_cannot_be_downloaded_yet(batch_app, admin_client):
    from app.qr.models import QrBatch

    with batch_app.app_context():
        batch = QrBatch(status="running", template="a4_notice", format="png", scope_code=MAJIADU,
                        village_codes=["420323102200"], done=3, total=21)
        db.session.add(batch)
        db.session.commit()
        batch_id = batch.id
    page = admin_client.get(f"/console/admin/qr-batches/{batch_id}")
    assert page.headers["Refresh"] == "2" and 'value="3" max="21"' in text(page) and "生成中" in text(page)
    early = admin_client.get(f"/console/admin/qr-batches/{batch_id}/download")
    assert early.status_code == 409 and "仍在生成中" in text(early)
    with batch_app.app_context():
        db.session.execute(sa.update(QrBatch).where(QrBatch.id == batch_id).values(
            status="failed", error_code="x", error_message="字体缺失"))
        db.session.commit()
    failed = text(admin_client.get(f"/console/admin/qr-batches/{batch_id}"))
    assert "生成失败：字体缺失" in failed


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
