"""`flask reports ...`: housekeeping of intake data."""

from datetime import timedelta

import click
from flask.cli import AppGroup

reports_cli = AppGroup("reports", help="反映受理")


@reports_cli.command("forget-retry-keys")
@click.option("--hours", default=48, show_default=True, help="保留最近多少小时内提交的重试键")
def forget_retry_keys(hours):
    """Clear Idempotency-Key scopes older than the retry window (an anonymous scope derives from an address)."""
    from app.core.timeutil import utcnow
    from app.extensions import db
    from app.reports.models import Report

    cutoff = utcnow() - timedelta(hours=hours)
    table = Report.__table__
    result = db.session.execute(table.update().where(table.c.received_at < cutoff,
                                                     table.c.idempotency_key.is_not(None))
                                .values(idempotency_key=None, idempotency_scope=None, request_fingerprint=None))
    db.session.commit()
    click.echo(f"已清除 {result.rowcount} 条过期的重试键。")


@reports_cli.command("erase-identities")
@click.option("--days", type=int, default=None,
              help="结案多少天后删除举报人身份（默认 REPORT_IDENTITY_RETENTION_DAYS）")
def erase_identities(days):
    """Erase reporter identity on reports closed longer ago than the retention period (audited)."""
    from flask import current_app

    from app.reports.retention import erase_expired_identities

    days = days if days is not None else int(current_app.config.get("REPORT_IDENTITY_RETENTION_DAYS", 1095))
    minimum = int(current_app.config.get("REPORT_DISPUTE_DAYS", 30))
    if days < minimum:
        click.echo(f"保留期不能短于举报人可以提出异议的期限（{minimum} 天）。", err=True)
        raise SystemExit(2)
    erased = erase_expired_identities(days)
    click.echo(f"已删除 {erased} 件已结案满 {days} 天的反映中的举报人身份信息。")


def register(app):
    """Add the reports command group."""
    app.cli.add_command(reports_cli)
