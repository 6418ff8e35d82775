"""Queue, similar and stats at province scale: p50/p95 over a million reports in PostgreSQL.

Builds a fresh database `mss_bench_queue` (`flask db upgrade`, then `flask demo load --reports N --counties 100`:
100 counties, 2,000 townships, 20,000 villages), ANALYZEs it, then calls the real routes in-process through the
Flask test client (routing, bearer-token auth, schema load and dump; no HTTP socket) for a county, a township and
a province inspector: the queue's first page and page 50 (reached through the keyset cursor; the last page when a
queue is shorter) with common filters,
`similar` for one report, and a year's stats by township for a county and for the province. Each figure is the
p50/p95 of --runs timed calls after one warm-up call. The database is dropped at the end unless --keep.

Usage: .venv/bin/python -m bench.queue_scale [--reports 1000000] [--runs 20] [--reuse] [--keep]
"""

import argparse
import os
import statistics
import subprocess
import time
from datetime import timedelta

from bench.common import PG_ADMIN, ROOT, bench_env, emit, flask, fresh_pg_database

DB_NAME = "mss_bench_queue"
COUNTY = "426001000000"  # first synthetic county of `flask demo load` (city 4260, county 01)
TOWNSHIP = "426001101000"
PROVINCE = "420000000000"
QUEUE_TARGET_MS, STATS_TARGET_MS = 30, 1000
FILTERS = [
    ("none", {}),
    ("status=received", {"status": "received"}),
    ("kind=tipoff", {"kind": "tipoff"}),
    ("overdue", {"overdue": "true"}),
    ("due_soon", {"due_soon": "true"}),
    ("q=低保名额", {"q": "低保名额"}),
    ("q=修路", {"q": "修路"}),
    ("village", {"village": None}),  # the busiest village of the scope
]
DEEP_PAGE = 50


def load_average():
    """The 1-minute load average (the machine is shared)."""
    return float(open("/proc/loadavg").read().split()[0])


def build(reports):
    """Fresh database, migrations, the demo province with `reports` reports, ANALYZE; returns (url, load seconds)."""
    url = fresh_pg_database(DB_NAME)
    env = bench_env(url)
    flask(["db", "upgrade"], env)
    start = time.perf_counter()
    subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "demo", "load", "--reports", str(reports),
                    "--counties", "100"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    seconds = round(time.perf_counter() - start, 1)
    _analyze(url)
    return url, seconds


def _analyze(url):
    import sqlalchemy as sa

    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("ANALYZE"))
    engine.dispose()


def _accounts():
    """Inspectors on the county, the township and the province, with bearer headers."""
    from app.auth.models import RoleGrant, User
    from app.auth.tokens import issue_token
    from app.extensions import db

    headers = {}
    for name, region in (("county", COUNTY), ("township", TOWNSHIP), ("province", PROVINCE)):
        user = User(username=f"bench_{name}_{int(time.time())}", display_name=f"压测{name}")
        db.session.add(user)
        db.session.flush()
        db.session.add(RoleGrant(user_id=user.id, role="inspector", region_code=region))
        raw, _ = issue_token(user, 24)
        headers[name] = {"Authorization": f"Bearer {raw}"}
    db.session.commit()
    return headers


def _store_signatures(county):
    """Give the county's reports the text signature intake stores (`flask demo load` leaves it empty)."""
    import sqlalchemy as sa
    from flask import current_app

    from app.extensions import db
    from app.reports.models import Report
    from app.reports.similarity import text_signature

    words = bool(current_app.config.get("SIMILARITY_USE_JIEBA"))
    rows = db.session.execute(sa.select(Report.id, Report.content).where(
        Report.county_code == county, Report.text_signature.is_(None))).all()
    if rows:
        db.session.execute(sa.update(Report).execution_options(synchronize_session=False), [
            {"id": rid, "text_signature": text_signature(content, words=words)} for rid, content in rows])
        db.session.commit()
    return len(rows)


def _busiest_village(prefix):
    import sqlalchemy as sa

    from app.extensions import db
    from app.reports.models import Report

    return db.session.scalar(sa.select(Report.village_code).where(Report.village_code.startswith(prefix))
                             .group_by(Report.village_code).order_by(sa.func.count().desc()).limit(1))


class DatabaseGone(Exception):
    """A 503: PostgreSQL restarted under us (other jobs on this machine restart it); the figure is retaken."""


def _retry(fn):
    """fn(), redone from the start when the database restarted meanwhile."""
    for _ in range(5):
        try:
            return fn()
        except DatabaseGone:
            print("database restarted by another job: retaking this figure", flush=True)
            time.sleep(15)
    raise RuntimeError("the database kept restarting")


def _time(call, runs):
    """[ms] of `runs` calls after one warm-up; call() returns the JSON body. Retaken after a database restart."""
    def sample():
        call()
        out = []
        for _ in range(runs):
            start = time.perf_counter()
            call()
            out.append((time.perf_counter() - start) * 1000)
        return out

    return _retry(sample)


def _summary(samples, target, **extra):
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, int(round(0.95 * len(samples))) - 1)]
    return {"p50_ms": round(statistics.median(samples), 1), "p95_ms": round(p95, 1), "target_ms": target,
            "ok": target is None or p95 < target, **extra}


def measure(app, runs):
    """Every figure: {label: {p50_ms, p95_ms, target_ms, ok, ...}}."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.reports.models import Report

    with app.app_context():
        headers = _accounts()
        print(f"stored text signatures of {_store_signatures(COUNTY)} reports of the county", flush=True)
        villages = {"county": _busiest_village(COUNTY[:6]), "township": _busiest_village(TOWNSHIP[:9])}
        similar_id = db.session.scalar(sa.select(sa.func.max(Report.id)).where(Report.county_code == COUNTY))
    client = app.test_client()

    def get(path, who, query=None):
        response = client.get(path, headers=headers[who], query_string=query or {})
        if response.status_code == 503:
            raise DatabaseGone()
        if response.status_code != 200:
            raise RuntimeError(f"{path} {query}: {response.status_code} {response.get_data(as_text=True)[:300]}")
        return response.get_json()

    figures = {}
    for who in ("county", "township"):
        for label, query in FILTERS:
            query = {k: (villages[who] if v is None else v) for k, v in query.items()}
            first = _time(lambda q=query, w=who: get("/api/v1/triage/reports", w, q), runs)
            page, deep_query = _retry(lambda q=query, w=who: _deep_query(get, w, q))
            figures[f"queue {who} {label} page 1"] = _summary(first, QUEUE_TARGET_MS)
            if deep_query is not None:
                deep = _time(lambda q=deep_query, w=who: get("/api/v1/triage/reports", w, q), runs)
                figures[f"queue {who} {label} deep"] = _summary(deep, QUEUE_TARGET_MS, page=page)
            _print(figures, who, label)
    similar = _time(lambda: get(f"/api/v1/triage/reports/{similar_id}/similar", "county"), runs)
    figures["similar (county inspector)"] = _summary(similar, None, report_id=similar_id)  # no target set
    _print_one("similar (county inspector)", figures["similar (county inspector)"])
    today = _today()
    year = {"from": (today - timedelta(days=364)).isoformat(), "to": today.isoformat(), "by": "township"}
    for label, who in (("stats year by township, county", "county"),
                       ("stats year by township, province", "province")):
        samples = _time(lambda w=who: get("/api/v1/triage/stats", w, year), runs)
        rows = len(_retry(lambda w=who: get("/api/v1/triage/stats", w, year))["items"])
        figures[label] = _summary(samples, STATS_TARGET_MS, rows=rows)
        _print_one(label, figures[label])
    return figures


def _deep_query(get, who, query):
    """(page number, query) of page DEEP_PAGE through the keyset cursor, or of the last page when fewer."""
    body, page, deep = get("/api/v1/triage/reports", who, query), 1, None
    while body["next_cursor"] and page < DEEP_PAGE:
        deep = {**query, "cursor": body["next_cursor"]}
        body, page = get("/api/v1/triage/reports", who, deep), page + 1
    return (page, deep) if deep else (None, None)


def _today():
    from app.core.timeutil import today_cst

    return today_cst()


def _print(figures, who, label):
    _print_one(f"queue {who} {label} page 1", figures[f"queue {who} {label} page 1"])
    deep = figures.get(f"queue {who} {label} deep")
    if deep:
        _print_one(f"queue {who} {label} page {deep['page']}", deep)


def _print_one(label, fig):
    target = f"< {fig['target_ms']} ms" if fig["target_ms"] else "no target"
    mark = "ok" if fig["ok"] else "SLOW"
    print(f"{label:48s} p50 {fig['p50_ms']:8.1f} ms  p95 {fig['p95_ms']:8.1f} ms  ({target}) {mark}", flush=True)


def main():
    """Build (or reuse) the database, measure, emit bench/results/queue_scale.json, drop the database."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="measure the existing database (no rebuild)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    load_before = load_average()
    if args.reuse:
        url, load_s = PG_ADMIN.rsplit("/", 1)[0] + "/" + DB_NAME, None
        _analyze(url)
    else:
        url, load_s = build(args.reports)
        print(f"flask demo load --reports {args.reports}: {load_s} s (load average {load_before})", flush=True)
    os.environ.update(bench_env(url))
    from app import create_app

    app = create_app("development")
    load_measure = load_average()
    print(f"measuring in-process (Flask test client), {args.runs} runs each, load average {load_measure}",
          flush=True)
    figures = measure(app, args.runs)
    load_after = load_average()
    missed = sorted(k for k, v in figures.items() if not v["ok"])
    emit("queue_scale", {
        "reports": args.reports, "load_seconds": load_s, "transport": "in-process Flask test client",
        "runs": args.runs, "load_average": {"before": load_before, "measure": load_measure, "after": load_after},
        "targets_ms": {"queue_p95": QUEUE_TARGET_MS, "stats_p95": STATS_TARGET_MS},
        "missed": missed, "figures": figures,
    })
    with app.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()
    if not args.keep:
        _drop()


def _drop():
    import sqlalchemy as sa

    engine = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
    engine.dispose()


if __name__ == "__main__":
    main()
