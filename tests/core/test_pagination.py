"""Keyset pagination: opaque cursors, disjoint and complete pages, strict limits and cursors."""

import base64
import json

import pytest
import sqlalchemy as sa

from app.core.pagination import decode_cursor, encode_cursor
from app.errors import BadRequest
from app.extensions import db
from app.regions.models import Region
from tests.conftest import error_of


def _all_pages(client, url, limit):
    seen, cursor, pages = [], None, 0
    while True:
        sep = "&" if "?" in url else "?"
        query = f"{url}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(query)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert set(body) == {"items", "next_cursor"}
        assert len(body["items"]) <= limit
        seen.append([item["code"] for item in body["items"]])
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return seen
        assert pages < 100


def test_village_pages_are_disjoint_and_complete(app, client, county):
    with app.app_context():
        expected = sorted(db.session.scalars(sa.select(Region.code).where(Region.level == "village")))
    assert len(expected) == 244
    pages = _all_pages(client, "/api/v1/villages", 100)
    assert [len(p) for p in pages] == [100, 100, 44]
    flat = [code for page in pages for code in page]
    assert flat == expected  # ordered, no repeats, nothing missing


def test_filtered_pages_are_complete(app, client, county):
    with app.app_context():
        expected = sorted(db.session.scalars(sa.select(Region.code).where(
            Region.level == "village", Region.parent_code == "420323103000")))
    pages = _all_pages(client, "/api/v1/villages?township=420323103000", 7)
    assert [code for page in pages for code in page] == expected
    assert len(pages) == -(-len(expected) // 7)


def test_exact_multiple_has_no_empty_last_page(client, county):
    first = client.get("/api/v1/villages?township=420323103000&limit=100").get_json()
    count = len(first["items"])
    response = client.get(f"/api/v1/villages?township=420323103000&limit={count}").get_json()
    assert len(response["items"]) == count and response["next_cursor"] is None


def test_default_limit_is_20(client, county):
    body = client.get("/api/v1/villages").get_json()
    assert len(body["items"]) == 20 and body["next_cursor"]


@pytest.mark.parametrize("limit", ["0", "101", "-1"])
def test_limit_out_of_range_is_400(client, limit):
    response = client.get(f"/api/v1/villages?limit={limit}")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert error["fields"] == {"limit": ["应在 1 到 100 之间"]}


def _b64(value):
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize("cursor", [
    "not-a-cursor!!", "%%%", _b64({"a": 1}), _b64(["a", "b"]), _b64([123]), _b64([True]), _b64([["x"]]),
    base64.urlsafe_b64encode(b"\xff\xfe").decode(), "x" * 501,
])
def test_bad_cursor_is_400(client, county, cursor):
    response = client.get(f"/api/v1/villages?cursor={cursor}")
    assert response.status_code == 400
    assert error_of(response)["code"] in ("invalid_cursor", "validation_error")


def test_forged_int_cursor_is_400_not_a_database_error(client, as_role):
    headers = as_role("admin")
    for forged in (_b64(["12"]), _b64([2 ** 70]), _b64([False])):
        response = client.get(f"/api/v1/admin/users?cursor={forged}", headers=headers)
        assert response.status_code == 400, forged
        assert error_of(response)["code"] == "invalid_cursor"


def test_cursor_round_trip():
    assert decode_cursor(encode_cursor(["420323103211", 5]), 2) == ["420323103211", 5]
    with pytest.raises(BadRequest):
        decode_cursor(encode_cursor(["a"]), 2)
