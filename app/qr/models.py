"""Registered posters, batch exports, cached mini-program codes and per-day scan counters."""

import sqlalchemy as sa

from app.core.timeutil import UTCDateTime, utcnow
from app.extensions import db

BATCH_STATES = ("queued", "running", "done", "failed")


class Poster(db.Model):
    """A printed poster of a village: its id goes into the QR link (`?s=<id>`) so scans count per poster."""

    __tablename__ = "qr_posters"

    id = sa.Column(sa.Integer, primary_key=True)
    village_code = sa.Column(sa.String(12), sa.ForeignKey("regions.code"), nullable=False, index=True)
    template = sa.Column(sa.String(64), nullable=False)
    label = sa.Column(sa.String(100), nullable=False, default="")
    batch_id = sa.Column(sa.Integer, sa.ForeignKey("qr_batches.id"), nullable=True, index=True)
    created_by = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)


class QrBatch(db.Model):
    """A batch export of posters into one zip; progress and outcome are persisted for polling."""

    __tablename__ = "qr_batches"

    id = sa.Column(sa.Integer, primary_key=True)
    status = sa.Column(sa.String(10), nullable=False, default="queued")
    template = sa.Column(sa.String(64), nullable=False)
    format = sa.Column(sa.String(12), nullable=False)  # png | pdf | pdf_village
    scope_code = sa.Column(sa.String(12), nullable=True)  # the township asked for, if any
    village_codes = sa.Column(sa.JSON, nullable=False)
    done = sa.Column(sa.Integer, nullable=False, default=0)
    total = sa.Column(sa.Integer, nullable=False, default=0)
    error_code = sa.Column(sa.String(40), nullable=True)
    error_message = sa.Column(sa.String(500), nullable=True)
    file_path = sa.Column(sa.String(500), nullable=True)  # set only once the zip is complete
    file_bytes = sa.Column(sa.BigInteger, nullable=True)
    job_id = sa.Column(sa.String(64), nullable=True)
    created_by = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True, index=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    started_at = sa.Column(UTCDateTime, nullable=True)
    finished_at = sa.Column(UTCDateTime, nullable=True)


class WxaCode(db.Model):
    """A mini-program code fetched from WeChat once per village (scene = village code) and kept."""

    __tablename__ = "qr_wxacodes"

    village_code = sa.Column(sa.String(12), sa.ForeignKey("regions.code"), primary_key=True)
    page = sa.Column(sa.String(200), nullable=False, default="")
    image = sa.Column(sa.LargeBinary, nullable=False)
    mime = sa.Column(sa.String(20), nullable=False)
    fetched_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)


class ScanCount(db.Model):
    """How often a village's code was scanned on a China-time day; poster_id 0 = no registered poster.

    Nothing about who scanned is kept: no address, no openid, no time of day.
    """

    __tablename__ = "qr_scan_counts"

    village_code = sa.Column(sa.String(12), sa.ForeignKey("regions.code"), primary_key=True)
    poster_id = sa.Column(sa.Integer, primary_key=True, default=0, autoincrement=False)
    day = sa.Column(sa.Date, primary_key=True)
    count = sa.Column(sa.Integer, nullable=False, default=0)

    __table_args__ = (sa.Index("ix_qr_scan_counts_day", "day"),)
