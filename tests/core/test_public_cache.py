"""The one public cache mechanism: a thread-safe cachetools LRU/TTL in process, and the ETag'd shared bodies."""

import time

from flask import Flask

from app.core.response_cache import MemoryCache, etag_response, get_cache, memo


def test_memory_cache_keeps_the_most_recently_used():
    cache = MemoryCache(2)
    cache.set("a", b"1")
    cache.set("b", b"2")
    assert cache.get("a") == b"1"  # a is now the most recently used
    cache.set("c", b"3")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (b"1", None, b"3")


def test_memory_cache_forgets_after_its_ttl():
    cache = MemoryCache(10, ttl=0.05)
    cache.set("a", b"1")
    assert cache.get("a") == b"1"
    time.sleep(0.08)
    assert cache.get("a") is None


def _plain_app():
    app = Flask(__name__)
    app.config["DISCLOSURE_CACHE_REDIS_URL"] = None
    return app


def test_etag_response_builds_once_then_answers_304_to_the_etag():
    app, built = _plain_app(), []

    def build():
        built.append(1)
        return b'{"ok": true}'

    headers = {"Cache-Control": "public, max-age=60", "Vary": "Accept-Encoding"}
    with app.test_request_context("/x"):
        first = etag_response("k1", "abc", headers, build, "application/json")
        assert isinstance(get_cache(), MemoryCache) and get_cache() is get_cache(app)
    with app.test_request_context("/x"):
        again = etag_response("k1", "abc", headers, build, "application/json")
    with app.test_request_context("/x", headers={"If-None-Match": '"abc"'}):
        fresh = etag_response("k1", "abc", headers, build, "application/json")
    with app.test_request_context("/x", headers={"If-None-Match": 'W/"abc"'}):
        weak = etag_response("k1", "abc", headers, build, "application/json")
    assert first.status_code == again.status_code == 200 and again.get_data() == b'{"ok": true}'
    assert first.headers["ETag"] == '"abc"' and first.headers["Cache-Control"] == "public, max-age=60"
    assert first.mimetype == "application/json"
    assert (fresh.status_code, fresh.get_data(), fresh.headers["ETag"]) == (304, b"", '"abc"')
    assert weak.status_code == 304
    assert len(built) == 1  # the second 200 came from the cache


def test_memo_is_one_cache_per_app_and_name():
    app = _plain_app()
    with app.app_context():
        memo("m", 4).set(1, "420323103211")
        assert memo("m", 4).get(1) == "420323103211" and memo("other", 4).get(1) is None
    with _plain_app().app_context():
        assert memo("m", 4).get(1) is None
