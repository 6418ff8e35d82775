"""Reading a member list: .xlsx (by content, first sheet) or .csv (UTF-8 or GB18030), as numbered rows of text."""

import unicodedata
from datetime import date, datetime

from app.core.spreadsheets import sheet_rows
from app.errors import PayloadTooLarge

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20000


def cell_text(value):
    """A cell as trimmed text: 13812345678.0 -> '13812345678', None -> ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (datetime, date)):
        value = value.isoformat()
    return unicodedata.normalize("NFKC", str(value)).strip()


def read_rows(data):
    """[(spreadsheet row number, [cell text, ...])] of the first sheet, or raise 413/415/422."""
    rows = sheet_rows(data, code="contacts_file", suffix="，未导入任何数据", noun="名单文件",
                      only="仅支持 .xlsx 或 .csv 文件", cell=cell_text, max_bytes=MAX_FILE_BYTES)
    if len(rows) > MAX_ROWS + 10:
        raise PayloadTooLarge(f"一次最多导入 {MAX_ROWS} 行，请分批导入", code="contacts_file_too_large")
    return list(enumerate(rows, start=1))


def column_letter(index):
    """The spreadsheet letter of a 0-based column index: 0 -> A, 27 -> AB."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
