"""Triage queue at scale: first page of filtered queues over a million reports in PostgreSQL.

Generates reports with SQL (generate_series) into a throwaway database, then times `queue.list_queue` (the code
behind GET /api/v1/triage/reports) for a county and a township inspector, median of 5 runs, with each plan's
top node. Usage: .venv/bin/python -m bench.triage_queue [--reports 1000000]
"""

import argparse
import os
import statistics
import time

from bench.common import bench_env, emit, fresh_pg_database

FILTERS = [
    ("county, no filter", "county", {}),
    ("county, status=received", "county", {"status": ["received"]}),
    ("county, overdue", "county", {"overdue": True}),
    ("county, due_soon", "county", {"due_soon": True}),
    ("county, kind=tipoff & status=accepted", "county", {"kind": "tipoff", "status": ["accepted"]}),
    ("county, q=低保名额", "county", {"q": "低保名额"}),
    ("county, q=修路 (2 chars)", "county", {"q": "修路"}),
    ("township, no filter", "township", {}),
    ("township, overdue", "township", {"overdue": True}),
    ("village, status=assigned", "county", {"village": None, "status": ["assigned"]}),
]
PHRASES = ["村主任把低保名额给了自己亲戚", "村道修路款去向不明", "惠民资金发放不公开", "村集体土地流转价格偏低",
           "医保报销比例咨询", "建议安装路灯", "危房改造补贴被截留", "村干部吃拿卡要"]


def generate(n):
    """Insert n reports and their deadline rows with plain SQL."""
    import sqlalchemy as sa

    from app.extensions import db

    phrases = "ARRAY[" + ",".join(f"'{p}'" for p in PHRASES) + "]"
    db.session.execute(sa.text(f"""
        INSERT INTO reports (id, tracking_no, kind, topic, content, channel, village_code, township_code,
                             county_code, status, received_at, status_changed_at, anonymous, flagged)
        SELECT g, 'JB' || lpad(g::text, 10, '0'),
               (ARRAY['suggestion','question','help','tipoff','contact_point'])[1 + g % 5],
               (ARRAY['低保','道路','土地','医疗','资金'])[1 + g % 5],
               ({phrases})[1 + g % 8] || '，编号' || g || '，' || md5(g::text),
               'miniprogram', v.code, left(v.code, 9) || '000', left(v.code, 6) || '000000',
               (ARRAY['closed','closed','closed','concluded','accepted','assigned','received','on_hold'])[1 + g % 8],
               now() - make_interval(mins => (({n} - g)::bigint * 525600 / {n})::int * 2),
               now() - make_interval(mins => (({n} - g)::bigint * 525600 / {n})::int),
               g % 3 <> 0, false
        FROM generate_series(1, {n}) g
        JOIN (SELECT code, row_number() OVER (ORDER BY code) - 1 AS k, count(*) OVER () AS c
              FROM regions WHERE level = 'village' AND code LIKE '420323%') v ON v.k = g % v.c
    """))
    db.session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('reports', 'id'), {n})"))
    db.session.execute(sa.text("""
        INSERT INTO triage_deadlines (report_id, stage, due_on, accepted_on, updated_at)
        SELECT id, 'conclude', (received_at + make_interval(days => 20 + (id % 120)::int))::date,
               received_at::date, now()
        FROM reports WHERE status IN ('accepted', 'assigned', 'on_hold')
    """))
    db.session.commit()
    db.session.execute(sa.text("ANALYZE"))


def _top_node(stmt):
    import sqlalchemy as sa

    from app.extensions import db

    sql = stmt.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
    plan = db.session.execute(sa.text(f"EXPLAIN {sql}")).scalars().all()
    return " / ".join(line.strip() for line in plan[:3])


def measure():
    """Median milliseconds to the first page of each filtered queue."""
    import sqlalchemy as sa

    from app.auth.models import RoleGrant, User
    from app.extensions import db
    from app.reports.models import Report
    from app.triage import queue

    village = db.session.scalar(sa.select(Report.village_code).where(Report.id == 7))
    users = {}
    for name, region in (("county", "420323000000"), ("township", village[:9] + "000")):
        user = User(username=f"bench_{name}", display_name=name)
        db.session.add(user)
        db.session.flush()
        db.session.add(RoleGrant(user_id=user.id, role="inspector", region_code=region))
        users[name] = user
    db.session.commit()
    figures = {}
    for label, who, filters in FILTERS:
        filters = {k: (village if k == "village" else v) for k, v in filters.items()}
        runs = []
        for _ in range(5):
            start = time.perf_counter()
            page = queue.list_queue(users[who], dict(filters), 20, None)
            runs.append((time.perf_counter() - start) * 1000)
            db.session.rollback()
        stmt = queue.queue_stmt(users[who], filters).order_by(Report.id.desc()).limit(21)
        figures[label] = {"median_ms": round(statistics.median(runs), 1), "items": len(page.items),
                          "plan": _top_node(stmt)}
        print(f"{label:45s} {figures[label]['median_ms']:8.1f} ms  {len(page.items)} items")
    return figures


def main():
    """Build the data, measure, emit bench/results/triage_queue.json."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=1_000_000)
    args = parser.parse_args()
    url = fresh_pg_database("mss_bench_triage")
    os.environ.update(bench_env(url))
    from app import create_app
    from app.demo.seed import seed_regions, seed_units
    from app.extensions import db

    app = create_app("development")
    with app.app_context():
        db.create_all()
        seed_regions()
        seed_units()
        start = time.perf_counter()
        generate(args.reports)
        load_s = round(time.perf_counter() - start, 1)
        print(f"generated {args.reports} reports in {load_s} s")
        figures = measure()
    emit("triage_queue", {"reports": args.reports, "generate_seconds": load_s, "first_page": figures})


if __name__ == "__main__":
    main()
