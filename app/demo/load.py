"""`flask demo load`: a province-sized synthetic tree and N reports with realistic lifecycles, for benchmarks.

Tree under the province code (default 42, 湖北省): 10 synthetic cities (codes xx60–xx69, unused by real
divisions), 10 counties each, 20 townships per county, 10 villages per township, 5 departments per county and a
government per township. Names are synthetic. Reports are spread over the last 365 days; each gets the timeline,
assignment and deadline rows its lifecycle implies (app/demo/load_rows.py). PostgreSQL gets COPY, SQLite
executemany, in batches, all in one transaction: the load is all or nothing and refuses to run twice.
"""

import io
import random
from datetime import UTC

import sqlalchemy as sa

from app.core.timeutil import utcnow
from app.extensions import db
from app.regions.models import Region, Unit
from app.reports.models import Report, TimelineEvent
from app.triage.models import Assignment, ReportDeadline

PROVINCE_NAMES = {"42": "湖北省"}
FIRST = "青白金龙凤桃柳杨梅竹松柏丰安和兴隆永长福泰康明德清溪石云山河湖"
SECOND = "林峰岭坪湾溪桥冲坝垭塘岗口园湖堰河沟店铺"
DEPARTMENTS = ("教育局", "卫生健康局", "交通运输局", "农业农村局", "民政局")
BATCH = 20_000


class AlreadyLoaded(Exception):
    """The synthetic tree of this province is already in the database."""


def tree_codes(province, counties):
    """(cities, counties, townships, villages) as lists of (code, name, level, parent)."""
    cities, county_rows, townships, villages = [], [], [], []
    root = province.ljust(12, "0")
    for c in range(counties):
        city = f"{province}{60 + c // 10:02d}"
        if c % 10 == 0:
            cities.append((city.ljust(12, "0"), _name(c // 10, "市"), "city", root))
        county = f"{city}{c % 10 + 1:02d}"
        county_rows.append((county.ljust(12, "0"), _name(c + 7, "县"), "county", city.ljust(12, "0")))
        for t in range(20):
            township = f"{county}{101 + t}"
            townships.append((township + "000", _name(c * 20 + t + 3, "镇" if t % 3 else "乡"), "township",
                              county.ljust(12, "0")))
            for v in range(10):
                villages.append((f"{township}{201 + v}", _name((c * 20 + t) * 10 + v, "村"), "village",
                                 township + "000"))
    return cities, county_rows, townships, villages


def _name(i, suffix):
    return FIRST[i % len(FIRST)] + SECOND[(i // len(FIRST) + i) % len(SECOND)] + suffix


def load(reports=1_000_000, province="42", counties=100, seed=42, progress=None, echo=print):
    """Load the tree and `reports` reports in one transaction; AlreadyLoaded if the tree exists."""
    if not (len(province) == 2 and province.isdigit()) or not 1 <= counties <= 100:
        raise ValueError("province must be 2 digits and counties 1..100")
    cities, county_rows, townships, villages = tree_codes(province, counties)
    if db.session.get(Region, cities[0][0]) is not None:
        raise AlreadyLoaded(cities[0][0])
    now = utcnow()
    _insert_regions(province, [*cities, *county_rows, *townships, *villages], now)
    units = _insert_units(county_rows, townships, now)
    echo(f"区划：{len(cities)} 个市、{len(county_rows)} 个县、{len(townships)} 个乡镇、{len(villages)} 个村；"
         f"单位 {sum(len(u) for u in units.values()) + len(townships)} 个")
    from app.demo.load_rows import ReportFactory

    factory = ReportFactory(random.Random(seed), [v[0] for v in villages], units, now, _next_ids())
    done = 0
    while done < reports:
        size = min(BATCH, reports - done)
        _write(factory.batch(size))
        done += size
        if progress:
            progress(size)
    _fix_sequences()
    db.session.commit()
    return {"regions": len(cities) + len(county_rows) + len(townships) + len(villages), "reports": reports}


def _insert_regions(province, rows, now):
    root = province.ljust(12, "0")
    if db.session.get(Region, root) is None:
        name = PROVINCE_NAMES.get(province, f"省级行政区{province}")
        db.session.execute(Region.__table__.insert(), [{"code": root, "name": name, "display_name": name,
                                                         "level": "province", "parent_code": None,
                                                         "created_at": now}])
    db.session.execute(Region.__table__.insert(), [
        {"code": code, "name": name, "display_name": name, "level": level, "parent_code": parent,
         "created_at": now} for code, name, level, parent in rows])


def _insert_units(county_rows, townships, now):
    rows = [{"name": f"{county_name}{dept}", "kind": "department", "region_code": code, "is_active": True,
             "created_at": now} for code, county_name, _, _ in county_rows for dept in DEPARTMENTS]
    rows += [{"name": f"{name}人民政府", "kind": "township_gov", "region_code": code, "is_active": True,
              "created_at": now} for code, name, _, _ in townships]
    db.session.execute(Unit.__table__.insert(), rows)
    codes = [c[0] for c in county_rows]
    found = db.session.execute(sa.select(Unit.id, Unit.region_code).where(
        Unit.region_code.in_(codes), Unit.kind == "department")).all()
    units = {}
    for unit_id, region in found:
        units.setdefault(region, []).append(unit_id)
    return units


def _next_ids():
    return {model: (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1
            for model in (Report, TimelineEvent, Assignment)}


TABLES = (("reports", Report), ("events", TimelineEvent), ("assignments", Assignment),
          ("deadlines", ReportDeadline))


def _write(rows):
    """Insert one batch: COPY on PostgreSQL, executemany elsewhere."""
    if db.session.get_bind().dialect.name != "postgresql":
        for key, model in TABLES:
            if rows[key]:
                db.session.execute(model.__table__.insert(), rows[key])
        return
    cursor = db.session.connection().connection.cursor()
    for key, model in TABLES:
        if not rows[key]:
            continue
        columns = list(rows[key][0])
        buf = io.StringIO()
        for row in rows[key]:
            buf.write("\t".join(_copy_value(row[c]) for c in columns) + "\n")
        buf.seek(0)
        cursor.copy_expert(f'COPY {model.__tablename__} ({", ".join(columns)}) FROM STDIN', buf)


def _copy_value(value):
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if getattr(value, "tzinfo", None) is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    text = value.isoformat(sep=" ") if hasattr(value, "hour") else str(value)
    return text.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def _fix_sequences():
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in ("reports", "report_events", "triage_assignments"):
        db.session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))
