"""QR codes, posters, batch exports, mini-program codes and scan counts."""

import hashlib

from flask import Response, request

from app.core.api import ApiBlueprint
from app.qr import batches, scans, schemas, service

bp = ApiBlueprint("qr", __name__, tag="二维码与海报")
PUBLIC_MAX_AGE = 86400


def _image(data, mimetype, cache_control, download_name=None):
    """An image response with a strong ETag of its bytes, answering 304 to a matching If-None-Match."""
    resp = Response(data, mimetype=mimetype)
    resp.headers["Cache-Control"] = cache_control
    if download_name:
        resp.headers["Content-Disposition"] = f"inline; filename*=UTF-8''{download_name}"
    resp.set_etag(hashlib.sha256(data).hexdigest()[:40])
    return resp.make_conditional(request)


@bp.op("/villages/<code>/qr.png", summary="村（社区）二维码（PNG）", query=schemas.QrQuery(), produces="image/png",
       errors=(404,))
def qr_png(code, args):
    """The village's QR code as a PNG of ?size= pixels (?poster= adds that poster's id to the link)."""
    data, _ = service.village_qr(code, "png", args["size"], args["poster"])
    return _image(data, "image/png", f"public, max-age={PUBLIC_MAX_AGE}")


@bp.op("/villages/<code>/qr.svg", summary="村（社区）二维码（SVG）", query=schemas.QrQuery(), produces="image/svg+xml",
       errors=(404,))
def qr_svg(code, args):
    """The village's QR code as SVG (1 mm per module)."""
    data, _ = service.village_qr(code, "svg", poster_id=args["poster"])
    return _image(data, "image/svg+xml", f"public, max-age={PUBLIC_MAX_AGE}")


@bp.op("/villages/<code>/poster.png", summary="可打印的村（社区）公开栏海报", query=schemas.PosterQuery(),
       produces="image/png", auth="required", errors=(403, 404, 422, 503))
def poster_png(user, code, args):
    """A printable poster from a qr_templates/ template (staff who may view posters of this village)."""
    data, _ = service.poster(user, code, args["template"], args["poster"])
    return _image(data, "image/png", "private, no-cache", f"poster-{code}-{args['template']}.png")


@bp.op("/villages/<code>/poster.pdf", summary="矢量 PDF 海报（文字可选中，二维码为矢量）", query=schemas.PosterQuery(),
       produces="application/pdf", auth="required", errors=(403, 404, 422, 503))
def poster_pdf(user, code, args):
    """The poster as a one-page vector PDF with the CJK font subset embedded (422 naming a character it lacks)."""
    data, _ = service.poster(user, code, args["template"], args["poster"], fmt="pdf")
    return _image(data, "application/pdf", "private, no-cache", f"poster-{code}-{args['template']}.pdf")


@bp.op("/villages/<code>/posters", "POST", summary="登记一张海报（扫码按海报计数）", body=schemas.PosterCreate(),
       response=schemas.PosterOut(), status=201, auth="required", errors=(403, 404, 422))
def register_poster(user, code, data):
    """Register a poster: its QR link carries ?s=<id>, so scans are counted per poster."""
    return service.register_poster(user, code, data["template"], data["label"])


@bp.op("/villages/<code>/posters", summary="村（社区）已登记的海报", response=schemas.PosterOut(many=True),
       auth="required", errors=(403, 404))
def list_posters(user, code):
    """The village's registered posters, newest first."""
    return service.list_posters(user, code)


@bp.op("/qr/templates", summary="海报模板列表", response=schemas.TemplateOut(many=True), auth="required",
       errors=(403,))
def templates(user):
    """The valid poster templates."""
    return service.templates(user)


@bp.op("/villages/<code>/wxacode.png", summary="村（社区）小程序码（微信生成，获取后缓存）", produces="image/png",
       errors=(404, 503))
def wxacode(code):
    """The mini-program code whose scene is the village code; 503 when WeChat is not configured or fails."""
    data, mime = service.wxacode(code)
    return _image(data, mime, f"public, max-age={PUBLIC_MAX_AGE}")


@bp.op("/qr/batches", "POST", summary="批量导出海报（后台任务）", body=schemas.BatchCreate(),
       response=schemas.BatchOut(), status=202, auth="required", errors=(403, 404, 422))
def create_batch(user, data):
    """Start a batch export for a township or a list of villages."""
    return batches.batch_view(batches.create_batch(user, data))


@bp.op("/qr/batches", summary="批量导出记录（最新在前）", query=schemas.BatchesQuery(), response=schemas.BatchOut(),
       paginated=True, auth="required", errors=(403,))
def list_batches(user, args):
    """Past batches the caller may see, with township, template, format, count, who, when, state, until when."""
    return batches.list_batches(user, args["limit"], args["cursor"])


@bp.op("/qr/batches/<int:batch_id>", summary="批量导出任务的进度", response=schemas.BatchOut(), auth="required",
       errors=(403, 404))
def get_batch(user, batch_id):
    """A batch's status and done/total."""
    return batches.batch_view(batches.get_batch(user, batch_id))


@bp.op("/qr/batches/<int:batch_id>/download", summary="下载批量导出的海报（压缩包或 PDF）", produces="application/zip",
       auth="required", errors=(403, 404, 409))
def download_batch(user, batch_id):
    """The zip (or the township's PDF) of a finished batch (409 while it is being made)."""
    return batches.download(user, batch_id)


@bp.op("/admin/scans", summary="扫码次数统计（按村、海报和日期）", query=schemas.ScansQuery(),
       response=schemas.ScansOut(), auth="required", errors=(403, 404))
def scan_counts(user, args):
    """Scan counts within the caller's scope, optionally for one township, over [from, to]."""
    return scans.scan_counts(user, args["township"], args["date_from"], args["date_to"])
