"""The issue's "done means", through the API alone: xlsx import, review, publication, masked public read,
a correction with both versions visible, a verified ledger, and a direct SQL edit found by ?verify=1."""

from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from tests.disclosures.factories import LONGJING, act, funds, publish_new

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "finance_sample.xlsx"


def test_the_whole_story(app, client, staff):
    publisher, reviewer = staff.publisher, staff.reviewer
    # a publisher drafts a finance disclosure and fills it from the accountant's .xlsx
    draft = client.post("/api/v1/disclosures", headers=publisher, json={
        "village_code": LONGJING, "kind": "finance", "period": "2026-03", "title": "龙井村2026年3月财务收支公开",
        "content": {"opening_balance_fen": 0, "lines": []}})
    assert draft.status_code == 201, draft.get_json()
    finance_id = draft.get_json()["id"]
    with SAMPLE.open("rb") as handle:
        imported = client.post(f"/api/v1/disclosures/{finance_id}/finance-import", headers=publisher,
                               data={"file": (handle, "2026年3月收支明细.xlsx")}, content_type="multipart/form-data")
    assert imported.status_code == 200, imported.get_json()
    content = imported.get_json()["versions"][0]["content"]
    assert content["line_count"] == 29 and content["opening_balance"]["display"] == "186,420.35"
    # the supervision committee approves, the publisher publishes
    assert act(client, publisher, finance_id, "submit").status_code == 200
    assert act(client, reviewer, finance_id, "approve", {"note": "已核对凭证"}).status_code == 200
    published = act(client, publisher, finance_id, "publish")
    assert published.status_code == 200 and published.get_json()["status"] == "published"

    # a subsidy list, read anonymously: names and ID numbers masked
    funds_id = publish_new(client, staff, "funds", content=funds(3))
    public = client.get(f"/api/v1/disclosures/{funds_id}")
    assert public.status_code == 200
    recipients = public.get_json()["content"]["recipients"]
    assert [r["name"] for r in recipients] == ["张*明", "李*", "欧**明"]
    assert all(r["id_number"].startswith("****") and len(r["id_number"]) == 8 for r in recipients)
    assert "张三明" not in public.get_data(as_text=True)

    # a correction goes through review and supersedes version 1; both stay visible
    corrected = {**content, "lines": [{k: line[k] for k in ("date", "voucher_no", "direction", "subject",
                                                            "amount_fen", "counterparty", "note")}
                                      for line in content["lines"]]}
    corrected["opening_balance_fen"] = content["opening_balance_fen"]
    corrected["lines"][2]["amount_fen"] = 48600
    corrected = {"opening_balance_fen": corrected["opening_balance_fen"], "lines": corrected["lines"]}
    assert act(client, publisher, finance_id, "corrections",
               {"content": corrected, "reason": "第3行办公费金额录入错误，应为486.00元"}).status_code == 201
    assert act(client, publisher, finance_id, "submit").status_code == 200
    assert act(client, reviewer, finance_id, "approve").status_code == 200
    assert act(client, publisher, finance_id, "publish").status_code == 200
    detail = client.get(f"/api/v1/disclosures/{finance_id}").get_json()
    assert detail["version"] == 2 and detail["correction"] == {"supersedes": 1,
                                                               "reason": "第3行办公费金额录入错误，应为486.00元"}
    assert [(v["version"], v["state"]) for v in detail["versions"]] == [(1, "superseded"), (2, "published")]
    old = client.get(f"/api/v1/disclosures/{finance_id}/versions/1").get_json()
    assert old["content"]["lines"][2]["amount_fen"] == 48650 and old["state"] == "superseded"
    listed = client.get(f"/api/v1/villages/{LONGJING}/disclosures").get_json()["items"]
    assert {item["id"] for item in listed} == {finance_id, funds_id}

    # the ledger verifies: three publications chained
    ledger = client.get(f"/api/v1/villages/{LONGJING}/ledger?verify=1").get_json()
    assert ledger["verification"]["ok"] is True and ledger["verification"]["checked"] == 3
    assert ledger["entries"][1]["prev_hash"] == ledger["entries"][0]["hash"]

    # someone edits the published first version directly in the database ...
    with app.app_context():
        db.session.execute(sa.text(
            "UPDATE disclosure_versions SET title = :t WHERE disclosure_id = :d AND number = 1"),
            {"t": "龙井村2026年3月财务收支公开（已改）", "d": finance_id})
        db.session.commit()
    # ... and the recomputation names that entry
    broken = client.get(f"/api/v1/villages/{LONGJING}/ledger?verify=1").get_json()["verification"]
    assert broken["ok"] is False
    assert broken["first_break"] == {"seq": 1, "reason": "hash_mismatch", "disclosure_id": finance_id, "version": 1,
                                     "event": "publish"}
