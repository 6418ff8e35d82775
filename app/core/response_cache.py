"""A short per-process cache of whole anonymous public responses, so a scan burst costs almost nothing.

A village meeting scans the same few pages at once. For PUBLIC_CACHE_SECONDS (default 5; 0 switches it off, as the
test config does) each worker answers an anonymous GET of a cached route from memory: 304 when the client already
has it, the stored body otherwise. A change (a publication, a new roster) reaches every worker within that time.
"""

import threading
import time
from typing import NamedTuple

from flask import Response, current_app, request

MAX_ENTRIES = 4096
KEPT_HEADERS = ("Cache-Control", "Vary")


class _Entry(NamedTuple):
    expires: float
    body: bytes | None  # None: only the ETag is known (the miss that filled it was a 304)
    mimetype: str | None
    etag: str | None
    headers: dict


def _store():
    ext = current_app.extensions
    if "mss_response_cache" not in ext:
        ext["mss_response_cache"] = ({}, threading.Lock())
    return ext["mss_response_cache"]


def _ttl():
    return float(current_app.config.get("PUBLIC_CACHE_SECONDS") or 0)


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
    ttl = _ttl()
    if ttl <= 0 or request.method != "GET" or "Authorization" in request.headers:
        return build()
    items, lock = _store()
    now = time.monotonic()
    entry = items.get(key)
    if entry is not None and entry.expires > now:
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
    with lock:
        if len(items) >= MAX_ENTRIES:
            items.clear()
        items[key] = _Entry(now + ttl, body, response.mimetype, etag, headers)
    if response.status_code == 200 and etag and request.if_none_match.contains(etag):
        return _answer(items[key])
    return response
