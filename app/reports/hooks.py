"""Start-up wiring of the reports domain: who may read a report's attachments, and the demo reports."""


def upload_access(upload_id, user):
    """Whether a user may read an upload because it is attached to his own (real-name) report. Staff access is the
    triage domain's check (app.triage.hooks), which applies scope, recusals and conflicts."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.reports.models import Report, report_attachments

    return db.session.scalar(sa.select(Report.id).join(
        report_attachments, report_attachments.c.report_id == Report.id).where(
        report_attachments.c.upload_id == upload_id, Report.reporter_user_id == user.id).limit(1)) is not None


def seed_demo(echo):
    """A handful of demo reports for 龙井村 and 罗家坡村 (idempotent)."""
    from app.reports.demo import seed_reports

    seed_reports(echo)


def rematch(user_id):
    """An account's new grant or roster link: the open reports naming him get their conflicts now."""
    from app.reports.rematch import rematch_account

    rematch_account(user_id)


def register(app):
    """Contribute to the files domain's access checks, to `flask demo seed`, and to grant and roster-link events."""
    app.extensions.setdefault("mss_upload_access_checks", []).append(upload_access)
    app.extensions.setdefault("mss_demo_seeders", []).append(seed_demo)
    app.extensions.setdefault("mss_grant_listeners", []).append(rematch)
