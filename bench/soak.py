"""Soak: mixed traffic (scans, submissions with 10% retries, receipt lookups, triage by the demo inspector) on
gunicorn + PostgreSQL + Redis rate limits for N minutes. Per minute: requests, errors, p50/p99; latency drift and
RSS growth per worker.

Usage: .venv/bin/python -m bench.soak [--minutes 10] [--workers 4]
"""

import argparse
import random
import subprocess
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import requests

from bench.common import bench_env, emit, fresh_pg_database, gunicorn
from bench.common import flask as run_flask
from bench.faults import REDIS, VILLAGES, call, drain, pct, report_body

PASSWORD = "Demo-2026-mss"
GENEROUS = "1000000 per hour"


class Traffic:
    """Client threads sharing one log of (second since start, kind, status, ms)."""

    def __init__(self, base):
        self.base, self.start, self.stop = base, time.time(), threading.Event()
        self.log, self.lock, self.notes = [], threading.Lock(), {"triage_actions": 0, "triage_refused": []}

    def hit(self, session, kind, method, path, **kwargs):
        """One request, logged; returns (status, response)."""
        at = time.time() - self.start
        status, resp, ms = call(session, method, self.base + path, **kwargs)
        with self.lock:
            self.log.append((at, kind, status, ms))
        return status, resp

    def scans(self):
        """A resident scanning the poster: village page, disclosures, H5 page, sometimes a disclosure."""
        session = requests.Session()
        while not self.stop.is_set():
            code = random.choice(VILLAGES)
            self.hit(session, "scan", "GET", f"/api/v1/villages/{code}")
            status, resp = self.hit(session, "scan", "GET", f"/api/v1/villages/{code}/disclosures")
            self.hit(session, "scan", "GET", f"/v/{code}")
            items = resp.json().get("items", []) if status == 200 else []
            if items and random.random() < 0.5:
                self.hit(session, "scan", "GET", f"/api/v1/disclosures/{random.choice(items)['id']}")
            time.sleep(random.uniform(0.02, 0.1))

    def submissions(self, index):
        """Submissions with Idempotency-Keys, 10% sent twice, 20% followed by a receipt lookup."""
        session, n = requests.Session(), index * 1_000_000
        while not self.stop.is_set():
            n += 1
            key = uuid.uuid4().hex
            for _ in range(2 if random.random() < 0.1 else 1):
                status, resp = self.hit(session, "submit", "POST", "/api/v1/reports", json=report_body(n),
                                        headers={"Idempotency-Key": key})
            code = (resp.json().get("receipt_code") or "").replace(" ", "") if status in (200, 201) else ""
            if code and random.random() < 0.2:
                self.hit(session, "lookup", "POST", "/api/v1/reports/track", json={"receipt_code": code})
            time.sleep(random.uniform(0.1, 0.3))

    def triage(self):
        """The county inspector: list the queue, accept new reports, assign accepted ones to a department."""
        session = requests.Session()
        _, resp = self.hit(session, "triage", "POST", "/api/v1/auth/login",
                           json={"username": "inspector", "password": PASSWORD})
        session.headers["Authorization"] = f"Bearer {resp.json()['token']}"
        _, resp = self.hit(session, "triage", "GET", "/api/v1/units?region=420323000000&limit=100")
        unit = next(u["id"] for u in resp.json()["items"] if u["kind"] == "department")
        due = (date.today() + timedelta(days=30)).isoformat()
        while not self.stop.is_set():
            for status_filter, action in (("received", "accept"), ("accepted", "assign")):
                status, resp = self.hit(session, "triage", "GET", f"/api/v1/triage/reports?status={status_filter}"
                                        "&limit=20")
                items = resp.json().get("items", []) if status == 200 else []
                for item in items[:3]:
                    body = ({"unit_id": unit, "due_date": due} if action == "assign" else
                            {"disposition": "preliminary_verification"} if item["kind"] == "tipoff" else {})
                    code, answer = self.hit(session, "triage", "POST",
                                            f"/api/v1/triage/reports/{item['id']}/{action}", json=body)
                    if code == 200:
                        self.notes["triage_actions"] += 1
                    elif answer is not None and len(self.notes["triage_refused"]) < 5:
                        self.notes["triage_refused"].append((action, code, answer.text[:200]))
            time.sleep(0.5)


def worker_rss(master_pid):
    """{worker pid: VmRSS in MB}."""
    out = {}
    for pid in subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True).stdout.split():
        try:
            line = next(x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if x.startswith("VmRSS:"))
        except (OSError, StopIteration):
            continue
        out[int(pid)] = round(int(line.split()[1]) / 1024, 1)
    return out


def per_minute(log, minutes):
    """Requests, errors (5xx and socket), 4xx, p50/p99 for each minute."""
    rows = []
    for minute in range(minutes):
        part = [entry for entry in log if minute * 60 <= entry[0] < (minute + 1) * 60]
        lat = [ms for *_, ms in part]
        rows.append({"minute": minute + 1, "requests": len(part),
                     "errors": sum(1 for _, _, s, _ in part if s == 0 or s >= 500),
                     "client_4xx": sum(1 for _, _, s, _ in part if 400 <= s < 500),
                     "p50_ms": pct(lat, 0.5), "p99_ms": pct(lat, 0.99)})
    return rows


def main():
    """Run the soak and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--scanners", type=int, default=3)
    parser.add_argument("--submitters", type=int, default=2)
    args = parser.parse_args()
    url = fresh_pg_database("mss_bench_soak")
    env = bench_env(url, REDIS_URL=REDIS, RATELIMIT_ENABLED="1", REPORT_LIMIT_ADDRESS=GENEROUS,
                    UPLOAD_LIMIT_ADDRESS=GENEROUS, RECEIPT_LOOKUP_LIMIT=GENEROUS, RECEIPT_MESSAGE_LIMIT=GENEROUS)
    Path(env["INSTANCE_PATH"]).mkdir(parents=True, exist_ok=True)
    run_flask(["db", "upgrade"], env)
    run_flask(["demo", "seed"], env)
    subprocess.run(["redis-cli", "-n", "9", "flushdb"], capture_output=True)  # fresh limit counters
    with gunicorn("wsgi:app", args.workers, env) as (base, proc):
        tail = drain(proc)
        traffic = Traffic(base)
        targets = [traffic.scans] * args.scanners + [traffic.triage]
        threads = [threading.Thread(target=t, daemon=True) for t in targets]
        threads += [threading.Thread(target=traffic.submissions, args=(i,), daemon=True)
                    for i in range(args.submitters)]
        samples = [(0, worker_rss(proc.pid))]
        for thread in threads:
            thread.start()
        while time.time() - traffic.start < args.minutes * 60:
            time.sleep(10)
            samples.append((time.time() - traffic.start, worker_rss(proc.pid)))
        traffic.stop.set()
        for thread in threads:
            thread.join(timeout=60)
    minutes = per_minute(traffic.log, args.minutes)
    first, last = samples[0][1], samples[-1][1]
    warm = next((rss for at, rss in samples if at >= 60), last)  # after the first minute: imports and caches done
    growth = {str(pid): {"first_mb": first[pid], "after_1_min_mb": warm.get(pid), "last_mb": last[pid],
                         "growth_mb": round(last[pid] - first[pid], 1),
                         "growth_after_1_min_mb": round(last[pid] - warm[pid], 1) if pid in warm else None}
              for pid in first if pid in last}
    kinds = sorted({kind for _, kind, _, _ in traffic.log})
    figures = {
        "minutes": args.minutes, "workers": args.workers, "scanners": args.scanners, "submitters": args.submitters,
        "requests": len(traffic.log), "errors": sum(m["errors"] for m in minutes),
        "client_4xx": sum(m["client_4xx"] for m in minutes),
        "by_kind": {k: {"requests": sum(1 for _, kk, _, _ in traffic.log if kk == k),
                        "p50_ms": pct([ms for _, kk, _, ms in traffic.log if kk == k], 0.5),
                        "p99_ms": pct([ms for _, kk, _, ms in traffic.log if kk == k], 0.99)} for k in kinds},
        "per_minute": minutes,
        "p99_drift": round(minutes[-1]["p99_ms"] / minutes[0]["p99_ms"], 2) if minutes[0]["p99_ms"] else None,
        "p50_drift": round(minutes[-1]["p50_ms"] / minutes[0]["p50_ms"], 2) if minutes[0]["p50_ms"] else None,
        "rss_per_worker": growth, "workers_replaced": len(set(last) - set(first)),
        "triage_actions": traffic.notes["triage_actions"], "triage_refused_samples": traffic.notes["triage_refused"],
        "server_log_tail": tail[-5:],
    }
    emit("soak", figures)
    print(f"{'min':>4} {'requests':>9} {'errors':>7} {'4xx':>5} {'p50 ms':>8} {'p99 ms':>8}")
    for m in minutes:
        print(f"{m['minute']:>4} {m['requests']:>9} {m['errors']:>7} {m['client_4xx']:>5} {m['p50_ms']:>8} "
              f"{m['p99_ms']:>8}")
    print(f"p99 drift {figures['p99_drift']}, RSS growth per worker (MB, from start / after minute 1):",
          {pid: (g["growth_mb"], g["growth_after_1_min_mb"]) for pid, g in growth.items()})


if __name__ == "__main__":
    main()
