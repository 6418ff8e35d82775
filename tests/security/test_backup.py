"""flask backup / flask restore: a round trip into an empty database keeps every row, file and the ledger."""

import os
import zipfile

import pytest
import sqlalchemy as sa

from app.extensions import db
from config import normalise_database_url


@pytest.fixture
def restore_app(make_app, tmp_path, database_url):
    """A second app on an empty, created schema (a separate database) and its own upload folder."""
    if database_url.startswith("postgresql"):
        url = sa.engine.make_url(normalise_database_url(database_url))
        target = url.database + "_restore"
        admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{target}"'))
        admin.dispose()
        other = url.set(database=target).render_as_string(hide_password=False)
    else:
        other = f"sqlite:///{tmp_path / 'restored.db'}"
    application = make_app(SQLALCHEMY_DATABASE_URI=other, UPLOAD_DIR=str(tmp_path / "restored-uploads"))
    with application.app_context():
        db.create_all()
    return application


def _seed_with_file(app):
    from app.demo import seed
    from app.disclosures.demo import seed_disclosures

    with app.app_context():  # the base county and the disclosures domain's demo data, seeded for real
        seed.seed_regions()
        seed.seed_units()
        seed.seed_rosters()
        seed.seed_accounts()
        seed_disclosures(echo=lambda *a, **k: None)
    folder = app.config["UPLOAD_DIR"]
    os.makedirs(os.path.join(folder, "ab"), exist_ok=True)
    with open(os.path.join(folder, "ab", "photo.jpg"), "wb") as fh:
        fh.write(b"\xff\xd8not-really-a-photo")


def _counts(app):
    with app.app_context():
        return {t.name: db.session.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                for t in db.metadata.sorted_tables}


def test_backup_then_restore_into_an_empty_database(app, restore_app, tmp_path):
    _seed_with_file(app)
    out = tmp_path / "backup.zip"
    result = app.test_cli_runner().invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "备份完成" in result.output
    with zipfile.ZipFile(out) as zf:
        assert "files/ab/photo.jpg" in zf.namelist()
        # personal data stays ciphertext inside the backup
        users = zf.read("tables/users.jsonl").decode()
        assert "gAAAA" in users or "password_hash" in users

    result = restore_app.test_cli_runner().invoke(args=["restore", str(out)])
    assert result.exit_code == 0, result.output
    assert "校验通过" in result.output
    assert _counts(restore_app) == _counts(app)
    assert _counts(app)["disclosure_ledger"] > 0
    restored = os.path.join(restore_app.config["UPLOAD_DIR"], "ab", "photo.jpg")
    assert open(restored, "rb").read() == b"\xff\xd8not-really-a-photo"
    # the restored app reads the village profile and verifies its public ledger through the API
    client = restore_app.test_client()
    villages = client.get("/api/v1/villages").get_json()["items"]
    code = villages[0]["code"]
    ledger = client.get(f"/api/v1/villages/{code}/ledger?verify=1")
    assert ledger.status_code == 200


def test_restore_refuses_a_database_that_is_not_empty(app, tmp_path):
    _seed_with_file(app)
    out = tmp_path / "backup.zip"
    assert app.test_cli_runner().invoke(args=["backup", "--out", str(out)]).exit_code == 0
    result = app.test_cli_runner().invoke(args=["restore", str(out)])
    assert result.exit_code == 2
    assert "不是空的" in result.output


def test_a_tampered_backup_is_refused(app, restore_app, tmp_path):
    _seed_with_file(app)
    out, bad = tmp_path / "backup.zip", tmp_path / "bad.zip"
    assert app.test_cli_runner().invoke(args=["backup", "--out", str(out)]).exit_code == 0
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.namelist():
            data = src.read(item)
            if item == "tables/regions.jsonl":
                data = data.replace("龙井村".encode(), "龙井材".encode())
            dst.writestr(item, data)
    result = restore_app.test_cli_runner().invoke(args=["restore", str(bad)])
    assert result.exit_code == 2
    assert "校验值不符" in result.output
    assert _counts(restore_app)["regions"] == 0


def test_restore_verifies_the_ledger_and_reports_a_silent_edit(app, restore_app, tmp_path):
    _seed_with_file(app)
    with app.app_context():
        entry = db.session.execute(sa.text(
            "SELECT id, version_id FROM disclosure_ledger WHERE event = 'publish' ORDER BY id LIMIT 1")).first()
        village = db.session.execute(sa.text("SELECT village_code FROM disclosure_ledger WHERE id = :i"),
                                     {"i": entry.id}).scalar()
        db.session.execute(sa.text("UPDATE disclosure_versions SET title = title || '（改）' WHERE id = :v"),
                           {"v": entry.version_id})
        db.session.commit()
    out = tmp_path / "backup.zip"
    assert app.test_cli_runner().invoke(args=["backup", "--out", str(out)]).exit_code == 0
    result = restore_app.test_cli_runner().invoke(args=["restore", str(out)])
    assert result.exit_code == 3, result.output
    assert village in result.output
