"""Render many village posters into one zip (PNG per village, or one multi-page PDF) using every core."""

import contextlib
import math
import multiprocessing
import os
import re
import tempfile
import time
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

from app.errors import BadRequest, DomainError
from app.qr.fonts import resolve_font_path
from app.qr.pdf import PdfWriter
from app.qr.render import poster_png, prepare
from app.qr.templates import load_template

FORMATS = ("png", "pdf")
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

    def as_dict(self):
        """The summary as a plain dict (for a job result or a JSON response)."""
        return asdict(self)


def render_batch(jobs, template_root, template_name, fmt, out_zip_path, font_path=None, processes=None,
                 progress=None, pdf_name="posters.pdf") -> BatchSummary:
    """Render one poster per job into a zip of PNGs or one PDF, written to a temp file and renamed when complete."""
    # jobs: dicts with village_code, village_name, url and any other slot field (township_name, county_name,
    # supervision_phone ...). fmt "png": `<village_code>_<village_name>.png` per job; fmt "pdf": one multi-page
    # PDF named pdf_name, pages in job order. progress(done, total) is called in this process after each page.
    if fmt not in FORMATS:
        raise BadRequest(f"不支持的海报格式：{fmt}（应为 png 或 pdf）", code="qr_format")
    jobs = _check_jobs(jobs)
    template = load_template(template_root, template_name)
    font_path = resolve_font_path(font_path)
    workers = _worker_count(processes, len(jobs))
    out = Path(out_zip_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    started = time.monotonic()
    try:
        with os.fdopen(fd, "wb") as fp:
            with zipfile.ZipFile(fp, "w", zipfile.ZIP_STORED, allowZip64=True) as archive, \
                    _pages(jobs, template_root, template, font_path, workers) as pages:
                if fmt == "png":
                    _write_pngs(archive, jobs, pages, progress)
                else:
                    _write_pdf(archive, pdf_name, template.dpi, pages, progress, len(jobs))
            fp.flush()
            os.fsync(fp.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it owner-only; the export is an ordinary file once complete
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    seconds = round(time.monotonic() - started, 3)
    return BatchSummary(len(jobs), out.stat().st_size, str(out), fmt, template.name, seconds)


def poster_file_name(job, used=None) -> str:
    """`<village_code>_<village_name>.png` made safe for zip and file systems; made unique within `used`."""
    stem = f"{job['village_code']}_{job['village_name']}"
    stem = _UNSAFE_NAME.sub("_", " ".join(stem.split())).strip(" .")[:MAX_NAME_CHARS] or "poster"
    name, n = f"{stem}.png", 1
    while used is not None and name in used:
        n += 1
        name = f"{stem}_{n}.png"
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
def _pages(jobs, template_root, template, font_path, workers):
    """PNG bytes of each job's poster, in job order: inline, or from a pool that is torn down on exit."""
    if not workers:
        prepare(template, font_path)
        yield (_render(template, job, font_path) for job in jobs)
        return
    context = multiprocessing.get_context(START_METHOD)
    initargs = (str(template_root), template.name, font_path)
    with context.Pool(workers, initializer=_init_worker, initargs=initargs) as pool:
        yield _unwrap(pool.imap(_render_job, jobs, chunksize=CHUNK))


class _Failed(Exception):
    """A DomainError raised in a worker, carried to the parent with its code and fields (plain pickling drops them)."""


def _render(template, job, font_path):
    try:
        return poster_png(template, job, job["url"], font_path)
    except DomainError as err:
        err.fields = {**err.fields, "village_code": str(job["village_code"])}
        raise


def _init_worker(template_root, template_name, font_path):
    """Pool initializer: load the template, decode its art and load the fonts once per worker."""
    global _worker_state
    try:
        template = load_template(template_root, template_name)
        prepare(template, font_path)
        _worker_state = (template, font_path, None)
    except Exception as err:  # noqa: BLE001 - re-raised per job: a failing initializer makes Pool respawn forever
        _worker_state = (None, None, err)


def _render_job(job):
    template, font_path, error = _worker_state
    try:
        if error is not None:
            raise error
        return _render(template, job, font_path)
    except DomainError as err:
        raise _Failed(type(err), err.message, err.code, err.fields) from None


def _unwrap(pages):
    try:
        yield from pages
    except _Failed as failed:
        kind, message, code, fields = failed.args
        raise kind(message, code=code, fields=fields) from None


def _write_pngs(archive, jobs, pages, progress):
    used, total = set(), len(jobs)
    for done, (job, png) in enumerate(zip(jobs, pages, strict=True), 1):
        archive.writestr(poster_file_name(job, used), png)
        if progress:
            progress(done, total)


def _write_pdf(archive, pdf_name, dpi, pages, progress, total):
    with archive.open(pdf_name, "w", force_zip64=True) as stream:
        writer = PdfWriter(stream)
        for done, png in enumerate(pages, 1):
            writer.add_png(png, dpi)
            if progress:
                progress(done, total)
        writer.close()
