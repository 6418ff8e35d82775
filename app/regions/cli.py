"""`flask regions import FILE.csv`."""

import click
from flask.cli import AppGroup

from app.errors import Unprocessable

regions_cli = AppGroup("regions", help="区划管理")


@regions_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_command(path):
    """Import a region tree from CSV (code,name,level,parent_code); all rows or none."""
    from app.regions.importer import import_regions

    with open(path, "rb") as fh:
        data = fh.read()
    try:
        result = import_regions(data, progress=lambda done, total: click.echo(f"  {done}/{total}", err=True))
    except Unprocessable as err:
        rows = err.fields.get("rows") if isinstance(err.fields, dict) else None
        if rows:
            click.echo(err.message.split("。")[0] + "。", err=True)
            for row in rows:
                click.echo(f"  第 {row['line']} 行：{row['message']}", err=True)
        else:
            click.echo(f"导入失败：{err.message}", err=True)
        raise SystemExit(1) from None
    click.echo(f"已导入 {result['imported']} 条区划（其中更新 {result['updated']} 条）。")
    for warning in result.get("warnings", []):
        click.secho(f"警告：{warning['message']}", fg="red", err=True)


def register(app):
    """Add the regions command group."""
    app.cli.add_command(regions_cli)
