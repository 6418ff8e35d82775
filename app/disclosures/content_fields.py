"""Marshmallow fields for disclosure content: cleaned plain text, fen, ISO dates and resident ID numbers."""

import re
from datetime import date

from marshmallow import ValidationError, fields

MAX_FEN = 10 ** 13  # 1,000 亿元: far above any village account, far below 2**63
COMPUTED_FINANCE_FIELDS = ("income_total_fen", "expense_total_fen", "closing_balance_fen", "total_fen")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
_C0_IN_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f]")  # C0 but tab and LF (CR is normalised to LF first)
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
DIRECTIONS = ("income", "expense")
DIRECTION_ERROR = "收支方向应为 income（收入）或 expense（支出）"


def clean_line(text):
    """One line of plain text: control and zero-width characters and line breaks removed, outer spaces trimmed."""
    return _ANY_CONTROL.sub("", text).strip()


def clean_paragraphs(text):
    """Multi-line plain text: CRLF normalised, control characters removed, trailing spaces trimmed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_CONTROL.sub("", line).rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n ")


class Line(fields.String):
    """A single-line text field (cleaned before its length is checked)."""

    def _deserialize(self, value, attr, data, **kwargs):
        return clean_line(super()._deserialize(value, attr, data, **kwargs))


class Paragraphs(fields.String):
    """A multi-line plain-text field: C0 controls other than tab and line breaks are refused, not stripped."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).replace("\r\n", "\n").replace("\r", "\n")
        if _C0_IN_TEXT.search(text):
            raise ValidationError("不能包含控制字符（如空字节），请删除后重新提交")
        return clean_paragraphs(text)


class Fen(fields.Field):
    """An integer number of fen; booleans, fractions and strings are refused."""

    def __init__(self, *, positive=True, **kwargs):
        super().__init__(**kwargs)
        self.positive = positive

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValidationError("金额应为整数（单位：分）")
        if isinstance(value, float):
            if not value.is_integer():
                raise ValidationError("金额以分为单位，不能有小数")
            value = int(value)
        if self.positive and value <= 0:
            raise ValidationError("金额必须大于 0")
        if abs(value) >= MAX_FEN:
            raise ValidationError("金额超出允许范围")
        return value


class IsoDate(fields.Field):
    """A calendar date written YYYY-MM-DD, kept as that string."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError("日期格式无效，应为 YYYY-MM-DD")
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            raise ValidationError("日期格式无效，应为 YYYY-MM-DD") from None


def id_number_problem(value):
    """Why a Chinese resident ID number (GB 11643, 18 characters) is invalid, or None when it is valid."""
    if not isinstance(value, str) or len(value) != 18 or not value[:17].isdigit() or value[17] not in "0123456789X":
        return "身份证号应为 18 位，前 17 位为数字，最后一位为数字或 X"
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "身份证号中的出生日期无效"
    if born.year < 1900 or born > date.today():
        return "身份证号中的出生日期无效"
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], ID_WEIGHTS, strict=True))
    if ID_CHECK[total % 11] != value[17]:
        return "身份证号校验位不正确，请核对"
    return None


class IdNumber(fields.Field):
    """A resident ID number, normalised (spaces removed, x upper-cased) and checked."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError("身份证号应为文本")
        normal = "".join(value.split()).upper()
        problem = id_number_problem(normal)
        if problem:
            raise ValidationError(problem)
        return normal
