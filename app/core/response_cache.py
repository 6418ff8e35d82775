"""The public caches, one mechanism: bytes in a thread-safe cachetools LRU/TTL in process, or in Redis.

Two uses. (1) `cached_public`: for PUBLIC_CACHE_SECONDS (default 5; 0 switches it off, as the test config does)
each worker answers an anonymous GET of a cached route from memory, before any parsing or database work: 304 when
the client already has it, the stored body otherwise. A village meeting scans the same few pages at once; a change
(a publication, a new roster) reaches every worker within that time. (2) `etag_response`: a body keyed by an ETag
that the caller derives from what the answer depends on (the village's ledger head), so a change moves the key and
nothing has to be deleted; stored in Redis (DISCLOSURE_CACHE_REDIS_URL or REDIS_URL) so every worker shares it, else
in process. A Redis failure degrades to computing the answer, never to an error.
"""

import logging
import threading
import time
from typing import NamedTuple

from cachetools import LRUCache, TTLCache
from flask import Response, current_app, request

log = logging.getLogger(__name__)
MAX_ENTRIES = 4096  # cached_public, per worker
SHARED_SIZE = 512  # the in-process stand-in for Redis
REDIS_TTL_SECONDS = 3600
KEPT_HEADERS = ("Cache-Control", "Vary")


class MemoryCache:
    """A thread-safe in-process cache: least recently used out beyond `size`, and after `ttl` seconds if given."""

    def __init__(self, size, ttl=None):
        self.ttl = ttl
        self.items = TTLCache(size, ttl, timer=time.monotonic) if ttl else LRUCache(size)
        self.lock = threading.Lock()

    def get(self, key):
        """The cached value, or None."""
        with self.lock:
            return self.items.get(key)

    def set(self, key, value):
        """Store a value (evicting the least recently used when full)."""
        with self.lock:
            self.items[key] = value


class RedisCache:
    """Bytes in Redis with a TTL; errors are logged and treated as misses."""

    def __init__(self, url):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def get(self, key):
        """The cached bytes, or None (also when Redis is unreachable)."""
        from redis.exceptions import RedisError

        try:
            return self.client.get(key)
        except RedisError as err:
            log.warning("public cache get failed: %s", err)
            return None

    def set(self, key, value):
        """Store bytes for REDIS_TTL_SECONDS (best effort)."""
        from redis.exceptions import RedisError

        try:
            self.client.set(key, value, ex=REDIS_TTL_SECONDS)
        except RedisError as err:
            log.warning("public cache set failed: %s", err)


def get_cache(app=None):
    """The app's shared cache of public bodies (Redis when configured, else an in-process LRU)."""
    app = app or current_app
    cache = app.extensions.get("mss_disclosure_cache")
    if cache is None:
        url = app.config.get("DISCLOSURE_CACHE_REDIS_URL") or app.config.get("REDIS_URL")
        cache = RedisCache(url) if url else MemoryCache(SHARED_SIZE)
        app.extensions["mss_disclosure_cache"] = cache
    return cache


def memo(name, size):
    """A per-app in-process MemoryCache by name, for values that never change (created on first use)."""
    return current_app.extensions.setdefault(name, MemoryCache(size))


def etag_response(key, etag, headers, build, mimetype):
    """304 when If-None-Match has the (unquoted) ETag; else the body from the shared cache under key, or build()
    (bytes) now and stored."""
    if request.if_none_match.contains_weak(etag):
        resp = Response(status=304, headers=headers)
    else:
        cache = get_cache()
        body = cache.get(key)
        if body is None:
            body = build()
            cache.set(key, body)
        resp = Response(body, status=200, mimetype=mimetype, headers=headers)
    resp.set_etag(etag)
    return resp


class _Entry(NamedTuple):
    body: bytes | None  # None: only the ETag is known (the miss that filled it was a 304)
    mimetype: str | None
    etag: str | None
    headers: dict


def _responses(ttl):
    cache = current_app.extensions.get("mss_response_cache")
    if cache is None or cache.ttl != ttl:
        cache = current_app.extensions["mss_response_cache"] = MemoryCache(MAX_ENTRIES, ttl)
    return cache


def _answer(entry):
    if entry.etag and request.if_none_match.contains(entry.etag):
        resp = Response(status=304, headers=entry.headers)
        resp.set_etag(entry.etag)
        return resp
    if entry.body is None:
        return None
    resp = Response(entry.body, mimetype=entry.mimetype, headers=entry.headers)
    if entry.etag:
        resp.set_etag(entry.etag)
    return resp


def cached_public(key, build):
    """Answer an anonymous GET from the per-process cache (PUBLIC_CACHE_SECONDS); build() the response on a miss."""
    ttl = float(current_app.config.get("PUBLIC_CACHE_SECONDS") or 0)
    if ttl <= 0 or request.method != "GET" or "Authorization" in request.headers:
        return build()
    cache = _responses(ttl)
    entry = cache.get(key)
    if entry is not None:
        answer = _answer(entry)
        if answer is not None:
            return answer
    response = current_app.make_response(build())
    if response.status_code not in (200, 304):
        return response
    if response.status_code == 200 and not response.get_etag()[0]:
        response.add_etag()
    etag = response.get_etag()[0]
    body = response.get_data() if response.status_code == 200 else None
    headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
    entry = _Entry(body, response.mimetype, etag, headers)
    cache.set(key, entry)
    if response.status_code == 200 and etag and request.if_none_match.contains(etag):
        return _answer(entry)
    return response
