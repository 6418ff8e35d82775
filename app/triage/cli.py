"""`flask triage remind`: daily reminders for overdue and due-soon reports (also an app.jobs function)."""

from datetime import date

import click
import sqlalchemy as sa
from flask.cli import AppGroup

triage_cli = AppGroup("triage", help="问题线索处置")
BATCH = 500


def send_reminders(today=None):
    """Write one internal reminder event per overdue/due-soon report per day, and a digest per inspector."""
    from app.auth.models import RoleGrant, User
    from app.core.timeutil import today_cst
    from app.extensions import db
    from app.notify.models import OutboxMessage
    from app.reports.models import Report
    from app.reports.timeline import add_event
    from app.triage import deadlines
    from app.triage.access import visibility_clause
    from app.triage.models import Reminder, ReportDeadline

    today = date.fromisoformat(today) if isinstance(today, str) else (today or today_cst())
    due = sa.or_(deadlines.overdue_clause(today), deadlines.due_soon_clause(today))
    done = sa.select(Reminder.id).where(Reminder.report_id == Report.id, Reminder.on_date == today).exists()
    written, last_id = 0, 0
    while True:
        rows = db.session.execute(
            sa.select(Report, ReportDeadline).outerjoin(ReportDeadline, ReportDeadline.report_id == Report.id)
            .where(due, ~done, Report.id > last_id).order_by(Report.id).limit(BATCH)).all()
        if not rows:
            break
        for report, row in rows:
            last_id = report.id
            stage, due_on = deadlines.current_due(report, row)
            info = deadlines.due_info(stage, due_on, today)
            if not (info["overdue"] or info["due_soon"]):
                continue
            db.session.add(Reminder(report_id=report.id, on_date=today, due_status=info["due_status"], stage=stage,
                                    due_on=due_on))
            add_event(report, "reminder", actor_label="系统提醒",
                      note=f"{info['stage_label']}{info['due_status_label']}：{due_on.isoformat()}")
            written += 1
        db.session.commit()
    digests = 0
    inspectors = db.session.scalars(sa.select(User).where(User.is_active.is_(True), User.id.in_(
        sa.select(RoleGrant.user_id).where(RoleGrant.role == "inspector"))))
    for user in inspectors:
        counts = {}
        for name, clause in (("overdue", deadlines.overdue_clause(today)),
                             ("due_soon", deadlines.due_soon_clause(today))):
            counts[name] = db.session.scalar(
                sa.select(sa.func.count(Report.id)).outerjoin(ReportDeadline, ReportDeadline.report_id == Report.id)
                .where(visibility_clause(user, "report.view"), clause))
        key = f"triage_digest:{user.id}:{today.isoformat()}"
        if (counts["overdue"] or counts["due_soon"]) and db.session.scalar(
                sa.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)) is None:
            db.session.add(OutboxMessage(dedupe_key=key, user_id=user.id, kind="triage_digest",
                                         payload={"date": today.isoformat(), **counts}))
            digests += 1
    db.session.commit()
    return {"reminders": written, "digests": digests}


@triage_cli.command("remind")
@click.option("--date", "on_date", default=None, help="按哪一天计算（YYYY-MM-DD，默认今天，北京时间）")
@click.option("--queue", "use_queue", is_flag=True, help="放入后台任务队列（RQ）执行")
def remind_command(on_date, use_queue):
    """Raise reminders for overdue and due-soon reports (idempotent: once per report per day)."""
    if on_date:
        try:
            date.fromisoformat(on_date)
        except ValueError:
            click.echo("日期格式应为 YYYY-MM-DD", err=True)
            raise SystemExit(2) from None
    if use_queue:
        from app.jobs import enqueue

        job = enqueue("app.triage.cli:send_reminders", on_date)
        click.echo(f"已放入任务队列：{job}" if job else "已直接执行（未配置任务队列）")
        return
    result = send_reminders(on_date)
    click.echo(f"提醒 {result['reminders']} 件，通知工作人员 {result['digests']} 人。")


def register(app):
    """Add the triage command group."""
    app.cli.add_command(triage_cli)
