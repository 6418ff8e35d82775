"""Per-kind content validation and the public/staff rendering."""

import pytest

from app.disclosures.content import validate_content
from app.disclosures.content_fields import id_number_problem
from app.disclosures.public_view import format_fen, ledger_content, render_content
from app.errors import ValidationFailed
from tests.disclosures.factories import affairs, finance, funds, id_number, power


def fields_of(kind, content, period=None):
    with pytest.raises(ValidationFailed) as err:
        validate_content(kind, content, period)
    return err.value.fields


def test_finance_is_cleaned_and_totals_are_computed():
    content = finance(3, opening=-500)
    content["lines"][0]["subject"] = "  上级补助\x07收入 "
    cleaned = validate_content("finance", content, "2026-03")
    assert cleaned["lines"][0]["subject"] == "上级补助收入"
    view = render_content("finance", cleaned)
    assert view["income_total_fen"] == 1005 and view["expense_total_fen"] == 2005 + 3005
    assert view["closing_balance_fen"] == -500 + 1005 - 5010
    assert view["closing_balance"] == {"fen": -4505, "display": "-45.05"}
    assert [line["balance"]["fen"] for line in view["lines"]] == [505, -1500, -4505]


@pytest.mark.parametrize("amount, message", [
    (-100, "金额必须大于 0"), (0, "金额必须大于 0"), (12.5, "金额以分为单位，不能有小数"),
    (True, "金额应为整数（单位：分）"), ("100", "金额应为整数（单位：分）"), (10 ** 14, "金额超出允许范围"),
])
def test_bad_amounts_name_the_line(amount, message):
    content = finance(2)
    content["lines"][1]["amount_fen"] = amount
    assert fields_of("finance", content, "2026-03") == {"lines.1.amount_fen": [message]}


def test_whole_float_amounts_are_integers():
    content = finance(1)
    content["lines"][0]["amount_fen"] = 100.0
    assert validate_content("finance", content, "2026-03")["lines"][0]["amount_fen"] == 100


def test_dates_outside_the_period_are_named():
    content = finance(4)
    content["lines"][3]["date"] = "2026-04-01"
    errors = fields_of("finance", content, "2026-03")
    assert list(errors) == ["lines.3.date"] and errors["lines.3.date"][0].startswith("日期不在公开期间内")
    assert validate_content("finance", content, "2026")  # a yearly ledger holds April


@pytest.mark.parametrize("name", ["closing_balance_fen", "income_total_fen", "expense_total_fen"])
def test_computed_fields_cannot_be_typed(name):
    content = {**finance(1), name: 5}
    assert fields_of("finance", content, "2026-03") == {name: ["合计和期末余额由系统根据明细计算，请勿填写"]}


def test_missing_and_unknown_fields():
    errors = fields_of("finance", {"lines": [{"date": "2026-03-01", "foo": 1}]}, "2026-03")
    assert errors["opening_balance_fen"] == ["此项为必填项"]
    assert errors["lines.0.direction"] == ["此项为必填项"] and errors["lines.0.foo"] == ["不允许的字段"]
    assert errors["lines.0.amount_fen"] == ["此项为必填项"]


def test_too_many_lines():
    content = finance(1)
    content["lines"] = content["lines"] * 5001
    assert fields_of("finance", content, "2026-03") == {"lines": ["明细不能超过 5000 行"]}


def test_power_items_get_stable_numbers_and_numbered_steps():
    content = power()
    content["items"][1]["item_no"] = 7
    cleaned = validate_content("power", content, "2026")
    assert [(i["item_no"], i["name"]) for i in cleaned["items"]] == [(7, "村级工程项目建设"), (8, "低保申请评议")]
    assert [s["step_no"] for s in cleaned["items"][1]["steps"]] == [1, 2]
    content["items"][0]["item_no"] = 7
    assert fields_of("power", content, "2026") == {"items.1.item_no": ["事项编号重复"]}


def test_power_rejects_empty_steps_and_bad_phone():
    content = power()
    content["items"][0]["steps"] = []
    content["items"][1]["supervision_phone"] = "打电话"
    errors = fields_of("power", content)
    assert errors == {"items.0.steps": ["每个事项应有 1 到 30 个办理步骤"],
                      "items.1.supervision_phone": ["监督电话格式不正确"]}


def test_resident_id_numbers_are_checked():
    assert id_number_problem("11010519491231002X") is None
    assert id_number_problem("110105194912310021") == "身份证号校验位不正确，请核对"
    assert id_number_problem("11010519491331002X") == "身份证号中的出生日期无效"
    assert id_number_problem("1101051949123100").startswith("身份证号应为 18 位")
    content = funds(2)
    content["recipients"][0]["id_number"] = " 11010519491231002x "
    content["recipients"][1]["id_number"] = "110105194912310021"
    errors = fields_of("funds", content)
    assert errors == {"recipients.1.id_number": ["身份证号校验位不正确，请核对"]}


def test_duplicate_recipients_are_refused():
    content = funds(2)
    content["recipients"][1]["id_number"] = content["recipients"][0]["id_number"]
    assert fields_of("funds", content) == {"recipients.1.id_number": ["身份证号与第 1 人重复"]}


def test_funds_public_view_masks_and_staff_view_does_not():
    cleaned = validate_content("funds", funds(2))
    public, staff = render_content("funds", cleaned, "public"), render_content("funds", cleaned, "staff")
    assert [r["name"] for r in public["recipients"]] == ["张*明", "李*"] and public["masked"] is True
    assert staff["recipients"][0]["name"] == "张三明" and staff["recipients"][0]["id_number"] == id_number(
        "42032319600101100")
    assert public["total"] == {"fen": 24691, "display": "246.91"}


def test_ledger_content_hides_names_but_commits_to_them():
    cleaned = validate_content("funds", funds(1))
    hashed = ledger_content("funds", cleaned, "k" * 64)
    assert hashed["recipients"][0]["name"] == "张*明" and len(hashed["recipients"][0]["digest"]) == 64
    renamed = {**cleaned, "recipients": [{**cleaned["recipients"][0], "name": "张四明"}]}
    assert ledger_content("funds", renamed, "k" * 64) != hashed  # same mask, different digest
    assert ledger_content("finance", {"x": 1}) == {"x": 1}


def test_text_kinds_strip_control_characters():
    content = affairs(["abcdef0123456789", "abcdef0123456789"])
    content["body"] = "第一段\r\n\x9b[31m第二段\u200b  \n\n"  # C1 and zero-width: stripped
    cleaned = validate_content("affairs", content, "2026-Q1")
    assert cleaned["body"] == "第一段\n[31m第二段" and cleaned["attachment_ids"] == ["abcdef0123456789"]
    view = render_content("affairs", cleaned, attachments={"abcdef0123456789": {"id": "abcdef0123456789",
                                                                                "mime": "application/pdf",
                                                                                "size": 10}})
    assert view["paragraphs"] == ["第一段", "[31m第二段"] and view["attachments"][0]["mime"] == "application/pdf"


@pytest.mark.parametrize("content, field", [
    ({"body": ""}, "body"), ({"body": "x" * 20001}, "body"), ({"body": "x", "attachment_ids": ["../etc"]},
                                                             "attachment_ids.0"),
    ({"body": "x", "items": [{"label": "", "value": "y"}]}, "items.0.label"),
])
def test_text_kinds_bounds(content, field):
    assert field in fields_of("party", content)


def test_unknown_kind_and_bad_period():
    assert fields_of("gossip", {}) == {"kind": ["公开类别应为 affairs、finance、party、power、funds 之一"]}
    assert list(fields_of("finance", finance(1), "2026-13")) == ["period"]
    assert fields_of("finance", [], "2026-03") == {"content": ["公开内容应为对象"]}


@pytest.mark.parametrize("fen, text", [(0, "0.00"), (5, "0.05"), (123456, "1,234.56"), (-100000050, "-1,000,000.50")])
def test_format_fen(fen, text):
    assert format_fen(fen) == text
