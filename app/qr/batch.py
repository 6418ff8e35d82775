"""Render many village posters using every core: PNGs, one vector PDF per township, or one PDF per village."""

import contextlib
import itertools
import math
import multiprocessing
import os
import re
import tempfile
import time
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

from app.errors import BadRequest, DomainError, Unprocessable
from app.qr.cff import cid_font
from app.qr.fonts import missing_glyphs, resolve_font_path
from app.qr.pdf import PdfWriter
from app.qr.render import poster_png, prepare
from app.qr.templates import load_template, poster_fields, slot_text
from app.qr.vector import add_poster, poster_page

FORMATS = ("png", "pdf", "pdf_village")  # PNG per village (zip) | one PDF per township | one PDF per village (zip)
REQUIRED_KEYS = ("village_code", "village_name", "url")
INLINE_BELOW = 8  # fewer jobs than this render in the calling process: starting a pool costs more
CHUNK = 4  # jobs handed to a worker at a time
START_METHOD = "spawn"  # fresh interpreters: safe under threaded servers, the same on every platform
MAX_NAME_CHARS = 100
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')

_worker_state = None  # (template, font_path) inside a pool worker, set once by _init_worker


@dataclass(frozen=True)
class BatchSummary:
    """What a batch produced."""

    count: int
    bytes: int
    path: str
    format: str
    template: str
    seconds: float
    container: str = "zip"  # "zip", or "pdf" when a township's PDF is the whole output

    def as_dict(self):
        """The summary as a plain dict (for a job result or a JSON response)."""
        return asdict(self)


def render_batch(jobs, template_root, template_name, fmt, out_path, font_path=None, processes=None,
                 progress=None) -> BatchSummary:
    """Render one poster per job into out_path (suffix set to .zip or .pdf), via a temp file renamed when complete.

    fmt "png": a zip of `<village_code>_<village_name>.png`; "pdf_village": a zip of one vector PDF per village;
    "pdf": one multi-page vector PDF per township (`<township>-<template label>.pdf`), the PDF itself when the
    jobs are all of one township, else a zip of them. progress(done, total) is called in this process per page.
    """
    if fmt not in FORMATS:
        raise BadRequest(f"不支持的海报格式：{fmt}（应为 png、pdf 或 pdf_village）", code="qr_format")
    jobs = _check_jobs(jobs)
    template = load_template(template_root, template_name)
    font_path = resolve_font_path(font_path)
    groups = _township_groups(jobs) if fmt == "pdf" else None
    if groups is not None:
        jobs = [job for _, members in groups for job in members]
    workers = _worker_count(processes, len(jobs))
    container = "pdf" if groups is not None and len(groups) == 1 else "zip"
    out = Path(out_path).with_suffix(f".{container}")  # the suffix says what it is
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    started = time.monotonic()
    try:
        with os.fdopen(fd, "wb") as fp, _pages(jobs, template_root, template, font_path, workers, fmt) as pages:
            if container == "pdf":
                _write_pdf(fp, template, font_path, pages, progress, 0, len(jobs))
            else:
                with zipfile.ZipFile(fp, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
                    _write_zip(archive, fmt, template, font_path, jobs, groups, pages, progress)
            fp.flush()
            os.fsync(fp.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it owner-only; the export is an ordinary file once complete
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    seconds = round(time.monotonic() - started, 3)
    return BatchSummary(len(jobs), out.stat().st_size, str(out), fmt, template.name, seconds, container)


def safe_file_name(stem, suffix) -> str:
    """A file name safe for zips and file systems (control characters, slashes and the like replaced)."""
    stem = _UNSAFE_NAME.sub("_", " ".join(str(stem).split())).strip(" .")[:MAX_NAME_CHARS] or "poster"
    return f"{stem}{suffix}"


def printable_check(template, job, font_path=None) -> None:
    """422 naming the village and the characters the font lacks in any text this job's poster would print."""
    # the raw values: poster_fields drops what is not printable, and a private-use character would vanish silently
    values = {**poster_fields(job, job.get("url", "")), **{k: str(v) for k, v in job.items() if v is not None}}
    text = "".join(slot_text(slot, values) for slot in template.slots)
    missing = missing_glyphs(text, font_path)
    if missing:
        raise glyph_error(job.get("village_code", ""), job.get("village_name", ""), missing)


def glyph_error(village_code, name, missing) -> Unprocessable:
    """The 422 for characters the font cannot print, naming each (with its code point) and the village."""
    shown = "、".join(f"“{c}”（U+{ord(c):04X}）" for c in missing)
    return Unprocessable(f"{name}（{village_code}）含有字体中没有的字：{shown}，打印会缺字。"
                         "请管理员为该村（社区）设置打印名称后再生成海报", code="qr_glyph_missing",
                         fields={"village_code": village_code, "characters": [f"U+{ord(c):04X}" for c in missing]})


def poster_file_name(job, used=None, suffix=".png") -> str:
    """`<village_code>_<village_name>.png` made safe for zip and file systems; made unique within `used`."""
    stem = safe_file_name(f"{job['village_code']}_{job['village_name']}", "")
    name, n = f"{stem}{suffix}", 1
    while used is not None and name in used:
        n += 1
        name = f"{stem}_{n}{suffix}"
    if used is not None:
        used.add(name)
    return name


def _check_jobs(jobs):
    if not isinstance(jobs, list | tuple) or not jobs:
        raise BadRequest("没有需要生成的海报", code="qr_batch_empty")
    checked = []
    for number, job in enumerate(jobs, 1):
        if not isinstance(job, dict):
            raise BadRequest(f"第 {number} 个海报任务格式不正确", code="qr_batch_job")
        for key in REQUIRED_KEYS:
            if not str(job.get(key) or "").strip():
                raise BadRequest(f"第 {number} 个海报任务缺少 {key}", code="qr_batch_job")
        checked.append(dict(job))
    return checked


def _worker_count(processes, total):
    """0 means render inline; otherwise the pool size (never more workers than chunks of work)."""
    if processes is None:
        processes = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    processes = max(1, int(processes))
    if processes == 1 or total < INLINE_BELOW:
        return 0
    return min(processes, math.ceil(total / CHUNK))


@contextlib.contextmanager
def _pages(jobs, template_root, template, font_path, workers, fmt):
    """Each job's poster (PNG bytes or a VectorPage), in job order: inline, or from a pool torn down on exit."""
    if not workers:
        prepare(template, font_path)
        yield (_render(template, job, font_path, fmt) for job in jobs)
        return
    context = multiprocessing.get_context(START_METHOD)
    initargs = (str(template_root), template.name, font_path, fmt)
    with context.Pool(workers, initializer=_init_worker, initargs=initargs) as pool:
        yield _unwrap(pool.imap(_render_job, jobs, chunksize=CHUNK))


class _Failed(Exception):
    """A DomainError raised in a worker, carried to the parent with its code and fields (plain pickling drops them)."""


def _render(template, job, font_path, fmt):
    try:
        printable_check(template, job, font_path)
        if fmt == "png":
            return poster_png(template, job, job["url"], font_path)
        return poster_page(template, job, job["url"], font_path)
    except DomainError as err:
        err.fields = {**err.fields, "village_code": str(job["village_code"])}
        raise


def _init_worker(template_root, template_name, font_path, fmt):
    """Pool initializer: load the template, decode its art and load the fonts once per worker."""
    global _worker_state
    try:
        template = load_template(template_root, template_name)
        prepare(template, font_path)
        if fmt != "png":
            cid_font(font_path)
        _worker_state = (template, font_path, fmt, None)
    except Exception as err:  # noqa: BLE001 - re-raised per job: a failing initializer makes Pool respawn forever
        _worker_state = (None, None, fmt, err)


def _render_job(job):
    template, font_path, fmt, error = _worker_state
    try:
        if error is not None:
            raise error
        return _render(template, job, font_path, fmt)
    except DomainError as err:
        raise _Failed(type(err), err.message, err.code, err.fields) from None


def _unwrap(pages):
    try:
        yield from pages
    except _Failed as failed:
        kind, message, code, fields = failed.args
        raise kind(message, code=code, fields=fields) from None


def _township_groups(jobs):
    """[(township key, jobs)] in order of first appearance; a township is the first 9 digits of the village code."""
    groups = {}
    for job in jobs:
        groups.setdefault(str(job.get("township_code") or job["village_code"][:9]), []).append(job)
    return list(groups.items())


def _write_zip(archive, fmt, template, font_path, jobs, groups, pages, progress):
    total, done = len(jobs), 0
    if groups is not None:
        used = set()
        for key, members in groups:
            stem = f"{members[0].get('township_name') or key}-{template.label}"
            name, n = safe_file_name(stem, ".pdf"), 1
            while name in used:
                n += 1
                name = safe_file_name(f"{stem}_{n}", ".pdf")
            used.add(name)
            with archive.open(name, "w", force_zip64=True) as stream:
                done = _write_pdf(stream, template, font_path, itertools.islice(pages, len(members)), progress,
                                  done, total)
        return
    used = set()
    for done, (job, page) in enumerate(zip(jobs, pages, strict=True), 1):
        if fmt == "png":
            archive.writestr(poster_file_name(job, used), page)
        else:
            with archive.open(poster_file_name(job, used, ".pdf"), "w") as stream:
                _write_pdf(stream, template, font_path, [page], None, 0, 1)
        if progress:
            progress(done, total)


def _write_pdf(stream, template, font_path, pages, progress, done, total):
    """Stream vector pages into one PDF; returns the running count of pages done."""
    writer = PdfWriter(stream, cid_font(font_path))
    for page in pages:
        add_poster(writer, template, page)
        done += 1
        if progress:
            progress(done, total)
    writer.close()
    return done
