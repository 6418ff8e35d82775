"""One guard for every request: NUL bytes and C0 control characters are refused with a 400, never a 500.

PostgreSQL cannot store a NUL in text (the driver raises, the request used to answer 500) and a control
character has no business in a query argument, a form field, a path or a file name. Where each is refused:

- the path and uploaded file names: every C0 control (U+0000–U+001F);
- query arguments and form fields, names and values: NUL and every C0 control but tab, LF and CR
  (a textarea posts CRLF);
- JSON bodies, keys and strings at any depth: NUL. Other controls are left to the schema's field: a
  single-line `Line` strips them, multi-line `Paragraphs` refuses them (app/disclosures/content_fields.py).

The answer is BadRequest(code="invalid_characters") naming the field: the JSON envelope under /api, the
console's or the public pages' error page elsewhere (both render DomainError).
"""

import re

from flask import current_app, request

from app.errors import BadRequest

CODE = "invalid_characters"
ANY_C0 = re.compile(r"[\x00-\x1f]")
FORM_C0 = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # tab, LF and CR pass
NUL = "\x00"
JSON_NUL = b"\\u0000"  # a raw NUL is already invalid JSON; an escaped one is what decodes to U+0000
DEFAULT_JSON_LIMIT = 2 * 1024 * 1024


def register(app):
    """Run the guard before every request (after the request id, before the console's and the API's hooks)."""
    app.before_request(refuse_control_characters)


def refuse_control_characters():
    """Raise BadRequest(invalid_characters) when the request carries a refused control character."""
    if ANY_C0.search(request.path):
        _refuse("path", "请求地址中含有不允许的控制字符")
    _check_pairs(request.args.items(multi=True), "查询参数")
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        _keep_raw_body()
        _check_pairs(request.form.items(multi=True), "表单字段")
        for name, upload in request.files.items(multi=True):
            _check_pairs([(name, "")], "上传字段")
            if upload.filename and ANY_C0.search(upload.filename):
                _refuse(name, f"上传文件“{_shown(name)}”的文件名中含有不允许的控制字符")
    elif request.mimetype == "application/json":
        _check_json()


def _keep_raw_body():
    """Cache a small body before parsing the form, so a JSON view still sees it (and answers 415, not `{}`).

    Parsing a form consumes the stream; werkzeug then parses from the cached bytes instead. A body past
    MAX_JSON_BYTES is parsed from the stream: a JSON view refuses it by its Content-Length (413) first.
    """
    limit = current_app.config.get("MAX_JSON_BYTES", DEFAULT_JSON_LIMIT)
    if request.content_length is not None and request.content_length <= limit:
        request.get_data(cache=True, parse_form_data=False)


def _check_pairs(pairs, label):
    for key, value in pairs:
        if FORM_C0.search(key):
            _refuse(key, f"{label}名称“{_shown(key)}”中含有不允许的控制字符")
        if isinstance(value, str) and FORM_C0.search(value):
            _refuse(key, f"{label}“{_shown(key)}”中含有不允许的控制字符（如空字节）")


def _check_json():
    limit = current_app.config.get("MAX_JSON_BYTES", DEFAULT_JSON_LIMIT)
    if request.content_length and request.content_length > limit:
        return  # the API answers 413 for it
    raw = request.get_data(cache=True)
    if len(raw) > limit or JSON_NUL not in raw:
        return
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        return  # the API answers invalid_json for it
    where = _nul_in(data)
    if where is not None:
        _refuse(where or "_schema", f"字段“{_shown(where)}”中含有空字节（不允许的控制字符）" if where
                else "请求体中含有空字节（不允许的控制字符）")


def _nul_in(data):
    """The dotted path of the first key or string holding a NUL ('' for the top level), or None."""
    stack = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if NUL in value:
                return path
        elif isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{key}" if path else str(key)
                if NUL in str(key):
                    return child
                stack.append((child, item))
        elif isinstance(value, list):
            stack.extend((f"{path}.{index}" if path else str(index), item) for index, item in enumerate(value))
    return None


def _shown(name):
    """A field name fit for a message: its control characters written as \\xNN, cut to 60 characters."""
    return ANY_C0.sub(lambda m: f"\\x{ord(m.group()):02x}", str(name))[:60]


def _refuse(field, message):
    raise BadRequest(message, code=CODE, fields={_shown(field): [message]})
