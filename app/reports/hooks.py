"""Start-up wiring of the reports domain: who may read a report's attachments, and the demo reports."""


def upload_access(upload_id, user):
    """Whether a user may read an upload because of a report it is attached to: the report's own (real-name)
    reporter, or staff holding report.view on its village who are not the person it accuses."""
    import sqlalchemy as sa

    from app.auth.permissions import can
    from app.extensions import db
    from app.reports.models import Report, report_attachments

    stmt = (sa.select(Report.village_code, Report.reporter_user_id, Report.target_user_id)
            .join(report_attachments, report_attachments.c.report_id == Report.id)
            .where(report_attachments.c.upload_id == upload_id))
    for village_code, reporter_id, target_id in db.session.execute(stmt):
        if reporter_id == user.id:
            return True
        if target_id != user.id and can(user, "report.view", region_code=village_code):
            return True
    return False


def seed_demo(echo):
    """A handful of demo reports for 龙井村 and 罗家坡村 (idempotent)."""
    from app.demo.reports_seed import seed_reports

    seed_reports(echo)


def register(app):
    """Contribute to the files domain's access checks and to `flask demo seed`."""
    app.extensions.setdefault("mss_upload_access_checks", []).append(upload_access)
    app.extensions.setdefault("mss_demo_seeders", []).append(seed_demo)
