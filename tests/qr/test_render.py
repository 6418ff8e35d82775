"""Posters: QR decodable inside each template, real glyphs, text fitting, empty slots, PNG and PDF output."""

import io
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from pyzbar.pyzbar import decode

from app.errors import BadRequest
from app.qr.codes import village_url
from app.qr.fonts import (
    NO_LINE_START,
    FontMissing,
    fit_text,
    glyph_bitmap,
    load_font,
    missing_glyphs,
    resolve_font_path,
    text_width,
)
from app.qr.pdf import posters_pdf
from app.qr.render import poster_png, render_poster
from app.qr.templates import load_template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "qr_templates"
BASE = "https://jiandu.example.gov.cn"
FIELDS = {"village_name": "罗家坡村", "township_name": "柳陂镇", "county_name": "郧阳区",
          "supervision_phone": "0719-7212345", "village_code": "420304103201"}
INSTRUCTIONS = "用微信或手机相机扫描二维码，查看本村公开的村务、财务、党务、小微权力清单和惠民资金，并可反映问题"


def decoded(img):
    """Every QR payload zbar finds in img, as text."""
    return [symbol.data.decode("utf-8") for symbol in decode(img) if symbol.type == "QRCODE"]


def pdf_pages(pdf):
    """[(MediaBox, image)] of every page, the image rebuilt as a PNG from the PDF's own Flate stream."""
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    boxes = [tuple(float(v) for v in m.groups()) for m in re.finditer(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)]
    images = []
    head = (rb"/Width (\d+) /Height (\d+) "
            rb"/ColorSpace (\[/Indexed /DeviceRGB \d+ <([0-9a-f]+)>\]|/DeviceRGB|/DeviceGray) "
            rb"/BitsPerComponent (\d+) .*?/Length (\d+) >>\nstream\n")
    for m in re.finditer(head, pdf):
        width, height, space, palette, bits, length = m.groups()
        data = pdf[m.end():m.end() + int(length)]
        colour_type = 3 if palette else (2 if space == b"/DeviceRGB" else 0)
        chunks = [(b"IHDR", struct.pack(">IIBBBBB", int(width), int(height), int(bits), colour_type, 0, 0, 0))]
        chunks += [(b"PLTE", bytes.fromhex(palette.decode()))] if palette else []
        chunks += [(b"IDAT", data), (b"IEND", b"")]
        png = b"\x89PNG\r\n\x1a\n" + b"".join(struct.pack(">I", len(body)) + kind + body
                                              + struct.pack(">I", zlib.crc32(kind + body)) for kind, body in chunks)
        images.append(Image.open(io.BytesIO(png)))
    assert len(boxes) == len(images) == int(re.search(rb"/Type /Pages /Kids \[.*?\] /Count (\d+)", pdf).group(1))
    xref = int(re.search(rb"startxref\n(\d+)", pdf).group(1))
    for number, row in enumerate(re.findall(rb"(\d{10}) 00000 n ", pdf[xref:]), 1):
        assert pdf[int(row):].startswith(b"%d 0 obj" % number)  # every offset points at its object
    return list(zip(boxes, images, strict=True))


def slot_box(template, name):
    """The pixel box of the named slot."""
    slot = next(s for s in template.slots if s.name == name)
    return (template.px(slot.x_mm), template.px(slot.y_mm), template.px(slot.x_mm + slot.width_mm),
            template.px(slot.y_mm + slot.height_mm))


def changed_pixels(a, b, threshold=40):
    """How many pixels of a and b differ by more than threshold in some channel."""
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).convert("L")
    return sum(count for count, value in diff.getcolors(256 * 256) if value > threshold)


@pytest.mark.parametrize("name", ["a4_notice", "table_card"])
def test_qr_inside_each_template_decodes(name):
    template = load_template(TEMPLATES, name)
    for poster_id in (1, 987654):
        url = village_url(BASE, FIELDS["village_code"], poster_id)
        img = render_poster(template, FIELDS, url)
        assert img.size == (template.width_px, template.height_px)
        assert decoded(img) == [url]
    png = Image.open(io.BytesIO(poster_png(template, FIELDS, url)))
    assert round(png.info["dpi"][0]) == template.dpi
    assert decoded(png) == [url]


def test_village_names_render_as_glyphs_not_tofu():
    path = resolve_font_path()
    notdef = glyph_bitmap(path, "\ue000")  # private use: the font draws its .notdef box
    assert any(notdef)
    chars = sorted(set("罗家坡村" + "龙井村"))
    bitmaps = {char: glyph_bitmap(path, char) for char in chars}
    assert len(set(bitmaps.values())) == len(chars) == 6
    assert all(bitmap != notdef and any(bitmap) for bitmap in bitmaps.values())
    assert missing_glyphs("罗家坡村龙井村 畈垭圪峁") == []
    assert missing_glyphs("村\ue000") == ["\ue000"]


def test_the_village_name_is_really_drawn():
    template = load_template(TEMPLATES, "a4_notice")
    url = village_url(BASE, "1")
    box = slot_box(template, "village_name")
    luo = render_poster(template, FIELDS, url).crop(box)
    long = render_poster(template, dict(FIELDS, village_name="龙井村"), url).crop(box)
    with Image.open(template.background_path) as art:
        blank = art.convert("RGB").crop(box)
    assert changed_pixels(luo, blank) > 2000 and changed_pixels(long, blank) > 2000
    assert changed_pixels(luo, long) > 2000


def test_missing_optional_field_renders_nothing():
    template = load_template(TEMPLATES, "a4_notice")
    url = village_url(BASE, "1")
    box = slot_box(template, "supervision_phone")
    without = {k: v for k, v in FIELDS.items() if k != "supervision_phone"}
    with Image.open(template.background_path) as art:
        blank = art.convert("RGB").crop(box)
    assert changed_pixels(render_poster(template, without, url).crop(box), blank) == 0
    assert changed_pixels(render_poster(template, dict(without, supervision_phone="  "), url).crop(box), blank) == 0
    assert changed_pixels(render_poster(template, FIELDS, url).crop(box), blank) > 1000


def test_a_field_overrides_fixed_text():
    template = load_template(TEMPLATES, "a4_notice")
    url = village_url(BASE, "1")
    box = slot_box(template, "footer")
    default = render_poster(template, FIELDS, url).crop(box)
    custom = render_poster(template, dict(FIELDS, footer="郧阳区纪委监委 监制"), url).crop(box)
    assert changed_pixels(default, custom) > 500


def test_photo_like_art_renders_as_rgb(tmp_path):
    shutil.copytree(TEMPLATES / "table_card", tmp_path / "photo")
    size = Image.open(tmp_path / "photo" / "background.png").size
    noise = Image.merge("RGB", [Image.effect_noise(size, sigma) for sigma in (40, 60, 80)])
    noise.save(tmp_path / "photo" / "background.png")
    template = load_template(tmp_path, "photo")
    url = village_url(BASE, "420304103201", 5)
    img = render_poster(template, FIELDS, url)
    assert img.mode == "RGB"
    assert decoded(img) == [url]


def test_short_text_keeps_its_size():
    fit = fit_text(resolve_font_path(), "罗家坡村", 1000, 96, 50)
    assert fit.lines == ("罗家坡村",) and fit.size_px == 96


def test_long_text_shrinks_onto_one_line():
    path = resolve_font_path()
    name = "新疆生产建设兵团第十四师一牧场三连"
    fit = fit_text(path, name, 900, 96, 40)
    assert fit.lines == (name,) and 40 <= fit.size_px < 96
    assert text_width(path, name, fit.size_px) <= 900


def test_text_wraps_below_the_minimum_without_breaking_rules():
    path = resolve_font_path()
    for width in range(180, 900, 37):
        fit = fit_text(path, INSTRUCTIONS, width, 30, 30, 20)
        assert "".join(fit.lines) == INSTRUCTIONS  # nothing lost
        assert not any(line[0] in NO_LINE_START for line in fit.lines)  # no line starts with ， 、 ）
        assert all(text_width(path, line, 30) <= width for line in fit.lines)


def test_numbers_are_not_split_across_lines():
    fit = fit_text(resolve_font_path(), "监督电话：0719-7212345", 260, 30, 30, 3)
    assert len(fit.lines) == 2 and "0719-7212345" in fit.lines[1]


def test_text_that_cannot_fit_is_cut_with_an_ellipsis():
    path = resolve_font_path()
    fit = fit_text(path, INSTRUCTIONS * 3, 400, 30, 24, 2)
    assert len(fit.lines) == 2 and fit.lines[-1].endswith("…") and fit.size_px == 24
    assert all(text_width(path, line, 24) <= 400 for line in fit.lines)


def test_font_resolution_and_cache(tmp_path):
    packaged = resolve_font_path()
    assert packaged == "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"  # Debian's fonts-noto-cjk
    assert Path(packaged).stat().st_size > 10_000_000
    assert resolve_font_path(packaged) == packaged
    assert load_font(packaged, 40) is load_font(packaged, 40)
    with pytest.raises(FontMissing) as err:
        resolve_font_path(tmp_path / "none.otf")
    assert "QR_FONT_PATH" in err.value.message and err.value.status == 503


def test_pdf_has_one_page_per_poster_at_the_template_dpi():
    template = load_template(TEMPLATES, "a4_notice")
    urls = [village_url(BASE, f"42030410320{i}", i) for i in range(3)]
    posters = [render_poster(template, FIELDS, url) for url in urls]
    pages = pdf_pages(posters_pdf(posters))
    assert len(pages) == 3
    for (box, image), url in zip(pages, urls, strict=True):
        assert box == pytest.approx((1240 * 72 / 150, 1754 * 72 / 150), abs=0.01)  # A4 in points
        assert decoded(image) == [url]
    card = load_template(TEMPLATES, "table_card")
    from_png = pdf_pages(posters_pdf([poster_png(card, FIELDS, urls[0]), poster_png(template, FIELDS, urls[1])]))
    assert from_png[0][0] == pytest.approx((100 / 25.4 * 72, 70 / 25.4 * 72), abs=0.2)  # 300 DPI from the PNG
    assert from_png[1][0] == pytest.approx((595.2, 841.92), abs=0.01)
    assert [decoded(image) for _, image in from_png] == [[urls[0]], [urls[1]]]


def test_pdf_of_nothing_is_refused():
    with pytest.raises(BadRequest):
        posters_pdf([])


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")
def test_pdf_renders_in_poppler(tmp_path):
    template = load_template(TEMPLATES, "table_card")
    url = village_url(BASE, "420304103201", 3)
    (tmp_path / "p.pdf").write_bytes(posters_pdf([render_poster(template, FIELDS, url)] * 2))
    subprocess.run(["pdftoppm", "-r", "300", "-png", str(tmp_path / "p.pdf"), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 2 and decoded(Image.open(pages[1])) == [url]
