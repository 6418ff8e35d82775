"""`flask demo load`: a synthetic province tree and reports with consistent lifecycles, loaded once."""

import sqlalchemy as sa

from app.extensions import db
from app.regions.models import Region, Unit
from app.reports.models import Report, TimelineEvent
from app.triage.models import Assignment, ReportDeadline


def _count(model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_load_builds_the_tree_and_consistent_reports(app, make_user, token_for):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load", "--reports", "3000", "--counties", "2"])
    assert result.exit_code == 0, result.output
    assert "已生成 443 个区划、3000 条反映。" in result.output
    with app.app_context():
        assert _count(Region, Region.level == "county") == 2 and _count(Region, Region.level == "township") == 40
        assert _count(Region, Region.level == "village") == 400
        assert db.session.get(Region, "420000000000").name == "湖北省"
        assert _count(Unit) == 2 * 5 + 40
        assert _count(Report) == 3000 and _count(TimelineEvent, TimelineEvent.action == "submitted") == 3000
        statuses = dict(db.session.execute(sa.select(Report.status, sa.func.count()).group_by(Report.status)).all())
        assert {"received", "accepted", "assigned", "responded", "concluded", "closed", "not_accepted",
                "merged"} <= set(statuses)
        # every report's status is where its timeline ends, and assigned reports have an open assignment
        last = dict(db.session.execute(sa.select(TimelineEvent.report_id, TimelineEvent.to_status)
                                       .order_by(TimelineEvent.report_id, TimelineEvent.at)).all())
        assert all(last[r.id] == r.status for r in db.session.scalars(sa.select(Report)))
        open_assignments = _count(Assignment, Assignment.answered_at.is_(None))
        assert open_assignments == statuses["assigned"]
        assert _count(ReportDeadline) == 3000 - statuses["received"]
        codes = {r.tracking_no for r in db.session.scalars(sa.select(Report))}
        assert len(codes) == 3000

    again = runner.invoke(args=["demo", "load", "--reports", "10", "--counties", "2"])
    assert again.exit_code == 1 and "只能加载一次" in again.output
    with app.app_context():
        assert _count(Report) == 3000

    province = token_for(make_user(("inspector", "420000000000")))
    client = app.test_client()
    stats = client.get("/api/v1/triage/stats?by=status&from=2025-01-01&to=2027-12-31", headers=province).get_json()
    assert stats["total"]["total"] == 3000
    queue_ok = client.get("/api/v1/triage/stats?by=unit&from=2025-01-01&to=2027-12-31", headers=province)
    assert queue_ok.status_code == 200


def test_load_checks_its_arguments(app):
    result = app.test_cli_runner().invoke(args=["demo", "load", "--reports", "5", "--province", "4x"])
    assert result.exit_code == 2 and "参数错误" in result.output
