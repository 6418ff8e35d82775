"""One way to look an object up by a secret code (receipt codes now; booking, application and subsidy codes later).

The rules every secret-code lookup keeps:
- the code travels in a request body only (POST), never in a URL: `SecretCodeField` parses it from the body and
  `moved_to_post()` answers the old URL forms with 410, without looking the code up;
- each lookup is counted against a strict per-address limit first, which fails closed (503) when the limiter's
  storage is down, so a guessing run cannot go on unseen;
- failed lookups are counted across all addresses and past an alert threshold an operator warning is logged;
- the code itself is never logged (app/core/logredact.py also scrubs 16-digit runs from every log line).
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from marshmallow import fields, validate

from app.core.ratelimit import hit_limits
from app.errors import BadRequest, DomainError, NotFound, TooManyRequests


class MovedToPost(DomainError):
    """410: a secret code was sent in a URL; the lookup moved to POST with the code in the body."""

    status, code = 410, "moved_to_post"
    message = "该查询方式已停用：为保护您的查询码，请在页面中输入查询码后查询（查询码不再放在网址中）"


@dataclass(frozen=True)
class SecretKind:
    """What differs between kinds of secret code: names, settings, messages."""

    scope: str  # rate-limit scope of lookups per address, e.g. "receipt_lookup"
    miss_scope: str  # rate-limit scope of failed lookups across all addresses, e.g. "receipt_miss"
    limit_setting: str  # config key of the per-address lookup limit
    default_limit: str
    miss_setting: str  # config key of the all-address failed-lookup alert threshold
    default_miss: str
    invalid_message: str
    invalid_code: str
    not_found_message: str
    not_found_code: str
    limit_message: str = "查询过于频繁，请稍后再试"
    label: str = "secret-code"  # how operator log lines name the kind (never the code)


def SecretCodeField(label="查询码", max_length=64):  # noqa: N802 - a field factory, used like a field class
    """The body field carrying a secret code: a required string, checked for shape only after the rate limit."""
    return fields.String(required=True, validate=validate.Length(min=1, max=max_length,
                                                                 error=f"请填写{label}"),
                         metadata={"description": f"{label}（仅放在请求体中，不要放在网址里）"})


def count_lookup(kind, client_key):
    """Count one lookup of `client_key` against the kind's per-address limit (429; 503 when storage is down)."""
    hit_limits(current_app.config.get(kind.limit_setting) or kind.default_limit, kind.scope, client_key,
               fail_closed=True, message=kind.limit_message)


def note_miss(kind):
    """Count a failed lookup across all addresses; past the alert threshold log an operator warning."""
    import logging

    try:
        hit_limits(current_app.config.get(kind.miss_setting) or kind.default_miss, kind.miss_scope, "all")
    except TooManyRequests:
        logging.getLogger(__name__).warning("%s lookups: failed lookups above %s; possible code guessing",
                                            kind.label, kind.miss_setting)


def find_by_secret(kind, raw_code, client_key, *, normalize: Callable, find: Callable):
    """The object a secret code opens: rate limit first, then the shape check, then `find(normalized)`.

    `normalize(raw)` returns the canonical code or None (a 400); `find(code)` returns the object or None (a 404,
    counted as a miss). Neither the raw nor the canonical code is ever logged or put in an error.
    """
    count_lookup(kind, client_key)
    code = normalize(raw_code)
    if code is None:
        raise BadRequest(kind.invalid_message, code=kind.invalid_code)
    found = find(code)
    if found is None:
        note_miss(kind)
        raise NotFound(kind.not_found_message, code=kind.not_found_code)
    return found


def moved_to_post(message=None):
    """The answer of an old GET-with-the-code-in-the-URL route: 410, and the code is never looked at."""
    raise MovedToPost(message)
