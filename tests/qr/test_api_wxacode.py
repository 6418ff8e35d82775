"""Mini-program codes through the fake WeChat server: fetched once, cached, clear errors."""

import sqlalchemy as sa

from app.extensions import db
from app.qr.models import WxaCode
from tests.conftest import error_of
from tests.qr.test_api_codes import LONGJING

URL = f"/api/v1/villages/{LONGJING}/wxacode.png"
PATH = "/wxa/getwxacodeunlimit"


def test_fetched_once_then_served_from_the_cache(county, wechat_app, fake_wechat):
    client = wechat_app.test_client()
    first = client.get(URL)
    assert first.status_code == 200 and first.mimetype == "image/png" and first.data.startswith(b"\x89PNG")
    calls = fake_wechat.calls_to(PATH)
    assert len(calls) == 1 and calls[0]["body"]["scene"] == LONGJING
    second = client.get(URL)
    assert second.data == first.data and len(fake_wechat.calls_to(PATH)) == 1
    assert client.get(URL, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    with wechat_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(WxaCode)) == 1


def test_not_configured_is_503_in_chinese(client, county):
    response = client.get(URL)
    assert response.status_code == 503
    error = error_of(response)
    assert error["code"] == "wechat_not_configured" and "微信" in error["message"]


def test_wechat_failures_are_503_and_not_cached(county, wechat_app, fake_wechat):
    client = wechat_app.test_client()
    fake_wechat.fail(PATH, {"errcode": 41030, "errmsg": "invalid page"})
    failed = client.get(URL)
    assert failed.status_code == 503 and error_of(failed)["code"] == "wechat_error"
    fake_wechat.fail(PATH, 500)
    down = client.get(URL)
    assert down.status_code == 503 and error_of(down)["code"] in ("wechat_unavailable", "wechat_error")
    assert client.get(URL).status_code == 200  # nothing bad was cached


def test_unknown_village_is_404(county, wechat_app, fake_wechat):
    response = wechat_app.test_client().get("/api/v1/villages/420323999999/wxacode.png")
    assert response.status_code == 404 and not fake_wechat.calls_to(PATH)
