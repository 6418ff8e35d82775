"""Our own small WeChat client over requests: configurable host, one timeout, access token in Redis or memory.

Five calls are made (token, code2session, wxacode, subscribe message, msgSecCheck); docs/dependencies.md says
why this replaced wechatpy.
"""

import json
import logging
import threading
import time

import requests
from flask import current_app

from app.errors import ServiceUnavailable

log = logging.getLogger(__name__)
_lock = threading.Lock()

# errcodes meaning "this access token is no good": fetch a new one and retry the call once
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
REFRESH_MARGIN_SECONDS = 60  # a token is renewed this long before WeChat says it expires


class WeChatError(Exception):
    """WeChat answered with a non-zero errcode (errcode and errmsg kept)."""

    def __init__(self, errcode, errmsg=""):
        super().__init__(f"{errcode} {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


def _unavailable():
    return ServiceUnavailable("微信服务暂时无法连接，请稍后重试", code="wechat_unavailable")


class MemoryTokenStore:
    """This process's access token (one worker: fine for development and a single process)."""

    def __init__(self):
        self._value = None

    def get(self, key):
        """The stored token, or None once expired."""
        if self._value and self._value[0] == key and self._value[2] > time.monotonic():
            return self._value[1]
        return None

    def set(self, key, token, ttl):
        """Keep a token for ttl seconds."""
        self._value = (key, token, time.monotonic() + ttl)


class RedisTokenStore:
    """The access token in Redis, shared by every gunicorn worker (key prefix `mss:wechat:`)."""

    def __init__(self, url, timeout):
        import redis

        self.redis = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)

    def get(self, key):
        """The stored token, or None."""
        raw = self.redis.get(f"mss:wechat:{key}")
        return json.loads(raw) if raw else None

    def set(self, key, token, ttl):
        """Keep a token for ttl seconds (Redis expires it)."""
        self.redis.set(f"mss:wechat:{key}", json.dumps(token), ex=max(1, int(ttl)))


class WeChatClient:
    """The five WeChat server calls we use, against `api_base` (WECHAT_API_BASE)."""

    def __init__(self, appid, secret, api_base, store, timeout):
        self.appid, self.secret = appid, secret
        self.api_base = api_base.rstrip("/") + "/"
        self.store = store
        self.timeout = timeout
        self.http = requests.Session()
        self._token_lock = threading.Lock()

    @property
    def token_key(self):
        """The token's storage key (the same name wechatpy used, so a rolling upgrade shares the token)."""
        return f"{self.appid}_access_token"

    def _request(self, method, path, params=None, body=None):
        """One HTTP exchange; network failures and HTTP errors are 503 wechat_unavailable."""
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"} if data is not None else None
        try:
            res = self.http.request(method, self.api_base + path, params=params, data=data, headers=headers,
                                    timeout=self.timeout)
            res.raise_for_status()
        except requests.RequestException as err:
            log.warning("WeChat unreachable or HTTP error on %s: %s", path, err)
            raise _unavailable() from None
        return res

    @staticmethod
    def _result(res):
        """The JSON answer; a non-zero errcode raises WeChatError, a body that is not JSON is a 503."""
        try:
            result = res.json()
        except ValueError:
            log.warning("WeChat answered something other than JSON (%s)", res.headers.get("Content-Type"))
            raise _unavailable() from None
        if not isinstance(result, dict):
            raise _unavailable()
        errcode = int(result.get("errcode") or 0)
        if errcode:
            raise WeChatError(errcode, result.get("errmsg", ""))
        return result

    def access_token(self, refresh=False):
        """A valid access token: from the store, else fetched from cgi-bin/token (once per process at a time)."""
        from redis.exceptions import RedisError

        try:
            token = None if refresh else self.store.get(self.token_key)
            if token:
                return token
            with self._token_lock:
                token = None if refresh else self.store.get(self.token_key)
                if token:
                    return token
                result = self._result(self._request("GET", "cgi-bin/token", params={
                    "grant_type": "client_credential", "appid": self.appid, "secret": self.secret}))
                ttl = int(result.get("expires_in") or 7200)
                self.store.set(self.token_key, result["access_token"], max(1, ttl - REFRESH_MARGIN_SECONDS))
                return result["access_token"]
        except RedisError as err:
            log.warning("WeChat access-token storage (Redis) unreachable: %s", err)
            raise _unavailable() from None

    def _authorised(self, method, path, body=None, params=None):
        """A call carrying the access token; an invalid or expired token is replaced and the call retried once."""
        for attempt in (1, 2):
            query = {**(params or {}), "access_token": self.access_token(refresh=attempt == 2)}
            res = self._request(method, path, params=query, body=body)
            if not res.content.lstrip().startswith(b"{"):
                return res  # an image
            try:
                self._result(res)
            except WeChatError as err:
                if err.errcode not in TOKEN_ERRCODES or attempt == 2:
                    raise
                log.info("WeChat access token refused (%s): fetching a new one", err.errcode)
                continue
            return res
        return None  # not reached: the second attempt returns or raises

    def code_to_session(self, js_code):
        """sns/jscode2session: {openid, session_key, unionid?} (needs no access token)."""
        return self._result(self._request("GET", "sns/jscode2session", params={
            "appid": self.appid, "secret": self.secret, "js_code": js_code, "grant_type": "authorization_code"}))

    def wxacode_unlimited(self, scene, page=None, width=430):
        """wxa/getwxacodeunlimit: the image's bytes (or the JSON answer's errcode as WeChatError)."""
        body = {"scene": scene, "width": width, **({"page": page} if page else {})}
        return self._authorised("POST", "wxa/getwxacodeunlimit", body=body).content

    def send_subscribe_message(self, openid, template_id, data, page=None):
        """cgi-bin/message/subscribe/send: the JSON answer."""
        body = {"touser": openid, "template_id": template_id, "data": data, **({"page": page} if page else {})}
        return self._result(self._authorised("POST", "cgi-bin/message/subscribe/send", body=body))

    def msg_sec_check(self, payload):
        """wxa/msg_sec_check (version 2): the JSON answer."""
        return self._result(self._authorised("POST", "wxa/msg_sec_check", body=payload))


def configured(app=None):
    """Whether WeChat credentials are set."""
    cfg = (app or current_app).config
    return bool(cfg.get("WECHAT_APPID") and cfg.get("WECHAT_SECRET"))


def _token_store(app):
    """Where the access token lives: Redis when configured (shared by every worker), else this app's memory."""
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        return RedisTokenStore(redis_url, app.config.get("WECHAT_TIMEOUT", 5))
    return MemoryTokenStore()


def get_client():
    """The app's WeChat client; 503 when WeChat is not configured."""
    app = current_app._get_current_object()
    if not configured(app):
        raise ServiceUnavailable("微信服务未配置，暂时无法使用该功能", code="wechat_not_configured")
    with _lock:
        client = app.extensions.get("mss_wechat")
        if client is None:
            client = WeChatClient(app.config["WECHAT_APPID"], app.config["WECHAT_SECRET"],
                                  app.config["WECHAT_API_BASE"], _token_store(app),
                                  app.config.get("WECHAT_TIMEOUT", 5))
            app.extensions["mss_wechat"] = client
    return client
