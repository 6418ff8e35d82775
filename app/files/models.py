"""Uploaded files (images re-encoded without metadata, PDFs checked by signature)."""

import sqlalchemy as sa

from app.core.timeutil import UTCDateTime, utcnow
from app.extensions import db


class Upload(db.Model):
    """A sanitized uploaded file; stored on disk (or object storage) under its random id."""

    __tablename__ = "uploads"

    id = sa.Column(sa.String(32), primary_key=True)  # random hex, never a path
    sha256 = sa.Column(sa.String(64), nullable=False, index=True)
    mime = sa.Column(sa.String(40), nullable=False)
    size = sa.Column(sa.Integer, nullable=False)
    width = sa.Column(sa.Integer, nullable=True)
    height = sa.Column(sa.Integer, nullable=True)
    uploader_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
