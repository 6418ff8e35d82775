"""Portable backup and restore: every table as JSON lines plus the upload files, in one zip.

Encrypted columns are copied as their stored ciphertext (never decrypted), so a backup is as safe as the
database and is useless without DATA_KEYS. Restore goes into an empty, migrated database and then verifies each
village's disclosure ledger.
"""

import base64
import datetime as dt
import hashlib
import json
import os
import zipfile
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from app.errors import Conflict
from app.security.crypto import EncryptedText

FORMAT = "mss-backup-1"
BATCH = 2000


def _encode(value):
    if isinstance(value, dt.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$d": value.isoformat()}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$b": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, Decimal):
        return {"$n": str(value)}
    return value


def _decode(value):
    if isinstance(value, dict) and len(value) == 1:
        (tag, raw), = value.items()
        if tag == "$dt":
            return dt.datetime.fromisoformat(raw)
        if tag == "$d":
            return dt.date.fromisoformat(raw)
        if tag == "$b":
            return base64.b64decode(raw)
        if tag == "$n":
            return Decimal(raw)
    return value


def _raw_columns(table):
    """Columns selected as stored: ciphertext stays ciphertext."""
    return [sa.type_coerce(c, sa.Text).label(c.name) if isinstance(c.type, EncryptedText) else c
            for c in table.columns]


def _raw_table(table):
    """A lightweight table whose encrypted columns bind as plain text, for inserting stored ciphertext."""
    cols = [sa.column(c.name, sa.Text() if isinstance(c.type, EncryptedText) else c.type) for c in table.columns]
    return sa.table(table.name, *cols)


def _tables(metadata):
    return [t for t in metadata.sorted_tables if t.name != "alembic_version"]


def make_backup(session, metadata, upload_dir, out_path, progress=None):
    """Write a zip of every table and upload file; returns the manifest."""
    counts, digests = {}, {}
    tmp = f"{out_path}.part"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for table in _tables(metadata):
            digest, n = hashlib.sha256(), 0
            order = list(table.primary_key.columns) or list(table.columns)[:1]
            with zf.open(f"tables/{table.name}.jsonl", "w") as fh:
                result = session.execute(sa.select(*_raw_columns(table)).order_by(*order)).mappings()
                for row in result:
                    line = json.dumps({k: _encode(v) for k, v in row.items()}, ensure_ascii=False,
                                      sort_keys=True).encode() + b"\n"
                    fh.write(line)
                    digest.update(line)
                    n += 1
            counts[table.name], digests[table.name] = n, digest.hexdigest()
            if progress:
                progress(table.name, n)
        files = []
        root = Path(upload_dir)
        if root.is_dir():
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                rel = path.relative_to(root).as_posix()
                zf.write(path, f"files/{rel}")
                files.append(rel)
        manifest = {"format": FORMAT, "created_at": dt.datetime.now(dt.UTC).isoformat(), "counts": counts,
                    "sha256": digests, "files": len(files), "revision": _revision(session)}
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    os.replace(tmp, out_path)
    return manifest


def _revision(session):
    try:
        return session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa.exc.DBAPIError:
        session.rollback()
        return None


def restore_backup(session, metadata, upload_dir, zip_path, progress=None):
    """Load a backup into an empty database and upload folder; returns the manifest."""
    with zipfile.ZipFile(zip_path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        if manifest.get("format") != FORMAT:
            raise Conflict("备份文件格式不正确或版本不受支持", code="bad_backup")
        tables = _tables(metadata)
        for table in tables:
            if session.execute(sa.select(sa.func.count()).select_from(table)).scalar():
                raise Conflict(f"目标数据库不是空的（表 {table.name} 已有数据），拒绝恢复", code="database_not_empty")
        for table in tables:
            name = f"tables/{table.name}.jsonl"
            if name not in zf.namelist():
                raise Conflict(f"备份中缺少表 {table.name}", code="bad_backup")
            digest, batch, n = hashlib.sha256(), [], 0
            target = _raw_table(table)
            with zf.open(name) as fh:
                for line in fh:
                    digest.update(line)
                    batch.append({k: _decode(v) for k, v in json.loads(line).items()})
                    if len(batch) >= BATCH:
                        session.execute(target.insert(), batch)
                        n, batch = n + len(batch), []
            if batch:
                session.execute(target.insert(), batch)
                n += len(batch)
            if digest.hexdigest() != manifest["sha256"].get(table.name) or n != manifest["counts"].get(table.name):
                session.rollback()
                raise Conflict(f"备份中表 {table.name} 的校验值不符，文件可能已损坏", code="bad_backup")
            if progress:
                progress(table.name, n)
        _reset_sequences(session, tables)
        session.commit()
        _restore_files(zf, Path(upload_dir))
    return manifest


def _restore_files(zf, root):
    """Write the backup's files/ members under root, refusing any path that would leave it."""
    for member in zf.namelist():
        if member.startswith("files/") and not member.endswith("/"):
            dest = (root / member[len("files/"):]).resolve()
            if root.resolve() not in dest.parents:
                raise Conflict("备份中的文件路径不安全", code="bad_backup")
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(zf.read(member))


def _reset_sequences(session, tables):
    """On PostgreSQL, move each serial sequence past the restored ids."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        for col in table.primary_key.columns:
            if isinstance(col.type, sa.Integer) and col.autoincrement in (True, "auto"):
                seq = session.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                                      {"t": table.name, "c": col.name}).scalar()
                if seq:
                    session.execute(sa.text(f"SELECT setval('{seq}', COALESCE((SELECT MAX({col.name}) FROM "
                                            f"{table.name}), 0) + 1, false)"))
