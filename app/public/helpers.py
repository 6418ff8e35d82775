"""Jinja filters, the page cache (keyed by the village's ledger head) and the friendly 404 of the H5 pages."""

import hashlib
import json

from flask import Response, current_app, render_template

from app.core.timeutil import to_cst

PAGE_VERSION = "1"  # bump when templates change in a way cached pages must not outlive
TOPICS = ("领导干部廉洁自律", "党务政务村务公开", "选人用人", "强农惠农政策落实", "村级债务", "土地纠纷", "工程质量",
          "农资价格", "作风问题", "其他")
REPORT_KINDS = (("suggestion", "意见建议"), ("question", "咨询提问"), ("help", "有事随时约（求助）"),
                ("tipoff", "检举控告"))


def cst(value, fmt="%Y-%m-%d %H:%M"):
    """An aware datetime (or ISO string) shown in China time."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        from datetime import datetime

        value = datetime.fromisoformat(value)
    if not hasattr(value, "tzinfo"):
        return value.strftime(fmt)
    return to_cst(value).strftime(fmt)


def short_hash(value, length=12):
    """The first characters of a hash, for display next to the full value."""
    return (value or "")[:length]


def register_filters(state):
    """Blueprint record hook: add the page filters to the app's Jinja environment."""
    env = state.app.jinja_env
    env.filters.setdefault("cst", cst)
    env.filters.setdefault("short_hash", short_hash)


def etag_of(*parts):
    """A strong ETag of the page version and what the page depends on."""
    raw = json.dumps([PAGE_VERSION, *parts], ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:40]


def cached_page(etag, cache_control, build):
    """304 when If-None-Match matches; else the HTML from the shared cache (or built now and cached)."""
    from app.core.response_cache import etag_response

    headers = {"Cache-Control": cache_control, "Vary": "Accept-Encoding"}
    return etag_response(f"mss:h5:{etag}", etag, headers, lambda: build().encode("utf-8"), "text/html")


def not_found(message):
    """The friendly Chinese 404 page."""
    html = render_template("public/not_found.html", message=message,
                           base_url=current_app.config.get("PUBLIC_BASE_URL", ""))
    return Response(html, status=404, mimetype="text/html", headers={"Cache-Control": "no-store"})
