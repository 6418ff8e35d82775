"""Batch exports of posters: who may ask for which villages, the batch row, its status and its zip."""

import datetime as dt
import os
from urllib.parse import quote

import sqlalchemy as sa
from flask import send_file

from app.auth.models import User
from app.core.pagination import Page, keyset_page
from app.core.permissions import can, region_prefix, region_scopes, require, require_anywhere, scope_filter
from app.core.timeutil import utcnow
from app.errors import BadRequest, Conflict, NotFound, Unprocessable
from app.extensions import db
from app.jobs import after_response
from app.qr import service
from app.qr.batch import safe_file_name
from app.qr.fonts import missing_glyphs
from app.qr.models import QrBatch
from app.regions.models import Region
from app.regions.service import get_region

DEFAULT_MAX_VILLAGES = 20000
DEFAULT_KEEP_DAYS = 7
STATUS_LABELS = {"queued": "排队中", "running": "生成中", "done": "已完成", "failed": "失败"}
FORMAT_LABELS = {"png": "PNG 图片（每村一张，300 DPI）", "pdf": "PDF（每个乡镇一个多页文件）",
                 "pdf_village": "PDF（每村一个文件）"}


def create_batch(user, data):
    """Check scope, template and every name against the font, store the batch; its job runs after the response."""
    codes, scope = villages_asked(user, data.get("township_code"), data.get("village_codes"))
    service.template(data["template"])
    check_names(codes)
    batch = QrBatch(status="queued", template=data["template"], format=data["format"], scope_code=scope,
                    village_codes=codes, total=len(codes), created_by=user.id if user else None)
    db.session.add(batch)
    db.session.commit()
    after_response("app.qr.jobs:run_batch", batch.id)  # RQ, or inline once the 202 has been sent
    return batch


def check_names(codes):
    """422 listing villages (and their townships) whose poster names have characters the font lacks."""
    font = service.setting("QR_FONT_PATH")
    problems, seen = [], set()
    for start in range(0, len(codes), 500):
        rows = db.session.scalars(sa.select(Region).where(Region.code.in_(codes[start:start + 500])))
        for village in rows:
            for region in (village, village.parent):
                if region is None or region.code in seen:
                    continue
                seen.add(region.code)
                missing = missing_glyphs(region.poster_name, font)
                if missing:
                    problems.append((region, missing))
    if not problems:
        return
    shown = "；".join(f"{r.poster_name}（{r.code}）缺“{'、'.join(m)}”" for r, m in problems[:5])
    raise Unprocessable(f"{len(problems)} 个地名含有字体中没有的字，打印会缺字：{shown}。请管理员先设置打印名称",
                        code="qr_glyph_missing",
                        fields={"villages": [{"code": r.code, "name": r.poster_name,
                                              "characters": [f"U+{ord(c):04X}" for c in m]} for r, m in problems[:50]]})


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


def list_batches(user, limit=20, cursor=None):
    """Past batches the user may see, newest first: his own and those over regions in his qr.batch scope."""
    require_anywhere(user, "qr.batch")
    stmt = sa.select(QrBatch)
    scopes = region_scopes(user, "qr.batch")
    if None not in scopes:
        stmt = stmt.where(sa.or_(QrBatch.created_by == user.id, scope_filter(QrBatch.scope_code, scopes)))
    page = keyset_page(db.session, stmt, [(QrBatch.id, True)], limit, cursor)
    return Page([batch_view(b) for b in page.items], page.next_cursor)


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
    require_anywhere(user, "qr.batch")
    batch = db.session.get(QrBatch, batch_id)
    if batch is None or not may_see(user, batch):
        raise NotFound("未找到该批量导出任务", code="qr_batch_not_found")
    return batch


def download(user, batch_id):
    """The finished zip or PDF as an attachment named after township and template; 409 while being made."""
    batch = get_batch(user, batch_id)
    if batch.status == "failed":
        raise Conflict(f"该批量导出失败，没有可下载的文件：{batch.error_message or '未知原因'}",
                       code="qr_batch_failed")
    if batch.status != "done" or not batch.file_path:
        raise Conflict(f"海报仍在生成中（已完成 {batch.done}/{batch.total}），请稍后再下载", code="qr_batch_not_ready")
    expires = expires_at(batch)
    if expires is not None and utcnow() > expires:
        raise NotFound("导出文件已过保存期限，请重新发起批量导出", code="qr_batch_expired")
    if not os.path.isfile(batch.file_path):
        raise NotFound("导出文件已被清理，请重新发起批量导出", code="qr_batch_file_gone")
    pdf = batch.file_path.endswith(".pdf")
    name = download_name(batch)
    resp = send_file(batch.file_path, mimetype="application/pdf" if pdf else "application/zip", as_attachment=True,
                     download_name=name, max_age=0)
    resp.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp


def download_name(batch) -> str:
    """`<乡镇>-<模板中文名>.zip|pdf`, e.g. 宝丰镇-A4 公开栏海报（竖版）.pdf."""
    suffix = ".pdf" if (batch.file_path or "").endswith(".pdf") else ".zip"
    return safe_file_name(f"{scope_name(batch)}-{template_label(batch.template)}", suffix)


def scope_name(batch) -> str:
    """The township (or county) a batch is for, or "所选 N 个村（社区）"."""
    region = db.session.get(Region, batch.scope_code) if batch.scope_code else None
    return region.poster_name if region is not None else f"所选 {batch.total} 个村（社区）"


def template_label(name) -> str:
    """A template's Chinese name (its folder name when it is gone or broken)."""
    try:
        return service.template(name).label
    except Exception:  # noqa: BLE001 - a deleted or broken template still names its old batches
        return name


def expires_at(batch):
    """Until when a finished batch can be downloaded (QR_BATCH_KEEP_DAYS after it finished), or None."""
    if batch.finished_at is None or batch.status != "done":
        return None
    return batch.finished_at + dt.timedelta(days=int(service.setting("QR_BATCH_KEEP_DAYS", DEFAULT_KEEP_DAYS)))


def batch_view(batch):
    """A batch as the API and the console show it."""
    creator = db.session.get(User, batch.created_by) if batch.created_by else None
    return {"id": batch.id, "status": batch.status, "status_label": STATUS_LABELS.get(batch.status, batch.status),
            "done": batch.done, "total": batch.total, "template": batch.template,
            "template_label": template_label(batch.template), "format": batch.format,
            "format_label": FORMAT_LABELS.get(batch.format, batch.format), "township_code": batch.scope_code,
            "township_name": scope_name(batch),
            "created_by": (creator.display_name or creator.username) if creator else "命令行（flask qr export）",
            "error": ({"code": batch.error_code, "message": batch.error_message} if batch.status == "failed" else None),
            "bytes": batch.file_bytes, "created_at": batch.created_at, "finished_at": batch.finished_at,
            "expires_at": expires_at(batch), "file_name": download_name(batch) if batch.status == "done" else None,
            "download_url": f"/api/v1/qr/batches/{batch.id}/download" if batch.status == "done" else None}
