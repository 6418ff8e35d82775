"""HTTP errors raised by werkzeug (abort, the router) read exactly like the domain error class of their status."""

import pytest
from flask import abort

from app import errors
from tests.conftest import error_of


def test_each_status_has_the_message_of_its_first_error_class():
    assert errors.HTTP_MESSAGES[400] == (errors.BadRequest.code, errors.BadRequest.message)  # not ValidationFailed
    for cls in (errors.Unauthorized, errors.Forbidden, errors.NotFound, errors.Conflict, errors.PayloadTooLarge,
                errors.UnsupportedMedia, errors.Unprocessable, errors.TooManyRequests, errors.ServiceUnavailable,
                errors.MethodNotAllowed, errors.InternalError):
        assert errors.HTTP_MESSAGES[cls.status] == (cls.code, cls.message)


@pytest.mark.parametrize("status, cls", [(400, errors.BadRequest), (415, errors.UnsupportedMedia),
                                         (409, errors.Conflict), (422, errors.Unprocessable)])
def test_an_aborted_request_reads_like_the_domain_error(make_app, status, cls):
    app = make_app()
    app.add_url_rule("/api/v1/_abort", "abort_it", lambda: abort(status))
    response = app.test_client().get("/api/v1/_abort")
    assert response.status_code == status
    assert error_of(response) | {"fields": None} == {"code": cls.code, "message": cls.message, "fields": None,
                                                    "request_id": error_of(response)["request_id"]}


def test_the_router_405_keeps_its_own_class(client):
    response = client.delete("/api/v1/villages")
    assert error_of(response)["message"] == errors.MethodNotAllowed.message == "不支持该请求方法"
