"""The public read path's cache: serialized JSON keyed by the village's ledger head, with ETag/304.

A publication or withdrawal moves the head, which changes every key and ETag of that village: nothing has to be
deleted. The store is the app's shared public cache (app/core/response_cache.py: Redis when configured, so every
gunicorn worker shares it; otherwise an in-process LRU).
"""

import hashlib
import json

from flask import current_app

from app.core.response_cache import etag_response, memo

CACHE_VERSION = "1"  # bump when the public output's shape changes
PUBLIC_MAX_AGE = 60


def village_of(disclosure_id):
    """The village of a disclosure (never changes, so remembered in-process), or None."""
    import sqlalchemy as sa

    from app.disclosures.models import Disclosure
    from app.extensions import db

    villages = memo("mss_disclosure_villages", 4096)
    code = villages.get(disclosure_id)
    if code is None:
        code = db.session.scalar(sa.select(Disclosure.village_code).where(Disclosure.id == disclosure_id))
        if code is not None:
            villages.set(disclosure_id, code)
    return code


def etag_for(village_code, head, parts):
    """A strong ETag from the village's ledger head and what was asked."""
    raw = json.dumps([CACHE_VERSION, village_code, head, list(parts)], ensure_ascii=False, default=str)
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:40] + '"'


def public_json(village_code, head, parts, build):
    """Answer a public GET: 304 when If-None-Match has the ETag, else the cached or freshly built JSON."""
    etag = etag_for(village_code, head, parts).strip('"')
    headers = {"Cache-Control": f"public, max-age={PUBLIC_MAX_AGE}", "Vary": "Accept-Encoding"}
    return etag_response(f"mss:disclosures:{village_code}:{etag}", etag, headers,
                         lambda: current_app.json.dumps(build()).encode("utf-8"), "application/json")
