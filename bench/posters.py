"""Posters: cost of one poster versus the bare qrcode render of the same URL, and the Hubei-wide PDF run.

Usage:
  .venv/bin/python -m bench.posters [--count 300]          one process: vector PDF page and 300 DPI PNG vs qr_png
  .venv/bin/python -m bench.posters --province [--processes 2]   all Hubei villages as PDF through the real job
The region file is Hubei province (统计用区划代码, 27,057 villages), copied into bench/data/. The province run loads
it with the real importer into a scratch SQLite database, registers one poster per village and renders one vector PDF
per township into a zip on every core, sampling the parent's memory as it goes.
"""

import argparse
import gzip
import io
import os
import resource
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, emit

REGIONS = ROOT / "bench" / "data" / "hubei-42.csv.gz"
BASE = "https://jd.example.gov.cn"


def rss_mb():
    """This process's resident memory now, in MB."""
    with open("/proc/self/status") as fh:
        kb = next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
    return round(kb / 1024, 1)


def _cpu():
    """CPU seconds (user + system) of this process and of its finished children."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"parent": me.ru_utime + me.ru_stime, "workers": kids.ru_utime + kids.ru_stime}


def cost(count):
    """ms per poster (vector PDF page written to a stream, 300 DPI PNG) against qr_png of the same URLs."""
    from app.qr.cff import cid_font
    from app.qr.codes import qr_png
    from app.qr.fonts import resolve_font_path
    from app.qr.pdf import PdfWriter
    from app.qr.render import poster_png, prepare
    from app.qr.templates import load_template
    from app.qr.vector import add_poster, poster_page

    template = load_template(ROOT / "qr_templates", "a4_notice")
    font = resolve_font_path()
    prepare(template, font)
    writer = PdfWriter(io.BytesIO(), cid_font(font))
    fields = {"village_name": "罗家坡村", "township_name": "柳陂镇", "county_name": "郧阳区",
              "supervision_phone": "0719-4200000"}
    urls = [f"{BASE}/v/4203041032{i % 100:02d}?s={100000 + i}" for i in range(count)]
    add_poster(writer, template, poster_page(template, fields, urls[0], font))  # warm: art, font, layouts
    poster_png(template, fields, urls[0], font)
    timings = {"bare_qrcode_png": 0.0, "pdf_page": 0.0, "png_300dpi": 0.0}
    for url in urls:  # interleaved, so outside load weighs on all three alike
        start = time.process_time()
        qr_png(url, 600)
        middle = time.process_time()
        add_poster(writer, template, poster_page(template, {**fields, "village_code": url[-13:-9]}, url, font))
        end = time.process_time()
        poster_png(template, fields, url, font)
        timings["bare_qrcode_png"] += middle - start
        timings["pdf_page"] += end - middle
        timings["png_300dpi"] += time.process_time() - end
    writer.close()
    ms = {k: round(v * 1000 / count, 2) for k, v in timings.items()}
    return {"posters": count, "cpu_ms": ms, "pdf_to_bare_ratio": round(ms["pdf_page"] / ms["bare_qrcode_png"], 2),
            "png_to_bare_ratio": round(ms["png_300dpi"] / ms["bare_qrcode_png"], 2)}


def province(processes):
    """All villages of the region file as one vector PDF per township, through the batch job."""
    import sqlalchemy as sa

    from app import create_app
    from app.extensions import db
    from app.qr.jobs import run_batch
    from app.qr.models import QrBatch
    from app.regions.importer import import_regions
    from app.regions.models import Region
    from config import TestingConfig

    with tempfile.TemporaryDirectory() as tmp:
        cfg = type("BenchCfg", (TestingConfig,), {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db", "INSTANCE_PATH": tmp, "PUBLIC_BASE_URL": BASE,
            "QR_EXPORT_DIR": tmp, "QR_BATCH_PROCESSES": processes})
        app = create_app(cfg)
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            imported = import_regions(gzip.decompress(REGIONS.read_bytes()))
            import_seconds = time.perf_counter() - started
            for warning in imported.get("warnings", []):  # as an admin would: a print name for what the font lacks
                region = db.session.get(Region, warning["code"])
                region.print_name = "".join("□" if f"U+{ord(c):04X}" in warning["characters"] else c
                                            for c in region.display_name)
            db.session.commit()
            codes = list(db.session.scalars(sa.select(Region.code).where(Region.level == "village")
                                            .order_by(Region.code)))
            batch = QrBatch(status="queued", template="a4_notice", format="pdf", scope_code="420000000000",
                            village_codes=codes, total=len(codes))
            db.session.add(batch)
            db.session.commit()
            samples, load_before = [], os.getloadavg()

            def sample(done, total):
                if done % 500 == 0 or done == total:
                    samples.append((done, rss_mb()))

            started, cpu = time.perf_counter(), _cpu()
            summary = run_batch(batch.id, progress=sample)
            seconds = time.perf_counter() - started
            cpu = {k: round(v - cpu[k], 1) for k, v in _cpu().items()}
            load_after = os.getloadavg()
            if summary is None:
                raise SystemExit(f"batch failed: {db.session.get(QrBatch, batch.id).error_message}")
            size = Path(summary["path"]).stat().st_size
    warm = [mb for done, mb in samples if done >= 2000]
    return {"villages": len(codes), "regions_imported": imported["imported"],
            "import_seconds": round(import_seconds, 1),
            "glyph_warnings": [f"{w['code']} {w['name']} {w['characters']}" for w in imported.get("warnings", [])],
            "processes": processes, "seconds": round(seconds, 1), "minutes": round(seconds / 60, 2),
            "ms_per_poster_wall": round(seconds * 1000 / len(codes), 2), "cpu_seconds": cpu,
            "cpu_ms_per_poster": round((cpu["parent"] + cpu["workers"]) * 1000 / len(codes), 2),
            "minutes_if_both_cores_were_ours": round((cpu["parent"] + cpu["workers"]) / processes / 60, 2),
            "zip_mb": round(size / 1e6, 1),
            "kb_per_page": round(size / 1024 / len(codes), 1),
            "parent_rss_mb_at": {str(done): mb for done, mb in samples[::10] + samples[-1:]},
            "parent_rss_growth_after_2000_mb": round(max(warm) - min(warm), 1) if warm else None,
            "peak_rss_mb_children": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
            "load_average_before": [round(v, 2) for v in load_before],
            "load_average_after": [round(v, 2) for v in load_after]}


def main():
    """Run the chosen measurement and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--province", action="store_true")
    parser.add_argument("--processes", type=int, default=os.cpu_count())
    args = parser.parse_args()
    if args.province:
        emit("posters_province", province(args.processes))
    else:
        emit("posters_cost", {**cost(args.count), "load_average": [round(v, 2) for v in os.getloadavg()]})


if __name__ == "__main__":
    main()
