"""NUL/C0 sweep over every route: 4xx, never 500, on SQLite and PostgreSQL (run it with TEST_DATABASE_URL).

The routes come from the app's url_map, so a new route is swept without editing this file: every GET (API,
console, H5 pages, static) with ?q=%00 and ?q=%01; every API write with a NUL in each string field and key of
its valid sample body from tests/hardening/authz_table.py (test_auth_matrix makes every API route have a row),
a NUL in an upload's file name, and then a C0 control (U+0001) in each string field through the real views.
"""

import io
import re

import pytest

from tests.console.conftest import login
from tests.hardening.authz_table import TABLE
from tests.hardening.world import known_ids, shared_world, shared_world_keeps_db  # noqa: F401 (fixtures)

PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
WRITES = ("POST", "PUT", "PATCH", "DELETE")


def _rules(app, methods):
    return sorted({(method, rule.rule) for rule in app.url_map.iter_rules()
                   for method in rule.methods & set(methods)})


def _url(world, method, rule_text):
    """The rule with real values: the authz row's path(), else the world's known ids, else a plausible value."""
    row = TABLE.get((method, rule_text))
    values = {**known_ids(world), "filename": "base.css", **(row.path(world) if row else {})}

    def fill(match):
        converter, name = match.groups()
        return str(values.get(name, 1 if converter == "int" else world.home))

    return PARAM.sub(fill, rule_text)


@pytest.fixture(scope="module")
def clients(app, world):
    """An anonymous client, admin bearer headers per call, and a console client signed in as the admin."""
    console = app.test_client()
    assert login(console, "p_admin", world.password).status_code == 302
    return {"anonymous": app.test_client(), "console": console,
            "headers": lambda: world.users_api.headers(world.users["admin"])}


def _get(clients, url, query):
    if url.startswith("/api/"):
        return clients["anonymous"].get(url, query_string=query, headers=clients["headers"]())
    if url.startswith("/console"):
        return clients["console"].get(url, query_string=query)
    return clients["anonymous"].get(url, query_string=query)


def _is_guard_answer(url, response):
    if response.status_code != 400:
        return False
    if url.startswith("/api/"):
        body = response.get_json(silent=True) or {}
        return body.get("error", {}).get("code") == "invalid_characters"
    return response.mimetype == "text/html" and "控制字符".encode() in response.get_data()


@pytest.mark.parametrize("char", ["\x00", "\x01"], ids=["nul", "c0"])
def test_every_get_route_refuses_control_characters_in_query(app, world, clients, char):
    """GET <every route>?q=<char>: the guard's 400 (envelope under /api, a Chinese page elsewhere)."""
    routes = _rules(app, ("GET",))
    assert len(routes) > 50  # the sweep reaches the whole app, not a handful of routes
    wrong = []
    for method, rule_text in routes:
        url = _url(world, method, rule_text)
        response = _get(clients, url, {"q": char})
        if not _is_guard_answer(url, response):
            wrong.append(f"{method} {url}: {response.status_code} {_text(response)}")
    assert not wrong, "\n".join(wrong)


def _string_paths(value, path=()):
    """Every (path, is_key) of a JSON value where a string (or a dict key) sits."""
    if isinstance(value, str):
        yield path, False
    elif isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key), True
            yield from _string_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _string_paths(item, (*path, index))


def _with(value, path, is_key, char):
    """A copy of value with `char` put into the string (or the key) at path."""
    if not path:
        return value + char
    head, rest = path[0], path[1:]
    if isinstance(value, list):
        copy = list(value)
        copy[head] = _with(copy[head], rest, is_key, char)
        return copy
    if is_key and not rest:
        return {(key + char if key == head else key): item for key, item in value.items()}
    return {key: (_with(item, rest, is_key, char) if key == head else item) for key, item in value.items()}


def _mutations(body, char):
    """(dotted field, body) for every string and key of the sample body, or one extra key when it has none."""
    found = list(_string_paths(body))
    if not found:
        return [(f"note{char}".replace("\x00", "\\x00"), {**body, f"note{char}": "x"})]
    return [(".".join(str(p) for p in path).replace("\x00", "\\x00"), _with(body, path, is_key, char))
            for path, is_key in found]


def _text(response):
    return response.get_data()[:150].decode("utf-8", "replace")


def _writes(app):
    return [(m, r) for m, r in _rules(app, WRITES) if r.startswith("/api/v1/")]


def test_every_api_write_refuses_nul_in_each_string_field(app, world):
    """A NUL in each string field and key of each write's valid body: the guard's 400, naming that field."""
    wrong, sent = [], 0
    for method, rule_text in _writes(app):
        row = TABLE.get((method, rule_text))  # a route without a row (test_auth_matrix flags it) gets `{}`
        url = _url(world, method, rule_text)
        if row is not None and row.upload is not None:
            name, data = row.upload(world)
            response = app.test_client().open(url, method=method, content_type="multipart/form-data",
                                              data={"file": (io.BytesIO(data), "a\x00" + name)})
            sent += 1
            if not _is_guard_answer(url, response) or "file" not in response.get_json()["error"]["fields"]:
                wrong.append(f"{method} {url} (file name): {response.status_code}")
            continue
        sample = row.sample(world) if row is not None and row.sample else {}
        for field, body in _mutations(sample, "\x00"):
            response = app.test_client().open(url, method=method, json=body)
            sent += 1
            fields = (response.get_json(silent=True) or {}).get("error", {}).get("fields", {})
            if not _is_guard_answer(url, response) or not any(field in name for name in fields):
                wrong.append(f"{method} {url} [{field}]: {response.status_code} {_text(response)}")
    assert sent > 40 and not wrong, "\n".join(wrong)


def test_c0_in_each_string_field_is_never_a_500(app, world):
    """U+0001 in each string field, through the real views as admin: stripped, refused or stored, never a 500."""
    wrong = []
    for method, rule_text in _writes(app):
        row = TABLE.get((method, rule_text))
        if row is None or row.sample is None:
            continue
        url = _url(world, method, rule_text)
        for field, body in _mutations(row.sample(world), "\x01"):
            response = app.test_client().open(url, method=method, json=body,
                                              headers=world.users_api.headers(world.users["admin"]))
            if response.status_code >= 500 and response.status_code != 503:
                wrong.append(f"{method} {url} [{field}]: {response.status_code} {_text(response)}")
    assert not wrong, "\n".join(wrong)
