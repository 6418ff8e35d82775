"""Domain errors and the one handler that renders them as the API's JSON envelope."""

import logging

from flask import g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    """Base of every error a service may raise; rendered as the JSON envelope."""

    status = 400
    code = "bad_request"
    message = "请求有误"

    def __init__(self, message=None, code=None, fields=None, headers=None):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.code = code or self.code
        self.fields = fields or {}
        self.headers = headers or {}


class BadRequest(DomainError):
    """400: the input is malformed or fails validation."""

    status, code, message = 400, "bad_request", "请求参数有误"


class ValidationFailed(BadRequest):
    """400: schema validation failed; `fields` names each bad field."""

    code, message = "validation_error", "提交的内容未通过校验"


class Unauthorized(DomainError):
    """401: no valid credentials."""

    status, code, message = 401, "unauthorized", "请先登录"


class Forbidden(DomainError):
    """403: authenticated but not allowed."""

    status, code, message = 403, "forbidden", "没有权限执行此操作"


class NotFound(DomainError):
    """404: the object does not exist or may not be seen."""

    status, code, message = 404, "not_found", "未找到该资源"


class Conflict(DomainError):
    """409: the object's state does not allow the action."""

    status, code, message = 409, "conflict", "当前状态不允许此操作"


class PayloadTooLarge(DomainError):
    """413: the body or file is too large."""

    status, code, message = 413, "payload_too_large", "提交的内容过大"


class UnsupportedMedia(DomainError):
    """415: the content type is not accepted."""

    status, code, message = 415, "unsupported_media_type", "不支持的文件或内容类型"


class Unprocessable(DomainError):
    """422: well-formed input whose content cannot be used (e.g. a bad import row)."""

    status, code, message = 422, "unprocessable", "内容无法处理"


class TooManyRequests(DomainError):
    """429: a rate limit was hit."""

    status, code, message = 429, "rate_limited", "操作过于频繁，请稍后再试"


class ServiceUnavailable(DomainError):
    """503: a dependency (database, WeChat) is not available."""

    status, code, message = 503, "service_unavailable", "服务暂时不可用，请稍后再试"


class MethodNotAllowed(DomainError):
    """405: the route exists but not for this method (raised by the router)."""

    status, code, message = 405, "method_not_allowed", "不支持该请求方法"


class InternalError(DomainError):
    """500: an unexpected failure; the details stay in the log."""

    status, code, message = 500, "internal_error", "服务器内部错误，请稍后再试"


def _http_messages():
    """{status: (code, message)} of the first error class of each status (BadRequest, not ValidationFailed)."""
    messages, pending = {}, list(DomainError.__subclasses__())
    while pending:
        cls = pending.pop(0)
        messages.setdefault(cls.status, (cls.code, cls.message))
        pending.extend(cls.__subclasses__())
    return messages


HTTP_MESSAGES = _http_messages()  # what a werkzeug HTTP error of that status is rendered as


def envelope(status, code, message, fields=None, headers=None):
    """Build the JSON error response of API.md."""
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    rid = getattr(g, "request_id", None)
    if rid:
        body["error"]["request_id"] = rid
    resp = jsonify(body)
    resp.status_code = status
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def _wants_json():
    return request.path.startswith("/api/") or request.path == "/api"


def _html(status, message):
    return render_template("error.html", status=status, message=message), status


def handle_domain_error(err):
    """Render a DomainError."""
    if not _wants_json():
        return _html(err.status, err.message)
    return envelope(err.status, err.code, err.message, err.fields, err.headers)


def handle_http_exception(err):
    """Render werkzeug HTTP errors (404, 405, 413, 429 ...) in the envelope."""
    status = err.code or 500
    code, message = HTTP_MESSAGES.get(status, ("http_error", err.name))
    headers = {}
    if status == 429:
        retry = getattr(err, "retry_after", None) or _retry_after(err)
        headers["Retry-After"] = str(retry)
    if status == 405 and err.valid_methods:
        headers["Allow"] = ", ".join(err.valid_methods)
    if not _wants_json():
        resp = _html(status, message)
        return resp[0], status, headers
    return envelope(status, code, message, headers=headers)


def _retry_after(err):
    limit = getattr(err, "limit", None)
    try:
        return int(limit.limit.get_expiry()) if limit else 60
    except Exception:  # noqa: BLE001 - best effort header
        return 60


def handle_unexpected(err):
    """Log an unexpected error with the request id and answer 500 without details."""
    if isinstance(err, HTTPException):
        return handle_http_exception(err)
    if _is_db_unavailable(err):
        log.warning("database unavailable rid=%s: %s", getattr(g, "request_id", "-"), err)
        return handle_domain_error(ServiceUnavailable("数据库暂时不可用，请稍后重试"))
    if _is_value_out_of_range(err):  # a huge integer a schema let through, refused by the database driver
        log.warning("value out of range rid=%s: %s", getattr(g, "request_id", "-"), err)
        return handle_domain_error(BadRequest("提交的数值超出允许范围", code="value_out_of_range"))
    log.exception("unhandled error rid=%s", getattr(g, "request_id", "-"))
    return handle_domain_error(InternalError())


DB_UNAVAILABLE_HINTS = (
    "could not connect", "connection refused", "connection to server", "server closed the connection",
    "terminating connection", "the database system is", "timeout expired", "no route to host",
    "could not translate host name", "unable to open database file", "database is locked", "disk i/o error",
)


def _is_db_unavailable(err):
    """Whether err means the database cannot be reached (503), not that a query is wrong (500)."""
    from sqlalchemy.exc import DBAPIError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    if isinstance(err, PoolTimeout):
        return True
    if not isinstance(err, DBAPIError):
        return False
    if err.connection_invalidated:
        return True
    text = str(getattr(err, "orig", None) or err).lower()
    return isinstance(err, OperationalError) and any(hint in text for hint in DB_UNAVAILABLE_HINTS)


def _is_value_out_of_range(err):
    """Whether err is the database driver refusing an integer (SQLite: OverflowError; PostgreSQL: SQLSTATE 22003)."""
    from sqlalchemy.exc import DataError

    orig = getattr(err, "orig", None)
    if isinstance(err, DataError) and getattr(orig, "pgcode", None) == "22003":
        return True
    if not isinstance(err, OverflowError) and not isinstance(orig, OverflowError):
        return False
    frames, tb = [], err.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame.f_globals.get("__name__", ""))
        tb = tb.tb_next
    return any(name.startswith("sqlalchemy") for name in frames)


def register_errorhandlers(app):
    """Install the one set of handlers for domain, HTTP and unexpected errors."""
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
