"""Config classes, the app factory, production refusals and development secrets."""

import json
import os
import stat

import pytest
from cryptography.fernet import Fernet

from app import create_app
from config import CONFIGS, DevelopmentConfig, ProductionConfig, TestingConfig, get_config

GOOD_SECRET = "a-production-secret-key-that-is-long-enough-0123456789"


def production_config(tmp_path, **overrides):
    attrs = {"SECRET_KEY": GOOD_SECRET, "DATA_KEYS": Fernet.generate_key().decode(),
             "AUDIT_ADDRESS_SALT": "salt-for-addresses", "RECEIPT_PEPPERS": "receipt-pepper-0123456789abcdef",
             "INSTANCE_PATH": str(tmp_path / "instance"), "PUBLIC_BASE_URL": "https://jd.example.gov.cn",
             "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.db'}", **overrides}
    return type("ProdCfg", (ProductionConfig,), attrs)


def test_get_config_by_name_and_app_env(monkeypatch):
    assert get_config("production") is ProductionConfig
    assert get_config("testing") is TestingConfig
    monkeypatch.setenv("APP_ENV", "testing")
    assert get_config() is TestingConfig
    monkeypatch.delenv("APP_ENV")
    assert get_config() is DevelopmentConfig
    assert set(CONFIGS) == {"development", "testing", "production"}


def test_create_app_registers_every_part(app):
    assert {"auth", "regions", "security", "openapi"} <= set(app.blueprints)
    assert {"regions", "demo", "db"} <= set(app.cli.commands)
    assert "sqlalchemy" in app.extensions and "migrate" in app.extensions
    assert app.config["ENV_NAME"] == "testing"


def test_production_starts_with_proper_secrets(tmp_path):
    app = create_app(production_config(tmp_path))
    assert app.config["ENV_NAME"] == "production"
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("overrides, problem", [
    ({"SECRET_KEY": None}, "SECRET_KEY"),
    ({"SECRET_KEY": ""}, "SECRET_KEY"),
    ({"SECRET_KEY": "change-me"}, "SECRET_KEY"),
    ({"SECRET_KEY": TestingConfig.SECRET_KEY}, "SECRET_KEY"),
    ({"SECRET_KEY": "short-but-not-default"}, "SECRET_KEY"),
    ({"DATA_KEYS": None}, "DATA_KEYS"),
    ({"DATA_KEYS": ""}, "DATA_KEYS"),
    ({"DATA_KEYS": " , "}, "DATA_KEYS"),
    ({"DATA_KEYS": "change-me"}, "DATA_KEYS"),
    ({"DATA_KEYS": "not-a-fernet-key"}, "not a valid Fernet key"),
    ({"DATA_KEYS": TestingConfig.DATA_KEYS}, "testing key"),
    ({"AUDIT_ADDRESS_SALT": ""}, "AUDIT_ADDRESS_SALT"),
])
def test_production_refuses_missing_or_default_secrets(tmp_path, overrides, problem):
    with pytest.raises(RuntimeError, match="Production configuration refused") as info:
        create_app(production_config(tmp_path, **overrides))
    assert problem in str(info.value)


def test_production_refuses_a_bad_key_among_good_ones(tmp_path):
    keys = f"{Fernet.generate_key().decode()},garbage"
    with pytest.raises(RuntimeError, match="key 2 is not a valid Fernet key"):
        create_app(production_config(tmp_path, DATA_KEYS=keys))


def test_production_does_not_generate_dev_keys(tmp_path):
    create_app(production_config(tmp_path))
    assert not (tmp_path / "instance" / "dev-secrets.json").exists()


def dev_config(tmp_path, **overrides):
    attrs = {"SECRET_KEY": None, "DATA_KEYS": None, "AUDIT_ADDRESS_SALT": "", "INSTANCE_PATH": str(tmp_path / "inst"),
             "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'dev.db'}", **overrides}
    return type("DevCfg", (DevelopmentConfig,), attrs)


def test_development_generates_secrets_once_with_mode_600(tmp_path):
    app = create_app(dev_config(tmp_path))
    path = tmp_path / "inst" / "dev-secrets.json"
    assert app.instance_path == str(tmp_path / "inst")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    saved = json.loads(path.read_text())
    assert app.config["SECRET_KEY"] == saved["SECRET_KEY"] and len(saved["SECRET_KEY"]) >= 32
    assert app.config["DATA_KEYS"] == saved["DATA_KEYS"]
    Fernet(saved["DATA_KEYS"].encode())  # a usable key
    assert app.config["AUDIT_ADDRESS_SALT"] == saved["AUDIT_ADDRESS_SALT"]

    again = create_app(dev_config(tmp_path))
    assert again.config["SECRET_KEY"] == saved["SECRET_KEY"]
    assert json.loads(path.read_text()) == saved


def test_development_keeps_secrets_from_the_environment(tmp_path):
    app = create_app(dev_config(tmp_path, SECRET_KEY="from-the-environment-" + "x" * 20))
    assert app.config["SECRET_KEY"] == "from-the-environment-" + "x" * 20
    assert app.config["DATA_KEYS"]  # the missing one still comes from the file


def test_instance_path_env_moves_the_instance_folder(tmp_path):
    app = create_app(type("Cfg", (TestingConfig,), {"INSTANCE_PATH": str(tmp_path / "elsewhere")}))
    assert app.instance_path == str(tmp_path / "elsewhere")
    assert (tmp_path / "elsewhere").is_dir()


def test_development_tightens_a_readable_secrets_file(tmp_path):
    create_app(dev_config(tmp_path))
    path = tmp_path / "inst" / "dev-secrets.json"
    os.chmod(path, 0o644)
    create_app(dev_config(tmp_path))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_proxy_count_trusts_exactly_that_many_forwarded_addresses(make_app, app):
    from flask import request

    direct = make_app()
    behind = make_app(PROXY_COUNT=1)
    for application in (direct, behind):
        application.add_url_rule("/_addr", "addr", lambda: request.remote_addr or "")
    headers = {"X-Forwarded-For": "203.0.113.9, 198.51.100.7"}
    # without a trusted proxy the header is ignored: a client cannot pick its own address for rate limits
    assert direct.test_client().get("/_addr", headers=headers).get_data(as_text=True) == "127.0.0.1"
    # one trusted proxy: its view of the client (the last hop) is used, earlier spoofed hops are not
    assert behind.test_client().get("/_addr", headers=headers).get_data(as_text=True) == "198.51.100.7"


def _demo_account(app, active=True):
    from app.auth.models import User
    from app.extensions import db

    with app.app_context():
        db.session.add(User(username="admin", display_name="系统管理员", is_demo=True, is_active=active))
        db.session.commit()


def test_production_refuses_to_start_while_demo_accounts_are_enabled(app, database_url, tmp_path, monkeypatch):
    """On the suite's database (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    config = production_config(tmp_path, SQLALCHEMY_DATABASE_URI=database_url)
    create_app(config)  # no demo account: starts
    _demo_account(app)
    with pytest.raises(RuntimeError, match="demo account.*admin.*flask accounts disable-demo"):
        create_app(config)
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")  # `flask db upgrade`, `flask accounts disable-demo` still run
    assert create_app(config).config["REFUSE_DEMO_ACCOUNTS"] is True
    result = app.test_cli_runner().invoke(args=["accounts", "disable-demo"])
    assert result.exit_code == 0, result.output
    monkeypatch.delenv("FLASK_RUN_FROM_CLI")
    create_app(config)  # disabled: starts again


def test_production_start_check_leaves_an_unmigrated_database_to_the_migration(tmp_path, monkeypatch):
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT)"))
    engine.dispose()
    assert create_app(production_config(tmp_path, SQLALCHEMY_DATABASE_URI=url)).config["ENV_NAME"] == "production"


def test_production_config_refuses_demo_accounts_at_login():
    assert ProductionConfig.REFUSE_DEMO_ACCOUNTS is True
    assert TestingConfig.REFUSE_DEMO_ACCOUNTS is False and DevelopmentConfig.REFUSE_DEMO_ACCOUNTS is False
