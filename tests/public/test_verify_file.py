"""WeChat's domain verification file, served from settings at the site root."""

import pytest


def test_served_when_configured(make_app):
    app = make_app(WECHAT_VERIFY_FILE_NAME="MP_verify_abc123.txt", WECHAT_VERIFY_FILE_CONTENT="abc123")
    response = app.test_client().get("/MP_verify_abc123.txt")
    assert response.status_code == 200 and response.get_data(as_text=True) == "abc123"
    assert response.mimetype == "text/plain"
    assert app.test_client().get("/MP_verify_other.txt").status_code == 404


def test_absent_without_settings(client):
    assert client.get("/MP_verify_abc123.txt").status_code == 404


def test_a_path_is_refused_at_start_up(make_app):
    with pytest.raises(RuntimeError, match="plain file name"):
        make_app(WECHAT_VERIFY_FILE_NAME="../secret.txt", WECHAT_VERIFY_FILE_CONTENT="x")
