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
    assert Image.open(io.BytesIO(preview.data)).size == (1240, 1754)
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
