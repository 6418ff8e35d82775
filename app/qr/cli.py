"""`flask qr export`: a township's posters into a zip, with a progress bar."""

import os

import click
from flask.cli import AppGroup

qr_cli = AppGroup("qr", help="二维码与海报")


@qr_cli.command("export")
@click.option("--township", "township", required=True, help="乡镇（或县）的 12 位区划代码")
@click.option("--template", "template", default="a4_notice", show_default=True, help="qr_templates/ 下的模板名")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="压缩包保存目录")
@click.option("--format", "fmt", type=click.Choice(["png", "pdf", "pdf_village"]), default="pdf", show_default=True,
              help="pdf：每个乡镇一个多页矢量 PDF；pdf_village：每村一个 PDF；png：每村一张 300 DPI 图片")
@click.option("--processes", type=int, default=None, help="并行进程数（默认：全部 CPU 核）")
def export_command(township, template, out_dir, fmt, processes):
    """Render a poster for every village of a township into OUT/<乡镇>-<模板中文名>-<编号>.pdf (or .zip)."""
    from app.errors import DomainError
    from app.extensions import db
    from app.qr import batches, service
    from app.qr.jobs import run_batch
    from app.qr.models import QrBatch

    warning = service.base_url_warning()
    if warning:
        click.secho(f"警告：{warning}", fg="red", bold=True, err=True)
    try:
        codes, scope = batches.villages_asked(None, township, None)
        service.template(template)
        batches.check_names(codes)
    except DomainError as err:
        raise click.ClickException(err.message) from None
    batch = QrBatch(status="queued", template=template, format=fmt, scope_code=scope, village_codes=codes,
                    total=len(codes))
    db.session.add(batch)
    db.session.commit()
    stem = batches.download_name(batch).rsplit(".", 1)[0]
    out = os.path.join(os.path.abspath(out_dir), f"{stem}-{batch.id}.zip")
    click.echo(f"正在为 {batches.scope_name(batch)}的 {len(codes)} 个村（社区）生成海报"
               f"（{batches.template_label(template)}，{batches.FORMAT_LABELS[fmt]}）……")
    with click.progressbar(length=len(codes), label="生成海报", show_pos=True) as bar:
        shown = {"done": 0}

        def advance(done, total):
            bar.update(done - shown["done"])
            shown["done"] = done

        summary = run_batch(batch.id, out_path=out, progress=advance, processes=processes)
    db.session.expire_all()
    batch = db.session.get(QrBatch, batch.id)
    if summary is None:
        raise click.ClickException(f"导出失败：{batch.error_message or '未知原因'}")
    click.echo(f"已生成 {summary['count']} 张海报：{summary['path']}（{summary['bytes'] / 1e6:.1f} MB，"
               f"{summary['seconds']:.1f} 秒）")


def register(app):
    """Add the qr command group."""
    app.cli.add_command(qr_cli)
