"""Reading one ledger cell: headers, dates, amounts and directions as village accountants write them."""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

COLUMNS = ("date", "voucher_no", "direction", "subject", "amount", "counterparty", "note")
REQUIRED = ("date", "subject")
CHINESE_HEADERS = {"date": "日期", "voucher_no": "凭证号", "direction": "收支", "subject": "科目", "amount": "金额(元)",
                   "counterparty": "对方单位", "note": "备注"}
# normalised header text -> column; "income"/"expense" are the two-column layout (收入金额 / 支出金额)
HEADER_ALIASES = {
    "日期": "date", "记账日期": "date", "date": "date",
    "凭证号": "voucher_no", "凭证编号": "voucher_no", "凭证字号": "voucher_no", "voucher_no": "voucher_no",
    "voucher": "voucher_no",
    "收支": "direction", "收支方向": "direction", "收支类型": "direction", "direction": "direction",
    "科目": "subject", "会计科目": "subject", "收支科目": "subject", "subject": "subject",
    "金额(元)": "amount", "金额": "amount", "amount": "amount", "amount(元)": "amount", "amount_yuan": "amount",
    "对方单位": "counterparty", "往来单位": "counterparty", "对方单位(个人)": "counterparty",
    "counterparty": "counterparty",
    "备注": "note", "摘要": "note", "note": "note", "notes": "note",
    "收入(元)": "income", "收入金额": "income", "收入": "income", "收入金额(元)": "income",
    "支出(元)": "expense", "支出金额": "expense", "支出": "expense", "支出金额(元)": "expense",
}
DIRECTION_WORDS = {"收入": "income", "收": "income", "income": "income", "in": "income",
                   "支出": "expense", "支": "expense", "expense": "expense", "out": "expense"}
SUMMARY_LABELS = {"期初余额": "opening", "上期结余": "opening", "本期收入合计": "income_total",
                  "本期支出合计": "expense_total", "期末余额": "closing", "本期结余": "closing", "合计": "total"}
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"), re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
FLOAT_CENT_TOLERANCE = Decimal("0.000001")
MAX_YUAN = 10 ** 11  # 1,000 亿元, as content.MAX_FEN


class CellError(ValueError):
    """A cell that cannot be read; the message is Chinese and names what was expected."""


def normalise_header(value):
    """Header text without spaces, with full-width brackets made half-width, lower-cased."""
    text = "" if value is None else str(value)
    text = "".join(text.split()).replace("（", "(").replace("）", ")").lower()
    return text


def text_of(value):
    """A cell as stripped text ('' for empty); whole floats lose their '.0' (voucher numbers typed as numbers)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def read_date(value):
    """A date cell (xlsx date, 2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日, 20260305) as an ISO string."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = text_of(value).replace(" ", "")
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
            except ValueError:
                raise CellError("日期不存在") from None
    raise CellError("日期格式无效，应为 2026-03-05、2026/3/5 或 2026年3月5日")


def read_amount(value):
    """An amount in yuan ("1,234.50", "¥1,234.50", 1234.5) as a positive integer number of fen."""
    if isinstance(value, bool):
        raise CellError("金额格式无效")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        if value != value or abs(value) >= MAX_YUAN:
            raise CellError("金额超出允许范围")
        amount = Decimal(str(value))
        cents = amount.quantize(Decimal("0.01"))
        if abs(amount - cents) > FLOAT_CENT_TOLERANCE:
            raise CellError("金额最多保留两位小数（分）")
        amount = cents
    else:
        text = text_of(value)
        for junk in ("¥", "￥", "元", ",", "，", " ", "\u00a0"):
            text = text.replace(junk, "")
        if not re.fullmatch(r"[+-]?\d{1,15}(\.\d{1,12})?", text):
            raise CellError("金额格式无效，应为数字，如 1,234.50")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise CellError("金额格式无效") from None
    if amount.copy_abs() >= MAX_YUAN:
        raise CellError("金额超出允许范围")
    if amount != amount.quantize(Decimal("0.01")):
        raise CellError("金额最多保留两位小数（分）")
    if amount <= 0:
        raise CellError("金额必须大于 0（收入或支出请在“收支”列注明）")
    return int(amount * 100)


def read_direction(value):
    """收入/支出/收/支/income/expense as income or expense."""
    word = text_of(value).lower()
    if word in DIRECTION_WORDS:
        return DIRECTION_WORDS[word]
    raise CellError("收支应填写“收入”或“支出”")


def read_signed_amount(value):
    """An amount that may be zero or negative (the opening balance row), in fen."""
    text = text_of(value)
    negative = text.startswith("-") or (isinstance(value, (int, float)) and value < 0)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = abs(value)
    else:
        value = text.lstrip("-")
    if text in ("0", "0.00", "0.0") or value == 0:
        return 0
    fen = read_amount(value)
    return -fen if negative else fen
