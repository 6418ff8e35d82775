"""Public region endpoints: village list and filters, profile, child regions; display names."""

from pathlib import Path

import pytest

from app.regions.names import display_name
from tests.conftest import error_of

GOOD = Path(__file__).resolve().parent.parent / "fixtures" / "regions_good.csv"


@pytest.fixture
def tree(app):
    result = app.test_cli_runner().invoke(args=["regions", "import", str(GOOD)])
    assert result.exit_code == 0, result.output


def _codes(client, query):
    response = client.get("/api/v1/villages" + query)
    assert response.status_code == 200, response.get_json()
    return [item["code"] for item in response.get_json()["items"]]


@pytest.mark.parametrize("name, level, shown", [
    ("罗家坡村委会", "village", "罗家坡村"),
    ("城关社区居民委员会", "village", "城关社区"),
    ("富康路居民委员会", "village", "富康路社区"),
    ("城关村村民委员会", "village", "城关村"),
    ("罗家坡村民委员会", "village", "罗家坡村"),
    ("明清社区居委会", "village", "明清社区"),
    ("罗家坡", "village", "罗家坡"),
    ("村委会", "village", "村委会"),
    ("城关镇", "township", "城关镇"),
    ("竹山县", "county", "竹山县"),
])
def test_display_names(name, level, shown):
    assert display_name(name, level) == shown


def test_village_list_shows_names_and_township(client, tree):
    body = client.get("/api/v1/villages?township=429999001000").get_json()
    assert body["next_cursor"] is None
    first = body["items"][0]
    assert first == {"code": "429999001001", "name": "罗家坡村", "official_name": "罗家坡村委会", "level": "village",
                     "township": {"code": "429999001000", "name": "甲镇", "official_name": "甲镇",
                                  "level": "township"}}
    assert [i["code"] for i in body["items"]] == ["429999001001", "429999001002", "429999001003", "429999001004"]


def test_township_filter_accepts_a_county(client, tree):
    assert len(_codes(client, "?township=429999000000")) == 7
    assert _codes(client, "?township=429999002000") == ["429999002201", "429999002202", "429999002203"]


def test_q_filter_matches_display_names(client, tree):
    assert _codes(client, "?q=城关") == ["429999001002", "429999002201"]
    assert _codes(client, "?q=城关&township=429999002000") == ["429999002201"]
    assert _codes(client, "?q=没有这个村") == []


@pytest.mark.parametrize("q, expected", [
    ("%25", ["429999001003"]),          # "%" itself, not "anything"
    ("百分%25", ["429999001003"]),        # not 百分百村
    ("_", ["429999001004"]),            # "_" itself, not "any one character"
    ("划_线", ["429999001004"]),         # not 下划X线村
])
def test_q_treats_sql_wildcards_literally(client, tree, q, expected):
    assert _codes(client, f"?q={q}") == expected


def test_bad_filters_are_400(client):
    response = client.get("/api/v1/villages?township=4203")
    assert response.status_code == 400
    assert error_of(response)["fields"] == {"township": ["应为 12 位区划代码"]}
    response = client.get("/api/v1/villages?q=" + "长" * 41)
    assert error_of(response)["fields"] == {"q": ["长度不能超过 40"]}


def test_village_profile(client, county, as_role):
    headers = as_role("publisher", "420323103211")
    roster = [{"name": "张明", "post": "村党支部书记", "duties": "全面工作", "is_party_member": True,
               "supervision_phone": "13800000000"}]
    assert client.put("/api/v1/villages/420323103211/roster", json={"cadres": roster},
                      headers=headers).status_code == 200
    response = client.get("/api/v1/villages/420323103211")
    assert response.status_code == 200
    body = response.get_json()
    assert body["code"] == "420323103211"
    assert (body["name"], body["official_name"]) == ("龙井村", "龙井村委会")
    assert body["township"] == {"code": "420323103000", "name": "宝丰镇", "official_name": "宝丰镇",
                                "level": "township"}
    assert body["county"] == {"code": "420323000000", "name": "竹山县", "official_name": "竹山县", "level": "county"}
    assert [{k: v for k, v in c.items() if k != "id"} for c in body["cadres"]] == [{**roster[0]}]
    assert all(isinstance(c["id"], int) for c in body["cadres"])  # what a report names as target.roster_id
    assert "disclosure_counts" in body and "ledger_head" in body


@pytest.mark.parametrize("code", ["420323999999", "420323103000", "420323000000", "abc", "4203231032111"])
def test_profile_of_unknown_or_non_village_is_404(client, county, code):
    response = client.get(f"/api/v1/villages/{code}")
    assert response.status_code == 404
    assert error_of(response)["code"] == "region_not_found"


def test_regions_lists_roots_and_children(client, tree):
    roots = client.get("/api/v1/regions").get_json()
    assert [r["code"] for r in roots["items"]] == ["429999000000"]
    children = client.get("/api/v1/regions?parent=429999000000").get_json()
    assert [(r["code"], r["level"]) for r in children["items"]] == [("429999001000", "township"),
                                                                   ("429999002000", "township")]
    villages = client.get("/api/v1/regions?parent=429999001000&level=village&limit=2").get_json()
    assert len(villages["items"]) == 2 and villages["next_cursor"]
    assert client.get("/api/v1/regions?parent=429999001000&level=county").get_json()["items"] == []


def test_regions_bad_query_is_400(client):
    response = client.get("/api/v1/regions?level=hamlet")
    assert response.status_code == 400
    assert "level" in error_of(response)["fields"]
