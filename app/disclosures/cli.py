"""`flask disclosures ...`: verify ledgers, set the publishing schedule."""

import click
from flask.cli import AppGroup

disclosures_cli = AppGroup("disclosures", help="阳光公开：台账校验与公开频次")


@disclosures_cli.command("verify")
@click.option("--village", "village", default=None, help="只校验该村（12 位代码）；默认校验全部")
def verify_command(village):
    """Recompute every village's hash chain; exit 1 when any breaks."""
    import sqlalchemy as sa

    from app.disclosures import ledger
    from app.disclosures.models import LedgerHead
    from app.extensions import db

    codes = [village] if village else list(db.session.scalars(sa.select(LedgerHead.village_code)
                                                              .order_by(LedgerHead.village_code)))
    broken = 0
    for code in codes:
        result = ledger.verify(code)
        if result["ok"]:
            click.echo(f"{code}：完好，{result['checked']} 条")
        else:
            broken += 1
            first = result["first_break"]
            click.echo(f"{code}：第 {first['seq']} 条记录被篡改或断链（{first['reason']}），"
                       f"公开事项 {first['disclosure_id']} 第 {first['version']} 版", err=True)
    if broken:
        raise SystemExit(1)


@disclosures_cli.command("schedule")
@click.argument("region_code")
@click.argument("kind", type=click.Choice(["affairs", "finance", "party", "power", "funds"]))
@click.argument("granularity", type=click.Choice(["month", "quarter", "year"]))
def schedule_command(region_code, kind, granularity):
    """Set how often KIND is due in REGION_CODE's subtree (county, township or village)."""
    from app.disclosures.compliance import set_schedule
    from app.errors import DomainError

    try:
        set_schedule(region_code, kind, granularity)
    except DomainError as err:
        click.echo(err.message, err=True)
        raise SystemExit(2) from None
    click.echo(f"{region_code} 的 {kind} 公开频次已设为 {granularity}")


def register(app):
    """Add the disclosures command group."""
    app.cli.add_command(disclosures_cli)
