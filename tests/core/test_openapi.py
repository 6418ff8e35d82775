"""The OpenAPI 3.1 document covers every /api/v1 route and validates; /api/docs renders it."""

from openapi_spec_validator import validate

from app.core.api import openapi_path


def _document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_document_is_valid_openapi_3_1(client):
    doc = _document(client)
    assert doc["openapi"] == "3.1.0"
    validate(doc)


def test_every_api_rule_is_documented(app, client):
    doc = _document(client)
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (openapi_path(rule.rule), method.lower()) not in documented:
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert not missing, "routes declared without bp.op: " + ", ".join(missing)


def test_a_route_added_without_op_is_caught(make_app):
    app = make_app()
    app.add_url_rule("/api/v1/undeclared", "undeclared", lambda: "x")
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    assert "/api/v1/undeclared" not in doc["paths"]  # so the coverage test above would list it


def test_operations_describe_auth_errors_and_shapes(client):
    doc = _document(client)
    roster = doc["paths"]["/api/v1/villages/{code}/roster"]["put"]
    assert roster["security"] == [{"bearer": []}]
    assert {"400", "401", "403", "404"} <= set(roster["responses"])
    assert roster["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
    assert roster["parameters"][0] == {"in": "path", "name": "code", "required": True, "schema": {"type": "string"}}

    villages = doc["paths"]["/api/v1/villages"]["get"]
    assert "security" not in villages
    listed = villages["responses"]["200"]["content"]["application/json"]["schema"]
    assert listed["required"] == ["items", "next_cursor"]
    assert {p["name"] for p in villages["parameters"]} >= {"limit", "cursor", "township", "q"}

    login = doc["paths"]["/api/v1/auth/login"]["post"]
    assert "429" in login["responses"] and "requestBody" in login
    assert "204" in doc["paths"]["/api/v1/auth/logout"]["post"]["responses"]
    user_id = doc["paths"]["/api/v1/admin/users/{user_id}/grants"]["post"]["parameters"][0]
    assert user_id["schema"] == {"type": "integer"}
    assert "Error" in doc["components"]["schemas"]
    assert doc["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}


def test_operation_ids_are_unique(client):
    doc = _document(client)
    ids = [op["operationId"] for ops in doc["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))


def test_docs_page_renders_html(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert "码上监督 API" in body and "/api/v1/villages/{code}/roster" in body and "<script" not in body
