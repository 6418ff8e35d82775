"""Security headers on every page (walked from app.url_map, so new pages are covered), and pages that a CSP
without 'unsafe-inline' does not break: no inline script, no style attribute or element, no on* handler."""

import re
from types import SimpleNamespace

import pytest

from tests.console.conftest import login
from tests.disclosures import factories as f

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
STYLE_ATTR = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.I)
HANDLER_ATTR = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


@pytest.fixture
def site(app, client, county, make_user, token_for):
    """An admin console session and a published disclosure; path parameters for every page."""
    staff = SimpleNamespace(publisher=token_for(make_user(("publisher", f.LONGJING))),
                            reviewer=token_for(make_user(("reviewer", f.LONGJING))))
    disclosure = f.publish_new(client, staff, "affairs")
    admin = make_user(("admin",), username="headers_admin")
    assert login(client, "headers_admin").status_code == 302
    params = {"code": f.LONGJING, "disclosure_id": disclosure, "user_id": admin, "member_id": 1, "grant_id": 1,
              "upload_id": "0" * 32, "filename": "base.css", "number": 1, "seq": 1, "batch_id": 1,
              "report_id": 1, "case_id": 1, "recusal_id": 1, "request_id": 1, "assignment_id": 1,
              "warning_id": 1, "proposal_id": 1}
    return SimpleNamespace(params=params)


def page_urls(app, params):
    """One URL per GET rule of the app, path parameters filled from `params`."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        missing = [name for name in rule.arguments if name not in params]
        assert not missing, f"{rule.rule}: add a sample for {missing} to the site fixture"
        urls.append(re.sub(r"<(?:[^>:]+:)?(\w+)>", lambda m: str(params[m.group(1)]), rule.rule))
    return sorted(set(urls)) + ["/no-such-page", "/api/v1/no-such-endpoint", "/console/no-such-page"]


def header_problems(response, production=False):
    """What is wrong with a response's security headers."""
    h = response.headers
    problems = []
    csp = h.get("Content-Security-Policy", "")
    if not csp:
        problems.append("no Content-Security-Policy")
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append(f"CSP allows unsafe code: {csp}")
    if h.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if "frame-ancestors 'none'" not in csp and h.get("X-Frame-Options") != "DENY" and "sandbox" not in csp:
        problems.append("framing not refused")
    if not h.get("Referrer-Policy"):
        problems.append("no Referrer-Policy")
    hsts = h.get("Strict-Transport-Security", "")
    if production and "max-age=" not in hsts:
        problems.append("no HSTS in production")
    if not production and hsts:
        problems.append("HSTS outside production (would pin plain-HTTP development hosts)")
    return problems


def inline_problems(response):
    """Inline code in an HTML page that the CSP would block (so the page would silently break)."""
    if response.mimetype != "text/html":
        return []
    html = response.get_data(as_text=True)
    found = [(name, pattern.search(html)) for name, pattern in (
        ("inline <script>", INLINE_SCRIPT), ("style= attribute", STYLE_ATTR), ("<style> element", STYLE_ELEMENT),
        ("on*= handler", HANDLER_ATTR))]
    return [f"{name}: {match.group(0)[:80]}" for name, match in found if match]


def test_every_page_carries_the_security_headers(app, client, site):
    """Every GET page and endpoint (console, H5, API, docs, static, errors) as a logged-in admin."""
    wrong = []
    for url in page_urls(app, site.params):
        response = client.get(url)
        wrong += [f"{url} [{response.status_code}]: {p}" for p in header_problems(response)]
    assert not wrong, "\n".join(wrong)


def test_anonymous_pages_and_redirects_carry_the_headers(app, site):
    """The same without a session (login redirects, public pages, refusals)."""
    client = app.test_client()
    wrong = []
    for url in page_urls(app, site.params):
        response = client.get(url)
        wrong += [f"{url} [{response.status_code}]: {p}" for p in header_problems(response)]
    assert not wrong, "\n".join(wrong)


def test_pages_hold_no_inline_code_the_csp_would_block(app, client, site):
    """A CSP without 'unsafe-inline' only works if the pages never need it."""
    wrong = []
    for url in page_urls(app, site.params):
        response = client.get(url)
        wrong += [f"{url}: {p}" for p in inline_problems(response)]
    assert not wrong, "\n".join(wrong)


def test_hsts_only_in_production(make_app):
    """HSTS is sent by a production-configured app, on pages and API answers alike."""
    from cryptography.fernet import Fernet

    production = make_app(ENV_NAME="production", SECRET_KEY="p" * 40, DATA_KEYS=Fernet.generate_key().decode(),
                          AUDIT_ADDRESS_SALT="salt-production-test", RECEIPT_PEPPERS="pepper-production-0123456789")
    client = production.test_client()
    for url in ("/console/login", "/api/v1/contact-points/layers", "/api/v1/no-such-endpoint"):
        response = client.get(url)
        assert header_problems(response, production=True) == [], (url, dict(response.headers))
        assert "includeSubDomains" in response.headers["Strict-Transport-Security"]


def test_api_answers_are_not_cached_and_files_are_sandboxed(client, make_user, token_for):
    """API JSON is no-store; an upload is served with a sandbox CSP and nosniff (never rendered as a page)."""
    import io

    from tests.hardening.world import _png

    assert client.get("/api/v1/contact-points/layers").headers["Cache-Control"] == "no-store"
    resident = token_for(make_user())
    sent = client.post("/api/v1/uploads", data={"file": (io.BytesIO(_png()), "x.html")},
                       content_type="multipart/form-data", headers=resident)
    assert sent.status_code == 201, sent.get_json()
    served = client.get(f"/api/v1/uploads/{sent.get_json()['id']}", headers=resident)
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"
