"""Small core helpers: Chinese messages, field flattening, Timestamp and Money, UTC handling."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from marshmallow import Schema, fields, validate

from app.core.api import flatten_messages, load_or_raise, openapi_path, path_params
from app.core.fields import Money, Timestamp
from app.core.messages import to_chinese
from app.core.timeutil import CST, UTCDateTime, start_of_day_utc, to_cst, utcnow
from app.errors import ValidationFailed


@pytest.mark.parametrize("english, chinese", [
    ("Missing data for required field.", "此项为必填项"),
    ("Not a valid integer.", "应为整数"),
    ("Must be one of: a, b.", "取值应为以下之一：a, b"),
    ("Longer than maximum length 40.", "长度不能超过 40"),
    ("Must be greater than or equal to 1 and less than or equal to 100.", "应在 1 到 100 之间"),
    ("Not a valid aware datetime.", "日期时间须带时区，如 2026-01-01T08:00:00+08:00"),
    ("已经是中文", "已经是中文"),
])
def test_to_chinese(english, chinese):
    assert to_chinese(english) == chinese


def test_flatten_messages_paths():
    messages = {"lines": {3: {"date": ["Not a valid date."]}}, "_schema": ["Invalid input type."],
                "tags": {"_schema": ["Not a valid list."]}}
    assert flatten_messages(messages) == {"lines.3.date": ["日期格式无效，应为 YYYY-MM-DD"],
                                          "_schema": ["输入类型无效"], "tags": ["应为列表"]}


def test_load_or_raise_translates():
    class Thing(Schema):
        n = fields.Integer(required=True, validate=validate.Range(min=1))

    assert load_or_raise(Thing(), {"n": 2}) == {"n": 2}
    with pytest.raises(ValidationFailed) as info:
        load_or_raise(Thing(), {"n": 0})
    assert info.value.fields == {"n": ["不能小于 1"]}


def test_rule_conversion():
    assert openapi_path("/api/v1/users/<int:user_id>/grants/<code>") == "/api/v1/users/{user_id}/grants/{code}"
    assert path_params("/a/<int:x>/<y>") == [("x", "int"), ("y", "string")]


def test_timestamp_dumps_china_time_with_offset():
    class Out(Schema):
        at = Timestamp()

    assert Out().dump({"at": datetime(2026, 1, 1, 16, 30, tzinfo=UTC)}) == {"at": "2026-01-02T00:30:00+08:00"}
    assert Out().dump({"at": datetime(2026, 1, 1, 16, 30)}) == {"at": "2026-01-02T00:30:00+08:00"}  # naive = UTC
    assert Out().dump({"at": None}) == {"at": None}


def test_money_dumps_fen_and_display():
    class Out(Schema):
        amount = Money()

    assert Out().dump({"amount": 1234567})["amount"] == {"fen": 1234567, "display": "12,345.67"}
    assert Out().dump({"amount": -5})["amount"] == {"fen": -5, "display": "-0.05"}
    assert Out().dump({"amount": None})["amount"] is None


def test_time_helpers():
    assert utcnow().tzinfo is UTC
    assert to_cst(datetime(2026, 1, 1, tzinfo=UTC)).hour == 8 and to_cst(None) is None
    assert start_of_day_utc(date(2026, 1, 2)) == datetime(2026, 1, 1, 16, tzinfo=UTC)
    kind = UTCDateTime()
    other = timezone(timedelta(hours=-5))
    stored = kind.process_bind_param(datetime(2026, 1, 1, 12, tzinfo=other), None)
    assert stored == datetime(2026, 1, 1, 17) and stored.tzinfo is None
    assert kind.process_result_value(stored, None) == datetime(2026, 1, 1, 17, tzinfo=UTC)
    assert CST.utcoffset(None) == timedelta(hours=8)
