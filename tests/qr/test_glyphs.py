"""No village name printed wrong: glyph checks at region import and at render, the print name, Extension A/B."""

import io

import sqlalchemy as sa
from PIL import Image

from app.extensions import db
from app.qr.fonts import glyph_bitmap, missing_glyphs, resolve_font_path
from app.qr.templates import load_template
from app.qr.vector import poster_pdf
from app.regions.models import Region
from app.security.models import AuditEntry
from tests.conftest import error_of
from tests.qr import pdftools
from tests.qr.test_api_codes import BASE, LONGJING
from tests.qr.test_render import TEMPLATES, decoded

PUA = "\ue170"  # a private-use character: in the bureau's list, in no font
BAOFENG = "420323103000"


def rename(app, code, name):
    """Give a region of the demo county another display name (as an import of the bureau's list would)."""
    with app.app_context():
        db.session.get(Region, code).display_name = name
        db.session.commit()


def test_the_font_has_extension_a_and_b_and_no_private_use():
    assert missing_glyphs("莫𡐓村 王㙘村") == []  # U+21413 (Extension B) and U+3658 (Extension A)
    assert missing_glyphs(f"高{PUA}村") == [PUA]
    font = resolve_font_path()
    notdef = glyph_bitmap(font, PUA)
    assert glyph_bitmap(font, "𡐓") != notdef and glyph_bitmap(font, "㙘") != notdef


def test_extension_characters_print_in_the_pdf_and_can_be_selected():
    template = load_template(TEMPLATES, "a4_notice")
    url = f"{BASE}/v/420323103201"
    pdf = poster_pdf(template, {"village_name": "莫𡐓村", "township_name": "王㙘镇", "village_code": "420323103201"},
                     url)
    shown = pdftools.text(pdf)
    assert "莫𡐓村" in shown and "王㙘镇" in shown  # ToUnicode maps Extension B through a surrogate pair
    [page] = pdftools.pages(pdf, 300)
    assert decoded(page) == [url]


def test_a_private_use_name_is_refused_naming_the_character_until_an_admin_sets_a_print_name(
        app, client, county, as_role):
    rename(app, LONGJING, f"高{PUA}村")
    staff = as_role("publisher", LONGJING)
    for fmt in ("png", "pdf"):
        refused = client.get(f"/api/v1/villages/{LONGJING}/poster.{fmt}", headers=staff)
        assert refused.status_code == 422, fmt
        err = error_of(refused)
        assert err["code"] == "qr_glyph_missing" and PUA in err["message"] and "U+E170" in err["message"]
        assert err["fields"]["characters"] == ["U+E170"] and err["fields"]["village_code"] == LONGJING
    batch = client.post("/api/v1/qr/batches", json={"township_code": BAOFENG, "format": "pdf"},
                        headers=as_role("admin"))
    assert batch.status_code == 422 and "U+E170" in str(error_of(batch)["fields"]["villages"])

    url = f"/api/v1/admin/regions/{LONGJING}/print-name"
    assert client.put(url, json={"print_name": "高庄村"}, headers=staff).status_code == 403
    admin = as_role("admin")
    still = client.put(url, json={"print_name": f"高{PUA}庄村"}, headers=admin)
    assert still.status_code == 422 and "U+E170" in error_of(still)["message"]
    saved = client.put(url, json={"print_name": "高庄村"}, headers=admin)
    assert saved.status_code == 200
    body = saved.get_json()
    assert (body["code"], body["name"], body["print_name"], body["poster_name"]) == (
        LONGJING, f"高{PUA}村", "高庄村", "高庄村")
    pdf = client.get(f"/api/v1/villages/{LONGJING}/poster.pdf", headers=staff)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and "高庄村" in pdftools.text(pdf.data)
    png = client.get(f"/api/v1/villages/{LONGJING}/poster.png", headers=staff)
    assert png.status_code == 200 and Image.open(io.BytesIO(png.data)).size == (2480, 3508)
    with app.app_context():
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "region.print_name"))
        assert entry.object_id == LONGJING and entry.detail["after"] == "高庄村" and entry.detail["before"] is None
    cleared = client.put(url, json={"print_name": None}, headers=admin)
    assert cleared.get_json()["print_name"] is None
    assert client.get(f"/api/v1/villages/{LONGJING}/poster.pdf", headers=staff).status_code == 422


def test_region_import_warns_with_code_and_character(app, tmp_path):
    path = tmp_path / "regions.csv"
    path.write_text("code,name,level,parent_code\n420323000000,竹山县,county,\n"
                    "420323103000,宝丰镇,township,420323000000\n"
                    f"420323103299,高{PUA}村村民委员会,village,420323103000\n"
                    "420323103298,莫𡐓村村民委员会,village,420323103000\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["regions", "import", str(path)], color=True)
    assert result.exit_code == 0, result.output
    assert "已导入 4 条区划" in result.output
    assert f"警告：420323103299 高{PUA}村：字体中没有 “{PUA}”（U+E170）" in result.output
    assert "\x1b[31m" in result.output and "420323103298" not in result.output  # Extension B is fine
