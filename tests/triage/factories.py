"""Report rows for triage tests, written directly (intake's POST /reports is another helper's), and accounts."""

import secrets
from datetime import timedelta

import pytest

from app.core.timeutil import utcnow
from app.extensions import db

COUNTY, BAOFENG, LONGJING = "420323000000", "420323103000", "420323103211"
MAJIADU, LUOJIAPO = "420323102000", "420323102203"


def make_report(village=LONGJING, *, kind="tipoff", topic="低保", content="村主任把低保名额给了自己的亲戚",
                anonymous=False, reporter_user_id=None, status="received", days_ago=0, received_at=None, **extra):
    """Insert a report (call inside an app context); returns its id."""
    from app.reports.accused import resolve
    from app.reports.models import Report

    at = received_at or (utcnow() - timedelta(days=days_ago))
    report = Report(
        tracking_no="JB" + secrets.token_hex(6).upper(), kind=kind, topic=topic, content=content,
        channel="miniprogram", village_code=village, township_code=village[:9] + "000",
        county_code=village[:6] + "000000", status=status, anonymous=anonymous, received_at=at,
        status_changed_at=at, reporter_user_id=None if anonymous else reporter_user_id,
        reporter_name=None if anonymous else "张三丰", reporter_phone=None if anonymous else "13800001234",
        reporter_id_number=None if anonymous else "420323199001011234", **extra)
    db.session.add(report)
    db.session.flush()
    resolve(report)  # whom it accuses becomes conflicts, as at intake
    db.session.commit()
    return report.id


@pytest.fixture(name="triage_world")
def triage_world_fixture(app, county, make_user, token_for):
    """Accounts on the demo county: inspectors (county, township), custodian, admin, publisher, unit handler."""
    from app.regions.models import Unit

    with app.app_context():
        units = {u.name: u.id for u in db.session.scalars(db.select(Unit))}
    agri = units["竹山县农业农村局"]
    edu = units["竹山县教育局"]
    ids = {
        "county": make_user(("inspector", COUNTY)),
        "township": make_user(("inspector", BAOFENG)),
        "majiadu": make_user(("inspector", MAJIADU)),
        "custodian": make_user(("custodian", COUNTY)),
        "admin": make_user(("admin", None)),
        "publisher": make_user(("publisher", LONGJING)),
        "reviewer": make_user(("reviewer", LONGJING)),
        "handler": make_user(("unit_handler", None, agri), unit_id=agri),
        "edu_handler": make_user(("unit_handler", None, edu), unit_id=edu),
        "resident": make_user(),
    }
    world = {"ids": ids, "units": units, "agri": agri, "edu": edu}
    world["h"] = {name: token_for(uid) for name, uid in ids.items()}
    return world
