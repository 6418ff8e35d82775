"""Upload API: POST /uploads (multipart `file`) and GET /uploads/{id}."""

from flask import Response, current_app, request

from app.core.api import ApiBlueprint
from app.core.ratelimit import hit_limits
from app.errors import BadRequest
from app.extensions import limiter
from app.files import schemas, service
from app.files.limits import account_key, address_limit

bp = ApiBlueprint("files", __name__, tag="附件上传")
upload_address_limit = limiter.limit(address_limit, scope="uploads_address")


@bp.op("/uploads", "POST", summary="上传附件（图片重新编码并去除 EXIF/GPS；PDF 按内容校验）",
       response=schemas.UploadSchema(), status=201, auth="optional", multipart=True,
       errors=(413, 415, 422, 429), limits=(upload_address_limit,))
def upload(user):
    """Store one file sent as multipart field `file`."""
    if user is not None:
        hit_limits(current_app.config.get("UPLOAD_LIMIT_ACCOUNT", "60 per hour;200 per day"), "uploads_account",
                   account_key(user))
    sent = request.files.get("file")
    if sent is None:
        raise BadRequest("请选择要上传的文件", code="file_missing", fields={"file": ["此项为必填项"]})
    limit = current_app.config.get("MAX_UPLOAD_BYTES", service.DEFAULT_MAX_BYTES)
    data = sent.stream.read(limit + 1)
    return service.create_upload(data, user=user)


@bp.op("/uploads/<upload_id>", summary="读取附件（上传者、有权查看相关反映的工作人员，或已公开内容的读者）",
       auth="optional", produces="application/octet-stream", errors=(404,))
def download(user, upload_id):
    """Serve the stored bytes to a reader who may see them."""
    upload, data, public = service.open_upload(upload_id, user)
    response = Response(data, mimetype=upload.mime)
    kind = "attachment" if upload.mime == "application/pdf" else "inline"
    ext = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}.get(upload.mime, "bin")
    response.headers["Content-Disposition"] = f'{kind}; filename="{upload.id}.{ext}"'
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "public, max-age=86400" if public else "private, no-store"
    response.headers["ETag"] = f'"{upload.sha256}"'
    return response
