"""Scan counts per village, poster and China-time day: an upsert of a counter, nothing about who scanned."""

import atexit
import logging
import threading
import time
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from app.core.permissions import narrow_scopes, region_scopes, scope_filter
from app.core.timeutil import today_cst
from app.errors import BadRequest, Forbidden, Unauthorized
from app.extensions import db
from app.qr.models import Poster, ScanCount
from app.regions.models import Region
from app.regions.service import get_region

log = logging.getLogger(__name__)
DEFAULT_DAYS = 30
MAX_DAYS = 366


def poster_key(village_code, raw):
    """The poster id a `?s=` value names when it is a poster of this village, else 0 (no poster)."""
    text = str(raw or "").strip()
    if not text.isdigit() or len(text) > 9:
        return 0
    poster = db.session.get(Poster, int(text))
    return poster.id if poster is not None and poster.village_code == village_code else 0


def record_scan(village_code, raw_poster=None):
    """Count one scan. With SCAN_FLUSH_SECONDS > 0 scans gather in this worker's memory and are written together
    (at most that many seconds, or SCAN_FLUSH_MAX scans, later; at exit too); 0 writes each scan at once."""
    seconds = float(current_app.config.get("SCAN_FLUSH_SECONDS") or 0)
    raw = str(raw_poster or "").strip()[:9]
    if seconds <= 0:
        return _write({(village_code, raw, today_cst()): 1})
    counts, lock, state = _buffer()
    with lock:
        counts[(village_code, raw, today_cst())] += 1
        due = (time.monotonic() - state["since"] >= seconds
               or sum(counts.values()) >= int(current_app.config.get("SCAN_FLUSH_MAX") or 200))
    if due:
        flush_scans()
    return None


def flush_scans(app=None):
    """Write this worker's gathered scan counts (one upsert per village, poster and day)."""
    app = app or current_app._get_current_object()
    counts, lock, state = _buffer(app)
    with lock:
        pending = dict(counts)
        counts.clear()
        state["since"] = time.monotonic()
    if pending:
        with app.app_context():
            _write(pending)


def _buffer(app=None):
    app = app or current_app._get_current_object()
    ext = app.extensions
    if "mss_scan_buffer" not in ext:
        ext["mss_scan_buffer"] = (Counter(), threading.Lock(), {"since": time.monotonic()})
        atexit.register(flush_scans, app)  # a worker that stops cleanly writes what it gathered
    return ext["mss_scan_buffer"]


def _write(pending):
    """Upsert {(village, raw poster id, day): n}; a database failure is logged, never shown to the reader."""
    try:
        insert = _insert_for(db.session.get_bind().dialect.name)
        for (village_code, raw, day), n in pending.items():
            values = {"village_code": village_code, "poster_id": poster_key(village_code, raw), "day": day,
                      "count": n}
            stmt = insert(ScanCount).values(**values).on_conflict_do_update(
                index_elements=["village_code", "poster_id", "day"], set_={"count": ScanCount.__table__.c.count + n})
            db.session.execute(stmt)
        db.session.commit()
        return sum(pending.values())
    except SQLAlchemyError as err:
        db.session.rollback()
        log.warning("%s scans not counted: %s", sum(pending.values()), err)
        return None


def _insert_for(dialect):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the project runs on SQLite and PostgreSQL only
        raise RuntimeError(f"scan counting does not support {dialect}")
    return insert


def _prefixes(user, township):
    """Region prefixes to count within: the user's scans.view scopes, narrowed to the township if one is asked."""
    if user is None:
        raise Unauthorized()
    scopes = region_scopes(user, "scans.view")
    if not scopes:
        raise Forbidden()
    if not township:
        return scopes
    narrowed = narrow_scopes(scopes, get_region(township).code)
    if not narrowed:
        raise Forbidden("没有权限查看该乡镇的扫码统计", code="forbidden")
    return narrowed


def scan_counts(user, township=None, date_from=None, date_to=None):
    """Counts per village, poster and day in [from, to] within the user's scope, with totals per village."""
    prefixes = _prefixes(user, township)
    date_to = date_to or today_cst()
    date_from = date_from or date_to - timedelta(days=DEFAULT_DAYS - 1)
    if date_from > date_to:
        message = "开始日期不能晚于结束日期"
        raise BadRequest(message, code="invalid_range", fields={"from": [message]})
    if (date_to - date_from).days + 1 > MAX_DAYS:
        raise BadRequest(f"查询范围最多 {MAX_DAYS} 天", code="invalid_range", fields={"from": [f"最多 {MAX_DAYS} 天"]})
    stmt = (sa.select(ScanCount, Region.display_name, Poster.template, Poster.label)
            .join(Region, Region.code == ScanCount.village_code)
            .outerjoin(Poster, Poster.id == ScanCount.poster_id)
            .where(ScanCount.day >= date_from, ScanCount.day <= date_to)
            .order_by(ScanCount.village_code, ScanCount.day, ScanCount.poster_id))
    stmt = stmt.where(scope_filter(ScanCount.village_code, prefixes))
    items, villages = [], {}
    for row, name, template, label in db.session.execute(stmt):
        items.append({"village_code": row.village_code, "village_name": name, "day": row.day,
                      "poster_id": row.poster_id or None, "template": template, "label": label, "count": row.count})
        village = villages.setdefault(row.village_code, {"village_code": row.village_code, "village_name": name,
                                                         "count": 0})
        village["count"] += row.count
    return {"from": date_from, "to": date_to, "township_code": township or None,
            "total": sum(v["count"] for v in villages.values()),
            "villages": sorted(villages.values(), key=lambda v: (-v["count"], v["village_code"])), "items": items}
