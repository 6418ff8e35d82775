"""The console cookie carries no bearer token: a server-side session the API refuses, idle logout on every path."""

import re
from datetime import timedelta

import sqlalchemy as sa

from app.auth.models import Token, User
from app.auth.tokens import issue_token
from app.core.timeutil import utcnow
from app.extensions import db
from tests.conftest import error_of
from tests.console.conftest import login


def _sid(client):
    with client.session_transaction() as sess:
        return sess.get("console_sid")


def _console_session(app, user_id, idle_minutes=0):
    """A console session for user_id whose idle clock stands idle_minutes back; returns a client holding it."""
    with app.app_context():
        raw, row = issue_token(db.session.get(User, user_id), 12, console=True)
        row.last_seen_at = utcnow() - timedelta(minutes=idle_minutes)
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["console_sid"] = raw
    return client


def test_the_console_cookie_id_lifted_onto_the_api_is_refused(app, console_as):
    client = console_as(("admin",))
    lifted = _sid(client)
    assert lifted
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {lifted}"})
    assert response.status_code == 401 and error_of(response)["code"] == "invalid_token"
    assert "控制台会话不能用于接口" in error_of(response)["message"]
    assert client.get("/api/v1/admin/users", headers={"Authorization": f"Bearer {lifted}"}).status_code == 401
    assert client.get("/console/").status_code == 200  # the console session itself goes on


def test_the_api_ignores_the_console_cookie(console_as):
    client = console_as(("admin",))
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/admin/users").status_code == 401


def test_an_api_token_put_in_the_cookie_opens_no_console(app, make_user, token_for):
    user_id = make_user(("admin",), username="desk")
    raw = token_for(user_id)["Authorization"].split(" ", 1)[1]
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["console_sid"] = raw
    assert client.get("/console/").status_code == 302


def test_the_cookie_is_not_the_old_bearer_token_format(app, client, make_user):
    user_id = make_user(("admin",), username="desk")
    assert login(client, "desk").status_code == 302
    with client.session_transaction() as sess:
        assert "console_token" not in sess and "console_seen" not in sess
    with app.app_context():
        (row,) = db.session.scalars(sa.select(Token).where(Token.user_id == user_id))
        assert row.console is True


def _console_pages(app):
    """Every console GET page that takes no path parameter (walked from url_map: new pages are covered)."""
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if rule.rule.startswith("/console/") and "GET" in rule.methods and not rule.arguments
                  and rule.endpoint != "console.login")


def test_idle_logout_holds_on_every_console_page_and_revokes_the_session(app, make_user, county):
    user_id = make_user(("admin",), ("inspector", "420323000000"), ("unit_handler", None, None),
                        username="everything")
    pages = _console_pages(app)
    assert len(pages) > 10
    for page in pages:
        client = _console_session(app, user_id, idle_minutes=31)
        response = client.get(page)
        assert response.status_code == 302, page
        assert re.match(r"^/console/login(\?|$)", response.headers["Location"]), page
    with app.app_context():
        rows = list(db.session.scalars(sa.select(Token).where(Token.user_id == user_id)))
        assert len(rows) == len(pages) and all(row.revoked_at is not None for row in rows)


def test_a_fresh_session_opens_those_pages(app, make_user, county):
    user_id = make_user(("admin",), username="desk")
    client = _console_session(app, user_id)
    assert client.get("/console/").status_code == 200
    assert client.get("/console/admin/accounts").status_code == 200


def test_logout_revokes_the_session_on_the_server(app, console_as):
    from tests.console.conftest import post_form

    client = console_as(("admin",))
    raw = _sid(client)
    assert post_form(client, "/console/logout", page="/console/").status_code == 302
    replay = app.test_client()
    with replay.session_transaction() as sess:
        sess["console_sid"] = raw
    assert replay.get("/console/").status_code == 302
    with app.app_context():
        assert all(t.revoked_at is not None for t in db.session.scalars(
            sa.select(Token).where(Token.user_id == client.user_id)))
