"""Under production (REFUSE_DEMO_ACCOUNTS) the demo password and every `flask demo seed` account are refused."""

import sqlalchemy as sa

from app.auth.demo import DEMO_PASSWORD
from app.auth.models import Token, User
from app.auth.passwords import hash_password
from app.extensions import db
from app.security.models import AuditEntry
from tests.conftest import error_of
from tests.console.conftest import login as console_login
from tests.console.conftest import text


def _login(client, username, password):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def _seed(app):
    from app.demo.seed import seed_accounts

    with app.app_context():
        seed_accounts()


def test_demo_accounts_log_in_outside_production(app, client, county):
    _seed(app)
    assert _login(client, "admin", DEMO_PASSWORD).status_code == 200


def test_production_refuses_the_demo_password_and_the_demo_accounts(app, make_app, county, make_user):
    _seed(app)
    prod = make_app(REFUSE_DEMO_ACCOUNTS=True)
    client = prod.test_client()
    for username in ("admin", "custodian", "inspector", "unit_handler"):
        response = _login(client, username, DEMO_PASSWORD)
        assert response.status_code == 403, username
        assert error_of(response)["code"] == "demo_account_refused"
        assert error_of(response)["message"] == "演示账号和演示密码在生产环境中不能使用"
    with app.app_context():  # a demo account whose password was changed is still a demo account
        user = db.session.scalar(sa.select(User).where(User.username == "admin"))
        user.password_hash = hash_password("Changed-passw0rd")
        db.session.commit()
    changed = _login(client, "admin", "Changed-passw0rd")
    assert changed.status_code == 403 and error_of(changed)["code"] == "demo_account_refused"
    make_user(("admin",), username="real_admin", password=DEMO_PASSWORD)  # a real account given the demo password
    assert _login(client, "real_admin", DEMO_PASSWORD).status_code == 403
    make_user(("admin",), username="proper", password="Proper-passw0rd")
    assert _login(client, "proper", "Proper-passw0rd").status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Token)
                                 .join(User).where(User.is_demo.is_(True))) == 0
        reasons = [e.detail["reason"] for e in db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "auth.login_failed"))]
        assert reasons.count("demo") == 6


def test_production_refuses_a_demo_accounts_existing_tokens_and_console(app, make_app, county, token_for):
    _seed(app)
    with app.app_context():
        admin_id = db.session.scalar(sa.select(User.id).where(User.username == "admin"))
    headers = token_for(admin_id)
    prod = make_app(REFUSE_DEMO_ACCOUNTS=True)
    response = prod.test_client().get("/api/v1/me", headers=headers)
    assert response.status_code == 401 and error_of(response)["code"] == "demo_account_refused"
    console = prod.test_client()
    page = console_login(console, "admin", password=DEMO_PASSWORD)
    assert page.status_code == 403 and "演示账号和演示密码在生产环境中不能使用" in text(page)
    assert console.get("/console/").status_code == 302


def test_production_refuses_the_demo_password_for_new_accounts(app, make_app, county, make_user, token_for):
    prod = make_app(REFUSE_DEMO_ACCOUNTS=True)
    headers = token_for(make_user(("admin",)))
    response = prod.test_client().post("/api/v1/admin/users", headers=headers, json={
        "username": "new_one", "display_name": "新账号", "password": DEMO_PASSWORD})
    assert response.status_code == 400 and error_of(response)["code"] == "demo_password_refused"


def test_disable_demo_command(app, county, token_for):
    _seed(app)
    with app.app_context():
        admin_id = db.session.scalar(sa.select(User.id).where(User.username == "admin"))
    headers = token_for(admin_id)
    result = app.test_cli_runner().invoke(args=["accounts", "disable-demo"])
    assert result.exit_code == 0 and "已停用 9 个演示账号" in result.output
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
            User.is_demo.is_(True), User.is_active.is_(True))) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "account.disable_demo")) == 9


def test_the_migration_marks_accounts_still_on_the_demo_password(make_app, app, tmp_path):
    from flask_migrate import upgrade

    migrated = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'marked.db'}")
    with migrated.app_context():
        upgrade(revision="b1c2d3e4f501")
        rows = {"custodian": hash_password(DEMO_PASSWORD), "inspector": hash_password("Changed-passw0rd"),
                "someone": hash_password(DEMO_PASSWORD)}
        with db.engine.begin() as conn:
            for username, password_hash in rows.items():
                conn.execute(sa.text(
                    "INSERT INTO users (username, display_name, password_hash, totp_enabled, is_active, failed_logins,"
                    " created_at) VALUES (:u, :u, :h, 0, 1, 0, CURRENT_TIMESTAMP)"),
                    {"u": username, "h": password_hash})
        upgrade(revision="c4a5b6d7e802")
        with db.engine.connect() as conn:
            marked = dict(conn.execute(sa.text("SELECT username, is_demo FROM users")).fetchall())
        db.engine.dispose()
    assert marked == {"custodian": 1, "inspector": 0, "someone": 0}  # only seeded names still on the demo password
