"""ApiBlueprint: declares each operation once, for routing, validation, auth and OpenAPI."""

import json
import re
from dataclasses import dataclass, field
from functools import wraps

from flask import Blueprint, Response, current_app, jsonify, request
from marshmallow import Schema, ValidationError

from app.core.messages import to_chinese
from app.errors import BadRequest, PayloadTooLarge, UnsupportedMedia, ValidationFailed


@dataclass
class Operation:
    """What the OpenAPI generator needs to know about one route."""

    rule: str
    method: str
    endpoint: str
    summary: str
    tag: str
    auth: str
    body: Schema | None = None
    query: Schema | None = None
    response: Schema | None = None
    status: int = 200
    paginated: bool = False
    multipart: bool = False
    produces: str = "application/json"
    errors: tuple = ()
    extra: dict = field(default_factory=dict)


def flatten_messages(messages, prefix=""):
    """Flatten marshmallow's nested error dict into {"a.b.0.c": [..]}."""
    flat = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema" and prefix:
                name = prefix
            flat.update(flatten_messages(value, name))
    elif isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages):
        flat[prefix or "_schema"] = [to_chinese(m) for m in messages]
    elif isinstance(messages, list):
        for item in messages:
            flat.update(flatten_messages(item, prefix))
    else:
        flat[prefix or "_schema"] = [to_chinese(str(messages))]
    return flat


def load_or_raise(schema, data, partial=False):
    """Load data with a schema, turning ValidationError into the envelope's field errors."""
    try:
        return schema.load(data, partial=partial)
    except ValidationError as err:
        raise ValidationFailed(fields=flatten_messages(err.messages)) from None


def _json_body():
    limit = current_app.config.get("MAX_JSON_BYTES", 2 * 1024 * 1024)
    if request.content_length and request.content_length > limit:
        raise PayloadTooLarge()
    if not request.mimetype or request.mimetype != "application/json":
        if not request.get_data(cache=True):
            return {}
        raise UnsupportedMedia("请以 application/json 格式提交")
    if len(request.get_data(cache=True)) > limit:  # a chunked body has no Content-Length to check up front
        raise PayloadTooLarge()
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nesting deeper than the parser's recursion limit
        data = None
    if data is None:
        raise BadRequest("请求体不是有效的 JSON", code="invalid_json")
    if not isinstance(data, dict):
        raise BadRequest("请求体必须是 JSON 对象", code="invalid_json")
    try:  # a lone surrogate (\ud800) is valid JSON but no valid text: it would fail later, at the database
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequest("请求体包含无效的字符", code="invalid_json") from None
    return data


def _query_args(schema):
    args = {}
    for key in request.args:
        values = request.args.getlist(key)
        fld = schema.fields.get(key)
        is_list = fld is not None and fld.__class__.__name__ == "List"
        args[key] = values if is_list else values[-1]
    return args


class ApiBlueprint(Blueprint):
    """A Blueprint whose routes are declared with `op`, recorded for OpenAPI."""

    def __init__(self, name, import_name, tag, url_prefix="/api/v1", **kwargs):
        super().__init__(name, import_name, url_prefix=url_prefix, **kwargs)
        self.tag = tag
        self.operations: list[Operation] = []

    def op(self, rule, method="GET", *, summary, body=None, query=None, response=None, status=200,
           auth="none", paginated=False, multipart=False, produces="application/json", errors=(), partial=False,
           limits=(), public_cache=False):
        """Declare an operation: parse body/query with schemas, resolve the user, dump the result.

        `limits` are Flask-Limiter decorators (limiter.limit(...) / shared_limit(...)) applied around the whole
        operation, so a request is counted before its token or body is looked at (429 appears in the document).
        `public_cache` serves anonymous GETs from the short per-process cache (core/response_cache.py).
        """
        if auth not in ("none", "optional", "required"):
            raise ValueError(auth)

        def decorator(fn):
            endpoint = fn.__name__
            self.operations.append(Operation(
                rule=(self.url_prefix or "") + rule, method=method, endpoint=f"{self.name}.{endpoint}",
                summary=summary, tag=self.tag, auth=auth, body=body, query=query, response=response,
                status=status, paginated=paginated, multipart=multipart, produces=produces,
                errors=tuple(errors) + ((429,) if limits and 429 not in errors else ()),
            ))

            def handle(**kwargs):
                if auth == "required":
                    kwargs["user"] = _accounts()["require"]()
                elif auth == "optional":
                    kwargs["user"] = _accounts()["current"]()
                if body is not None:
                    kwargs["data"] = load_or_raise(body, _json_body(), partial=partial)
                if query is not None:
                    kwargs["args"] = load_or_raise(query, _query_args(query))
                return _render(fn(**kwargs), response, status, paginated)

            @wraps(fn)
            def view(**kwargs):
                if public_cache:  # a hit skips even the parsing: only answers to valid requests are stored
                    from app.core.response_cache import cached_public

                    return cached_public(request.full_path, lambda: handle(**kwargs))
                return handle(**kwargs)

            for limit in limits:
                view = limit(view)
            self.add_url_rule(rule, endpoint, view, methods=[method])
            return view

        return decorator


def _accounts():
    """The accounts domain's {"current", "require"} callables (registered by app.auth.hooks at start-up)."""
    return current_app.extensions["mss_accounts"]


def _render(result, schema, status, paginated):
    if isinstance(result, Response):
        return result
    if result is None and schema is None:
        return Response(status=204)
    if paginated:
        body = {"items": schema.dump(result.items, many=True), "next_cursor": result.next_cursor}
    elif schema is not None:
        body = schema.dump(result)
    else:
        body = result
    return jsonify(body), status


PATH_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def openapi_path(rule):
    """Turn a Flask rule into an OpenAPI path template."""
    return PATH_PARAM.sub(lambda m: "{" + m.group(2) + "}", rule)


def path_params(rule):
    """List (name, converter) pairs of a Flask rule."""
    return [(m.group(2), m.group(1) or "string") for m in PATH_PARAM.finditer(rule)]
