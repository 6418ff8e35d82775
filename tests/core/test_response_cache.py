"""The per-process public response cache: anonymous scan bursts are answered from memory, staff never are."""

import sqlalchemy as sa

from app.extensions import db
from app.regions.models import Region

VILLAGE = "420323103211"


def _rename(app, name):
    with app.app_context():
        db.session.execute(sa.update(Region).where(Region.code == VILLAGE).values(display_name=name))
        db.session.commit()


def test_anonymous_reads_come_from_the_cache_until_it_expires(make_app, county):
    cached = make_app(PUBLIC_CACHE_SECONDS=3600)
    client = cached.test_client()
    first = client.get(f"/api/v1/villages/{VILLAGE}")
    assert first.status_code == 200 and first.get_json()["name"] == "龙井村"
    etag = first.headers["ETag"]
    _rename(cached, "改过的名字")
    again = client.get(f"/api/v1/villages/{VILLAGE}")
    assert again.get_json() == first.get_json()  # served from memory: the database was not asked
    assert again.headers["ETag"] == etag and "X-Request-ID" in again.headers  # hooks still run
    revalidated = client.get(f"/api/v1/villages/{VILLAGE}", headers={"If-None-Match": etag})
    assert revalidated.status_code == 304 and revalidated.data == b""
    h5 = client.get(f"/v/{VILLAGE}?s=7")
    assert h5.status_code == 200 and "改过的名字" in h5.get_data(as_text=True)  # first H5 request fills its entry
    _rename(cached, "龙井村")
    assert "改过的名字" in client.get(f"/v/{VILLAGE}?s=8").get_data(as_text=True)  # one entry whatever the poster


def test_scans_are_counted_even_when_the_page_comes_from_the_cache(make_app, county):
    from app.qr.models import ScanCount

    cached = make_app(PUBLIC_CACHE_SECONDS=3600)
    client = cached.test_client()
    for _ in range(3):
        assert client.get(f"/v/{VILLAGE}").status_code == 200
    with cached.app_context():
        assert db.session.scalar(sa.select(sa.func.sum(ScanCount.count))) == 3


def test_staff_and_misses_are_never_cached(make_app, county, as_role):
    cached = make_app(PUBLIC_CACHE_SECONDS=3600)
    client = cached.test_client()
    assert client.get("/api/v1/villages/420323999999").status_code == 404
    headers = as_role("publisher", VILLAGE)
    client.get(f"/api/v1/villages/{VILLAGE}", headers=headers)
    _rename(cached, "新名字")
    # a 404 was not stored, and a request with a token neither reads nor fills the cache
    assert client.get(f"/api/v1/villages/{VILLAGE}", headers=headers).get_json()["name"] == "新名字"
    assert client.get(f"/api/v1/villages/{VILLAGE}").get_json()["name"] == "新名字"


def test_switched_off_by_zero(make_app, county):
    plain = make_app(PUBLIC_CACHE_SECONDS=0)
    client = plain.test_client()
    client.get(f"/api/v1/villages/{VILLAGE}")
    _rename(plain, "新名字")
    assert client.get(f"/api/v1/villages/{VILLAGE}").get_json()["name"] == "新名字"
