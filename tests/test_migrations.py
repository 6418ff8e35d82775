"""Migrations: one Alembic head, and `upgrade` from empty gives exactly the models' schema."""

import logging
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from app.core.schema import include_object_for
from app.extensions import db
from config import normalise_database_url

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
PG_URL = os.environ.get("TEST_DATABASE_URL", "")


def test_exactly_one_head():
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    heads = script.get_heads()
    assert len(heads) == 1, f"several Alembic heads {heads}: merge them (flask db merge)"
    assert [rev.down_revision for rev in script.walk_revisions()][-1] is None  # one root


def _differences(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "compare_type": True, "include_object": include_object_for(conn.dialect.name)})
        return compare_metadata(context, db.metadata)


def _upgrade_equals_models(make_app, url):
    app = make_app(SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
    differences = _differences(app)
    assert differences == [], "migrations and models differ; run `flask db migrate`:\n" + "\n".join(
        map(str, differences))
    return app


def test_upgrade_from_empty_equals_models_on_sqlite(make_app, app, tmp_path):
    migrated = _upgrade_equals_models(make_app, f"sqlite:///{tmp_path / 'migrated.db'}")
    with migrated.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO audit_log (at, action) VALUES (CURRENT_TIMESTAMP, 'test')"))
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE audit_log SET action = 'rewritten'"))
        downgrade(revision="base")
        tables = set(sa.inspect(db.engine).get_table_names())
    assert tables <= {"alembic_version"}


@pytest.fixture
def pg_scratch_database():
    """A throwaway PostgreSQL database next to the test one (<name>_migr), dropped afterwards."""
    if not PG_URL.startswith("postgresql"):
        pytest.skip("TEST_DATABASE_URL is not a PostgreSQL URL")
    base = sa.engine.make_url(normalise_database_url(PG_URL))
    name = f"{base.database}_migr"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def drop():
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    drop()
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    drop()
    admin.dispose()


def test_upgrade_from_empty_equals_models_on_postgresql(make_app, app, pg_scratch_database):
    migrated = _upgrade_equals_models(make_app, pg_scratch_database)
    with migrated.app_context():
        with db.engine.begin() as conn:  # the migration also installs what autogenerate cannot see
            assert conn.scalar(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")) == 1
            conn.execute(sa.text("INSERT INTO audit_log (at, action) VALUES (now(), 'test')"))
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE audit_log SET action = 'rewritten'"))
        db.engine.dispose()


def test_running_migrations_keeps_the_app_loggers(make_app, app, tmp_path):
    """alembic's fileConfig must not disable the loggers the app already has."""
    migrated = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'loggers.db'}")
    with migrated.app_context():
        upgrade()
    assert not logging.getLogger("app.errors").disabled
    assert not logging.getLogger("app.wechat.client").disabled
