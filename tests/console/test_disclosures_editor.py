"""Console: the draft editor of each kind, corrections, and what is refused (field errors, states, scopes)."""

import pytest
import sqlalchemy as sa

from app.disclosures.models import Disclosure
from app.extensions import db
from tests.console.conftest import csrf_of, text
from tests.console.test_disclosures import advance, clients_of_two_villages, make_draft, post, state_of
from tests.disclosures.factories import LONGJING, LUOJIAPO, id_number


@pytest.fixture
def village_staff(county, console_as):
    """Publisher and reviewer of 龙井村, publisher of 罗家坡村 (logged in)."""
    return clients_of_two_villages(console_as)


NEW = "/console/disclosures/new"


def new_form(client, kind, village=LONGJING):
    page = client.get(f"{NEW}?village={village}&kind={kind}")
    assert page.status_code == 200, text(page)
    return {"csrf_token": csrf_of(page), "village_code": village, "kind": kind}


def count(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Disclosure))


def latest_content(app, disclosure_id):
    with app.app_context():
        d = db.session.get(Disclosure, disclosure_id)
        return d.latest.content, d.latest.title, d.period


def test_chooser_offers_only_villages_in_scope(village_staff):
    pub, rev, _ = village_staff
    page = text(pub.get(NEW))
    assert "龙井村" in page and "罗家坡村" not in page and "财务公开" in page
    assert rev.get(NEW).status_code == 403
    assert pub.get(f"{NEW}?village={LUOJIAPO}&kind=finance").status_code == 403
    assert pub.get(f"{NEW}?village=420323103999&kind=finance").status_code == 404
    assert pub.get(f"{NEW}?village={LONGJING}&kind=lottery").status_code == 400


def test_new_finance_draft_from_the_table(app, village_staff):
    pub, _, _ = village_staff
    form = new_form(pub, "finance")
    form.update({"title": "龙井村2026年3月财务收支公开", "period": "2026-03", "opening_balance": "1,000.00",
                 "line-0-date": "2026-03-02", "line-0-voucher_no": "记-01", "line-0-direction": "income",
                 "line-0-subject": "上级补助收入", "line-0-amount": "50,000.00", "line-0-counterparty": "竹山县财政局",
                 "line-1-date": "", "line-1-amount": "",
                 "line-2-date": "2026-03-05", "line-2-direction": "expense", "line-2-subject": "办公费",
                 "line-2-amount": "486.5"})
    done = pub.post(NEW, data=form)
    assert done.status_code == 302, text(done)
    did = int(done.headers["Location"].rsplit("/", 1)[1])
    content, title, period = latest_content(app, did)
    assert title == "龙井村2026年3月财务收支公开" and period == "2026-03"
    assert content["opening_balance_fen"] == 100000
    assert [(line["subject"], line["amount_fen"]) for line in content["lines"]] == [("上级补助收入", 5000000),
                                                                                     ("办公费", 48650)]
    page = text(pub.get(done.headers["Location"]))
    assert "草稿已保存" in page and "50,513.50" in page  # closing balance 1,000 + 50,000 - 486.50


def test_finance_errors_are_shown_on_their_row_and_nothing_is_saved(app, village_staff):
    pub, _, _ = village_staff
    form = new_form(pub, "finance")
    form.update({"title": "三月财务", "period": "2026-03", "line-0-date": "2026-03-02", "line-0-direction": "income",
                 "line-0-subject": "补助", "line-0-amount": "12.345"})
    bad_amount = pub.post(NEW, data=form)
    assert bad_amount.status_code == 400 and "金额最多保留两位小数（分）" in text(bad_amount)
    assert 'value="12.345"' in text(bad_amount)  # what was typed comes back
    form.update({"line-0-amount": "12.34", "line-1-date": "", "line-2-date": "2026-04-01",
                 "line-2-direction": "expense", "line-2-subject": "办公费", "line-2-amount": "10"})
    out_of_period = pub.post(NEW, data=form)
    body = text(out_of_period)
    assert out_of_period.status_code == 400 and "日期不在公开期间内" in body
    row = body.split('name="line-2-date"')[1].split("</td>")[0]
    assert "日期不在公开期间内" in row  # the third form row, although the content had only two lines
    form.update({"line-2-date": "2026-03-09", "period": "2026-13"})
    bad_period = pub.post(NEW, data=form)
    assert bad_period.status_code == 400 and "月份应在 01 到 12 之间" in text(bad_period)
    assert count(app) == 0


def test_more_rows_keeps_what_was_typed_and_saves_nothing(app, village_staff):
    pub, _, _ = village_staff
    form = new_form(pub, "finance")
    form.update({"title": "三月财务", "period": "2026-03", "line-0-subject": "补助", "action": "more"})
    page = pub.post(NEW, data=form)
    assert page.status_code == 200 and 'value="补助"' in text(page) and 'name="line-14-date"' in text(page)
    assert count(app) == 0


def test_power_items_with_numbered_steps(app, village_staff):
    pub, _, _ = village_staff
    form = new_form(pub, "power")
    form.update({"title": "龙井村小微权力清单", "period": "2026",
                 "item-0-name": "低保申请评议", "item-0-category": "民生服务", "item-0-responsible_post": "村委会主任",
                 "item-0-basis": "《社会救助暂行办法》", "item-0-supervision_phone": "0719-4212345",
                 "item-0-step-0-name": "村民申请", "item-0-step-0-actor": "申请人",
                 "item-0-step-0-time_limit_days": "0",
                 "item-0-step-1-name": "", "item-0-step-2-name": "民主评议", "item-0-step-2-actor": "村民代表会议",
                 "item-0-step-2-time_limit_days": "10"})
    done = pub.post(NEW, data=form)
    assert done.status_code == 302, text(done)
    did = int(done.headers["Location"].rsplit("/", 1)[1])
    item = latest_content(app, did)[0]["items"][0]
    assert item["item_no"] == 1 and [(s["step_no"], s["name"]) for s in item["steps"]] == [(1, "村民申请"),
                                                                                            (2, "民主评议")]
    edit = pub.get(f"/console/disclosures/{did}/edit")
    assert 'value="低保申请评议"' in text(edit) and 'name="item-0-item_no" value="1"' in text(edit)
    page = csrf_of(edit)
    bad = pub.post(f"/console/disclosures/{did}/edit", data={
        "csrf_token": page, "title": "龙井村小微权力清单", "period": "2026", "item-0-item_no": "1",
        "item-0-name": "低保申请评议", "item-0-category": "民生服务", "item-0-responsible_post": "村委会主任",
        "item-0-step-0-name": "村民申请", "item-0-step-0-actor": "申请人", "item-0-step-0-time_limit_days": "三天",
        "item-1-name": "宅基地审批", "item-1-category": "资源管理", "item-1-responsible_post": "村委会主任"})
    assert bad.status_code == 400 and "办理时限应为 0 到 365 之间的整数天数" in text(bad)
    no_steps = pub.post(f"/console/disclosures/{did}/edit", data={
        "csrf_token": page, "title": "龙井村小微权力清单", "period": "2026", "item-0-item_no": "1",
        "item-0-name": "低保申请评议", "item-0-category": "民生服务", "item-0-responsible_post": "村委会主任",
        "item-0-step-0-name": "村民申请", "item-0-step-0-actor": "申请人",
        "item-1-name": "宅基地审批", "item-1-category": "资源管理", "item-1-responsible_post": "村委会主任"})
    assert no_steps.status_code == 400 and "每个事项应有 1 到 30 个办理步骤" in text(no_steps)
    assert len(latest_content(app, did)[0]["items"]) == 1


def test_funds_recipients_in_full_and_id_number_errors(app, village_staff):
    pub, _, _ = village_staff
    good_id = id_number("42032319600101100")
    form = new_form(pub, "funds")
    form.update({"title": "耕地地力保护补贴", "period": "2026-Q1", "program": "2026年耕地地力保护补贴",
                 "recipient-0-name": "张三明", "recipient-0-id_number": good_id, "recipient-0-amount": "523.40",
                 "recipient-1-name": "李四", "recipient-1-id_number": "420323196001011234",
                 "recipient-1-amount": "100"})
    bad = pub.post(NEW, data=form)
    assert bad.status_code == 400 and "身份证号" in text(bad).split('name="recipient-1-id_number"')[1].split("</td>")[0]
    assert count(app) == 0
    form.update({"recipient-1-name": "", "recipient-1-id_number": "", "recipient-1-amount": ""})
    done = pub.post(NEW, data=form)
    assert done.status_code == 302, text(done)
    did = int(done.headers["Location"].rsplit("/", 1)[1])
    assert latest_content(app, did)[0]["recipients"] == [{"name": "张三明", "id_number": good_id, "amount_fen": 52340}]
    assert f'value="{good_id}"' in text(pub.get(f"/console/disclosures/{did}/edit"))


def test_affairs_text_with_items(app, village_staff):
    pub, _, _ = village_staff
    form = new_form(pub, "affairs")
    form.update({"title": "一季度村务公开", "period": "2026-Q1", "body": "", "entry-0-label": "会议时间",
                 "entry-0-value": "2026年3月10日"})
    empty = pub.post(NEW, data=form)
    assert empty.status_code == 400 and "长度应在 1 到 20000 之间" in text(empty)
    assert count(app) == 0
    form["body"] = "经村民代表会议讨论通过。\n请村民监督。"
    done = pub.post(NEW, data=form)
    assert done.status_code == 302, text(done)
    did = int(done.headers["Location"].rsplit("/", 1)[1])
    content = latest_content(app, did)[0]
    assert content["items"] == [{"label": "会议时间", "value": "2026年3月10日"}] and content["attachment_ids"] == []


def test_editing_a_rejected_version_makes_it_a_draft_again(app, village_staff):
    pub, rev, _ = village_staff
    did = make_draft(app, pub.user_id, "affairs")
    advance(app, did, (pub.user_id, "submit"))
    assert pub.get(f"/console/disclosures/{did}/edit").status_code == 409
    url = f"/console/disclosures/{did}"
    post(rev, f"{url}/reject", url, {"reason": "请补充会议时间"})
    edit = pub.get(f"{url}/edit")
    assert edit.status_code == 200 and "请补充会议时间" in text(edit)
    saved = pub.post(f"{url}/edit", data={"csrf_token": csrf_of(edit), "title": "一季度村务公开（补充）",
                                          "period": "2026-Q1", "body": "已补充会议时间。"})
    assert saved.status_code == 302
    assert state_of(app, did)[1] == "draft" and latest_content(app, did)[1] == "一季度村务公开（补充）"


def test_reviewer_and_other_village_cannot_edit(app, village_staff):
    pub, rev, other = village_staff
    did = make_draft(app, pub.user_id, "affairs")
    assert rev.get(f"/console/disclosures/{did}/edit").status_code == 403
    assert post(rev, f"/console/disclosures/{did}/edit", "/console/", {"title": "改", "body": "改"}).status_code == 403
    assert other.get(f"/console/disclosures/{did}/edit").status_code == 403
    assert latest_content(app, did)[1] == "龙井村测试affairs"


def test_correction_needs_a_reason_then_goes_through_review(app, village_staff):
    pub, rev, _ = village_staff
    did = make_draft(app, pub.user_id, "affairs")
    url = f"/console/disclosures/{did}"
    assert pub.get(f"{url}/correct").status_code == 409  # nothing published yet
    advance(app, did, (pub.user_id, "submit"), (rev.user_id, "approve"), (pub.user_id, "publish"))
    form = pub.get(f"{url}/correct")
    assert form.status_code == 200 and "更正原因" in text(form)
    data = {"csrf_token": csrf_of(form), "title": "龙井村测试affairs", "body": "更正后的正文。",
            "key": "k-123456"}
    missing = pub.post(f"{url}/correct", data=data)
    assert missing.status_code == 400 and "原因应为 2 到 500 字" in text(missing)
    assert state_of(app, did) == ("published", "published", 1)
    done = pub.post(f"{url}/correct", data={**data, "reason": "会议日期写错"})
    assert done.status_code == 302
    again = pub.post(f"{url}/correct", data={**data, "reason": "会议日期写错"})  # a double click: same draft
    assert again.status_code == 302
    assert state_of(app, did) == ("published", "draft", 2)
    page = text(pub.get(url))
    assert "这是对第 1 版的更正" in page and "会议日期写错" in page
    assert rev.get(f"{url}/correct").status_code == 403


def test_editor_forms_need_the_csrf_token(app, village_staff):
    pub, _, _ = village_staff
    refused = pub.post(NEW, data={"village_code": LONGJING, "kind": "affairs", "title": "x", "period": "2026-Q1",
                                  "body": "x"})
    assert refused.status_code == 400 and "页面已过期" in text(refused)
    assert count(app) == 0
