"""Scan counting on /v/<code> (per village, poster and day; nothing about the scanner) and the staff report."""

from datetime import date, timedelta

import sqlalchemy as sa

from app.core.timeutil import today_cst
from app.extensions import db
from app.qr.models import ScanCount
from tests.conftest import error_of
from tests.qr.test_api_codes import LONGJING, LUOJIAPO

BAOFENG, MAJIADU = "420323103000", "420323102000"


def register(client, headers, code=LONGJING):
    """Register a poster; returns its id."""
    return client.post(f"/api/v1/villages/{code}/posters", json={"template": "a4_notice"},
                       headers=headers).get_json()["id"]


def counters(app):
    """Every counter row as (village, poster, day, count)."""
    with app.app_context():
        rows = db.session.scalars(sa.select(ScanCount).order_by(ScanCount.village_code, ScanCount.poster_id))
        return [(r.village_code, r.poster_id, r.day, r.count) for r in rows]


def test_scans_are_counted_per_poster_and_day(app, client, county, as_role):
    poster = register(client, as_role("publisher", LONGJING))
    for _ in range(3):
        assert client.get(f"/v/{LONGJING}?s={poster}").status_code == 200
    client.get(f"/v/{LONGJING}")  # the plain code (no poster)
    client.get(f"/v/{LONGJING}?s=999999")  # an unknown poster counts as none
    other = register(client, as_role("publisher", LUOJIAPO), LUOJIAPO)
    client.get(f"/v/{LONGJING}?s={other}")  # another village's poster counts as none here
    today = today_cst()
    assert counters(app) == [(LONGJING, 0, today, 3), (LONGJING, poster, today, 3)]


def test_navigation_within_the_site_and_unknown_villages_do_not_count(app, client, county):
    client.get(f"/v/{LONGJING}", headers={"Referer": f"http://localhost/v/{LONGJING}/d/1"})
    client.get("/v/420323999999")
    assert counters(app) == []


def test_nothing_about_the_scanner_is_stored(app):
    columns = {c.name for c in ScanCount.__table__.columns}
    assert columns == {"village_code", "poster_id", "day", "count"}


def seed(app, rows):
    """Insert counter rows directly (other days)."""
    with app.app_context():
        db.session.add_all([ScanCount(village_code=v, poster_id=p, day=d, count=c) for v, p, d, c in rows])
        db.session.commit()


def test_scan_report_is_scoped_and_ranged(app, client, county, as_role):
    day = date(2026, 3, 10)
    seed(app, [(LONGJING, 0, day, 5), (LONGJING, 0, day + timedelta(days=1), 2), (LUOJIAPO, 0, day, 7),
               (LONGJING, 0, day - timedelta(days=40), 100)])
    query = "from=2026-03-01&to=2026-03-31"
    everything = client.get(f"/api/v1/admin/scans?{query}", headers=as_role("admin")).get_json()
    assert everything["total"] == 14 and everything["from"] == "2026-03-01"
    assert [(v["village_name"], v["count"]) for v in everything["villages"]] == [("罗家坡村", 7), ("龙井村", 7)]
    township = client.get(f"/api/v1/admin/scans?township={BAOFENG}&{query}", headers=as_role("inspector", BAOFENG))
    body = township.get_json()
    assert body["total"] == 7 and {i["village_code"] for i in body["items"]} == {LONGJING}
    assert [i["day"] for i in body["items"]] == ["2026-03-10", "2026-03-11"]
    own = client.get(f"/api/v1/admin/scans?{query}", headers=as_role("publisher", LUOJIAPO)).get_json()
    assert own["total"] == 7 and own["villages"][0]["village_code"] == LUOJIAPO
    narrowed = client.get(f"/api/v1/admin/scans?township={MAJIADU}&{query}", headers=as_role("publisher", LUOJIAPO))
    assert narrowed.get_json()["total"] == 7


def test_scan_report_refuses_and_validates(client, county, as_role):
    assert client.get("/api/v1/admin/scans").status_code == 401
    assert client.get("/api/v1/admin/scans", headers=as_role("resident")).status_code == 403
    assert client.get("/api/v1/admin/scans", headers=as_role("unit_handler")).status_code == 403
    outside = client.get(f"/api/v1/admin/scans?township={MAJIADU}", headers=as_role("inspector", BAOFENG))
    assert outside.status_code == 403 and "扫码统计" in error_of(outside)["message"]
    backwards = client.get("/api/v1/admin/scans?from=2026-03-10&to=2026-03-01", headers=as_role("admin"))
    assert backwards.status_code == 400 and error_of(backwards)["code"] == "invalid_range"
    too_long = client.get("/api/v1/admin/scans?from=2024-01-01&to=2026-03-01", headers=as_role("admin"))
    assert too_long.status_code == 400
    bad_date = client.get("/api/v1/admin/scans?from=yesterday", headers=as_role("admin"))
    assert bad_date.status_code == 400 and "from" in error_of(bad_date)["fields"]
    bad_code = client.get("/api/v1/admin/scans?township=12", headers=as_role("admin"))
    assert bad_code.status_code == 400 and "township" in error_of(bad_code)["fields"]
    unknown = client.get("/api/v1/admin/scans?township=420323999000", headers=as_role("admin"))
    assert unknown.status_code == 404


def test_a_worker_gathers_scans_and_writes_them_together(make_app, county, as_role):
    from app.qr.scans import flush_scans

    gathering = make_app(SCAN_FLUSH_SECONDS=3600, SCAN_FLUSH_MAX=5)
    client = gathering.test_client()
    poster = register(client, as_role("publisher", LONGJING))
    for _ in range(3):
        assert client.get(f"/v/{LONGJING}?s={poster}").status_code == 200
    assert client.get(f"/v/{LUOJIAPO}").status_code == 200
    assert counters(gathering) == []  # still in this worker's memory
    assert client.get(f"/v/{LONGJING}?s={poster}").status_code == 200  # the fifth scan writes them all
    today = today_cst()
    assert counters(gathering) == [(LUOJIAPO, 0, today, 1), (LONGJING, poster, today, 4)]
    client.get(f"/v/{LUOJIAPO}")
    flush_scans(gathering)  # what a worker does when it stops
    assert counters(gathering)[0] == (LUOJIAPO, 0, today, 2)
