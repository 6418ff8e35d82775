"""The public read path: published content only, masking, history, ETag/304 and the head-keyed cache."""

import sqlalchemy as sa

from app.core.response_cache import get_cache
from app.extensions import db
from tests.conftest import error_of
from tests.disclosures.factories import LONGJING, LUOJIAPO, act, correct_and_publish, create, funds, publish_new


def test_nothing_unpublished_is_shown(client, staff):
    draft = create(client, staff.publisher, "finance").get_json()["id"]
    assert client.get(f"/api/v1/villages/{LONGJING}/disclosures").get_json() == {"items": [], "next_cursor": None}
    assert error_of(client.get(f"/api/v1/disclosures/{draft}"))["code"] == "disclosure_not_found"
    assert client.get(f"/api/v1/disclosures/{draft}/versions/1").status_code == 404
    assert client.get("/api/v1/disclosures/9999").status_code == 404
    assert client.get("/api/v1/villages/420323103000/disclosures").status_code == 404
    assert client.get("/api/v1/villages/999999999999/disclosures").status_code == 404


def test_list_filters_and_pages(client, staff):
    ids = {kind: publish_new(client, staff, kind) for kind in ("finance", "power", "funds", "affairs", "party")}
    url = f"/api/v1/villages/{LONGJING}/disclosures"
    first = client.get(url + "?limit=2").get_json()
    second = client.get(url + f"?limit=2&cursor={first['next_cursor']}").get_json()
    third = client.get(url + f"?limit=2&cursor={second['next_cursor']}").get_json()
    seen = [i["id"] for i in first["items"] + second["items"] + third["items"]]
    assert sorted(seen) == sorted(ids.values()) and third["next_cursor"] is None
    assert seen[0] == ids["finance"]  # 2026-03 is the newest period start
    assert [i["id"] for i in client.get(url + "?kind=power").get_json()["items"]] == [ids["power"]]
    in_q1 = {i["id"] for i in client.get(url + "?period=2026-Q1").get_json()["items"]}
    assert in_q1 == {ids["finance"], ids["funds"], ids["affairs"], ids["party"]}
    assert client.get(url + "?kind=gossip").status_code == 400
    assert error_of(client.get(url + "?period=2026-13"))["code"] == "invalid_period"
    assert error_of(client.get(url + "?cursor=bad!"))["code"] == "invalid_cursor"
    item = first["items"][0]
    assert item["kind_label"] == "财务公开" and len(item["hash"]) == 64 and "content" not in item


def test_detail_masks_subsidy_recipients_for_the_public_only(client, staff):
    disclosure_id = publish_new(client, staff, "funds", content=funds(3))
    public = client.get(f"/api/v1/disclosures/{disclosure_id}").get_json()
    assert public["content"]["masked"] is True
    assert [r["name"] for r in public["content"]["recipients"]] == ["张*明", "李*", "欧**明"]
    assert public["content"]["total"] == {"fen": 37038, "display": "370.38"}
    staff_view = client.get(f"/api/v1/staff/disclosures/{disclosure_id}", headers=staff.reviewer).get_json()
    assert staff_view["versions"][0]["content"]["recipients"][0]["name"] == "张三明"
    assert client.get(f"/api/v1/staff/disclosures/{disclosure_id}").status_code == 401
    assert client.get(f"/api/v1/staff/disclosures/{disclosure_id}", headers=staff.resident).status_code == 403
    assert client.get(f"/api/v1/staff/disclosures/{disclosure_id}", headers=staff.other_publisher).status_code == 403


def test_detail_has_hashes_and_history(client, staff):
    disclosure_id = publish_new(client, staff, "power")
    first = client.get(f"/api/v1/disclosures/{disclosure_id}").get_json()
    assert first["seq"] == 1 and first["prev_hash"] is None and first["correction"] is None
    assert first["content"]["items"][0]["item_no"] == 1
    content = {"items": [{k: v for k, v in item.items() if k not in ("step_count", "total_time_limit_days")}
                         for item in first["content"]["items"]]}
    content["items"][1]["responsible_post"] = "村委会主任"
    correct_and_publish(client, staff, disclosure_id, content, "责任岗位调整")
    second = client.get(f"/api/v1/disclosures/{disclosure_id}").get_json()
    assert second["version"] == 2 and second["prev_hash"] == first["hash"] and second["seq"] == 2
    assert second["correction"] == {"supersedes": 1, "reason": "责任岗位调整"}
    assert [(v["version"], v["state"], v["correction_reason"]) for v in second["versions"]] == [
        (1, "superseded", None), (2, "published", "责任岗位调整")]
    old = client.get(f"/api/v1/disclosures/{disclosure_id}/versions/1").get_json()
    assert old["content"]["items"][1]["responsible_post"] == "村党支部书记" and old["hash"] == first["hash"]
    assert client.get(f"/api/v1/disclosures/{disclosure_id}/versions/3").status_code == 404


def test_etag_gives_304_and_changes_when_the_village_publishes(client, staff):
    disclosure_id = publish_new(client, staff, "finance")
    url = f"/api/v1/disclosures/{disclosure_id}"
    first = client.get(url)
    assert first.headers["Cache-Control"] == "public, max-age=60" and first.headers["ETag"]
    repeat = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert repeat.status_code == 304 and repeat.data == b"" and repeat.headers["ETag"] == first.headers["ETag"]
    listing = client.get(f"/api/v1/villages/{LONGJING}/disclosures")
    assert listing.headers["ETag"] != first.headers["ETag"]
    assert client.get(f"/api/v1/villages/{LONGJING}/disclosures?kind=finance").headers["ETag"] != \
        listing.headers["ETag"]
    publish_new(client, staff, "affairs")  # another publication in the village moves the ledger head
    after = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != first.headers["ETag"]


def test_other_villages_publications_do_not_invalidate(client, staff):
    from types import SimpleNamespace

    disclosure_id = publish_new(client, staff, "finance")
    etag = client.get(f"/api/v1/disclosures/{disclosure_id}").headers["ETag"]
    luojiapo = SimpleNamespace(publisher=staff.other_publisher, reviewer=staff.other_reviewer)
    publish_new(client, luojiapo, "affairs", village=LUOJIAPO)
    assert client.get(f"/api/v1/disclosures/{disclosure_id}", headers={"If-None-Match": etag}).status_code == 304


def test_a_burst_of_scans_is_served_from_the_cache(app, client, staff):
    disclosure_id = publish_new(client, staff, "funds", content=funds(5))
    url = f"/api/v1/disclosures/{disclosure_id}"
    body = client.get(url).data
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(20):
            assert client.get(url).data == body
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len(statements) <= 20  # one indexed lookup of the ledger head per scan, nothing else
    assert not any("disclosure_versions" in s for s in statements)


def test_publishing_invalidates_the_cached_list(client, staff):
    url = f"/api/v1/villages/{LONGJING}/disclosures"
    assert client.get(url).get_json()["items"] == []
    publish_new(client, staff, "party")
    assert len(client.get(url).get_json()["items"]) == 1


def test_redis_cache_when_configured(make_app, app, client, staff):
    disclosure_id = publish_new(client, staff, "finance")
    redis_app = make_app(DISCLOSURE_CACHE_REDIS_URL="redis://127.0.0.1:6379/14")
    redis_client = redis_app.test_client()
    first = redis_client.get(f"/api/v1/disclosures/{disclosure_id}")
    assert first.status_code == 200
    cache = get_cache(redis_app)
    keys = cache.client.keys("mss:disclosures:*")
    assert keys and cache.client.get(keys[0]) is not None
    assert redis_client.get(f"/api/v1/disclosures/{disclosure_id}").data == first.data
    cache.client.flushdb()


def test_redis_down_degrades_to_computing(make_app, app, client, staff):
    disclosure_id = publish_new(client, staff, "finance")
    broken = make_app(DISCLOSURE_CACHE_REDIS_URL="redis://127.0.0.1:1/0").test_client()
    assert broken.get(f"/api/v1/disclosures/{disclosure_id}").status_code == 200


def test_public_outputs_are_immutable_to_draft_work(client, staff):
    disclosure_id = publish_new(client, staff, "finance")
    before = client.get(f"/api/v1/disclosures/{disclosure_id}").get_json()
    act(client, staff.publisher, disclosure_id, "corrections", {"content": {"opening_balance_fen": 1, "lines": []},
                                                                "reason": "更正期初余额"})
    assert client.get(f"/api/v1/disclosures/{disclosure_id}").get_json() == before
