"""Batch exports of posters: who may ask for which villages, the batch row, its status and its zip."""

import os

import sqlalchemy as sa
from flask import send_file

from app.auth.permissions import can, region_prefix, require
from app.errors import BadRequest, Conflict, NotFound
from app.extensions import db
from app.jobs import enqueue
from app.qr import service
from app.qr.models import QrBatch
from app.regions.models import Region
from app.regions.service import get_region

DEFAULT_MAX_VILLAGES = 20000
STATUS_LABELS = {"queued": "排队中", "running": "生成中", "done": "已完成", "failed": "失败"}


def create_batch(user, data):
    """Check scope and template, store the batch and start its job (RQ, or right now when inline)."""
    codes, scope = villages_asked(user, data.get("township_code"), data.get("village_codes"))
    service.template(data["template"])
    batch = QrBatch(status="queued", template=data["template"], format=data["format"], scope_code=scope,
                    village_codes=codes, total=len(codes), created_by=user.id if user else None)
    db.session.add(batch)
    db.session.commit()
    batch_id = batch.id
    job_id = enqueue("app.qr.jobs:run_batch", batch_id)
    batch = db.session.get(QrBatch, batch_id)
    db.session.refresh(batch)
    if job_id:
        batch.job_id = str(job_id)
        db.session.commit()
    return batch


def villages_asked(user, township_code, village_codes):
    """(village codes in order, scope code or None) of a request, checked against the user's qr.batch scope."""
    if bool(township_code) == bool(village_codes):
        raise BadRequest("请指定乡镇编码（township_code）或村庄编码列表（village_codes）中的一项",
                         code="qr_batch_scope", fields={"township_code": ["二者必须且只能填写一项"]})
    limit = int(service.setting("QR_BATCH_MAX_VILLAGES", DEFAULT_MAX_VILLAGES))
    if township_code:
        region = get_region(township_code)
        if region.level not in ("county", "township"):
            raise BadRequest("township_code 应为乡镇（或县）编码", code="qr_batch_scope",
                             fields={"township_code": ["应为乡镇（或县）编码"]})
        if user is not None:
            require(user, "qr.batch", region_code=region.code)
        prefix = region_prefix(region.code)
        codes = list(db.session.scalars(sa.select(Region.code).where(
            Region.level == "village", Region.code.startswith(prefix, autoescape=True)).order_by(Region.code)))
        if not codes:
            raise BadRequest(f"{region.display_name}下没有村（社区）", code="qr_batch_empty")
        scope = region.code
    else:
        codes = list(dict.fromkeys(village_codes))
        if len(codes) > limit:
            raise BadRequest(f"一次最多导出 {limit} 个村（社区）", code="qr_batch_too_large")
        found = set()
        for start in range(0, len(codes), 500):
            chunk = codes[start:start + 500]
            found |= set(db.session.scalars(sa.select(Region.code).where(Region.code.in_(chunk),
                                                                         Region.level == "village")))
        unknown = [c for c in codes if c not in found]
        if unknown:
            shown = "、".join(unknown[:5]) + ("等" if len(unknown) > 5 else "")
            raise BadRequest(f"未找到这些村（社区）：{shown}", code="region_not_found",
                             fields={"village_codes": [f"未找到：{c}" for c in unknown[:20]]})
        if user is not None:
            for code in codes:
                require(user, "qr.batch", region_code=code)
        scope = None
    if len(codes) > limit:
        raise BadRequest(f"一次最多导出 {limit} 个村（社区），请按乡镇分批导出", code="qr_batch_too_large")
    return codes, scope


def may_see(user, batch):
    """Its creator, or anyone with qr.batch over all of its villages."""
    if user is None:
        return False
    if batch.created_by == user.id:
        return True
    if batch.scope_code:
        return can(user, "qr.batch", region_code=batch.scope_code)
    return all(can(user, "qr.batch", region_code=code) for code in batch.village_codes)


def get_batch(user, batch_id):
    """A batch the user may see, or 404."""
    require(user, "qr.batch")
    batch = db.session.get(QrBatch, batch_id)
    if batch is None or not may_see(user, batch):
        raise NotFound("未找到该批量导出任务", code="qr_batch_not_found")
    return batch


def download(user, batch_id):
    """The finished zip as an attachment; 409 while it is being made or when it failed."""
    batch = get_batch(user, batch_id)
    if batch.status == "failed":
        raise Conflict(f"该批量导出失败，没有可下载的文件：{batch.error_message or '未知原因'}",
                       code="qr_batch_failed")
    if batch.status != "done" or not batch.file_path:
        raise Conflict(f"海报仍在生成中（已完成 {batch.done}/{batch.total}），请稍后再下载", code="qr_batch_not_ready")
    if not os.path.isfile(batch.file_path):
        raise NotFound("导出文件已被清理，请重新发起批量导出", code="qr_batch_file_gone")
    name = f"海报-{batch.template}-{batch.id}.zip"
    return send_file(batch.file_path, mimetype="application/zip", as_attachment=True, download_name=name,
                     max_age=0)


def batch_view(batch):
    """A batch as the API shows it."""
    return {"id": batch.id, "status": batch.status, "status_label": STATUS_LABELS[batch.status],
            "done": batch.done, "total": batch.total, "template": batch.template, "format": batch.format,
            "township_code": batch.scope_code, "error": ({"code": batch.error_code, "message": batch.error_message}
                                                         if batch.status == "failed" else None),
            "bytes": batch.file_bytes, "created_at": batch.created_at, "finished_at": batch.finished_at,
            "download_url": f"/api/v1/qr/batches/{batch.id}/download" if batch.status == "done" else None}
