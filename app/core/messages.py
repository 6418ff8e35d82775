"""Translate marshmallow's English validation messages into Simplified Chinese."""

import re

EXACT = {
    "Missing data for required field.": "此项为必填项",
    "Field may not be null.": "此项不能为空",
    "Invalid value.": "取值无效",
    "Not a valid string.": "应为文本",
    "Not a valid utf-8 string.": "不是有效的 UTF-8 文本",
    "Not a valid number.": "应为数字",
    "Not a valid integer.": "应为整数",
    "Not a valid boolean.": "应为布尔值",
    "Not a valid datetime.": "日期时间格式无效",
    "Not a valid aware datetime.": "日期时间须带时区，如 2026-01-01T08:00:00+08:00",
    "Not a valid naive datetime.": "日期时间不应带时区",
    "Not a valid date.": "日期格式无效，应为 YYYY-MM-DD",
    "Not a valid time.": "时间格式无效",
    "Not a valid list.": "应为列表",
    "Not a valid mapping type.": "应为对象",
    "Invalid type.": "类型无效",
    "Invalid input type.": "输入类型无效",
    "Unknown field.": "不允许的字段",
    "Not a valid email address.": "邮箱格式无效",
    "Not a valid URL.": "网址格式无效",
    "Not a valid UUID.": "UUID 格式无效",
    "String does not match expected pattern.": "格式不正确",
    "Number too large.": "数值过大",
    "Special numeric values (nan or infinity) are not permitted.": "不允许特殊数值",
}
PATTERNS = [
    (re.compile(r"^Must be one of: (.*)\.$"), "取值应为以下之一：{0}"),
    (re.compile(r"^Shorter than minimum length (\d+)\.$"), "长度不能少于 {0}"),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), "长度不能超过 {0}"),
    (re.compile(r"^Length must be between (\d+) and (\d+)\.$"), "长度应在 {0} 到 {1} 之间"),
    (re.compile(r"^Length must be (\d+)\.$"), "长度应为 {0}"),
    (re.compile(r"^Must be greater than or equal to (.+) and less than or equal to (.+)\.$"), "应在 {0} 到 {1} 之间"),
    (re.compile(r"^Must be greater than or equal to (.+)\.$"), "不能小于 {0}"),
    (re.compile(r"^Must be greater than (.+)\.$"), "必须大于 {0}"),
    (re.compile(r"^Must be less than or equal to (.+)\.$"), "不能大于 {0}"),
    (re.compile(r"^Must be less than (.+)\.$"), "必须小于 {0}"),
]


def to_chinese(message):
    """Return the Chinese form of a marshmallow message; Chinese messages pass through."""
    if message in EXACT:
        return EXACT[message]
    for pattern, template in PATTERNS:
        match = pattern.match(message)
        if match:
            return template.format(*match.groups())
    return message
