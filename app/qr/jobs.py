"""The batch export job: register one poster per village, render the zip, keep done/total in the batch row.

Runs in an RQ worker (app.jobs.run_in_app builds the app), inline in a request when no queue is configured, or
from `flask qr export`. render_batch uses a spawn pool for large batches: fresh interpreters, so it is safe in
the forked RQ work horse and under threaded servers.
"""

import logging
import os
import time

import sqlalchemy as sa

from app.core.timeutil import utcnow
from app.errors import DomainError
from app.extensions import db
from app.qr import service
from app.qr.batch import render_batch
from app.qr.models import Poster, QrBatch
from app.regions.models import Region

log = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 1.0
INTERNAL_ERROR = "生成海报时发生内部错误，请联系管理员查看日志"


def run_batch(batch_id, out_path=None, progress=None, processes=None):
    """Render a queued batch into its zip or PDF; failures are recorded on the row (in Chinese), never raised."""
    batch = db.session.get(QrBatch, batch_id)
    if batch is None or batch.status != "queued":
        log.warning("qr batch %s is missing or not queued; skipped", batch_id)
        return None
    batch.status, batch.started_at, batch.done = "running", utcnow(), 0
    db.session.commit()
    template, fmt = batch.template, batch.format
    try:
        jobs = _jobs(batch)
        path = out_path or os.path.join(service.export_dir(), f"qr-batch-{batch_id}.zip")
        workers = processes if processes is not None else service.setting("QR_BATCH_PROCESSES")
        summary = render_batch(jobs, service.template_root(), template, fmt, path,
                               font_path=service.setting("QR_FONT_PATH"),
                               processes=int(workers) if workers else None,
                               progress=_progress(batch_id, progress))
    except DomainError as err:
        _fail(batch_id, err.code, err.message)
        return None
    except Exception:  # recorded on the row; the traceback goes to the log
        log.exception("qr batch %s failed", batch_id)
        _fail(batch_id, "internal_error", INTERNAL_ERROR)
        return None
    db.session.execute(sa.update(QrBatch).where(QrBatch.id == batch_id).values(
        status="done", done=summary.count, file_path=summary.path, file_bytes=summary.bytes, finished_at=utcnow()))
    db.session.commit()
    return summary.as_dict()


def _jobs(batch):
    """One render job per village, each with a freshly registered poster id in its link."""
    codes = list(batch.village_codes)
    villages = {}
    for start in range(0, len(codes), 500):
        for region in db.session.scalars(sa.select(Region).where(Region.code.in_(codes[start:start + 500]))):
            villages[region.code] = region
    parents = _regions({v.parent_code for v in villages.values() if v.parent_code})
    parents |= _regions({p.parent_code for p in parents.values() if p.parent_code})
    posters = [Poster(village_code=code, template=batch.template, label=f"批量导出 #{batch.id}",
                      batch_id=batch.id, created_by=batch.created_by) for code in codes if code in villages]
    db.session.add_all(posters)
    db.session.commit()
    jobs = []
    for poster in posters:
        village = villages[poster.village_code]
        chain = {"village": village}
        parent = parents.get(village.parent_code)
        while parent is not None:
            chain.setdefault(parent.level, parent)
            parent = parents.get(parent.parent_code)
        fields = service.village_fields(village, chain)
        jobs.append({**fields, "url": service.public_url(village.code, poster.id)})
    for row in (*villages.values(), *parents.values(), *posters):  # not kept in the parent while pages render
        db.session.expunge(row)
    return jobs


def _regions(codes):
    if not codes:
        return {}
    return {r.code: r for r in db.session.scalars(sa.select(Region).where(Region.code.in_(list(codes))))}


def _progress(batch_id, extra):
    """A progress callback that writes done/total to the row at most once a second (and at the end)."""
    last = {"at": 0.0}

    def report(done, total):
        if extra is not None:
            extra(done, total)
        now = time.monotonic()
        if done < total and now - last["at"] < PROGRESS_EVERY_SECONDS:
            return
        last["at"] = now
        db.session.execute(sa.update(QrBatch).where(QrBatch.id == batch_id).values(done=done))
        db.session.commit()

    return report


def _fail(batch_id, code, message):
    db.session.rollback()
    db.session.execute(sa.update(QrBatch).where(QrBatch.id == batch_id).values(
        status="failed", error_code=(code or "error")[:40], error_message=(message or INTERNAL_ERROR)[:500],
        finished_at=utcnow()))
    db.session.commit()
