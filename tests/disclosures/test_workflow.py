"""The review workflow through the API: who may do what, bad input, and wrong states."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.security.models import AuditEntry
from tests.conftest import error_of
from tests.disclosures.factories import LONGJING, LUOJIAPO, act, create, finance, funds, publish_new

ACTIONS = ("submit", "approve", "reject", "publish", "corrections", "withdraw")


def _draft(client, staff, kind="finance"):
    response = create(client, staff.publisher, kind)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_create_returns_the_staff_view(client, staff):
    body = create(client, staff.publisher, "finance").get_json()
    assert (body["status"], body["state"], body["version"], body["period_label"]) == ("unpublished", "draft", 1,
                                                                                       "2026年3月")
    assert body["versions"][0]["content"]["closing_balance"]["display"] == "959.95"


@pytest.mark.parametrize("body, field", [
    ({"kind": "finance", "period": "2026-03", "title": "x"}, "content"),
    ({"kind": "gossip", "period": "2026-03", "title": "x", "content": {}}, "kind"),
    ({"kind": "finance", "period": "2026-13", "title": "x", "content": finance(1)}, "period"),
    ({"kind": "finance", "period": "2026-03", "title": "", "content": finance(1)}, "title"),
    ({"kind": "finance", "period": "2026-04", "title": "x", "content": finance(1)}, "lines.0.date"),
    ({"kind": "funds", "period": "2026", "title": "x", "content": {"program": "p", "recipients": [
        {"name": "张三", "id_number": "110105194912310021", "amount_fen": 5}]}}, "recipients.0.id_number"),
])
def test_create_bad_input(client, staff, body, field):
    response = client.post("/api/v1/disclosures", json={"village_code": LONGJING, **body}, headers=staff.publisher)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_error" and field in error["fields"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in "".join(error["fields"][field]))


def test_create_permissions(client, staff):
    assert create(client, {}, "finance").status_code == 401
    assert error_of(create(client, staff.resident, "finance"))["code"] == "forbidden"
    assert create(client, staff.other_publisher, "finance").status_code == 403
    assert create(client, staff.reviewer, "finance").status_code == 403
    assert create(client, staff.admin, "finance").status_code == 403
    assert create(client, staff.other_publisher, "finance", village=LUOJIAPO).status_code == 201


def test_create_with_idempotency_key_returns_the_first_draft(client, staff):
    headers = {**staff.publisher, "Idempotency-Key": "draft-2026-03-a"}
    first, second = create(client, headers), create(client, headers)
    assert first.status_code == second.status_code == 201
    assert first.get_json()["id"] == second.get_json()["id"]
    assert len(client.get("/api/v1/staff/disclosures", headers=staff.publisher).get_json()["items"]) == 1


def test_patch_edits_drafts_only(client, staff):
    disclosure_id = _draft(client, staff)
    url = f"/api/v1/disclosures/{disclosure_id}"
    response = client.patch(url, json={"title": "新标题", "period": "2026-Q1"}, headers=staff.publisher)
    assert response.status_code == 200 and response.get_json()["title"] == "新标题"
    assert response.get_json()["period"] == "2026-Q1"
    assert error_of(client.patch(url, json={}, headers=staff.publisher))["code"] == "validation_error"
    bad = client.patch(url, json={"content": finance(1, month="2026-05")}, headers=staff.publisher)
    assert "lines.0.date" in error_of(bad)["fields"]
    assert client.patch(url, json={"title": "x"}, headers=staff.resident).status_code == 403
    assert client.patch(url, json={"title": "x"}, headers=staff.other_publisher).status_code == 403
    assert client.patch(url, json={"title": "x"}, headers=staff.reviewer).status_code == 403
    assert client.patch(url, json={"title": "x"}).status_code == 401
    assert client.patch("/api/v1/disclosures/999", json={"title": "x"}, headers=staff.publisher).status_code == 404
    assert act(client, staff.publisher, disclosure_id, "submit").status_code == 200
    conflict = client.patch(url, json={"title": "x"}, headers=staff.publisher)
    assert conflict.status_code == 409 and error_of(conflict)["code"] == "not_editable"


def test_rejection_sends_back_with_reason_and_allows_resubmission(client, staff):
    disclosure_id = _draft(client, staff)
    act(client, staff.publisher, disclosure_id, "submit")
    assert error_of(act(client, staff.reviewer, disclosure_id, "reject", {}))["fields"] == {"reason": ["此项为必填项"]}
    rejected = act(client, staff.reviewer, disclosure_id, "reject", {"reason": "第3笔支出缺少凭证号"})
    assert rejected.get_json()["state"] == "rejected" and rejected.get_json()["review_note"] == "第3笔支出缺少凭证号"
    assert act(client, staff.publisher, disclosure_id, "publish").status_code == 409
    edited = client.patch(f"/api/v1/disclosures/{disclosure_id}", json={"title": "补充凭证号"}, headers=staff.publisher)
    assert edited.get_json()["state"] == "draft"
    assert act(client, staff.publisher, disclosure_id, "submit").status_code == 200
    assert act(client, staff.reviewer, disclosure_id, "approve").get_json()["state"] == "approved"


def test_review_permissions_and_states(client, staff):
    disclosure_id = _draft(client, staff)
    assert error_of(act(client, staff.reviewer, disclosure_id, "approve"))["code"] == "not_submitted"
    act(client, staff.publisher, disclosure_id, "submit")
    for headers in (staff.publisher, staff.resident, staff.other_reviewer, staff.inspector, staff.admin):
        assert act(client, headers, disclosure_id, "approve").status_code == 403
        assert act(client, headers, disclosure_id, "reject", {"reason": "不同意"}).status_code == 403
    assert act(client, {}, disclosure_id, "approve").status_code == 401
    assert act(client, staff.reviewer, 999, "approve").status_code == 404


def test_nobody_reviews_his_own_submission(client, staff):
    response = create(client, staff.both, "finance")
    disclosure_id = response.get_json()["id"]
    act(client, staff.both, disclosure_id, "submit")
    refused = act(client, staff.both, disclosure_id, "approve")
    assert refused.status_code == 403 and error_of(refused)["code"] == "self_review"
    assert act(client, staff.reviewer, disclosure_id, "approve").status_code == 200


def test_submit_permissions_and_states(client, staff):
    disclosure_id = _draft(client, staff)
    for headers, status in ((staff.resident, 403), (staff.other_publisher, 403), (staff.reviewer, 403), ({}, 401)):
        assert act(client, headers, disclosure_id, "submit").status_code == status
    assert act(client, staff.publisher, 999, "submit").status_code == 404
    assert act(client, staff.publisher, disclosure_id, "submit").status_code == 200
    assert error_of(act(client, staff.publisher, disclosure_id, "submit"))["code"] == "not_draft"


def test_publishing_needs_approval(client, staff):
    disclosure_id = _draft(client, staff)
    response = act(client, staff.publisher, disclosure_id, "publish")
    assert response.status_code == 409
    assert error_of(response) | {"request_id": None} == {"code": "not_approved", "fields": {}, "request_id": None,
                                                         "message": "只有村务监督委员会审核通过的内容才能发布"}
    act(client, staff.publisher, disclosure_id, "submit")
    assert act(client, staff.publisher, disclosure_id, "publish").status_code == 409
    act(client, staff.reviewer, disclosure_id, "approve")
    for headers, status in ((staff.resident, 403), (staff.other_publisher, 403), (staff.reviewer, 403), ({}, 401)):
        assert act(client, headers, disclosure_id, "publish").status_code == status
    published = act(client, staff.publisher, disclosure_id, "publish")
    assert published.status_code == 200 and published.get_json()["versions"][0]["seq"] == 1
    assert act(client, staff.publisher, disclosure_id, "publish").status_code == 409


def test_corrections(client, staff):
    draft_id = _draft(client, staff)
    assert error_of(act(client, staff.publisher, draft_id, "corrections", {"content": finance(1), "reason": "更正"
                                                                           }))["code"] == "not_published"
    disclosure_id = publish_new(client, staff, "finance")
    bad = act(client, staff.publisher, disclosure_id, "corrections", {"content": finance(1), "reason": ""})
    assert "reason" in error_of(bad)["fields"]
    bad = act(client, staff.publisher, disclosure_id, "corrections",
              {"content": finance(1, month="2026-04"), "reason": "更正日期"})
    assert "lines.0.date" in error_of(bad)["fields"]
    for headers, status in ((staff.resident, 403), (staff.other_publisher, 403), (staff.reviewer, 403), ({}, 401)):
        assert act(client, headers, disclosure_id, "corrections",
                   {"content": finance(2), "reason": "更正金额"}).status_code == status
    started = act(client, staff.publisher, disclosure_id, "corrections", {"content": finance(2), "reason": "更正金额"})
    assert started.status_code == 201 and started.get_json()["version"] == 2
    again = act(client, staff.publisher, disclosure_id, "corrections", {"content": finance(2), "reason": "更正金额"})
    assert again.status_code == 409 and error_of(again)["code"] == "correction_in_progress"
    public = client.get(f"/api/v1/disclosures/{disclosure_id}").get_json()
    assert public["version"] == 1 and len(public["versions"]) == 1  # the draft correction is not public


def test_withdrawal_keeps_the_record_and_reason(client, staff):
    disclosure_id = publish_new(client, staff, "funds", content=funds(2))
    assert "reason" in error_of(act(client, staff.publisher, disclosure_id, "withdraw", {"reason": ""}))["fields"]
    for headers, status in ((staff.resident, 403), (staff.other_publisher, 403), (staff.reviewer, 403), ({}, 401)):
        assert act(client, headers, disclosure_id, "withdraw", {"reason": "公示有误"}).status_code == status
    response = act(client, staff.publisher, disclosure_id, "withdraw", {"reason": "补贴面积数据有误，核实后重新公示"})
    assert response.status_code == 200 and response.get_json()["status"] == "withdrawn"
    assert act(client, staff.publisher, disclosure_id, "withdraw", {"reason": "再次撤回"}).status_code == 409
    assert act(client, staff.publisher, disclosure_id, "corrections",
               {"content": funds(2), "reason": "更正"}).status_code == 409
    public = client.get(f"/api/v1/disclosures/{disclosure_id}").get_json()
    assert public["status"] == "withdrawn" and public["withdrawal"]["reason"] == "补贴面积数据有误，核实后重新公示"
    assert public["withdrawal"]["seq"] == 2 and public["versions"][0]["state"] == "withdrawn"
    assert client.get(f"/api/v1/villages/{LONGJING}/disclosures").get_json()["items"] == []
    draft_id = _draft(client, staff)
    refused = act(client, staff.publisher, draft_id, "withdraw", {"reason": "不需要了"})
    assert error_of(refused)["code"] == "not_published"


def test_every_state_change_is_audited(app, client, staff):
    disclosure_id = publish_new(client, staff, "finance")
    act(client, staff.publisher, disclosure_id, "withdraw", {"reason": "重复发布"})
    with app.app_context():
        actions = list(db.session.scalars(sa.select(AuditEntry.action).where(
            AuditEntry.object_type == "disclosure", AuditEntry.object_id == str(disclosure_id))
            .order_by(AuditEntry.id)))
    assert actions == ["disclosure.create", "disclosure.submit", "disclosure.approve", "disclosure.publish",
                       "disclosure.withdraw"]


@pytest.mark.parametrize("action", ACTIONS)
def test_actions_on_unknown_disclosures_are_404(client, staff, action):
    body = {"reject": {"reason": "原因说明"}, "withdraw": {"reason": "原因说明"},
            "corrections": {"reason": "原因说明", "content": finance(1)}}.get(action)
    assert act(client, staff.publisher, 4242, action, body).status_code in (403, 404)
    assert act(client, staff.reviewer if action in ("approve", "reject") else staff.publisher, 4242, action,
               body).status_code == 404


@pytest.mark.parametrize("amount, message", [(-100, "金额必须大于 0"), (0, "金额必须大于 0"),
                                             (99.5, "金额以分为单位，不能有小数")])
def test_negative_zero_and_fractional_fen_are_refused_on_every_content_write(client, staff, amount, message):
    content = finance(2)
    content["lines"][1]["amount_fen"] = amount
    assert error_of(create(client, staff.publisher, "finance", content=content))["fields"] == {
        "lines.1.amount_fen": [message]}
    draft_id = _draft(client, staff)
    patched = client.patch(f"/api/v1/disclosures/{draft_id}", json={"content": content}, headers=staff.publisher)
    assert error_of(patched)["fields"] == {"lines.1.amount_fen": [message]}
    published_id = publish_new(client, staff, "finance")
    corrected = act(client, staff.publisher, published_id, "corrections", {"content": content, "reason": "更正金额"})
    assert error_of(corrected)["fields"] == {"lines.1.amount_fen": [message]}
    recipients = funds(1)
    recipients["recipients"][0]["amount_fen"] = amount
    assert error_of(create(client, staff.publisher, "funds", content=recipients))["fields"] == {
        "recipients.0.amount_fen": [message]}


def test_review_bodies_are_validated(client, staff):
    disclosure_id = _draft(client, staff)
    act(client, staff.publisher, disclosure_id, "submit")
    too_long = act(client, staff.reviewer, disclosure_id, "approve", {"note": "很" * 501})
    assert error_of(too_long)["fields"] == {"note": ["长度不能超过 500"]}
    unknown = act(client, staff.reviewer, disclosure_id, "reject", {"reason": "缺少凭证", "extra": 1})
    assert error_of(unknown)["fields"] == {"extra": ["不允许的字段"]}
    not_json = client.post(f"/api/v1/disclosures/{disclosure_id}/reject", data="reason=x", headers={
        **staff.reviewer, "Content-Type": "application/x-www-form-urlencoded"})
    assert not_json.status_code == 415
