"""Start-up wiring of the triage domain: staff read a report's attachments only where they may see the report."""


def upload_access(upload_id, user):
    """Whether staff may read an upload: it is attached to a report visible to them (scope, recusal, conflicts)."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.reports.models import Report, report_attachments
    from app.triage.access import may_use_triage, visibility_clause

    if not may_use_triage(user):
        return False
    return db.session.scalar(sa.select(Report.id).join(
        report_attachments, report_attachments.c.report_id == Report.id).where(
        report_attachments.c.upload_id == upload_id, visibility_clause(user)).limit(1)) is not None


def register(app):
    """Contribute to the files domain's access checks."""
    app.extensions.setdefault("mss_upload_access_checks", []).append(upload_access)
