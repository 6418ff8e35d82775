"""Posters: seconds per 1,000 A4 posters on one process and on every core, versus the bare qrcode PNG.

Usage: .venv/bin/python -m bench.posters [--regions bench/data/hubei-42.csv.gz] [--count 1000]
The default region file is Hubei province (统计用区划代码), copied into bench/data/.
"""

import argparse
import csv
import gzip
import os
import resource
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, emit


def villages(path, count):
    """The first `count` villages of a region CSV, as batch jobs."""
    names, rows = {}, []
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            names[row["code"]] = row["name"]
            if row["level"] == "village":
                rows.append(row)
                if len(rows) >= count:
                    break
    from app.regions.names import display_name

    return [{"village_code": r["code"], "village_name": display_name(r["name"], "village"),
             "township_name": names.get(r["parent_code"], ""),
             "county_name": names.get(r["parent_code"][:6] + "0" * 6, ""),
             "supervision_phone": "0719-4200000", "url": f"https://jd.example.gov.cn/v/{r['code']}"} for r in rows]


def main():
    """Render batches and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--regions", default=str(ROOT / "bench" / "data" / "hubei-42.csv.gz"))
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--template", default="a4_notice")
    args = parser.parse_args()
    from app.qr.batch import render_batch
    from app.qr.codes import qr_png

    jobs = villages(args.regions, args.count)
    template_root = str(ROOT / "qr_templates")
    figures = {"posters": len(jobs), "template": args.template}
    with tempfile.TemporaryDirectory() as tmp:
        for label, processes in (("one_process", 1), ("all_cores", os.cpu_count())):
            out = Path(tmp) / f"{label}.zip"
            start = time.perf_counter()
            render_batch(jobs, template_root, args.template, "png", str(out), processes=processes)
            seconds = time.perf_counter() - start
            figures[label] = {"processes": processes, "seconds": round(seconds, 2),
                              "seconds_per_1000": round(seconds * 1000 / len(jobs), 2),
                              "zip_mb": round(out.stat().st_size / 1e6, 1)}
    start = time.perf_counter()
    for job in jobs[:200]:
        qr_png(job["url"], 600)
    bare_ms = (time.perf_counter() - start) * 1000 / min(200, len(jobs))
    poster_ms = figures["one_process"]["seconds"] * 1000 / len(jobs)
    figures["bare_qrcode_png_ms"] = round(bare_ms, 2)
    figures["poster_ms_one_process"] = round(poster_ms, 2)
    figures["poster_to_bare_qr_ratio"] = round(poster_ms / bare_ms, 1)
    per_1000 = figures["all_cores"]["seconds_per_1000"]
    figures["province_20000_minutes_all_cores"] = round(per_1000 * 20 / 60, 1)
    figures["peak_rss_mb_parent"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    figures["peak_rss_mb_children"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    emit("posters", figures)


if __name__ == "__main__":
    main()
