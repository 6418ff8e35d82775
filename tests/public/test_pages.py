"""The H5 pages: village, disclosures by kind, versions, 404s, ETag/304, report and track forms."""

import re

import sqlalchemy as sa

from app.disclosures.models import Disclosure
from app.extensions import db
from tests.public.conftest import disclosure_ids

LONGJING, LUOJIAPO = "420323103211", "420323102203"


def text_of(response):
    """The page as text."""
    return response.get_data(as_text=True)


def test_village_page_shows_roster_disclosures_and_ledger_head(app, client, demo_county):
    response = client.get(f"/v/{LONGJING}")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = text_of(response)
    assert "<h1 class=\"place\">龙井村</h1>" in page and "竹山县 宝丰镇" in page
    assert "村党支部书记、村委会主任" in page and "村务监督委员会主任" in page and "tel:1" in page
    for label in ("村务公开", "财务公开", "党务公开", "小微权力清单", "惠民资金公示"):
        assert label in page
    with app.app_context():
        from app.disclosures.reads import ledger_head

        head = ledger_head(LONGJING)
    assert head in page
    assert f'href="/v/{LONGJING}/report"' in page and 'href="/v/track"' in page
    assert "<script" not in page and "style=" not in page  # nothing the CSP would block


def test_village_page_etag_follows_ledger_head_and_roster(app, client, demo_county, as_role):
    first = client.get(f"/v/{LONGJING}")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    assert client.get(f"/v/{LONGJING}", headers={"If-None-Match": etag}).status_code == 304
    roster = [{"name": "新书记", "post": "村党支部书记", "duties": "全面工作", "is_party_member": True,
               "supervision_phone": "13900000000"}]
    changed = client.put(f"/api/v1/villages/{LONGJING}/roster", json={"cadres": roster},
                         headers=as_role("publisher", LONGJING))
    assert changed.status_code == 200, changed.get_json()
    fresh = client.get(f"/v/{LONGJING}", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and "新书记" in text_of(fresh) and fresh.headers["ETag"] != etag


def test_finance_page_has_lines_totals_and_hashes(app, client, demo_county):
    ids = disclosure_ids(app, LONGJING)
    response = client.get(f"/v/{LONGJING}/d/{ids['finance']}")
    page = text_of(response)
    assert response.status_code == 200 and "public" in response.headers["Cache-Control"]
    for label in ("期初余额", "本期收入合计", "本期支出合计", "期末余额", "合计"):
        assert label in page
    assert "186,420.35" in page and "上级补助收入" in page and page.count("<tr>") >= 30
    with app.app_context():
        from app.disclosures.reads import public_detail

        detail = public_detail(ids["finance"])
    assert detail["content"]["closing_balance"]["display"] in page and detail["hash"] in page
    assert client.get(f"/v/{LONGJING}/d/{ids['finance']}",
                      headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_power_funds_and_text_pages(app, client, demo_county):
    ids = disclosure_ids(app, LONGJING)
    power = text_of(client.get(f"/v/{LONGJING}/d/{ids['power']}"))
    assert 'class="steps"' in power and "日内" in power and f"/v/{LONGJING}/report?d={ids['power']}&amp;item=1" in power
    funds = text_of(client.get(f"/v/{LONGJING}/d/{ids['funds']}"))
    assert "已部分隐藏" in funds and re.search(r"\d{4}\*+\d{3}[\dX]|\*{4,}", funds)
    assert "本版更正了第 1 版" in funds and "更正原因" in funds and "第 2 版" in funds
    old = text_of(client.get(f"/v/{LONGJING}/d/{ids['funds']}?v=1"))
    assert "您正在查看第 1 版" in old and "已被更正" in old
    affairs = text_of(client.get(f"/v/{LONGJING}/d/{ids['affairs']}"))
    assert 'class="para"' in affairs


def test_subsidy_names_are_masked(app, client, demo_county):
    ids = disclosure_ids(app, LONGJING)
    with app.app_context():
        content = db.session.get(Disclosure, ids["funds"]).current.content
    page = text_of(client.get(f"/v/{LONGJING}/d/{ids['funds']}"))
    table = page[page.index("<tbody>"):page.index("</tbody>")]
    for person in content["recipients"]:
        assert person["id_number"] not in page
        assert person["name"] not in table and person["name"][0] in table


def test_friendly_404s(app, client, demo_county):
    ids = disclosure_ids(app, LONGJING)
    for url in ("/v/420323999999", "/v/abc", f"/v/{LUOJIAPO}/d/{ids['finance']}", f"/v/{LONGJING}/d/999999",
                f"/v/{LONGJING}/d/{ids['funds']}?v=9", "/v/420323999999/report"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.mimetype == "text/html" and "页面不存在" in text_of(response), url


def test_unpublished_disclosures_are_not_shown(app, client, demo_county, as_role):
    draft = client.post("/api/v1/disclosures", headers=as_role("publisher", LONGJING), json={
        "village_code": LONGJING, "kind": "affairs", "period": "2025-Q1", "title": "草稿不公开",
        "content": {"body": "尚未审核"}})
    assert draft.status_code == 201, draft.get_json()
    assert client.get(f"/v/{LONGJING}/d/{draft.get_json()['id']}").status_code == 404
    assert "草稿不公开" not in text_of(client.get(f"/v/{LONGJING}"))


def test_report_page_has_the_form_and_topics(app, client, demo_county):
    ids = disclosure_ids(app, LONGJING)
    page = text_of(client.get(f"/v/{LONGJING}/report"))
    assert 'id="report-form"' in page and f'data-village="{LONGJING}"' in page
    assert "/static/public/report.js" in page
    for topic in ("领导干部廉洁自律", "村级债务", "作风问题", "其他"):
        assert f">{topic}</option>" in page
    for kind in ("suggestion", "question", "help", "tipoff"):
        assert f'value="{kind}"' in page
    about = text_of(client.get(f"/v/{LONGJING}/report?d={ids['power']}&item=2"))
    assert f'data-disclosure="{ids["power"]}"' in about and 'data-item="2"' in about and "第 2 项" in about
    elsewhere = text_of(client.get(f"/v/{LUOJIAPO}/report?d={ids['power']}"))
    assert "data-disclosure" not in elsewhere  # a disclosure of another village is not a target here


def test_track_page_and_assets(client):
    page = text_of(client.get("/v/track"))
    assert 'id="track-form"' in page and "/static/public/track.js" in page
    for asset in ("h5.css", "report.js", "track.js"):
        assert client.get(f"/static/public/{asset}").status_code == 200


def test_no_scans_counted_for_missing_villages(app, client, demo_county):
    from app.qr.models import ScanCount

    client.get("/v/420323999999?s=1")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ScanCount)) == 0
