"""`flask keys rotate|generate`, `flask backup`, `flask restore`: data protection from the command line."""

import click
from cryptography.fernet import Fernet
from flask import current_app
from flask.cli import AppGroup, with_appcontext

keys_cli = AppGroup("keys", help="数据加密密钥")


@keys_cli.command("generate")
def generate_command():
    """Print a new data key to prepend to DATA_KEYS."""
    click.echo(Fernet.generate_key().decode())


@keys_cli.command("rotate")
def rotate_command():
    """Re-encrypt every encrypted field with the newest DATA_KEYS key."""
    from app.extensions import db
    from app.security.crypto import rotate_all
    from app.security.service import audit

    changed = rotate_all()
    audit("keys.rotate", None, "data_keys", None, {"re_encrypted": changed})
    db.session.commit()
    click.echo(f"已用最新密钥重新加密 {changed} 个字段值。确认无误后即可从 DATA_KEYS 中删除旧密钥。")


@click.command("backup")
@with_appcontext
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False), help="备份 zip 文件路径")
def backup_command(out_path):
    """Back up every table and the uploaded files into one zip."""
    from app.extensions import db
    from app.security.backup import make_backup

    manifest = make_backup(db.session, db.metadata, current_app.config["UPLOAD_DIR"], out_path,
                           progress=lambda name, n: click.echo(f"  {name}: {n} 行"))
    total = sum(manifest["counts"].values())
    click.echo(f"备份完成：{len(manifest['counts'])} 张表共 {total} 行，{manifest['files']} 个文件 -> {out_path}")


@click.command("restore")
@with_appcontext
@click.argument("zip_path", type=click.Path(exists=True, dir_okay=False))
def restore_command(zip_path):
    """Restore a backup into an empty, migrated database, then verify every disclosure ledger."""
    from app.errors import DomainError
    from app.extensions import db
    from app.security.backup import restore_backup

    try:
        restore_backup(db.session, db.metadata, current_app.config["UPLOAD_DIR"], zip_path,
                       progress=lambda name, n: click.echo(f"  {name}: {n} 行"))
    except DomainError as err:
        click.echo(f"恢复失败：{err.message}", err=True)
        raise SystemExit(2) from err
    broken = verify_ledgers()
    if broken:
        click.echo("恢复完成，但以下村的公开台账校验未通过：" + "、".join(broken), err=True)
        raise SystemExit(3)
    click.echo("恢复完成，所有村的公开台账校验通过。")


def verify_ledgers():
    """What the restored data fails: the names each domain's `mss_restore_checks` callable returns (the
    disclosures domain registers its ledger verification: village codes whose chain does not verify)."""
    from flask import current_app

    return [name for check in current_app.extensions.get("mss_restore_checks", []) for name in check()]


def register(app):
    """Add the keys group and the backup/restore commands."""
    app.cli.add_command(keys_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
