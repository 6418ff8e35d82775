"""Public QR codes, staff posters, registered posters and the template list."""

import io
import os
import re
from pathlib import Path

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from tests.conftest import error_of

LONGJING, LUOJIAPO, BAOFENG = "420323103211", "420323102203", "420323103000"
BASE = "https://jd.example.gov.cn"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def decoded(data):
    """Every QR payload in a PNG."""
    return [s.data.decode() for s in decode(Image.open(io.BytesIO(data))) if s.type == "QRCODE"]


def test_qr_png_encodes_the_village_link_and_answers_304(client, county):
    response = client.get(f"/api/v1/villages/{LONGJING}/qr.png?size=300")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert Image.open(io.BytesIO(response.data)).size == (300, 300)
    assert decoded(response.data) == [f"{BASE}/v/{LONGJING}"]
    assert response.headers["Cache-Control"].startswith("public")
    again = client.get(f"/api/v1/villages/{LONGJING}/qr.png?size=300",
                       headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def svg_decoded(svg):
    """Rasterise the one-path SVG (unit squares `Mx,yHx2Vy2Hxz`) and decode it."""
    size = int(re.search(rb'viewBox="0 0 (\d+) (\d+)"', svg).group(1))
    img = Image.new("L", (size, size), 255)
    for x, y in re.findall(rb"M(\d+),(\d+)H\d+V\d+H\d+z", svg):
        img.putpixel((int(x), int(y)), 0)
    img = img.resize((size * 8, size * 8), Image.Resampling.NEAREST)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return decoded(buf.getvalue())


def test_qr_svg_is_a_vector_code(client, county):
    response = client.get(f"/api/v1/villages/{LONGJING}/qr.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.data.startswith(b"<svg") and response.headers["ETag"]
    assert svg_decoded(response.data) == [f"{BASE}/v/{LONGJING}"]


def test_qr_with_a_registered_poster_carries_its_id(client, county, as_role):
    headers = as_role("publisher", LONGJING)
    poster = client.post(f"/api/v1/villages/{LONGJING}/posters", json={"template": "table_card", "label": "村部门口"},
                         headers=headers)
    assert poster.status_code == 201, poster.get_json()
    body = poster.get_json()
    assert body["url"] == f"{BASE}/v/{LONGJING}?s={body['id']}" and body["label"] == "村部门口"
    code = client.get(f"/api/v1/villages/{LONGJING}/qr.png?poster={body['id']}")
    assert decoded(code.data) == [body["url"]]
    listed = client.get(f"/api/v1/villages/{LONGJING}/posters", headers=headers).get_json()
    assert [p["id"] for p in listed] == [body["id"]]


@pytest.mark.parametrize("query, field", [("size=20", "size"), ("size=99999", "size"), ("size=abc", "size"),
                                          ("poster=0", "poster")])
def test_bad_qr_queries_are_400_in_chinese(client, county, query, field):
    error = error_of(client.get(f"/api/v1/villages/{LONGJING}/qr.png?{query}"))
    assert error["code"] == "validation_error" and field in error["fields"]


def test_unknown_village_or_poster_is_404(client, county, as_role):
    assert error_of(client.get("/api/v1/villages/420323999999/qr.png"))["code"] == "region_not_found"
    assert client.get("/api/v1/villages/420323999999/qr.svg").status_code == 404
    poster = client.post(f"/api/v1/villages/{LUOJIAPO}/posters", json={"template": "a4_notice"},
                         headers=as_role("publisher", LUOJIAPO)).get_json()
    other = client.get(f"/api/v1/villages/{LONGJING}/qr.png?poster={poster['id']}")
    assert other.status_code == 404 and error_of(other)["code"] == "poster_not_found"


@pytest.mark.parametrize("template", ["a4_notice", "table_card"])
def test_staff_poster_decodes_to_the_village_link(app, client, county, as_role, template):
    from app.demo.seed import seed_rosters

    with app.app_context():
        seed_rosters()  # the village's supervision phone
    response = client.get(f"/api/v1/villages/{LONGJING}/poster.png?template={template}",
                          headers=as_role("reviewer", LONGJING))
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert decoded(response.data) == [f"{BASE}/v/{LONGJING}"]
    assert "private" in response.headers["Cache-Control"]
    if os.environ.get("MSS_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / f"poster-{template.replace('_', '-')}.png").write_bytes(response.data)


def test_poster_template_errors(client, county, as_role, make_app, tmp_path):
    headers = as_role("admin")
    unknown = client.get(f"/api/v1/villages/{LONGJING}/poster.png?template=no_such", headers=headers)
    assert unknown.status_code == 404
    assert error_of(unknown)["code"] == "qr_template_unknown" and "no_such" in error_of(unknown)["message"]
    bad_name = client.get(f"/api/v1/villages/{LONGJING}/poster.png?template=../etc", headers=headers)
    assert bad_name.status_code == 400 and error_of(bad_name)["code"] == "qr_template_name"
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "template.json").write_text("{not json", encoding="utf-8")
    broken_app = make_app(QR_TEMPLATE_DIR=str(tmp_path))
    broken = broken_app.test_client().get(f"/api/v1/villages/{LONGJING}/poster.png?template=broken",
                                          headers=headers)
    assert broken.status_code == 422
    error = error_of(broken)
    assert error["code"] == "qr_template_invalid" and "broken" in error["message"] and "JSON" in error["message"]


def test_who_may_get_posters(client, county, as_role):
    url = f"/api/v1/villages/{LONGJING}/poster.png"
    assert client.get(url).status_code == 401
    assert error_of(client.get(url, headers=as_role("resident")))["code"] == "forbidden"
    assert client.get(url, headers=as_role("publisher", LUOJIAPO)).status_code == 403
    assert client.get(url, headers=as_role("inspector", BAOFENG)).status_code == 200
    register = f"/api/v1/villages/{LONGJING}/posters"
    assert client.post(register, json={"template": "a4_notice"}).status_code == 401
    assert client.post(register, json={"template": "a4_notice"}, headers=as_role("unit_handler")).status_code == 403
    bad = client.post(register, json={"template": "A4!"}, headers=as_role("admin"))
    assert bad.status_code == 400 and "template" in error_of(bad)["fields"]
    missing = client.post(register, json={"template": "nope"}, headers=as_role("admin"))
    assert missing.status_code == 404


def test_template_list_for_staff(client, county, as_role):
    listed = client.get("/api/v1/qr/templates", headers=as_role("publisher", LONGJING))
    assert listed.status_code == 200
    names = {t["name"]: t for t in listed.get_json()}
    assert {"a4_notice", "table_card"} <= set(names) and names["a4_notice"]["width_mm"] == 210
    assert client.get("/api/v1/qr/templates", headers=as_role("resident")).status_code == 403
