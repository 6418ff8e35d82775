"""Shared fixtures: the app on real SQLite or PostgreSQL (TEST_DATABASE_URL), clients, users, fake WeChat."""

import os

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from config import TestingConfig, normalise_database_url
from tests.fake_wechat import APPID, SECRET, start_fake_wechat

PG = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")


def _ensure_pg_database(url):
    target = sa.engine.make_url(normalise_database_url(url))
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database})
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """The database the suite runs on."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        _ensure_pg_database(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


_built_apps = []


@pytest.fixture(scope="session")
def make_app(database_url, tmp_path_factory):
    """Build an app on the test database with config overrides."""
    instance = tmp_path_factory.mktemp("instance")

    def factory(**overrides):
        attrs = {"SQLALCHEMY_DATABASE_URI": database_url, "UPLOAD_DIR": str(instance / "uploads"),
                 "INSTANCE_PATH": str(instance), **overrides}
        cfg = type("TestCfg", (TestingConfig,), attrs)
        app = create_app(cfg)
        _built_apps.append(app)
        return app

    return factory


@pytest.fixture(autouse=True)
def _dispose_engines():
    """Close the pooled connections of apps built during a test (PostgreSQL's connection slots are shared)."""
    yield
    while _built_apps:
        built = _built_apps.pop()
        with built.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def app(make_app):
    """The default test app with a fresh schema."""
    application = make_app()
    with application.app_context():
        db.drop_all()
        db.create_all()
    return application


def _truncate(application):
    with application.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # TRUNCATE costs per table even when empty: empty only the tables that have rows, then restart
                # every sequence that was used (ids start at 1 in every test, as with RESTART IDENTITY).
                probe = " UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")" for t in tables)
                dirty = [row[0] for row in conn.execute(sa.text(probe))]
                if dirty:
                    conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in dirty) + " CASCADE"))
                conn.execute(sa.text(
                    "SELECT setval(format('%I.%I', schemaname, sequencename), 1, false) FROM pg_sequences "
                    "WHERE schemaname = current_schema() AND last_value IS NOT NULL"))
            else:
                conn.execute(sa.text("PRAGMA foreign_keys=OFF"))
                for name in tables:
                    conn.execute(sa.text(f'DELETE FROM "{name}"'))
                conn.execute(sa.text("PRAGMA foreign_keys=ON"))


@pytest.fixture(autouse=True)
def clean_db(request, app):
    """Every test starts and ends with empty tables."""
    yield
    _truncate(app)


@pytest.fixture
def client(app):
    """A test client of the default app."""
    return app.test_client()


@pytest.fixture
def county(app):
    """The demo county's region tree and units (竹山县), loaded through the real importer."""
    from app.demo.seed import seed_regions, seed_units

    with app.app_context():
        seed_regions()
        seed_units()


_password_hashes = {}


@pytest.fixture
def make_user(app):
    """Create a user with grants; returns its id. grants: [(role, region_code, unit_id)]."""
    from app.auth.models import RoleGrant, User
    from app.auth.passwords import hash_password

    counter = {"n": 0}

    def factory(*grants, username=None, password="Passw0rd-test", unit_id=None, openid=None):
        counter["n"] += 1
        if password not in _password_hashes:  # argon2 is deliberately slow: hash each test password once
            _password_hashes[password] = hash_password(password)
        with app.app_context():
            user = User(username=username or f"user{counter['n']}", display_name=f"测试用户{counter['n']}",
                        password_hash=_password_hashes[password], unit_id=unit_id)
            db.session.add(user)
            db.session.flush()
            for grant in grants:
                role, region, unit = (tuple(grant) + (None, None))[:3]
                db.session.add(RoleGrant(user_id=user.id, role=role, region_code=region, unit_id=unit))
            if openid:
                from app.auth.models import WechatIdentity

                db.session.add(WechatIdentity(openid=openid, user_id=user.id))
            db.session.commit()
            return user.id

    return factory


@pytest.fixture
def token_for(app):
    """A bearer header for a user id."""
    from app.auth.models import User
    from app.auth.tokens import issue_token

    def factory(user_id):
        with app.app_context():
            raw, _ = issue_token(db.session.get(User, user_id), 1)
            db.session.commit()
        return {"Authorization": f"Bearer {raw}"}

    return factory


@pytest.fixture
def as_role(make_user, token_for):
    """Headers of a fresh user holding one role on a scope: as_role('publisher', '420323103211')."""

    def factory(role=None, region=None, unit=None, **kwargs):
        grants = [(role, region, unit)] if role and role != "resident" else []
        return token_for(make_user(*grants, **kwargs))

    return factory


@pytest.fixture(scope="session")
def fake_wechat_server():
    """One fake WeChat server for the session."""
    server = start_fake_wechat()
    yield server
    server.stop()


@pytest.fixture
def fake_wechat(fake_wechat_server):
    """The fake WeChat server, with its call log and planned failures reset."""
    fake_wechat_server.calls.clear()
    fake_wechat_server.failures.clear()
    fake_wechat_server.hang_seconds = 0.0
    fake_wechat_server.unsubscribed.clear()
    return fake_wechat_server


@pytest.fixture
def wechat_app(make_app, app, fake_wechat):
    """An app configured to talk to the fake WeChat server."""
    return make_app(WECHAT_APPID=APPID, WECHAT_SECRET=SECRET, WECHAT_API_BASE=fake_wechat.base_url,
                    WECHAT_TIMEOUT=2)


def error_of(response):
    """The error envelope's body, asserting the envelope's shape."""
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert {"code", "message", "fields"} <= set(body["error"]), body
    return body["error"]
