"""OpenAPI 3 document built from the ApiBlueprints' declared operations."""

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, current_app, jsonify, render_template

from app.core.api import ApiBlueprint, openapi_path, path_params

bp = Blueprint("openapi", __name__)

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object"},
                "request_id": {"type": "string"},
            },
        }
    },
}
ERROR_TEXT = {400: "请求有误", 401: "未登录", 403: "无权限", 404: "不存在", 409: "状态冲突", 413: "内容过大",
              415: "类型不支持", 422: "内容无法处理", 429: "请求过于频繁", 503: "服务不可用"}
CONVERTER_TYPES = {"int": {"type": "integer"}, "string": {"type": "string"}, "path": {"type": "string"}}


def _operation(spec, op):
    responses = {}
    ok = {"description": "成功"}
    if op.response is not None:
        ref = _schema_ref(spec, op.response)
        if op.paginated:
            ref = {"type": "object", "required": ["items", "next_cursor"], "properties": {
                "items": {"type": "array", "items": ref},
                "next_cursor": {"type": ["string", "null"]}}}
        first, *files = [media.strip() for media in op.produces.split(",")]  # JSON, then optional downloads
        ok["content"] = {first: {"schema": ref}, **{media: {"schema": {"type": "string", "format": "binary"}}
                                                    for media in files}}
    elif op.produces != "application/json":  # a file; several media types separated by commas
        ok["content"] = {media.strip(): {"schema": {"type": "string", "format": "binary"}}
                         for media in op.produces.split(",")}
    responses[str(op.status)] = ok
    codes = set(op.errors) | {400}
    if op.auth == "required":
        codes |= {401}
    for code in sorted(codes):
        responses[str(code)] = {"description": ERROR_TEXT.get(code, "错误"),
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    result = {"summary": op.summary, "tags": [op.tag], "responses": responses, "operationId": op.endpoint}
    params = [{"in": "path", "name": name, "required": True, "schema": CONVERTER_TYPES.get(conv, {"type": "string"})}
              for name, conv in path_params(op.rule)]
    if op.query is not None:
        params.append({"in": "query", "schema": op.query})
    if params:
        result["parameters"] = params
    if op.body is not None:
        body = {"schema": _schema_ref(spec, op.body)}
        result["requestBody"] = {"required": True, "content": {"application/json": body}}
    if op.multipart:
        result["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}}
    if op.auth != "none":
        result["security"] = [{"bearer": []}] if op.auth == "required" else [{"bearer": []}, {}]
    return result


def _schema_ref(spec, schema):
    """Leave the schema to the marshmallow plugin: one component per schema class (unique names, so two domains'
    `ItemSchema` never share a component) and an array for `many=True`."""
    return schema


def build_spec(app):
    """Build the OpenAPI document of every ApiBlueprint registered on the app."""
    spec = APISpec(title="码上监督 API", version="1.0.0", openapi_version="3.1.0",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "村级“码上监督”小程序、H5 页面与工作台的后端接口"})
    spec.components.schema("Error", ERROR_SCHEMA)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    paths = {}
    for blueprint in app.blueprints.values():
        if not isinstance(blueprint, ApiBlueprint):
            continue
        for op in blueprint.operations:
            paths.setdefault(openapi_path(op.rule), {})[op.method.lower()] = _operation(spec, op)
    paths["/api/v1/openapi.json"] = {"get": {
        "summary": "接口文档（OpenAPI 3.1）", "tags": ["接口文档"], "operationId": "openapi.openapi_json",
        "responses": {"200": {"description": "成功", "content": {"application/json": {"schema": {"type": "object"}}}}},
    }}
    for path, operations in sorted(paths.items()):
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@bp.get("/api/v1/openapi.json")
def openapi_json():
    """Serve the OpenAPI document."""
    if "OPENAPI_DOC" not in current_app.extensions:
        current_app.extensions["OPENAPI_DOC"] = build_spec(current_app)
    return jsonify(current_app.extensions["OPENAPI_DOC"])


@bp.get("/api/docs")
def api_docs():
    """A browsable, script-free page listing every operation."""
    doc = current_app.extensions.get("OPENAPI_DOC") or build_spec(current_app)
    return render_template("api_docs.html", doc=doc)
