"""Attachments of affairs and party disclosures: upload ids checked against app.files' Upload rows."""

import sqlalchemy as sa
from flask import current_app

from app.errors import ValidationFailed
from app.extensions import db
from app.files.models import Upload

ALLOWED_MIME = ("image/jpeg", "image/png", "image/webp", "application/pdf")
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def max_bytes():
    """The largest attachment accepted (DISCLOSURE_ATTACHMENT_MAX_BYTES, default 10 MB)."""
    return int(current_app.config.get("DISCLOSURE_ATTACHMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)


def attachment_info(ids):
    """{upload_id: {"id", "mime", "size"}} for the uploads that exist."""
    if not ids:
        return {}
    rows = db.session.execute(sa.select(Upload.id, Upload.mime, Upload.size).where(Upload.id.in_(list(ids))))
    return {row.id: {"id": row.id, "mime": row.mime, "size": row.size} for row in rows}


def check_attachments(ids):
    """Refuse attachment ids that are unknown, not an image or PDF (by the type decided at upload), or too large."""
    known = attachment_info(ids)
    limit = max_bytes()
    errors = {}
    for index, upload_id in enumerate(ids):
        info = known.get(upload_id)
        if info is None:
            errors[f"attachment_ids.{index}"] = ["附件不存在，请重新上传"]
        elif info["mime"] not in ALLOWED_MIME:
            errors[f"attachment_ids.{index}"] = ["附件只能是图片（JPG、PNG、WebP）或 PDF 文件"]
        elif info["size"] > limit:
            errors[f"attachment_ids.{index}"] = [f"附件不能超过 {limit // (1024 * 1024)} MB"]
    if errors:
        raise ValidationFailed(fields=errors)
    return known
