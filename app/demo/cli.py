"""`flask demo seed`: the idempotent demo county; refused under the Production config."""

import click
from flask import current_app
from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="演示数据")


@demo_cli.command("seed")
def seed_command():
    """Load the demo county (竹山县), units, rosters and demo accounts (idempotent)."""
    if current_app.config.get("ENV_NAME") == "production":
        click.echo("生产环境禁止加载演示数据。", err=True)
        raise SystemExit(2)
    from app.demo.seed import seed_all

    seed_all(current_app, echo=click.echo)
    click.echo("演示数据已就绪。")


def register(app):
    """Add the demo command group."""
    app.cli.add_command(demo_cli)
