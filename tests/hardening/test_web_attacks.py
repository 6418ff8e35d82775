"""Web attacks on the pages: stored XSS through every text field the console and H5 pages render, CSRF on every
console form, and open redirects through the console login's `next=`."""

import re
from types import SimpleNamespace

import pytest

from tests.console.conftest import csrf_of, login, text
from tests.disclosures import factories as f

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
RAW_MARKERS = ("<script>alert(1)", "<img src=x", "onerror=alert(1)>")


def assert_escaped(html, where):
    """The payloads appear only escaped: never as live markup, and at least once as text."""
    for raw in RAW_MARKERS:
        assert raw not in html, f"{where}: payload rendered raw ({raw})"
    assert "&lt;script&gt;" in html or "&lt;img" in html, f"{where}: the injected field is not on the page"


@pytest.fixture
def stored(app, client, county, make_user, token_for):
    """Payloads stored through the API in every text field that pages render, and an admin console session."""
    admin_id = make_user(("admin",), username="xss_admin")
    admin = token_for(admin_id)
    staff = SimpleNamespace(publisher=token_for(make_user(("publisher", f.LONGJING))),
                            reviewer=token_for(make_user(("reviewer", f.LONGJING))))
    roster = client.put(f"/api/v1/villages/{f.LONGJING}/roster", headers=admin, json={"cadres": [
        {"name": SCRIPT, "post": "村委会主任" + SCRIPT[:20], "duties": IMG + SCRIPT}]})
    assert roster.status_code == 200, roster.get_json()
    content = {"body": f"第一段{SCRIPT}\n第二段{IMG}", "items": [{"label": SCRIPT[:20], "value": IMG}],
               "attachment_ids": []}
    published = f.publish_new(client, staff, "affairs", title=f"村务{SCRIPT}"[:60], content=content)
    draft = f.create(client, staff.publisher, "party", title=f"草稿{IMG}", content=content).get_json()["id"]
    unit = client.post("/api/v1/admin/units", headers=admin, json={
        "name": f"单位{SCRIPT}", "kind": "department", "region_code": "420323000000", "head_name": IMG[:30]})
    assert unit.status_code == 201, unit.get_json()
    account = client.post("/api/v1/admin/users", headers=admin, json={
        "username": "xss_target", "display_name": f"账号{SCRIPT}{IMG}", "password": "Xss-target-2026",
        "grants": [{"role": "publisher", "region_code": f.LONGJING}]})
    assert account.status_code == 201, account.get_json()
    member = client.post("/api/v1/admin/contact-points", headers=admin, json={
        "name": SCRIPT, "type": "contact_point", "layer": "farmer", "region_code": f.LONGJING,
        "phone": "13800001234"})
    assert member.status_code in (201, 400), member.get_json()
    assert login(client, "xss_admin").status_code == 302
    return SimpleNamespace(published=published, draft=draft, account=account.get_json()["id"],
                           member=member.get_json()["member"]["id"] if member.status_code == 201 else None)


def test_h5_pages_escape_stored_payloads(app, stored):
    """Roster and disclosure text on the village page and the disclosure page (anonymous reader)."""
    reader = app.test_client()
    for url in (f"/v/{f.LONGJING}", f"/v/{f.LONGJING}/d/{stored.published}"):
        response = reader.get(url)
        assert response.status_code == 200, url
        assert_escaped(text(response), url)


def test_console_pages_escape_stored_payloads(client, stored):
    """Every console page that shows one of the stored fields."""
    urls = [f"/console/villages/{f.LONGJING}/roster", "/console/admin/units", "/console/admin/accounts",
            f"/console/admin/accounts/{stored.account}", f"/console/disclosures/{stored.published}",
            f"/console/disclosures/{stored.draft}", "/console/disclosures"]
    if stored.member:
        urls += ["/console/contacts", f"/console/contacts/{stored.member}"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert_escaped(text(response), url)


def test_reflected_query_values_are_escaped(client, stored):
    """Search boxes echo the query back: escaped, in console lists and on the H5 pages."""
    for url in ("/console/admin/accounts", "/console/roster", "/console/posters", "/console/admin/regions"):
        response = client.get(url, query_string={"q": SCRIPT})
        assert response.status_code == 200, url
        body = text(response)
        for raw in RAW_MARKERS:
            assert raw not in body, url
    response = client.get("/console/login", query_string={"next": f"/console/{IMG}"})
    assert all(raw not in text(response) for raw in RAW_MARKERS)


def _console_post_rules(app):
    return sorted(r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/console/") and "POST" in r.methods)


def _fill(rule):
    values = {"code": f.LONGJING}
    return re.sub(r"<(?:[^>:]+:)?(\w+)>", lambda m: values.get(m.group(1), "1"), rule)


@pytest.mark.parametrize("token", [None, "forged-token-0123456789", ""], ids=["missing", "wrong", "empty"])
def test_every_console_form_refuses_a_post_without_the_session_token(app, client, stored, token):
    """Walked from url_map, so new console forms are covered: 400 csrf_failed, nothing done."""
    from app.auth.models import User
    from app.extensions import db
    from app.regions.models import Unit

    with app.app_context():
        units = db.session.query(Unit).count()
    wrong = []
    for rule in _console_post_rules(app):
        data = {"name": "跨站请求伪造测试单位", "kind": "department", "region_code": "420323000000",
                "reason": "伪造", "role": "admin"}
        if token is not None:
            data["csrf_token"] = token
        response = client.post(_fill(rule), data=data)
        if response.status_code != 400 or "页面已过期或请求来源无法确认" not in text(response):
            wrong.append(f"{rule}: {response.status_code}")
    assert not wrong, "console POST accepted without a valid CSRF token:\n" + "\n".join(wrong)
    with app.app_context():
        assert db.session.query(Unit).count() == units
        assert db.session.get(User, stored.account).is_active
    assert client.get("/console/").status_code == 200, "the refused logout must not end the session"


def test_a_valid_token_is_accepted_so_the_refusal_is_about_the_token(app, client, stored):
    """Control: the same unit form with the session's token creates the unit."""
    page = client.get("/console/admin/units")
    response = client.post("/console/admin/units", data={
        "name": "令牌正确的单位", "kind": "department", "region_code": "420323000000", "csrf_token": csrf_of(page)})
    assert response.status_code == 302


def test_login_form_needs_the_token_too(app, make_user):
    """A login CSRF (logging the victim into the attacker's account) is refused."""
    make_user(("admin",), username="csrf_login")
    client = app.test_client()
    client.get("/console/login")
    response = client.post("/console/login", data={"username": "csrf_login", "password": "Passw0rd-test"})
    assert response.status_code == 400
    assert client.get("/console/").status_code == 302


HOSTILE_NEXT = ["https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example",
                "/%2F%2Fevil.example", "///evil.example", "javascript:alert(1)", "/console/..//evil.example",
                "/console/../../evil",
                "https:/evil.example", " //evil.example", "/console//evil.example", "http://127.0.0.1@evil.example/",
                "/console/\r\nLocation: https://evil.example", "%2F%2Fevil.example", "/console/%0d%0aSet-Cookie:x=1"]


def _login(client, username, target):
    page = client.get("/console/login")
    return client.post("/console/login", query_string={"next": target}, data={
        "username": username, "password": "Passw0rd-test", "csrf_token": csrf_of(page)})


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_next_never_redirects_off_site(app, make_user, target):
    """After a good login, `next=` may only lead to a console path on this host."""
    make_user(("admin",), username="redirect_admin")
    client = app.test_client()
    response = _login(client, "redirect_admin", target)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/console/") and not location.startswith("//"), (target, location)
    assert "\r" not in location and "\n" not in location
    already = client.get("/console/login", query_string={"next": target})
    if already.status_code == 302:
        assert already.headers["Location"].startswith("/console/"), (target, already.headers["Location"])


def test_login_next_keeps_a_legitimate_console_path(app, make_user):
    """Control: a plain console path survives the login."""
    make_user(("admin",), username="redirect_ok")
    response = _login(app.test_client(), "redirect_ok", "/console/admin/units")
    assert response.headers["Location"] == "/console/admin/units"
