"""`flask demo seed` (the idempotent demo county) and `flask demo load` (benchmark data); refused in production."""

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


@demo_cli.command("load")
@click.option("--reports", "count", type=click.IntRange(0, 5_000_000), default=1_000_000, show_default=True,
              help="生成的反映条数")
@click.option("--province", default="42", show_default=True, help="省级区划代码（2 位）")
@click.option("--counties", type=click.IntRange(1, 100), default=100, show_default=True, help="模拟县数量")
@click.option("--seed", type=int, default=42, show_default=True, help="随机种子（结果可复现）")
def load_command(count, province, counties, seed):
    """Generate a province-sized synthetic tree and N reports for benchmarks (refuses to run twice)."""
    if current_app.config.get("ENV_NAME") == "production":
        click.echo("生产环境禁止加载演示数据。", err=True)
        raise SystemExit(2)
    from app.demo.load import AlreadyLoaded, load

    try:
        with click.progressbar(length=count, label="生成反映") as bar:
            result = load(count, province, counties, seed, progress=bar.update, echo=click.echo)
    except AlreadyLoaded as exc:
        click.echo(f"模拟区划（{exc}）已存在：压测数据只能加载一次，请使用新的数据库。", err=True)
        raise SystemExit(1) from None
    except ValueError as exc:
        click.echo(f"参数错误：{exc}", err=True)
        raise SystemExit(2) from None
    click.echo(f"已生成 {result['regions']} 个区划、{result['reports']} 条反映。")


@demo_cli.command("networks")
@click.option("--small", is_flag=True, help="缩小规模（测试用，同一代码路径）")
def networks_command(small):
    """Load 肇源县's year of the 千人联系点 and 千人情报网 through the service layer (refuses a second run)."""
    if current_app.config.get("ENV_NAME") == "production":
        click.echo("生产环境禁止加载演示数据。", err=True)
        raise SystemExit(2)
    import time

    from app.demo.networks import FULL, SMALL, AlreadyLoaded, load

    began = time.monotonic()
    try:
        expected = load(SMALL if small else FULL, echo=click.echo)
    except AlreadyLoaded:
        click.echo("肇源县的联系点与情报网演示数据已加载过：请使用新的数据库。", err=True)
        raise SystemExit(1) from None
    click.echo(f"已生成肇源县一年的工作（{time.monotonic() - began:.0f} 秒）。统计应为：{expected}")
    click.echo("查看：GET /api/v1/triage/stats/networks?region_code=230622000000（账号 zy_inspector）")


def register(app):
    """Add the demo command group."""
    app.cli.add_command(demo_cli)
