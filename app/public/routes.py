"""The H5 pages a QR code opens: /v/<code>, /v/<code>/d/<id>, /v/<code>/report, /v/track (POST), WeChat's check file."""

import re
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, request

from app.errors import NotFound
from app.public import helpers, track_views, views

bp = Blueprint("public", __name__)
bp.record_once(helpers.register_filters)
VERIFY_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$")


def _from_our_pages():
    """Whether the request follows a link on our own pages (not a scan): a same-host Referer."""
    referrer = request.referrer
    return bool(referrer) and urlsplit(referrer).netloc == request.host


@bp.route("/v/track", methods=["GET", "POST"])
def track():
    """Look up a report's progress by receipt code, sent in the form body (POST), never in the URL."""
    return track_views.lookup() if request.method == "POST" else track_views.blank()


@bp.route("/v/track/messages", methods=["POST"])
def track_messages():
    """The reporter adds 补充情况 by receipt code."""
    return track_views.write_back()


@bp.route("/v/track/dispute", methods=["POST"])
def track_dispute():
    """The reporter disputes a conclusion (异议) by receipt code."""
    return track_views.dispute()


@bp.route("/v/<code>")
def village(code):
    """The village page; a scan (a `?s=` poster link, or an arrival from outside) is counted."""
    from app.core.response_cache import cached_public
    from app.qr.scans import record_scan

    try:  # one cache entry per village whatever the ?s= poster id: the scan itself is still counted below
        response = cached_public(f"h5:{request.path}", lambda: views.village_page(code))
    except NotFound:
        return helpers.not_found("未找到该村（社区），请核对二维码或链接是否完整。")
    if request.method == "GET" and (request.args.get("s") or not _from_our_pages()):
        record_scan(code, request.args.get("s"))
    return response


@bp.route("/v/<code>/d/<int:disclosure_id>")
def disclosure(code, disclosure_id):
    """One published disclosure; ?v=<n> shows an older published version."""
    version = request.args.get("v", type=int)
    from app.core.response_cache import cached_public

    try:
        return cached_public(f"h5:{request.full_path}", lambda: views.disclosure_page(code, disclosure_id, version))
    except NotFound:
        return helpers.not_found("未找到该公开事项，可能链接有误或尚未发布。")


@bp.route("/v/<code>/report")
def report(code):
    """The report form; ?d=<disclosure id> (&item=<power item no>) asks about that disclosure."""
    try:
        return views.report_page(code, request.args.get("d", type=int), request.args.get("item", type=int))
    except NotFound:
        return helpers.not_found("未找到该村（社区），请核对二维码或链接是否完整。")


def _verification_file():
    return Response(current_app.config.get("WECHAT_VERIFY_FILE_CONTENT") or "", mimetype="text/plain",
                    headers={"Cache-Control": "public, max-age=3600"})


def _add_verification_route(state):
    """Serve WECHAT_VERIFY_FILE_NAME at the site root with WECHAT_VERIFY_FILE_CONTENT, when both are set."""
    name = (state.app.config.get("WECHAT_VERIFY_FILE_NAME") or "").strip().lstrip("/")
    if not name or not state.app.config.get("WECHAT_VERIFY_FILE_CONTENT"):
        return
    if not VERIFY_NAME.match(name) or ".." in name:
        raise RuntimeError(f"WECHAT_VERIFY_FILE_NAME is not a plain file name: {name!r}")
    state.app.add_url_rule(f"/{name}", "public.wechat_verify_file", _verification_file)


bp.record_once(_add_verification_route)
