"""Uploads: sanitize, store and record a file; serve it only to whoever may see it."""

import logging
import secrets

from flask import current_app

from app.errors import NotFound
from app.extensions import db
from app.files import storage
from app.files.models import Upload
from app.files.sanitize import sanitize_upload
from app.security.service import audit

log = logging.getLogger(__name__)
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000


def create_upload(data, *, user=None):
    """Sanitize the bytes (type by content, metadata stripped), store them and record an Upload row."""
    cfg = current_app.config
    clean = sanitize_upload(data, "", cfg.get("MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES),
                            cfg.get("MAX_UPLOAD_PIXELS", DEFAULT_MAX_PIXELS))
    upload = Upload(id=secrets.token_hex(16), sha256=clean.sha256, mime=clean.mime, size=clean.size,
                    width=clean.width, height=clean.height, uploader_id=user.id if user is not None else None)
    storage.save(upload.id, clean.data)
    try:
        db.session.add(upload)
        db.session.commit()
    except Exception:
        db.session.rollback()
        storage.remove(upload.id)
        raise
    return upload


def _public(upload_id):
    """Whether a published thing (a disclosure) uses the upload: then anyone may read it."""
    return any(check(upload_id) for check in current_app.extensions.get("mss_public_upload_checks", []))


def _granted(upload_id, user):
    """Whether another domain (reports: staff who may see the report) lets this user read the upload."""
    return user is not None and any(
        check(upload_id, user) for check in current_app.extensions.get("mss_upload_access_checks", []))


def open_upload(upload_id, user):
    """(upload, bytes, public) for a reader who may see it; 404 for everyone else, so existence is not revealed."""
    upload = db.session.get(Upload, upload_id) if isinstance(upload_id, str) and len(upload_id) == 32 else None
    if upload is None:
        raise NotFound("未找到该文件", code="upload_not_found")
    own = user is not None and upload.uploader_id == user.id
    public = not own and _public(upload.id)
    if not (own or public):
        if not _granted(upload.id, user):
            raise NotFound("未找到该文件", code="upload_not_found")
        audit("upload.view", user, "upload", upload.id)
        db.session.commit()
    data = storage.load(upload.id)
    if data is None:
        log.error("upload %s has a row but no stored file", upload.id)
        raise NotFound("文件已丢失，请联系管理员", code="upload_missing")
    return upload, data, public
