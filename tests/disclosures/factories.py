"""Content builders and API helpers for the disclosure tests."""

from app.disclosures.content_fields import ID_CHECK, ID_WEIGHTS

LONGJING, LUOJIAPO = "420323103211", "420323102203"
BAOFENG = "420323103000"


def id_number(body17):
    """A valid 18-character resident ID number from its first 17 digits (GB 11643 check character)."""
    total = sum(int(d) * w for d, w in zip(body17, ID_WEIGHTS, strict=True))
    return body17 + ID_CHECK[total % 11]


def finance(lines=3, opening=100000, month="2026-03"):
    """A finance content with `lines` lines within the month."""
    return {"opening_balance_fen": opening, "lines": [
        {"date": f"{month}-{(i % 28) + 1:02d}", "voucher_no": f"记-{i + 1:02d}",
         "direction": "income" if i % 3 == 0 else "expense", "subject": "办公费" if i % 3 else "上级补助收入",
         "amount_fen": 1000 * (i + 1) + 5, "counterparty": "竹山县财政局", "note": ""} for i in range(lines)]}


def power():
    """A two-item power list."""
    return {"items": [
        {"name": "低保申请评议", "category": "民生服务", "basis": "《社会救助暂行办法》",
         "responsible_post": "村委会主任", "supervision_phone": "0719-4212345",
         "steps": [{"name": "村民申请", "actor": "申请人", "time_limit_days": 0},
                   {"name": "民主评议", "actor": "村民代表会议", "time_limit_days": 10}]},
        {"name": "村级工程项目建设", "category": "工程项目", "responsible_post": "村党支部书记",
         "steps": [{"name": "提出项目", "actor": "村“两委”", "time_limit_days": 5}]},
    ]}


def funds(count=3):
    """A subsidy programme with `count` recipients."""
    names = ["张三明", "李四", "欧阳小明", "王五华", "赵六"]
    return {"program": "2026年耕地地力保护补贴", "recipients": [
        {"name": names[i % len(names)], "id_number": id_number(f"42032319{60 + i:02d}0101{100 + i:03d}"),
         "amount_fen": 12345 + i} for i in range(count)]}


def affairs(attachments=()):
    """A village affairs content."""
    return {"body": "经村民代表会议讨论通过，现将2026年第一季度村务公开如下。\n请村民监督。",
            "items": [{"label": "会议时间", "value": "2026年3月10日"}], "attachment_ids": list(attachments)}


CONTENT = {"finance": finance, "power": power, "funds": funds, "affairs": affairs, "party": affairs}
PERIOD = {"finance": "2026-03", "power": "2026", "funds": "2026-Q1", "affairs": "2026-Q1", "party": "2026-Q1"}


def create(client, headers, kind="finance", village=LONGJING, content=None, period=None, title=None):
    """POST /disclosures; returns the response."""
    body = {"village_code": village, "kind": kind, "period": period or PERIOD[kind], "title": title or f"测试{kind}",
            "content": CONTENT[kind]() if content is None else content}
    return client.post("/api/v1/disclosures", json=body, headers=headers)


def act(client, headers, disclosure_id, action, body=None):
    """POST /disclosures/{id}/{action}."""
    return client.post(f"/api/v1/disclosures/{disclosure_id}/{action}", json=body, headers=headers)


def publish_new(client, staff, kind="finance", **kwargs):
    """Create, submit, approve and publish; returns the disclosure id."""
    response = create(client, staff.publisher, kind, **kwargs)
    assert response.status_code == 201, response.get_json()
    disclosure_id = response.get_json()["id"]
    for who, action in ((staff.publisher, "submit"), (staff.reviewer, "approve"), (staff.publisher, "publish")):
        answer = act(client, who, disclosure_id, action, {} if action == "approve" else None)
        assert answer.status_code == 200, (action, answer.get_json())
    return disclosure_id


def correct_and_publish(client, staff, disclosure_id, content, reason="更正金额录入错误"):
    """Run a correction through review and publish it."""
    answer = act(client, staff.publisher, disclosure_id, "corrections", {"content": content, "reason": reason})
    assert answer.status_code == 201, answer.get_json()
    for who, action in ((staff.publisher, "submit"), (staff.reviewer, "approve"), (staff.publisher, "publish")):
        answer = act(client, who, disclosure_id, action, {} if action == "approve" else None)
        assert answer.status_code == 200, (action, answer.get_json())
