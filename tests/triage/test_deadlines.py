"""Legal time limits from settings in working days, and the idempotent daily reminder."""

from datetime import date, timedelta

import sqlalchemy as sa

from app.core.timeutil import start_of_day_utc, today_cst
from app.extensions import db
from tests.triage.factories import make_report, triage_world_fixture  # noqa: F401  (fixture)

URL = "/api/v1/triage/reports"


def test_accept_limit_counts_working_days_over_national_day(make_app, triage_world, client):
    """Received Saturday 27 Sep 2025: 4 working days end on 9 Oct (28-30 Sep, then after the holiday)."""
    custom = make_app(TRIAGE_ACCEPT_DAYS=4, TRIAGE_ACCEPT_NOTICE_DAYS=4, TRIAGE_FORWARD_DAYS=2)
    with custom.app_context():
        rid = make_report(anonymous=False, received_at=start_of_day_utc(date(2025, 9, 27)) + timedelta(hours=9))
    detail = custom.test_client().get(f"{URL}/{rid}", headers=triage_world["h"]["county"]).get_json()
    assert detail["due_at"] == "2025-10-09" and detail["stage"] == "accept" and detail["overdue"] is True
    limits = {d["kind"]: d for d in detail["deadlines"]}
    assert limits["accept"]["due_on"] == "2025-10-09" and limits["accept"]["status"] == "overdue"
    assert limits["forward"]["due_on"] == "2025-09-29"
    assert limits["accept_notice"]["due_on"] == "2025-10-09"


def test_deadline_helpers(app):
    from app.triage import deadlines

    with app.app_context():
        cal = deadlines.calendar()
        for bound in (date(2025, 10, 9), date(2025, 10, 1), date(2026, 2, 24)):
            start = deadlines.earliest_start(15, bound, cal)
            assert cal.add_workdays(start, 15) >= bound > cal.add_workdays(start - timedelta(days=1), 15)
        info = deadlines.due_info("conclude", date(2025, 10, 9), date(2025, 9, 30))
        assert info["due_soon"] is True and info["remaining_workdays"] == 1 and info["stage_label"] == "办结期限"
        assert deadlines.due_info(None, None, date(2025, 9, 30))["due_at"] is None
        assert deadlines.conclude_due(date(2025, 1, 1)) == date(2025, 4, 1)


def test_hold_stops_the_clock_and_real_name_conclusion_notice_is_met(app, client, triage_world):
    h = triage_world["h"]["county"]
    with app.app_context():
        rid = make_report(kind="question")
    client.post(f"{URL}/{rid}/accept", headers=h, json={})
    held = client.post(f"{URL}/{rid}/hold", headers=h, json={}).get_json()
    assert held["due_at"] is None and held["overdue"] is False
    assert {d["kind"]: d["status"] for d in held["deadlines"]}["conclude"] == "not_applicable"
    client.post(f"{URL}/{rid}/resume", headers=h, json={})
    done = client.post(f"{URL}/{rid}/conclude", headers=h, json={"result": "已答复咨询"}).get_json()
    limits = {d["kind"]: d for d in done["deadlines"]}
    assert limits["conclude"]["status"] == "met" and limits["result_notice"]["status"] == "met"
    assert limits["accept_notice"]["met_on"] == today_cst().isoformat()


def test_remind_is_idempotent_per_report_and_day(app, client, triage_world):
    from app.notify.models import OutboxMessage
    from app.reports.models import TimelineEvent
    from app.triage.models import Reminder

    h = triage_world["h"]["county"]
    with app.app_context():
        old = make_report(kind="question", days_ago=60)
        make_report(kind="question")  # fresh: not reminded
        soon = make_report(kind="question")
    client.post(f"{URL}/{soon}/accept", headers=h, json={})
    due = (today_cst() + timedelta(days=1)).isoformat()
    assert client.post(f"{URL}/{soon}/assign", headers=h, json={"unit_id": triage_world["agri"], "due_date": due}
                       ).status_code == 200
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["triage", "remind"])
        assert result.exit_code == 0, result.output
    assert "提醒 0 件" in result.output
    with app.app_context():
        reminders = {r.report_id: r.due_status for r in db.session.scalars(sa.select(Reminder))}
        assert reminders == {old: "overdue", soon: "due_soon"}
        events = db.session.scalars(sa.select(TimelineEvent).where(TimelineEvent.action == "reminder")).all()
        assert len(events) == 2 and all(e.visibility == "internal" for e in events)
        digests = {m.user_id: m.payload for m in db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.kind == "triage_digest"))}
    ids = triage_world["ids"]
    assert set(digests) == {ids["county"], ids["township"]}  # majiadu's inspector has nothing due
    assert digests[ids["county"]]["overdue"] == 1 and digests[ids["county"]]["due_soon"] == 1
    bad = runner.invoke(args=["triage", "remind", "--date", "2025-13-01"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


def test_remind_job_function_accepts_a_date(app, triage_world):
    from app.triage.cli import send_reminders

    with app.app_context():
        make_report(kind="question", received_at=start_of_day_utc(date(2025, 9, 1)))
        assert send_reminders("2025-09-02") == {"reminders": 0, "digests": 0}
        assert send_reminders("2025-10-20")["reminders"] == 1
        assert send_reminders("2025-10-20")["reminders"] == 0
