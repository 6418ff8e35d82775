"""Retention: reporter identity is erased a set time after a report is closed, audited, and nothing else changes."""

from datetime import timedelta

import sqlalchemy as sa

from app.core.timeutil import utcnow
from app.extensions import db
from tests.triage.factories import make_report


def _report(app, status, days_ago, **extra):
    with app.app_context():
        rid = make_report(status=status, reporter_user_id=None, **extra)
        from app.reports.models import Report

        db.session.execute(sa.update(Report.__table__).where(Report.__table__.c.id == rid).values(
            status_changed_at=utcnow() - timedelta(days=days_ago)))
        db.session.commit()
        return rid


def test_identity_of_old_closed_reports_is_erased_and_audited(app, county):
    from app.reports.models import Report
    from app.security.models import AuditEntry

    old_closed = _report(app, "closed", 400)
    old_refused = _report(app, "not_accepted", 400)
    recent_closed = _report(app, "closed", 10)
    old_open = _report(app, "accepted", 400)
    result = app.test_cli_runner().invoke(args=["reports", "erase-identities", "--days", "365"])
    assert result.exit_code == 0, result.output
    assert "2 件" in result.output
    with app.app_context():
        rows = {r.id: r for r in db.session.scalars(sa.select(Report))}
        for rid in (old_closed, old_refused):
            assert (rows[rid].reporter_name, rows[rid].reporter_phone, rows[rid].reporter_id_number) == (None,) * 3
            assert rows[rid].content and rows[rid].status in ("closed", "not_accepted")  # the matter itself stays
        for rid in (recent_closed, old_open):
            assert rows[rid].reporter_name == "张三丰" and rows[rid].reporter_phone == "13800001234"
        entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "report.identity_erased")).all()
        assert sorted(entries[0].detail["report_ids"]) == sorted([old_closed, old_refused])
    again = app.test_cli_runner().invoke(args=["reports", "erase-identities", "--days", "365"])
    assert "0 件" in again.output


def test_default_retention_comes_from_the_setting(make_app, county, app):
    short = make_app(REPORT_IDENTITY_RETENTION_DAYS=30)
    rid = _report(short, "closed", 31)
    result = short.test_cli_runner().invoke(args=["reports", "erase-identities"])
    assert result.exit_code == 0 and "1 件" in result.output
    from app.reports.models import Report

    with short.app_context():
        assert db.session.get(Report, rid).reporter_phone is None


def test_a_retention_below_the_dispute_window_is_refused(app):
    result = app.test_cli_runner().invoke(args=["reports", "erase-identities", "--days", "3"])
    assert result.exit_code == 2
    assert "不能短于" in result.output
