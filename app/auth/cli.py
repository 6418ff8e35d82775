"""`flask accounts grant USERNAME ROLE` (direct, on the server, audited) and `flask accounts disable-demo`."""

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.errors import DomainError

accounts_cli = AppGroup("accounts", help="工作人员账号与授权")
ROLE_CHOICES = click.Choice(["publisher", "reviewer", "inspector", "custodian", "unit_handler", "admin"])


@accounts_cli.command("grant")
@click.argument("username")
@click.argument("role", type=ROLE_CHOICES)
@click.option("--region", "region_code", default=None, help="授权范围：12 位区划代码（不填为全局）")
@click.option("--unit", "unit_id", type=int, default=None, help="授权范围：单位编号（单位经办人必填）")
def grant_command(username, role, region_code, unit_id):
    """Grant ROLE to USERNAME at once (no second admin needed on the server); written to the audit log."""
    from app.auth.grants import check_scope, confirm_on_server, new_grant
    from app.auth.models import User
    from app.extensions import db

    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        click.echo(f"授权失败：账号 {username} 不存在", err=True)
        raise SystemExit(2)
    grant = {"role": role, "region_code": region_code, "unit_id": unit_id}
    try:
        check_scope(None, grant)
        row = confirm_on_server(user, grant) or new_grant(None, user, grant, via="cli")
    except DomainError as err:
        db.session.rollback()
        click.echo(f"授权失败：{err.message}", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(f"已授予 {username} 角色 {role}（授权编号 {row.id}），已记入审计日志。")


@accounts_cli.command("disable-demo")
def disable_demo_command():
    """Disable every account made by `flask demo seed` and end its sessions (production refuses to start without)."""
    from app.auth import tokens
    from app.auth.models import User
    from app.extensions import db
    from app.security.service import audit

    users = list(db.session.scalars(sa.select(User).where(User.is_demo.is_(True), User.is_active.is_(True))))
    for user in users:
        user.is_active = False
        tokens.revoke_all(user.id)
        audit("account.disable_demo", None, "user", user.id, {"username": user.username, "via": "cli"})
    db.session.commit()
    click.echo(f"已停用 {len(users)} 个演示账号。")


def register(app):
    """Add the accounts command group."""
    app.cli.add_command(accounts_cli)
