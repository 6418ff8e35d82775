"""`flask demo seed` publishes realistic disclosures of all five kinds for the two demo villages, once."""

from tests.disclosures.factories import LONGJING, LUOJIAPO


def test_demo_disclosures_are_published_idempotently(app, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "演示公开内容：新增 10 项" in first.output
    second = runner.invoke(args=["demo", "seed"])
    assert second.exit_code == 0 and "演示公开内容：新增 0 项" in second.output
    for code in (LONGJING, LUOJIAPO):
        items = client.get(f"/api/v1/villages/{code}/disclosures").get_json()["items"]
        assert sorted(i["kind"] for i in items) == ["affairs", "finance", "funds", "party", "power"]
        ledger = client.get(f"/api/v1/villages/{code}/ledger?verify=1").get_json()
        assert ledger["verification"]["ok"] and ledger["head"]["seq"] == 6
        by_kind = {i["kind"]: i["id"] for i in items}
        finance = client.get(f"/api/v1/disclosures/{by_kind['finance']}").get_json()["content"]
        assert finance["line_count"] == 30
        power = client.get(f"/api/v1/disclosures/{by_kind['power']}").get_json()["content"]
        assert power["item_count"] == 6 and all(len(item["steps"]) >= 3 for item in power["items"])
        funds = client.get(f"/api/v1/disclosures/{by_kind['funds']}").get_json()
        assert funds["version"] == 2 and funds["correction"]["supersedes"] == 1
        assert funds["content"]["recipient_count"] == 15 and "*" in funds["content"]["recipients"][0]["name"]
    assert app.test_cli_runner().invoke(args=["disclosures", "verify"]).exit_code == 0
