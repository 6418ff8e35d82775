"""Console: the village QR poster, previewed inline and downloadable, for staff of that village."""

import io

from PIL import Image

from tests.console.conftest import text
from tests.disclosures.factories import LONGJING, LUOJIAPO


def test_publisher_previews_and_downloads_the_posters_of_his_village(console_as, county):
    pub = console_as(("publisher", LONGJING))
    index = text(pub.get("/console/posters"))
    assert "龙井村" in index and "罗家坡村" not in index
    page = pub.get(f"/console/villages/{LONGJING}/poster")
    body = text(page)
    assert page.status_code == 200 and f"/v/{LONGJING}" in body
    assert f"/console/villages/{LONGJING}/poster.png?template=a4_notice" in body and "table_card" in body
    preview = pub.get(f"/console/villages/{LONGJING}/poster.png?template=a4_notice")
    assert preview.status_code == 200 and preview.mimetype == "image/png"
    assert "Content-Disposition" not in preview.headers
    assert Image.open(io.BytesIO(preview.data)).size == (2480, 3508)  # A4 at 300 DPI
    card = pub.get(f"/console/villages/{LONGJING}/poster.png?template=table_card&download=1")
    assert card.status_code == 200 and "attachment" in card.headers["Content-Disposition"]
    assert "table_card" in text(pub.get(f"/console/villages/{LONGJING}/poster?template=table_card"))


def test_unknown_template_and_village_are_404(console_as, county):
    pub = console_as(("publisher", LONGJING))
    missing = pub.get(f"/console/villages/{LONGJING}/poster.png?template=nope")
    assert missing.status_code == 404 and "nope" in text(missing)
    assert pub.get("/console/villages/420323103999/poster").status_code == 404
    assert pub.get(f"/console/villages/{LONGJING}/poster?template=nope").status_code == 200  # falls back to A4


def test_other_villages_and_roles_are_refused(console_as, county, client):
    pub = console_as(("publisher", LONGJING))
    assert pub.get(f"/console/villages/{LUOJIAPO}/poster").status_code == 403
    assert pub.get(f"/console/villages/{LUOJIAPO}/poster.png").status_code == 403
    handler = console_as(("custodian", "420323000000"))
    assert handler.get("/console/posters").status_code == 403
    assert client.get(f"/console/villages/{LONGJING}/poster.png").status_code == 302


def test_pdf_download_is_a_vector_poster(console_as, county):
    from tests.qr import pdftools

    pub = console_as(("publisher", LONGJING))
    page = text(pub.get(f"/console/villages/{LONGJING}/poster"))
    assert f"/console/villages/{LONGJING}/poster.pdf?template=a4_notice" in page and "下载 PDF" in page
    pdf = pub.get(f"/console/villages/{LONGJING}/poster.pdf?template=a4_notice")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"]
    assert "龙井村" in pdftools.text(pdf.data) and pdftools.fonts(pdf.data)[0]["emb"] == "yes"


def test_a_name_the_font_lacks_is_shown_and_an_admin_sets_the_print_name(app, console_as, admin_client, county):
    import sqlalchemy as sa

    from app.extensions import db
    from app.regions.models import Region
    from app.security.models import AuditEntry
    from tests.console.conftest import post_form

    with app.app_context():
        db.session.get(Region, LONGJING).display_name = "高\ue170村"
        db.session.commit()
    pub = text(console_as(("publisher", LONGJING)).get(f"/console/villages/{LONGJING}/poster"))
    assert 'class="alert glyph-warning"' in pub and "U+E170" in pub and "请联系管理员设置打印名称" in pub
    assert "poster.png?template=a4_notice\"" not in pub and "下载 PDF" not in pub  # nothing that would print it wrong
    page = text(admin_client.get(f"/console/villages/{LONGJING}/poster"))
    assert "保存打印名称" in page
    action, source = f"/console/villages/{LONGJING}/print-name", f"/console/villages/{LONGJING}/poster"
    refused = post_form(admin_client, action, {"region_code": LONGJING, "print_name": "高\ue170庄村"}, page=source)
    assert refused.status_code == 422 and "打印名称中仍有字体中没有的字" in text(refused)
    saved = post_form(admin_client, action, {"region_code": LONGJING, "print_name": "高庄村"}, page=source)
    assert saved.status_code == 302
    page = text(admin_client.get(f"/console/villages/{LONGJING}/poster"))
    assert "glyph-warning" not in page and "打印名称设为“高庄村”" in page and 'value="高庄村"' in page
    assert admin_client.get(f"/console/villages/{LONGJING}/poster.pdf").status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "region.print_name")) == 1
