"""Hostile input: SQL wildcards and injection strings in search filters, path traversal in template names and ids,
and oversized or pathological JSON bodies (413 in the envelope, never a 500)."""

import io

import pytest

from tests.console.conftest import login, text
from tests.disclosures import factories as f

INJECTIONS = ["%", "_", "%%", "' OR 1=1 --", "\" OR \"\"=\"", "1; DROP TABLE users; --", "\\", "龙%", "%_%"]
TRAVERSALS = ["../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "....//....//etc/passwd", "/etc/passwd",
              "..\\..\\config.py", "%2e%2e%2f%2e%2e%2fconfig.py", "a4_notice/../../../etc/passwd"]
LEAKS = ("root:x:", "SECRET_KEY", "DATA_KEYS")


def error_of(response):
    """The envelope's error, asserting its shape."""
    body = response.get_json()
    assert isinstance(body, dict) and set(body) == {"error"}, (response.status_code, response.data[:200])
    return body["error"]


@pytest.fixture
def admin(county, make_user, token_for):
    """Bearer headers of a global admin (reaches every filter)."""
    return token_for(make_user(("admin",), username="attack_admin"))


@pytest.mark.parametrize("needle", INJECTIONS)
def test_village_search_treats_wildcards_and_quotes_as_literals(client, county, needle):
    """No village name holds these characters: a literal search finds nothing, a wildcard would find all."""
    response = client.get("/api/v1/villages", query_string={"q": needle, "limit": 100})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["items"] == [], needle


def test_village_search_control_finds_by_name(client, county):
    """Control: a real name part is found, so the empty answers above are about the wildcards."""
    items = client.get("/api/v1/villages", query_string={"q": "龙井"}).get_json()["items"]
    assert any(item["code"] == f.LONGJING for item in items)


@pytest.mark.parametrize("needle", INJECTIONS)
def test_account_search_treats_wildcards_as_literals(client, admin, needle):
    """Only accounts whose name holds the needle literally are found ('_' finds attack_admin, '%' nobody)."""
    response = client.get("/api/v1/admin/users", query_string={"q": needle, "limit": 100}, headers=admin)
    assert response.status_code == 200, response.get_json()
    for item in response.get_json()["items"]:
        assert needle.lower() in (item["username"] + item["display_name"]).lower(), (needle, item)
    assert bool(response.get_json()["items"]) == (needle == "_"), needle


def _string_query_operations(app):
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    for path, operations in doc["paths"].items():
        get = operations.get("get")
        if not get or "{" in path:
            continue
        names = [p["name"] for p in get.get("parameters", []) if p.get("in") == "query"
                 and p.get("schema", {}).get("type") == "string" and p["name"] not in ("cursor", "format")]
        if names:
            yield path, names


def test_every_string_filter_survives_injection_strings(app, client, admin):
    """Every string query parameter of every list, fed each injection string: an answer, never a 5xx."""
    seen, wrong = 0, []
    for path, names in _string_query_operations(app):
        for name in names:
            for needle in INJECTIONS:
                response = client.get(path, query_string={name: needle}, headers=admin)
                seen += 1
                if response.status_code >= 500:
                    wrong.append(f"{path}?{name}={needle}: {response.status_code}")
                elif response.status_code >= 400:
                    error_of(response)
    assert seen > 20 and not wrong, "\n".join(wrong)


def test_console_searches_treat_wildcards_as_literals(client, county, make_user):
    """Console lists with a search box: a wildcard lists nothing, the control lists 龙井村."""
    make_user(("admin",), username="console_searcher")
    assert login(client, "console_searcher").status_code == 302
    for url in ("/console/roster", "/console/posters"):
        assert "龙井村" in text(client.get(url, query_string={"q": "龙井"})), url
        for needle in INJECTIONS:
            response = client.get(url, query_string={"q": needle})
            assert response.status_code == 200, (url, needle)
            assert "龙井村" not in text(response), (url, needle)
    for needle in INJECTIONS:
        for url in ("/console/admin/accounts", "/console/admin/regions", "/console/audit", "/console/contacts"):
            assert client.get(url, query_string={"q": needle}).status_code < 500, (url, needle)


@pytest.mark.parametrize("name", TRAVERSALS)
def test_template_names_cannot_escape_the_template_folder(client, admin, name):
    """Poster, poster registration and batch export refuse a path as a template name."""
    answers = [
        client.get(f"/api/v1/villages/{f.LONGJING}/poster.png", query_string={"template": name}, headers=admin),
        client.post(f"/api/v1/villages/{f.LONGJING}/posters", json={"template": name}, headers=admin),
        client.post("/api/v1/qr/batches", json={"village_codes": [f.LONGJING], "template": name}, headers=admin),
    ]
    for response in answers:
        assert 400 <= response.status_code < 500, (name, response.status_code)
        error_of(response)
        assert not any(leak in response.get_data(as_text=True) for leak in LEAKS)


def test_console_poster_page_refuses_a_traversing_template(client, county, make_user):
    """The console's poster preview takes the same template parameter."""
    make_user(("admin",), username="poster_admin")
    assert login(client, "poster_admin").status_code == 302
    for name in TRAVERSALS:
        for url in (f"/console/villages/{f.LONGJING}/poster", f"/console/villages/{f.LONGJING}/poster.png"):
            response = client.get(url, query_string={"template": name})
            assert response.status_code < 500, (url, name, response.status_code)
            assert not any(leak in response.get_data(as_text=True) for leak in LEAKS)


@pytest.mark.parametrize("upload_id", ["..%2F..%2F..%2Fetc%2Fpasswd", "....%2F....%2F....%2F....%2Fetc%2Fpasswd",
                                       "%2e%2e%2f" * 10 + "ab", "0" * 31 + "/", "..", "%00" + "0" * 29])
def test_upload_ids_are_never_paths(client, admin, upload_id):
    """GET /uploads/<id> answers 404 in the envelope for anything but a stored random id (400 for a NUL byte: the
    input guard refuses control characters anywhere in a request, DESIGN.md)."""
    response = client.get(f"/api/v1/uploads/{upload_id}", headers=admin)
    expected = 400 if "%00" in upload_id else 404
    assert response.status_code == expected
    code = error_of(response)["code"]
    assert code == "invalid_characters" if expected == 400 else code.endswith("not_found")
    assert not any(leak in response.get_data(as_text=True) for leak in LEAKS)


@pytest.mark.parametrize("url", ["/static/../config.py", "/static/..%2Fconfig.py", "/static/%2e%2e/config.py",
                                 "/static/..%5Cconfig.py", "/static/../../etc/passwd"])
def test_static_files_stay_in_their_folder(client, url):
    """Static file serving does not climb out of app/static."""
    response = client.get(url)
    assert response.status_code in (400, 404), (url, response.status_code)
    assert not any(leak in response.get_data(as_text=True) for leak in LEAKS)


@pytest.mark.parametrize("url", ["/api/v1/disclosures/99999999999999999999", "/api/v1/qr/batches/18446744073709551616",
                                 "/api/v1/disclosures/-1", "/api/v1/disclosures/1e3", "/api/v1/disclosures/0x10"])
def test_absurd_ids_answer_404_in_the_envelope(client, admin, url):
    """Ids beyond any column's range (SQLite cannot even bind them) or not integers: 404, never 500."""
    response = client.get(url, headers=admin)
    assert response.status_code == 404, (url, response.status_code)
    error_of(response)


def test_absurd_ids_in_bodies_are_refused_not_crashed(client, admin):
    """A body id past 64 bits (found by the fuzzer: POST /admin/users grants[].unit_id): a 4xx envelope."""
    response = client.post("/api/v1/admin/users", headers=admin, json={
        "username": "overflow_user", "display_name": "溢出", "password": "Overflow-pass-2026",
        "grants": [{"role": "reviewer", "unit_id": 43733525938164785152}]})
    assert 400 <= response.status_code < 500, response.get_json()
    error_of(response)


def test_absurd_ids_on_console_pages_are_not_server_errors(client, county, make_user):
    """The console's <int:...> pages with an id past 64 bits."""
    make_user(("admin",), username="id_admin")
    assert login(client, "id_admin").status_code == 302
    for url in ("/console/admin/accounts/99999999999999999999", "/console/disclosures/99999999999999999999",
                "/console/contacts/99999999999999999999"):
        assert client.get(url).status_code == 404, url


def test_oversized_json_is_413_in_the_envelope(make_app):
    """A body over MAX_JSON_BYTES is refused before it is parsed, declared length or not."""
    client = make_app(MAX_JSON_BYTES=4096).test_client()
    big = '{"username": "' + "a" * 8192 + '", "password": "x"}'
    response = client.post("/api/v1/auth/login", data=big, content_type="application/json")
    assert response.status_code == 413 and error_of(response)["code"] == "payload_too_large"
    chunked = client.post("/api/v1/auth/login", input_stream=io.BytesIO(big.encode()), content_type="application/json",
                          headers={"Transfer-Encoding": "chunked"},
                          environ_overrides={"wsgi.input_terminated": True})  # as gunicorn marks a chunked body
    assert chunked.status_code == 413 and error_of(chunked)["code"] == "payload_too_large"


def test_body_over_max_content_length_is_413_in_the_envelope(make_app):
    """Past MAX_CONTENT_LENGTH (uploads included) werkzeug's 413 is rendered as the envelope too."""
    client = make_app(MAX_CONTENT_LENGTH=2048).test_client()
    response = client.post("/api/v1/uploads", data={"file": (io.BytesIO(b"\x89PNG" + b"0" * 8192), "x.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert error_of(response)["message"]


@pytest.mark.parametrize("body", ["[" * 50000 + "]" * 50000, '{"a":' * 20000 + "1" + "}" * 20000,
                                  '{"username": "\\ud800", "password": "x"}', "\xff\xfe{}", '"just a string"', "null"])
def test_pathological_json_is_a_400_not_a_crash(client, body):
    """Deep nesting, lone surrogates, bad encodings and non-objects: 400 in the envelope."""
    response = client.post("/api/v1/auth/login", data=body.encode("utf-8", "surrogatepass"),
                           content_type="application/json")
    assert 400 <= response.status_code < 500, response.status_code
    error_of(response)
