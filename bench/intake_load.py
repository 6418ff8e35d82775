"""Intake under load: concurrent POST /api/v1/reports with idempotency keys, 10% retried.

Counts lost and duplicated reports (both must be 0) and "database is locked" errors seen by clients on SQLite.
Usage: .venv/bin/python -m bench.intake_load [--db postgres|sqlite|both] [--reports 2000] [--clients 16]
"""

import argparse
import random
import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests
import sqlalchemy as sa

from bench.common import ROOT, bench_env, emit, flask, fresh_pg_database, gunicorn

VILLAGES = ["420323103211", "420323102203"]
TOPICS = ["村级债务", "工程质量", "强农惠农政策落实", "作风问题"]


def _submit(session, base, key, n):
    body = {"village_code": VILLAGES[n % 2], "kind": "suggestion" if n % 4 else "tipoff",
            "topic": TOPICS[n % len(TOPICS)], "content": f"第{n}号压力测试反映：村里的道路维修款使用情况需要公开说明。",
            "anonymous": True, "channel": "h5"}
    start = time.perf_counter()
    resp = session.post(base + "/api/v1/reports", json=body, headers={"Idempotency-Key": key}, timeout=60)
    return resp, (time.perf_counter() - start) * 1000


def run(base, total, clients):
    """Submit `total` reports from `clients` threads, retrying 10% with the same key."""
    local = threading.local()
    outcomes, lock = [], threading.Lock()

    def one(n):
        session = getattr(local, "s", None) or requests.Session()
        local.s = session
        key = uuid.uuid4().hex
        tries = 2 if random.random() < 0.10 else 1
        for _ in range(tries):
            resp, ms = _submit(session, base, key, n)
            with lock:
                outcomes.append((key, resp.status_code, ms, resp.text if resp.status_code >= 400 else "",
                                 (resp.json() or {}).get("tracking_no") if resp.status_code < 300 else None))

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, range(total)))
    elapsed = time.perf_counter() - start
    return outcomes, elapsed


def summarise(outcomes, elapsed, database_url):
    """Throughput, latency, and the lost/duplicate counts checked against the database."""
    lat = sorted(ms for _, _, ms, _, _ in outcomes)
    keys_ok = {key for key, status, *_ in outcomes if status in (200, 201)}
    tracking_by_key = {}
    for key, _status, _, _, tracking in outcomes:
        if tracking:
            tracking_by_key.setdefault(key, set()).add(tracking)
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT idempotency_key, tracking_no FROM reports")).all()
    engine.dispose()
    stored = {}
    for key, tracking in rows:
        stored.setdefault(key, []).append(tracking)
    return {
        "requests": len(outcomes), "seconds": round(elapsed, 2), "rps": round(len(outcomes) / elapsed, 1),
        "p50_ms": round(statistics.median(lat), 1), "p99_ms": round(lat[int(len(lat) * 0.99) - 1], 1),
        "errors_5xx": sum(1 for _, s, *_ in outcomes if s >= 500),
        "rate_limited_429": sum(1 for _, s, *_ in outcomes if s == 429),
        "database_locked_seen_by_clients": sum(1 for *_, text, _ in outcomes if "locked" in text),
        "lost": len([k for k in keys_ok if k not in stored]),
        "duplicated": sum(len(v) - 1 for v in stored.values() if len(v) > 1),
        "retry_changed_tracking_no": sum(1 for v in tracking_by_key.values() if len(v) > 1),
    }


def main():
    """Run against PostgreSQL and/or SQLite and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="both", choices=["postgres", "sqlite", "both"])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    results = {}
    for kind in (["postgres", "sqlite"] if args.db == "both" else [args.db]):
        if kind == "postgres":
            url = fresh_pg_database("mss_bench_intake")
        else:
            path = ROOT / "instance" / "bench" / "intake.db"
            path.parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("", "-wal", "-shm"):
                (path.parent / (path.name + suffix)).unlink(missing_ok=True)
            url = f"sqlite:///{path}"
        env = bench_env(url, RATELIMIT_ENABLED="0")
        flask(["db", "upgrade"], env)
        flask(["demo", "seed"], env)
        with gunicorn("wsgi:app", args.workers, env) as (base, _):
            outcomes, elapsed = run(base, args.reports, args.clients)
        results[kind] = summarise(outcomes, elapsed, url)
    emit("intake_load", {"reports": args.reports, "clients": args.clients, "workers": args.workers, **results})


if __name__ == "__main__":
    main()
