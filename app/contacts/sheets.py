"""Reading a member list: .xlsx (by content, first sheet) or .csv (UTF-8 or GB18030), as numbered rows of text."""

import csv
import io
import unicodedata
from datetime import date, datetime

from app.core.spreadsheets import xlsx_rows
from app.errors import PayloadTooLarge, Unprocessable, UnsupportedMedia

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20000
OLE2 = b"\xd0\xcf\x11\xe0"
BINARY_SIGNATURES = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"MZ", b"\x7fELF", b"Rar!",
                     b"7z\xbc\xaf", b"RIFF")


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


def _file_error(message, code="contacts_file_invalid"):
    return Unprocessable(message + "，未导入任何数据", code=code)


def _xlsx_rows(data):
    return xlsx_rows(data, code="contacts_file", suffix="，未导入任何数据", cell=cell_text)


def _decode(data):
    for encoding in ("utf-8-sig", "gb18030"):  # UTF-8, or GBK/GB18030 as Chinese Excel saves a CSV
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnsupportedMedia("无法识别文件编码，请另存为 UTF-8 编码的 CSV，或 .xlsx", code="contacts_file_unsupported")


def _csv_rows(data):
    text = _decode(data)
    if "\x00" in text:
        raise UnsupportedMedia("仅支持 .xlsx 或 .csv 文件", code="contacts_file_unsupported")
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        return [[cell_text(v) for v in row] for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as err:
        raise _file_error(f"CSV 文件格式有误（{err}）") from None


def read_rows(data):
    """[(spreadsheet row number, [cell text, ...])] of the first sheet, or raise 413/415/422."""
    if not data:
        raise _file_error("文件为空", code="contacts_file_empty")
    if len(data) > MAX_FILE_BYTES:
        raise PayloadTooLarge("名单文件不能超过 5 MB", code="contacts_file_too_large")
    if data.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(data)
    elif data.startswith(OLE2):
        raise UnsupportedMedia("暂不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 .csv",
                               code="contacts_file_unsupported")
    elif data.startswith(BINARY_SIGNATURES) or b"\x00" in data[:4096]:
        raise UnsupportedMedia("仅支持 .xlsx 或 .csv 文件", code="contacts_file_unsupported")
    else:
        rows = _csv_rows(data)
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
