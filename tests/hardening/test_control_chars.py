"""NUL bytes and C0 controls: refused with a 400 by one guard (app/core/input_guard.py), never a 500.

The replays of issue 12 finding 6 first (PostgreSQL refused the NUL with a 500), then the guard's reach
(JSON at any depth, query, form, path, file names), the console's HTML page, and the multi-line field.
"""

import io

import pytest

from tests.conftest import error_of
from tests.console.conftest import csrf_of, login, text

NUL_QUERY = "q=%00"


def refused(response, field=None):
    """Assert the guard's 400 envelope (naming `field` when given) and return the error."""
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    error = error_of(response)
    assert error["code"] == "invalid_characters" and not error["message"].isascii()
    if field is not None:
        assert field in error["fields"], error
        assert field in error["message"], error
    return error


def test_login_with_nul_username_is_a_400(client, county):
    """Replay: POST /api/v1/auth/login {"username": "x\\u0000"}."""
    response = client.post("/api/v1/auth/login", json={"username": "x\u0000", "password": "whatever-1"})
    refused(response, "username")


@pytest.mark.parametrize("path, role", [
    ("/api/v1/villages", None), ("/api/v1/regions", None), ("/api/v1/admin/users", "admin"),
    ("/api/v1/admin/audit", "admin"),
])
def test_list_filters_with_nul_are_a_400(client, county, as_role, path, role):
    """Replay: ?q=%00 on the villages, regions, users and audit lists."""
    headers = as_role(role) if role else {}
    refused(client.get(f"{path}?{NUL_QUERY}", headers=headers), "q")


def test_console_login_with_nul_is_a_chinese_page(app, county, make_user):
    """Replay: the console login form with a NUL in the user name: a 400 page in Chinese, not JSON, not 500."""
    make_user(("admin",), username="console_admin")
    client = app.test_client()
    page = client.get("/console/login")
    response = client.post("/console/login", data={"username": "console_admin\x00", "password": "x",
                                                   "csrf_token": csrf_of(page)})
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "不允许的控制字符" in text(response) and "username" in text(response)


@pytest.mark.parametrize("path", ["/console/triage", "/console/admin/accounts", "/console/admin/regions",
                                  "/console/roster", "/console/posters", "/console/audit"])
def test_console_filters_with_nul_are_a_chinese_page(app, county, make_user, path):
    """Replay: ?q=%00 on the console's filtered lists, signed in as admin."""
    make_user(("admin",), username="filter_admin")
    client = app.test_client()
    assert login(client, "filter_admin").status_code == 302
    response = client.get(f"{path}?{NUL_QUERY}")
    assert response.status_code == 400 and response.mimetype == "text/html", (path, response.status_code)
    assert "不允许的控制字符" in text(response)


def test_nul_in_nested_json_keys_and_strings(client):
    """Strings and keys at any depth, in lists too, are found and named by their dotted path."""
    refused(client.post("/api/v1/reports", json={"target": {"person_name": "张\u0000三"}}), "target.person_name")
    refused(client.post("/api/v1/reports", json={"attachment_ids": ["a", "b\u0000"]}), "attachment_ids.1")
    refused(client.post("/api/v1/reports", json={"reporter": {"na\u0000me": "x"}}), "reporter.na\\x00me")
    refused(client.post("/api/v1/reports", json={"a": [[{"b": [1, {"c": "\u0000"}]}]]}), "a.0.0.b.1.c")


def test_other_controls_in_json_are_left_to_the_fields(client, county):
    """Only NUL is refused in JSON by the guard: the login schema then answers as usual (no 500)."""
    response = client.post("/api/v1/auth/login", json={"username": "x\u0001", "password": "whatever-1"})
    assert response.status_code == 401, response.get_json()


@pytest.mark.parametrize("query, field", [
    ("q=%01", "q"), ("q=a%1Bb", "q"), ("township=%0B", "township"), ("q%00=1", "q\\x00"), ("%1F=1", "\\x1f"),
])
def test_c0_in_query_arguments(client, query, field):
    """Any C0 control but tab, LF and CR, in a query argument's value or name."""
    refused(client.get(f"/api/v1/villages?{query}"), field)


def test_tab_and_line_breaks_pass_in_query(client, county):
    """Tab, LF and CR are not refused in a query or form (a textarea posts CRLF)."""
    assert client.get("/api/v1/villages?q=%09%0D%0A").status_code == 200


def test_nul_in_the_path(client):
    """The path, decoded: a NUL or any C0 control in a segment is a 400 before any view runs."""
    for path in ("/api/v1/villages/%00", "/api/v1/no-such-route%00", "/api/v1/villages/4203231032%0A11"):
        assert list(refused(client.get(path))["fields"]) == ["path"]
    page = client.get("/v/4203231032%0111")
    assert page.status_code == 400 and page.mimetype == "text/html" and "控制字符" in text(page)


def test_form_fields_and_upload_names(client, county, as_role):
    """Form values and names, and an uploaded file's name, are checked."""
    headers = as_role("admin")
    png = b"\x89PNG\r\n\x1a\n"
    response = client.post("/api/v1/uploads", headers=headers, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(png), "photo\x00.php.png")})
    refused(response, "file")
    response = client.post("/api/v1/uploads", headers=headers, content_type="multipart/form-data",
                           data={"note": "a\x07b", "file": (io.BytesIO(png), "photo.png")})
    refused(response, "note")
    response = client.post("/api/v1/uploads", headers=headers, data={"note": "第一行\r\n第二行\t"})
    assert response.status_code != 400 or error_of(response)["code"] != "invalid_characters"


def test_multi_line_text_refuses_c0_and_keeps_newlines():
    """Paragraphs: C0 but tab and line breaks refused (\\r\\n normalised); Line keeps stripping."""
    from marshmallow import Schema, ValidationError

    from app.disclosures.content_fields import Line, Paragraphs

    class Text(Schema):
        body = Paragraphs()
        title = Line()

    assert Text().load({"body": "第一段\r\n第二段\r第三段\t完", "title": " 标\x07题\n "}) == {
        "body": "第一段\n第二段\n第三段\t完", "title": "标题"}
    for bad in ("a\x00b", "a\x1b[31m", "a\x0bb", "a\x0cb", "a\x7f\x01"):
        with pytest.raises(ValidationError) as err:
            Text().load({"body": bad})
        assert "控制字符" in err.value.messages["body"][0]
    assert Text().load({"body": "零宽\u200b字符\x9b"}) == {"body": "零宽字符"}  # C1 and zero-width: stripped


def test_report_content_with_escape_sequence_is_a_field_error(client, county):
    """Through the API: a report whose content carries an ANSI escape is a 400 naming `content`."""
    response = client.post("/api/v1/reports", json={
        "village_code": "420323103211", "kind": "suggestion", "topic": "other", "anonymous": True,
        "content": "村里的路灯坏了\x1b[2J很久没人修"})
    assert response.status_code == 400, response.get_json()
    assert "content" in error_of(response)["fields"]
