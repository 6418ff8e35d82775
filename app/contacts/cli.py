"""`flask contacts import FILE.xlsx [--county CODE] [--invites-out FILE.csv]`."""

import csv

import click
from flask.cli import AppGroup

from app.core.timeutil import to_cst
from app.errors import DomainError

contacts_cli = AppGroup("contacts", help="联系点成员与信访情报员")


def _echo_error(err):
    rows = err.fields.get("rows") if isinstance(err.fields, dict) else None
    if rows:
        click.echo(err.message.split("。")[0] + "。", err=True)
        for row in rows:
            click.echo(f"  第 {row['line']} 行 {row['letter']} 列（{row['column']}）：{row['message']}", err=True)
    else:
        click.echo(f"导入失败：{err.message}", err=True)


@contacts_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--county", default=None, help="县级区划代码（12 位）：只导入该县的成员，村名在该县内查找")
@click.option("--invites-out", type=click.Path(dir_okay=False, writable=True), default=None,
              help="同时为每位成员生成邀请码，写入此 CSV 文件（请妥善保管，用后删除）")
def import_command(path, county, invites_out):
    """Import members from .xlsx or .csv (姓名, 类别, 界别/层级, 所属区划代码或村名, 电话); all rows or none."""
    from app.contacts.importer import import_members
    from app.extensions import db
    from app.regions.models import Region

    if county:
        region = db.session.get(Region, county)
        if region is None or region.level != "county":
            click.echo(f"导入失败：{county} 不是已导入的县级区划代码", err=True)
            raise SystemExit(2)
    with open(path, "rb") as fh:
        data = fh.read()
    try:
        result = import_members(data, county=county, with_invites=bool(invites_out), filename=path)
    except DomainError as err:
        _echo_error(err)
        raise SystemExit(1) from None
    click.echo(f"已导入 {result['imported']} 名成员。")
    if invites_out:
        with open(invites_out, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["编号", "姓名", "类别", "界别", "所属区划", "电话", "邀请码", "有效期至"])
            for member, code, expires in result["invites"]:
                writer.writerow([member["id"], member["name"], member["type_label"], member["layer_label"],
                                 member["region"]["name"], member["phone"], code,
                                 to_cst(expires).strftime("%Y-%m-%d")])
        click.echo(f"邀请码已写入 {invites_out}（一次有效，请妥善保管）。")


def register(app):
    """Add the contacts command group."""
    app.cli.add_command(contacts_cli)
