"""One JSON error envelope for every error under /api; the HTML page elsewhere."""

import io
import json
import logging

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

from tests.conftest import error_of


def test_unknown_api_path_is_404_envelope(client):
    response = client.get("/api/v1/no-such-thing", headers={"X-Request-ID": "abcdef12-3456"})
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    error = error_of(response)
    assert error["code"] == "not_found"
    assert error["message"] == "未找到该资源"
    assert error["request_id"] == "abcdef12-3456" == response.headers["X-Request-ID"]
    assert response.headers["Cache-Control"] == "no-store"


def test_a_bad_request_id_is_replaced(client):
    response = client.get("/api/v1/no-such-thing", headers={"X-Request-ID": "<script>"})
    rid = error_of(response)["request_id"]
    assert rid != "<script>" and len(rid) == 16 and rid == response.headers["X-Request-ID"]


def test_wrong_method_is_405_with_allow(client):
    response = client.delete("/api/v1/villages")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_non_json_body_is_415(client):
    response = client.post("/api/v1/auth/login", data="username=a&password=b",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"
    response = client.post("/api/v1/auth/login", data="hello", content_type="text/plain")
    assert response.status_code == 415


@pytest.mark.parametrize("body", [b"{not json", b'{"username": "a",}', b"\xff\xfe"])
def test_invalid_json_is_400(client, body):
    response = client.post("/api/v1/auth/login", data=body, content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_json"


def test_json_that_is_not_an_object_is_400(client):
    response = client.post("/api/v1/auth/login", json=["username", "password"])
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_json"


def test_validation_errors_name_each_field_in_chinese(client):
    response = client.post("/api/v1/auth/login", json={"password": "", "otp": "12ab", "extra": 1})
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert error["message"] == "提交的内容未通过校验"
    assert error["fields"]["username"] == ["此项为必填项"]
    assert error["fields"]["password"] == ["长度应在 1 到 256 之间"]
    assert error["fields"]["otp"] == ["动态口令应为 6 位数字"]
    assert error["fields"]["extra"] == ["不允许的字段"]


def test_nested_validation_errors_have_dotted_paths(client, county, as_role):
    headers = as_role("publisher", "420323103211")
    response = client.put("/api/v1/villages/420323103211/roster", headers=headers,
                          json={"cadres": [{"name": "张三", "post": "书记"}, {"name": "", "post": "x" * 61}]})
    assert response.status_code == 400
    fields = error_of(response)["fields"]
    assert fields == {"cadres.1.name": ["长度应在 1 到 40 之间"], "cadres.1.post": ["长度应在 1 到 60 之间"]}


def test_query_validation_is_400(client):
    response = client.get("/api/v1/villages?limit=abc")
    assert response.status_code == 400
    assert error_of(response)["fields"] == {"limit": ["应为整数"]}


def test_body_over_max_json_bytes_is_413(make_app):
    app = make_app(MAX_JSON_BYTES=200)
    response = app.test_client().post("/api/v1/auth/login", json={"username": "u" * 300, "password": "p"})
    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"


def test_chunked_json_over_max_json_bytes_is_413(make_app):
    app = make_app(MAX_JSON_BYTES=200)
    body = json.dumps({"username": "u" * 300, "password": "p"}).encode()
    environ = EnvironBuilder(path="/api/v1/auth/login", method="POST", data=body,
                             content_type="application/json").get_environ()
    del environ["CONTENT_LENGTH"]  # a chunked upload: nothing to check before reading
    environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    environ["wsgi.input_terminated"] = True
    environ["wsgi.input"] = io.BytesIO(body)
    app_iter, status, headers = run_wsgi_app(app, environ, buffered=True)
    assert status.startswith("413")
    assert json.loads(b"".join(app_iter))["error"]["code"] == "payload_too_large"


def test_body_over_max_content_length_is_413(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1000, MAX_JSON_BYTES=100_000)
    response = app.test_client().post("/api/v1/auth/login", json={"username": "u" * 2000, "password": "p"})
    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"


def test_rate_limit_is_429_with_retry_after(make_app, app):
    limited = make_app(RATELIMIT_ENABLED=True)
    client = limited.test_client()
    statuses = [client.post("/api/v1/auth/login", json={}).status_code for _ in range(20)]
    assert statuses == [400] * 20
    response = client.post("/api/v1/auth/login", json={})
    assert response.status_code == 429
    error = error_of(response)
    assert error["code"] == "rate_limited" and error["request_id"]
    assert 0 < int(response.headers["Retry-After"]) <= 60
    # the limit is per app: the default test app (RATELIMIT_ENABLED=False) is not limited
    assert app.test_client().post("/api/v1/auth/login", json={}).status_code == 400


def test_unexpected_error_is_500_without_details_and_logged_with_request_id(make_app, caplog):
    app = make_app()

    def explode():
        raise ValueError("secret internal detail")

    app.add_url_rule("/api/v1/_explode", "explode", explode)
    caplog.set_level(logging.ERROR)
    response = app.test_client().get("/api/v1/_explode", headers={"X-Request-ID": "req-0000-1111"})
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "internal_error"
    assert error["message"] == "服务器内部错误，请稍后再试"
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "secret internal detail" not in text and "ValueError" not in text
    records = [r for r in caplog.records if r.name == "app.errors"]
    assert records and "req-0000-1111" in records[-1].getMessage()
    assert records[-1].exc_info and records[-1].exc_info[0] is ValueError


def test_unexpected_error_outside_api_is_the_html_page(make_app):
    app = make_app()

    def explode():
        raise ValueError("boom")

    app.add_url_rule("/explode", "explode", explode)
    response = app.test_client().get("/explode")
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    assert "出错了" in response.get_data(as_text=True) and "boom" not in response.get_data(as_text=True)


@pytest.mark.parametrize("url", [
    "postgresql://postgres@127.0.0.1:1/mss_nowhere",
    "sqlite:////nonexistent-directory-for-mss/never/here.db",
])
def test_unreachable_database_is_503(make_app, url, caplog):
    app = make_app(SQLALCHEMY_DATABASE_URI=url)
    response = app.test_client().get("/api/v1/villages")
    assert response.status_code == 503
    error = error_of(response)
    assert error["code"] == "service_unavailable"
    assert "数据库" in error["message"]
    assert "Traceback" not in response.get_data(as_text=True)


def test_html_pages_get_the_html_error_page(client):
    response = client.get("/no-such-page", headers={"X-Request-ID": "html-req-1234"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert "页面不存在" in body and "html-req-1234" in body
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_html_405_keeps_allow(client):
    response = client.post("/static/base.css")
    assert response.status_code == 405
    assert response.mimetype == "text/html"
    assert "GET" in response.headers["Allow"]


def test_domain_error_carries_its_code(client, county):
    response = client.get("/api/v1/villages/420323999999")
    assert response.status_code == 404
    assert error_of(response) == {"code": "region_not_found", "message": "未找到该村（社区）", "fields": {},
                                  "request_id": response.headers["X-Request-ID"]}


def test_missing_token_is_401(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"
