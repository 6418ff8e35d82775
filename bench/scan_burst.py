"""Scan burst: the public read path under gunicorn + PostgreSQL, as ratios of a bare-Flask ceiling.

Usage: .venv/bin/python -m bench.scan_burst [--seconds 10] [--connections 32]
"""

import argparse
import json
import urllib.request

from bench.common import bench_env, emit, flask, fresh_pg_database, gunicorn, peak_rss_mb, wrk

VILLAGE = "420323103211"  # 龙井村
PASSWORD = "Demo-2026-mss"


def _call(base, method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read() or b"null"), resp.headers


def _login(base, username):
    body, _ = _call(base, "POST", "/api/v1/auth/login", {"username": username, "password": PASSWORD})
    return body["token"]


def publish_finance(base, lines=200):
    """Publish a finance disclosure with `lines` ledger lines through the API; returns its id."""
    publisher, reviewer = _login(base, "publisher_longjing"), _login(base, "reviewer_longjing")
    rows = [{"date": f"2026-10-{1 + i % 28:02d}", "voucher_no": f"记-{i + 1:03d}",
             "direction": "income" if i % 3 == 0 else "expense", "subject": "办公费" if i % 3 else "上级补助收入",
             "amount_fen": 1000 + i * 37, "counterparty": "竹山县财政局", "note": ""} for i in range(lines)]
    draft, _ = _call(base, "POST", "/api/v1/disclosures", {
        "village_code": VILLAGE, "kind": "finance", "period": "2026-10", "title": "2026年10月财务收支公开",
        "content": {"opening_balance_fen": 5_000_000, "lines": rows}}, publisher)
    did = draft["id"]
    _call(base, "POST", f"/api/v1/disclosures/{did}/submit", {}, publisher)
    _call(base, "POST", f"/api/v1/disclosures/{did}/approve", {}, reviewer)
    _call(base, "POST", f"/api/v1/disclosures/{did}/publish", {}, publisher)
    return did


def main():
    """Run the burst and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", default="2,4")
    args = parser.parse_args()
    env = bench_env(fresh_pg_database("mss_bench_scan"))
    flask(["db", "upgrade"], env)
    flask(["demo", "seed"], env)
    results = {"seconds": args.seconds, "connections": args.connections, "runs": []}
    for workers in [int(w) for w in args.workers.split(",")]:
        with gunicorn("bench.ceiling_app:app", workers, env) as (base, _):
            ceiling = wrk(base + "/", args.seconds, args.connections)
        with gunicorn("wsgi:app", workers, env) as (base, proc):
            did = publish_finance(base) if not results["runs"] else results["disclosure_id"]
            results["disclosure_id"] = did
            _, headers = _call(base, "GET", f"/api/v1/villages/{VILLAGE}/disclosures")
            etag = headers.get("ETag")
            routes = {
                "village": f"/api/v1/villages/{VILLAGE}",
                "disclosures": f"/api/v1/villages/{VILLAGE}/disclosures",
                "finance_200_lines": f"/api/v1/disclosures/{did}",
                "h5_village": f"/v/{VILLAGE}",
            }
            run = {"workers": workers, "ceiling": ceiling, "routes": {}}
            for name, path in routes.items():
                fig = wrk(base + path, args.seconds, args.connections)
                fig["ratio"] = round(fig["rps"] / ceiling["rps"], 3)
                run["routes"][name] = fig
            if etag:
                fig = wrk(base + routes["disclosures"], args.seconds, args.connections,
                          headers={"If-None-Match": etag})
                fig["ratio"] = round(fig["rps"] / ceiling["rps"], 3)
                run["routes"]["revalidate_304"] = fig
            run["worker_peak_rss_mb"] = peak_rss_mb(proc.pid)
            results["runs"].append(run)
    emit("scan_burst", results)


if __name__ == "__main__":
    main()
