"""QR codes: links, PNG, SVG and logo codes decoded for real with zbar."""

import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from pyzbar.pyzbar import decode

from app.errors import BadRequest
from app.qr.codes import load_logo, qr_image, qr_matrix, qr_png, qr_svg, village_url

ROOT = Path(__file__).resolve().parents[2]
A4_LOGO = ROOT / "qr_templates" / "a4_notice" / "logo.png"
BASE = "https://jiandu.example.gov.cn"
URL = f"{BASE}/v/420304103201?s=123456"  # 54 bytes: version 6 at level H (byte capacity 58)
LONG_URL = f"{BASE}/v/420304103201?s=123456&utm=" + "x" * 60  # needs a version with a centre alignment pattern


def decoded(img):
    """Every QR payload zbar finds in img, as text."""
    return [symbol.data.decode("utf-8") for symbol in decode(img) if symbol.type == "QRCODE"]


def test_village_url_shapes():
    assert village_url(BASE, "420304103201") == f"{BASE}/v/420304103201"
    assert village_url(BASE + "/", "420304103201", 123456) == URL
    assert village_url(" https://a.cn/sub/ ", "42 03", "p/1") == "https://a.cn/sub/v/42%2003?s=p%2F1"
    assert village_url(BASE, "1", "") == f"{BASE}/v/1"


@pytest.mark.parametrize(("base", "code", "message"), [
    ("ftp://a.cn", "1", "https://"), ("", "1", "https://"), (BASE, "", "村庄编码"), (BASE, None, "村庄编码"),
])
def test_village_url_refuses_bad_input(base, code, message):
    with pytest.raises(BadRequest) as err:
        village_url(base, code)
    assert message in err.value.message


@pytest.mark.parametrize("url", [URL, f"{BASE}/v/1", LONG_URL])
def test_qr_png_decodes_to_the_exact_url(url):
    png = qr_png(url, 400)
    img = Image.open(io.BytesIO(png))
    assert img.size == (400, 400)
    assert img.mode == "1"
    assert decoded(img) == [url]


def test_qr_png_border_is_the_quiet_zone():
    img = Image.open(io.BytesIO(qr_png(URL, 49 * 6, border=4))).convert("L")
    assert img.crop((0, 0, 49 * 6, 4 * 6)).getextrema() == (255, 255)  # top four modules white
    assert img.getpixel((4 * 6, 4 * 6)) == 0  # finder pattern starts right after it
    assert decoded(img) == [URL]


def test_level_h_and_module_count():
    matrix = qr_matrix(URL)
    assert len(matrix) == 41 + 2 * 4  # version 6 = 17 + 4 * 6 modules, plus the quiet zone
    assert len(qr_matrix(URL, border=0)) == 41


def test_qr_image_uses_whole_pixels_per_module_and_centres():
    img = qr_image(URL, 500)
    assert img.size == (500, 500) and img.mode == "L"
    assert {value for _, value in img.getcolors()} == {0, 255}  # crisp modules, no resampling grey
    assert decoded(img) == [URL]


def test_qr_image_too_small_is_refused():
    with pytest.raises(BadRequest) as err:
        qr_image(URL, 30)
    assert "二维码区域太小" in err.value.message


@pytest.mark.parametrize("url", [URL, LONG_URL])
def test_centre_logo_keeps_the_code_decodable(url):
    logo = load_logo(A4_LOGO)
    img = qr_image(url, 600, logo=logo, logo_ratio=0.22)
    assert img.mode == "RGB"
    middle = img.crop((250, 250, 350, 350)).getcolors(100 * 100)
    red = sum(count for count, (r, g, b) in middle if r > 150 and g < 80 and b < 100)
    assert red > 100 * 100 * 0.3  # the red logo really sits in the middle
    assert decoded(img) == [url]
    assert decoded(Image.open(io.BytesIO(qr_png(url, 300, logo=logo)))) == [url]


def test_solid_logo_at_the_largest_ratio_still_decodes():
    blot = Image.new("RGBA", (100, 100), (30, 30, 30, 255))
    assert decoded(qr_image(LONG_URL, 640, logo=blot, logo_ratio=0.5)) == [LONG_URL]  # ratio capped at 0.22


def test_svg_is_valid_with_the_expected_module_count_and_decodes():
    svg = qr_svg(URL)
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 49 49"  # 41 modules (version 6) + 2 x 4 quiet zone
    path = root.find("{http://www.w3.org/2000/svg}path").get("d")
    squares = re.findall(r"M(\d+),(\d+)H(\d+)V(\d+)H(\d+)z", path)
    assert squares and len(squares) == sum(row.count(True) for row in qr_matrix(URL))
    scale = 8
    img = Image.new("L", (49 * scale, 49 * scale), 255)
    draw = ImageDraw.Draw(img)
    for x0, y0, x1, y1, _ in squares:
        draw.rectangle((int(x0) * scale, int(y0) * scale, int(x1) * scale - 1, int(y1) * scale - 1), fill=0)
    assert decoded(img) == [URL]


def test_overlong_url_is_refused():
    with pytest.raises(BadRequest) as err:
        qr_png(BASE + "/" + "x" * 700, 400)
    assert "二维码链接过长" in err.value.message
