"""Build the wechatpy client: configurable API host, access token in Redis or memory."""

import logging
import threading

import requests
from flask import current_app
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session.memorystorage import MemoryStorage
from wechatpy.session.redisstorage import RedisStorage

from app.errors import ServiceUnavailable

log = logging.getLogger(__name__)
_lock = threading.Lock()


class _TimeoutSession(requests.Session):
    """A requests session that never waits forever (wechatpy's token fetch sets no timeout)."""

    def __init__(self, timeout):
        super().__init__()
        self.default_timeout = timeout

    def request(self, method, url, **kwargs):
        """Send with the default timeout unless one is given."""
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(method, url, **kwargs)


class ConfiguredWeChatClient(WeChatClient):
    """WeChatClient whose every call, including the token fetch, goes to WECHAT_API_BASE."""

    def __init__(self, appid, secret, api_base, session, timeout):
        super().__init__(appid, secret, session=session, timeout=timeout)
        self._http = _TimeoutSession(timeout)
        self.api_base = api_base.rstrip("/") + "/"
        self.API_BASE_URL = self.api_base + "cgi-bin/"
        self.wxa.API_BASE_URL = self.api_base

    def fetch_access_token(self):
        """Fetch the access token from the configured host (wechatpy hard-codes the real one)."""
        return self._fetch_access_token(
            url=self.api_base + "cgi-bin/token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )


def configured(app=None):
    """Whether WeChat credentials are set."""
    cfg = (app or current_app).config
    return bool(cfg.get("WECHAT_APPID") and cfg.get("WECHAT_SECRET"))


def _session_storage(app):
    """Where the access token lives: Redis when configured (shared by every worker), else this app's memory."""
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        import redis

        timeout = app.config.get("WECHAT_TIMEOUT", 5)
        return RedisStorage(redis.Redis.from_url(redis_url, socket_timeout=timeout, socket_connect_timeout=timeout),
                            prefix="mss:wechat")
    return MemoryStorage()


def get_client():
    """The app's wechatpy client; 503 when WeChat is not configured."""
    app = current_app._get_current_object()
    if not configured(app):
        raise ServiceUnavailable("微信服务未配置，暂时无法使用该功能", code="wechat_not_configured")
    with _lock:
        client = app.extensions.get("mss_wechat")
        if client is None:
            client = ConfiguredWeChatClient(
                app.config["WECHAT_APPID"], app.config["WECHAT_SECRET"], app.config["WECHAT_API_BASE"],
                _session_storage(app), app.config.get("WECHAT_TIMEOUT", 5),
            )
            app.extensions["mss_wechat"] = client
    return client


def call(fn, *args, **kwargs):
    """Run a wechatpy call, turning network failures into a 503 and returning WeChat errors as exceptions."""
    from redis.exceptions import RedisError

    try:
        return fn(*args, **kwargs)
    except requests.RequestException as err:
        log.warning("WeChat unreachable: %s", err)
        raise ServiceUnavailable("微信服务暂时无法连接，请稍后重试", code="wechat_unavailable") from None
    except RedisError as err:
        log.warning("WeChat access-token storage (Redis) unreachable: %s", err)
        raise ServiceUnavailable("微信服务暂时无法连接，请稍后重试", code="wechat_unavailable") from None
    except WeChatClientException as err:
        if err.errcode is None:
            log.warning("WeChat HTTP error: %s", err)
            raise ServiceUnavailable("微信服务暂时无法连接，请稍后重试", code="wechat_unavailable") from None
        raise
