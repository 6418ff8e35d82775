"""The public read path's cache: serialized JSON keyed by the village's ledger head, with ETag/304.

A publication or withdrawal moves the head, which changes every key and ETag of that village: nothing has to be
deleted. Redis (REDIS_URL, db from the URL) when configured, so every gunicorn worker shares it; otherwise an
in-process LRU. A Redis failure degrades to computing the answer, never to an error.
"""

import hashlib
import json
import logging
import threading
from collections import OrderedDict

from flask import Response, current_app, request

log = logging.getLogger(__name__)
CACHE_VERSION = "1"  # bump when the public output's shape changes
PUBLIC_MAX_AGE = 60
LRU_SIZE = 512
REDIS_TTL_SECONDS = 3600


class LruCache:
    """A small thread-safe in-process LRU of bytes."""

    def __init__(self, size=LRU_SIZE):
        self.size = size
        self.items = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        """The cached bytes, or None."""
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def set(self, key, value):
        """Store bytes, evicting the least recently used beyond `size`."""
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


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
            log.warning("disclosure cache get failed: %s", err)
            return None

    def set(self, key, value):
        """Store bytes for REDIS_TTL_SECONDS (best effort)."""
        from redis.exceptions import RedisError

        try:
            self.client.set(key, value, ex=REDIS_TTL_SECONDS)
        except RedisError as err:
            log.warning("disclosure cache set failed: %s", err)


def get_cache(app=None):
    """The app's public-read cache (Redis when REDIS_URL is set, else an in-process LRU)."""
    app = app or current_app
    cache = app.extensions.get("mss_disclosure_cache")
    if cache is None:
        url = app.config.get("DISCLOSURE_CACHE_REDIS_URL") or app.config.get("REDIS_URL")
        cache = RedisCache(url) if url else LruCache()
        app.extensions["mss_disclosure_cache"] = cache
    return cache


def village_of(disclosure_id):
    """The village of a disclosure (never changes, so remembered in-process), or None."""
    import sqlalchemy as sa

    from app.disclosures.models import Disclosure
    from app.extensions import db

    memo = current_app.extensions.setdefault("mss_disclosure_villages", LruCache(4096))
    code = memo.get(disclosure_id)
    if code is None:
        code = db.session.scalar(sa.select(Disclosure.village_code).where(Disclosure.id == disclosure_id))
        if code is not None:
            memo.set(disclosure_id, code)
    return code


def etag_for(village_code, head, parts):
    """A strong ETag from the village's ledger head and what was asked."""
    raw = json.dumps([CACHE_VERSION, village_code, head, list(parts)], ensure_ascii=False, default=str)
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:40] + '"'


def _headers(etag):
    return {"ETag": etag, "Cache-Control": f"public, max-age={PUBLIC_MAX_AGE}", "Vary": "Accept-Encoding"}


def public_json(village_code, head, parts, build):
    """Answer a public GET: 304 when If-None-Match has the ETag, else the cached or freshly built JSON."""
    etag = etag_for(village_code, head, parts)
    if request.if_none_match.contains_weak(etag.strip('"')):
        return Response(status=304, headers=_headers(etag))
    cache = get_cache()
    key = f"mss:disclosures:{village_code}:{etag.strip(chr(34))}"
    body = cache.get(key)
    if body is None:
        body = current_app.json.dumps(build()).encode("utf-8")
        cache.set(key, body)
    return Response(body, status=200, mimetype="application/json", headers=_headers(etag))
