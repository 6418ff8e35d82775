"""`flask notify dispatch`: send due notifications (cron / systemd timer, or --loop for a worker)."""

import time

import click
from flask.cli import AppGroup

notify_cli = AppGroup("notify", help="通知发送")


@notify_cli.command("dispatch")
@click.option("--limit", default=100, show_default=True, help="每轮最多发送条数")
@click.option("--loop", "interval", type=float, default=None, help="每隔 N 秒重复运行（常驻进程）")
def dispatch_command(limit, interval):
    """Send the WeChat subscribe messages that are due (retries included)."""
    from app.notify.dispatcher import dispatch_pending

    while True:
        counts = dispatch_pending(limit)
        click.echo("通知发送：" + ("，".join(f"{k} {v}" for k, v in sorted(counts.items())) or "无待发送"))
        if interval is None:
            return
        time.sleep(interval)


def register(app):
    """Add the notify command group."""
    app.cli.add_command(notify_cli)
