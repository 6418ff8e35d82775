"""`flask demo seed`: idempotent, refused in production, demo accounts that can log in."""

import sqlalchemy as sa
from cryptography.fernet import Fernet

from app import create_app
from app.auth.models import RoleGrant, User
from app.demo.seed import ACCOUNTS, DEMO_PASSWORD
from app.extensions import db
from app.regions.models import Cadre, Region, Unit
from config import ProductionConfig


def _counts(app):
    with app.app_context():
        return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
                for model in (Region, Unit, Cadre, User, RoleGrant)}


def test_seed_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "演示数据已就绪。" in first.output and "区划：262 条" in first.output
    after_first = _counts(app)
    assert after_first["Region"] == 262 and after_first["User"] >= len(ACCOUNTS) == 9
    with app.app_context():
        demo = db.session.scalars(sa.select(User.username).where(User.username.in_([a[0] for a in ACCOUNTS])))
        assert sorted(demo) == sorted(a[0] for a in ACCOUNTS)
    assert after_first["Cadre"] == 244 * 5
    second = runner.invoke(args=["demo", "seed"])
    assert second.exit_code == 0, second.output
    assert _counts(app) == after_first


def test_demo_accounts_log_in_with_their_roles(app, client):
    assert app.test_cli_runner().invoke(args=["demo", "seed"]).exit_code == 0
    for username, _name, role, region, unit_name in ACCOUNTS:
        response = client.post("/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 200, username
        user = response.get_json()["user"]
        assert role in user["roles"], username
        grant = next(g for g in user["grants"] if g["role"] == role)
        assert grant["region_code"] == region
        if unit_name:
            assert grant["unit_id"] is not None and user["unit_id"] == grant["unit_id"]


def test_seeded_villages_have_rosters_and_phones(app, client):
    assert app.test_cli_runner().invoke(args=["demo", "seed"]).exit_code == 0
    profile = client.get("/api/v1/villages/420323102203").get_json()
    assert profile["name"] == "罗家坡村" and profile["supervision_phone"].startswith("0719-42")
    assert len(profile["cadres"]) == 5 and profile["cadres"][0]["post"] == "村党支部书记、村委会主任"


def test_seed_is_refused_in_production(app, database_url, tmp_path):
    attrs = {"SECRET_KEY": "a-production-secret-key-that-is-long-enough-0123456789",
             "DATA_KEYS": Fernet.generate_key().decode(), "AUDIT_ADDRESS_SALT": "salt",
             "RECEIPT_PEPPERS": "receipt-pepper-0123456789abcdef",
             "SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(tmp_path),
             "PUBLIC_BASE_URL": "https://jd.example.gov.cn"}
    production = create_app(type("ProdCfg", (ProductionConfig,), attrs))
    try:
        result = production.test_cli_runner().invoke(args=["demo", "seed"])
        assert result.exit_code != 0
        assert "生产环境禁止加载演示数据" in result.output
        assert _counts(production)["Region"] == 0
    finally:
        with production.app_context():
            db.engine.dispose()
