"""app/wechat against the fake WeChat server: token handling, errors, mini-program codes, messages."""

import io
import json
import os

import pytest

from app.errors import BadRequest, ServiceUnavailable
from app.wechat import service
from app.wechat.client import WeChatError, configured, get_client
from tests.fake_wechat import APPID, SECRET

REDIS_URL = os.environ.get("TEST_REDIS_URL")


def test_configured_needs_both_credentials(app, make_app):
    with app.app_context():
        assert not configured()
        with pytest.raises(ServiceUnavailable) as info:
            get_client()
        assert info.value.code == "wechat_not_configured"
    assert not configured(make_app(WECHAT_APPID=APPID))
    assert configured(make_app(WECHAT_APPID=APPID, WECHAT_SECRET=SECRET))


def test_client_is_built_once_per_app(wechat_app, make_app, fake_wechat):
    with wechat_app.app_context():
        client = get_client()
        assert get_client() is client
        assert client.api_base == fake_wechat.base_url
    other = make_app(WECHAT_APPID=APPID, WECHAT_SECRET=SECRET, WECHAT_API_BASE=fake_wechat.base_url)
    with other.app_context():
        assert get_client() is not client and get_client().store is not client.store


def test_token_comes_from_the_configured_host_and_is_cached(wechat_app, fake_wechat):
    with wechat_app.app_context():
        first = service.code_to_session("user:a")
        second = service.code_to_session("user:b")
        service.send_subscribe_message("openid-1", "TEMPLATE", {})
        service.wxacode_unlimited("v=1")
    assert first["openid"] != second["openid"]
    tokens = fake_wechat.calls_to("/cgi-bin/token")
    assert len(tokens) == 1
    assert tokens[0]["query"] == {"grant_type": "client_credential", "appid": APPID, "secret": SECRET}
    token = f"FAKE_TOKEN_{fake_wechat.tokens_issued}"
    for path in ("/cgi-bin/message/subscribe/send", "/wxa/getwxacodeunlimit"):
        assert [c["query"]["access_token"] for c in fake_wechat.calls_to(path)] == [token]
    # code2session needs the app secret, not the access token: the token is not sent where it is not needed
    sessions = fake_wechat.calls_to("/sns/jscode2session")
    assert [c["query"]["secret"] for c in sessions] == [SECRET, SECRET]
    assert all("access_token" not in c["query"] for c in sessions)


def test_an_expired_token_is_replaced_and_the_call_retried_once(wechat_app, fake_wechat):
    with wechat_app.app_context():
        service.send_subscribe_message("openid-1", "TEMPLATE", {})
        fake_wechat.fail("/cgi-bin/message/subscribe/send", {"errcode": 40001, "errmsg": "invalid credential"})
        assert service.send_subscribe_message("openid-1", "TEMPLATE", {})["errcode"] == 0
        assert len(fake_wechat.calls_to("/cgi-bin/token")) == 2
        # a token refused twice in a row is an error, not an endless loop
        fake_wechat.fail("/cgi-bin/message/subscribe/send", {"errcode": 42001, "errmsg": "expired"},
                         {"errcode": 42001, "errmsg": "expired"})
        with pytest.raises(WeChatError) as info:
            service.send_subscribe_message("openid-1", "TEMPLATE", {})
    assert info.value.errcode == 42001
    assert len(fake_wechat.calls_to("/cgi-bin/token")) == 3
    assert len(fake_wechat.calls_to("/cgi-bin/message/subscribe/send")) == 5


def test_wrong_credentials_are_503(make_app, app, fake_wechat):
    wrong = make_app(WECHAT_APPID=APPID, WECHAT_SECRET="not-the-secret", WECHAT_API_BASE=fake_wechat.base_url)
    with wrong.app_context():
        with pytest.raises(ServiceUnavailable) as info:
            service.code_to_session("user:a")
        assert info.value.code == "wechat_error"
        with pytest.raises(WeChatError) as refused:
            service.send_subscribe_message("openid-1", "TEMPLATE", {})
    assert refused.value.errcode == 40125


def test_token_endpoint_down_is_503(wechat_app, fake_wechat):
    fake_wechat.fail("/cgi-bin/token", 500)
    with wechat_app.app_context(), pytest.raises(ServiceUnavailable) as info:
        service.wxacode_unlimited("v=1")
    assert info.value.code == "wechat_unavailable"


def test_mini_program_code(wechat_app, fake_wechat):
    with wechat_app.app_context():
        image = service.wxacode_unlimited("v=420323103211", page="pages/village/index")
    assert image.startswith(b"\x89PNG")
    from PIL import Image
    from pyzbar.pyzbar import decode

    decoded = decode(Image.open(io.BytesIO(image)))  # a real, scannable image
    assert decoded[0].data.decode() == "wxacode:pages/village/index?scene=v=420323103211"
    call = fake_wechat.calls_to("/wxa/getwxacodeunlimit")[0]
    assert call["method"] == "POST" and call["body"]["scene"] == "v=420323103211"
    assert call["body"]["page"] == "pages/village/index"


def test_mini_program_code_rules_and_failures(wechat_app, fake_wechat):
    with wechat_app.app_context():
        for scene in ("", "x" * 33):
            with pytest.raises(BadRequest):
                service.wxacode_unlimited(scene)
        fake_wechat.fail("/wxa/getwxacodeunlimit", {"errcode": 41030, "errmsg": "invalid page"})
        with pytest.raises(ServiceUnavailable, match="41030"):
            service.wxacode_unlimited("v=1")
        fake_wechat.fail("/wxa/getwxacodeunlimit", {"not": "an image"})
        with pytest.raises(ServiceUnavailable):
            service.wxacode_unlimited("v=1")


def test_subscribe_message(wechat_app, fake_wechat):
    with wechat_app.app_context():
        result = service.send_subscribe_message("openid-1", "TEMPLATE", {"thing1": {"value": "已受理"}}, page="p")
        assert result["errcode"] == 0
        fake_wechat.unsubscribed.add("openid-2")
        with pytest.raises(WeChatError) as info:
            service.send_subscribe_message("openid-2", "TEMPLATE", {})
    assert info.value.errcode == 43101
    sent = fake_wechat.calls_to("/cgi-bin/message/subscribe/send")[0]["body"]
    assert sent["touser"] == "openid-1" and sent["template_id"] == "TEMPLATE"


def test_text_check(wechat_app, fake_wechat):
    with wechat_app.app_context():
        assert service.text_is_risky("村里修路的账目什么时候公开？") is False
        assert service.text_is_risky("这是一条违规测试内容") is True
        fake_wechat.fail("/wxa/msg_sec_check", 500)
        assert service.text_is_risky("无法判断") is None
    body = fake_wechat.calls_to("/wxa/msg_sec_check")[0]["body"]
    assert body["version"] == 2 and body["scene"] == 2


def test_unreachable_token_store_is_503(make_app, app, fake_wechat):
    broken = make_app(WECHAT_APPID=APPID, WECHAT_SECRET=SECRET, WECHAT_API_BASE=fake_wechat.base_url,
                      REDIS_URL="redis://127.0.0.1:1/0", WECHAT_TIMEOUT=0.5)
    with broken.app_context(), pytest.raises(ServiceUnavailable) as info:
        service.wxacode_unlimited("v=1")
    assert info.value.code == "wechat_unavailable"


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set")
def test_access_token_is_kept_in_redis(make_app, app, fake_wechat):
    import redis

    store = redis.Redis.from_url(REDIS_URL)
    key = f"mss:wechat:{APPID}_access_token"
    store.delete(key)
    try:
        first = make_app(WECHAT_APPID=APPID, WECHAT_SECRET=SECRET, WECHAT_API_BASE=fake_wechat.base_url,
                         REDIS_URL=REDIS_URL)
        with first.app_context():
            service.wxacode_unlimited("v=1")
        assert json.loads(store.get(key)) == f"FAKE_TOKEN_{fake_wechat.tokens_issued}"
        assert 0 < store.ttl(key) <= 7200
        # another worker (another app) finds the token in Redis: no second fetch
        second = make_app(WECHAT_APPID=APPID, WECHAT_SECRET=SECRET, WECHAT_API_BASE=fake_wechat.base_url,
                          REDIS_URL=REDIS_URL)
        with second.app_context():
            service.wxacode_unlimited("v=2")
        assert len(fake_wechat.calls_to("/cgi-bin/token")) == 1
    finally:
        store.delete(key)
