"""Console test helpers: the CSRF token of a page, logging in through the real form, clients per role."""

import re

import pytest

PASSWORD = "Passw0rd-test"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(response):
    """The CSRF token embedded in a rendered console page."""
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, "page has no CSRF field"
    return match.group(1)


def post_form(client, url, data=None, page=None, **kwargs):
    """POST a console form with the CSRF token of `page` (default: the dashboard or login page)."""
    source = client.get(page or "/console/login")
    if source.status_code == 302:
        source = client.get("/console/")
    return client.post(url, data={**(data or {}), "csrf_token": csrf_of(source)}, **kwargs)


def login(client, username, password=PASSWORD, otp=None, next_url=None):
    """Log in through the console's login form; returns the POST response."""
    page = client.get("/console/login")
    data = {"username": username, "password": password, "csrf_token": csrf_of(page)}
    if otp is not None:
        data["otp"] = otp
    url = "/console/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data=data)


def text(response):
    """A response body as text."""
    return response.get_data(as_text=True)


@pytest.fixture
def console_as(app, make_user):
    """A logged-in console client for a fresh user with grants: console_as(("admin",), ...)."""

    def factory(*grants, username=None, unit_id=None):
        user_id = make_user(*grants, username=username, unit_id=unit_id)
        client = app.test_client()
        response = login(client, username or _username(app, user_id))
        assert response.status_code == 302, text(response)
        client.user_id = user_id
        return client

    return factory


def _username(app, user_id):
    from app.auth.models import User
    from app.extensions import db

    with app.app_context():
        return db.session.get(User, user_id).username


@pytest.fixture
def admin_client(console_as, county):
    """A global admin, logged in, on the demo county."""
    return console_as(("admin",))
