"""Reports made directly in the database, transitions through the real service, and the casework staff fixture."""

import secrets
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from app.extensions import db

COUNTY = "420323000000"
BAOFENG, LONGJING = "420323103000", "420323103211"
MAJIADU, LUOJIAPO = "420323102000", "420323102203"
OTHER_COUNTY = "420324000000"


def make_report(app, village=LONGJING, *, kind="suggestion", topic="村级债务", content="村里道路维修款没有公开。",
                status="received", anonymous=True, reporter_user_id=None, reporter_name=None, received_at=None,
                channel="h5", layer=None, target_user_id=None, target_unit_id=None, target_person_post=None):
    """Insert a report with its `submitted` event; returns its id."""
    from app.reports.accused import resolve
    from app.reports.models import Report, TimelineEvent

    received_at = received_at or datetime.now(UTC)
    with app.app_context():
        report = Report(
            tracking_no=f"JB{received_at:%Y%m%d}-{secrets.token_hex(3).upper()}", kind=kind, topic=topic,
            content=content, channel=channel, village_code=village, township_code=village[:9] + "000",
            county_code=village[:6] + "000000", status=status, received_at=received_at,
            status_changed_at=received_at, anonymous=anonymous, reporter_user_id=reporter_user_id,
            reporter_name=reporter_name, contact_layer=layer, target_user_id=target_user_id,
            target_unit_id=target_unit_id, target_person_post=target_person_post)
        db.session.add(report)
        db.session.flush()
        resolve(report)  # whom it accuses becomes conflicts, as at intake
        db.session.add(TimelineEvent(report_id=report.id, action="submitted", to_status="received", visibility="public",
                                     at=received_at))
        db.session.commit()
        return report.id


def act(app, user_id, report_id, action, **kwargs):
    """Run a transition through triage.service.apply_action as user and commit."""
    from app.auth.models import User
    from app.reports.models import Report
    from app.triage.service import apply_action

    with app.app_context():
        apply_action(db.session.get(User, user_id), db.session.get(Report, report_id), action, **kwargs)
        db.session.commit()


def add_event(app, report_id, at, action, to_status, from_status=None):
    """Insert a timeline event at a given time (for figures with known durations)."""
    from app.reports.models import TimelineEvent

    with app.app_context():
        db.session.add(TimelineEvent(report_id=report_id, action=action, from_status=from_status,
                                     to_status=to_status, visibility="public", at=at))
        db.session.commit()


def unit_id(app, name):
    """The id of a demo unit by name."""
    from app.regions.models import Unit

    with app.app_context():
        return db.session.scalar(sa.select(Unit.id).where(Unit.name == name))


def report_of(app, report_id):
    """(status, [(action, visibility, note)]) of a report."""
    from app.reports.models import Report

    with app.app_context():
        report = db.session.get(Report, report_id)
        return report.status, [(e.action, e.visibility, e.note) for e in report.timeline]


def days_ago(n, hour=2):
    """An aware UTC time n days ago (hour in UTC, 10:00 China time by default)."""
    day = datetime.now(UTC) - timedelta(days=n)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.fixture(name="casework")
def casework_fixture(app, county, make_user, token_for):
    """Staff around the demo county: ids, bearer headers and two unit ids."""
    from app.regions.models import Region

    with app.app_context():
        db.session.add(Region(code=OTHER_COUNTY, name="竹溪县", display_name="竹溪县", level="county"))
        db.session.commit()
    agri, edu = unit_id(app, "竹山县农业农村局"), unit_id(app, "竹山县教育局")
    ids = SimpleNamespace(
        inspector=make_user(("inspector", COUNTY)), inspector2=make_user(("inspector", COUNTY)),
        township=make_user(("inspector", BAOFENG)), majiadu=make_user(("inspector", MAJIADU)),
        other_county=make_user(("inspector", OTHER_COUNTY)), publisher=make_user(("publisher", LONGJING)),
        resident=make_user(), admin=make_user(("admin",)),
        agri_handler=make_user(("unit_handler", None, agri), unit_id=agri),
        edu_handler=make_user(("unit_handler", None, edu), unit_id=edu),
        agri_staff=make_user(unit_id=agri),
    )
    headers = {name: token_for(uid) for name, uid in vars(ids).items()}
    return SimpleNamespace(ids=ids, agri=agri, edu=edu, **headers)
