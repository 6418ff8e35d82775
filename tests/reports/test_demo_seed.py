"""The demo reports: filed through the real submission path, once."""

import sqlalchemy as sa

from app.extensions import db
from app.reports.models import Report


def test_demo_reports_are_filed_once(app, county):
    from app.reports.demo import REPORTS, seed_reports

    lines = []
    with app.app_context():
        seed_reports(lines.append)
        seed_reports(lines.append)
        reports = db.session.scalars(sa.select(Report)).all()
        assert len(reports) == len(REPORTS)
        assert {r.village_code for r in reports} == {"420323103211", "420323102203"}
        assert all(r.timeline[0].action == "submitted" for r in reports)
    receipts = [line for line in lines if "回执码" in line]
    assert len(receipts) == len(REPORTS)  # every reporter, real-name too, follows his report by a receipt code
    assert lines[-1] == "演示反映：新增 0 条"


def test_demo_seeder_is_registered(app):
    from app.reports.hooks import seed_demo

    assert seed_demo in app.extensions["mss_demo_seeders"]
