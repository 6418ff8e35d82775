"""Finance ledger import (.xlsx by content, or .csv in UTF-8/GB18030) and export in the same format.

A file is read whole before anything is saved: a bad row raises Unprocessable naming its spreadsheet row number
(the first row of the sheet is row 1) and its column header, with fields {"row": 7, "column": "金额(元)"}.
The header row may sit under a title row (the first 10 rows are searched); summary rows (期初余额, 本期收入合计,
本期支出合计, 期末余额) are recognised by their label in the 日期 column and skipped, the opening balance kept.
"""

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass

from marshmallow import ValidationError

from app.core.messages import to_chinese
from app.core.spreadsheets import sheet_rows
from app.disclosures import finance_cells as cells
from app.errors import Unprocessable

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
HEADER_SEARCH_ROWS = 10
FIELD_COLUMNS = {"date": "date", "voucher_no": "voucher_no", "direction": "direction", "subject": "subject",
                 "amount_fen": "amount", "counterparty": "counterparty", "note": "note"}


@dataclass
class LedgerImport:
    """What a ledger file holds: its lines and, when it has a 期初余额 row, the opening balance."""

    lines: list
    opening_balance_fen: int | None


def _row_error(row, column, message):
    return Unprocessable(f"第 {row} 行“{column}”列：{message}，整个文件未导入", code="ledger_row_invalid",
                         fields={"row": row, "column": column})


def _file_error(message, code="ledger_invalid"):
    return Unprocessable(message + "，整个文件未导入", code=code)


def _rows(data):
    return sheet_rows(data, code="ledger", suffix="，整个文件未导入", noun="台账文件",
                      only="仅支持 .xlsx 或 .csv 格式的台账", max_bytes=MAX_FILE_BYTES)


def _header_map(row):
    mapping, labels = {}, {}
    for index, cell in enumerate(row):
        column = cells.HEADER_ALIASES.get(cells.normalise_header(cell))
        if column and column not in mapping:
            mapping[column] = index
            labels[column] = cells.text_of(cell)
    return mapping, labels


def _find_header(rows):
    for number, row in enumerate(rows, start=1):
        mapping, labels = _header_map(row)
        if "date" in mapping and ("amount" in mapping or {"income", "expense"} <= set(mapping)):
            if "amount" in mapping and "direction" not in mapping:
                raise _file_error("缺少必需的列：收支")
            if "subject" not in mapping:
                raise _file_error("缺少必需的列：科目")
            return number, mapping, labels
        if number >= HEADER_SEARCH_ROWS:
            break
    raise _file_error("未找到表头：第一行应为 日期、凭证号、收支、科目、金额(元)、对方单位、备注")


def _cell(row, mapping, column):
    index = mapping.get(column)
    return row[index] if index is not None and index < len(row) else None


def _amount_and_direction(row, number, mapping, labels):
    if "amount" in mapping:
        try:
            direction = cells.read_direction(_cell(row, mapping, "direction"))
        except cells.CellError as err:
            raise _row_error(number, labels["direction"], str(err)) from None
        try:
            return cells.read_amount(_cell(row, mapping, "amount")), direction
        except cells.CellError as err:
            raise _row_error(number, labels["amount"], str(err)) from None
    filled = [c for c in ("income", "expense") if cells.text_of(_cell(row, mapping, c))]
    if len(filled) != 1:
        raise _row_error(number, labels["income"], "收入金额和支出金额应填且只填一项")
    try:
        return cells.read_amount(_cell(row, mapping, filled[0])), filled[0]
    except cells.CellError as err:
        raise _row_error(number, labels[filled[0]], str(err)) from None


def _line(row, number, mapping, labels, period, schema):
    try:
        day = cells.read_date(_cell(row, mapping, "date"))
    except cells.CellError as err:
        raise _row_error(number, labels["date"], str(err)) from None
    if period is not None and not (period.start.isoformat() <= day <= period.end.isoformat()):
        raise _row_error(number, labels["date"], f"日期不在公开期间内（{period.start} 至 {period.end}）")
    amount, direction = _amount_and_direction(row, number, mapping, labels)
    raw = {"date": day, "direction": direction, "amount_fen": amount,
           **{c: cells.text_of(_cell(row, mapping, c)) for c in ("voucher_no", "subject", "counterparty", "note")}}
    try:
        return schema.load(raw)
    except ValidationError as err:
        field, messages = next(iter(err.messages.items()))
        column = labels.get(FIELD_COLUMNS.get(field, field)) or cells.CHINESE_HEADERS.get(field, field)
        raise _row_error(number, column, to_chinese(messages[0])) from None


def read_ledger(data, filename="", period=None):
    """Read a whole ledger file into a LedgerImport, or raise (413, 415, 422) without a partial result."""
    from app.disclosures.content import LedgerLineSchema

    rows = iter(_rows(data))
    header_number, mapping, labels = _find_header(rows)
    schema = LedgerLineSchema()
    lines, opening = [], None
    for number, row in enumerate(rows, start=header_number + 1):
        if not any(cells.text_of(value) for value in row):
            continue
        label = cells.text_of(_cell(row, mapping, "date")).replace(" ", "")
        if label in cells.SUMMARY_LABELS:
            if cells.SUMMARY_LABELS[label] == "opening":
                amount_column = "amount" if "amount" in mapping else "income"
                try:
                    opening = cells.read_signed_amount(_cell(row, mapping, amount_column))
                except cells.CellError as err:
                    raise _row_error(number, labels[amount_column], str(err)) from None
            continue
        if len(lines) >= MAX_ROWS:
            raise _file_error(f"明细超过 {MAX_ROWS} 行，请按月份拆分后分别导入", code="ledger_too_many_rows")
        lines.append(_line(row, number, mapping, labels, period, schema))
    if not lines:
        raise _file_error("文件中没有明细行", code="ledger_empty")
    return LedgerImport(lines=lines, opening_balance_fen=opening)


def parse_ledger(data, filename="", period=None):
    """The ledger lines of an .xlsx or .csv file (see read_ledger)."""
    return read_ledger(data, filename, period).lines


EXPORT_HEADER = [cells.CHINESE_HEADERS[c] for c in cells.COLUMNS]


def _export_rows(content):
    from app.disclosures.public_view import DIRECTION_LABELS, finance_totals, format_fen

    totals = finance_totals(content)
    body = [[line["date"], line.get("voucher_no", ""), DIRECTION_LABELS[line["direction"]], line["subject"],
             line["amount_fen"], line.get("counterparty", ""), line.get("note", "")] for line in content["lines"]]
    summary = [("期初余额", content["opening_balance_fen"]), ("本期收入合计", totals["income_total_fen"]),
               ("本期支出合计", totals["expense_total_fen"]), ("期末余额", totals["closing_balance_fen"])]
    return body, [[label, "", "", "", fen, "", ""] for label, fen in summary], format_fen


def export_ledger(content, fmt="xlsx"):
    """A finance content as .xlsx or .csv bytes in the import format (lines, a blank row, then the totals)."""
    body, summary, format_fen = _export_rows(content)
    if fmt == "csv":
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(EXPORT_HEADER)
        for row in body + [[""] * 7] + summary:
            writer.writerow([format_fen(v) if i == 4 and isinstance(v, int) else v for i, v in enumerate(row)])
        return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")
    if fmt != "xlsx":
        raise ValueError(fmt)
    return _xlsx_bytes(body, summary)


def _xlsx_bytes(body, summary):
    from datetime import date, datetime
    from decimal import Decimal

    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "收支明细"
    sheet.append(EXPORT_HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in body + [[None] * 7] + summary:
        values = list(row)
        if values[0] and values[0] not in cells.SUMMARY_LABELS:
            values[0] = date.fromisoformat(values[0])
        if isinstance(values[4], int):
            values[4] = Decimal(values[4]) / 100
        sheet.append(values)
    for cells_row in sheet.iter_rows(min_row=2):
        if isinstance(cells_row[0].value, (date, datetime)):
            cells_row[0].number_format = "yyyy-mm-dd"
        cells_row[4].number_format = "#,##0.00"
    for letter, width in zip("ABCDEFG", (12, 10, 8, 20, 14, 24, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    fixed = datetime(2000, 1, 1)
    book.properties.created = book.properties.modified = fixed
    book.properties.creator = "码上监督"
    raw = io.BytesIO()
    book.save(raw)
    return _normalise_zip(raw.getvalue())


def _normalise_zip(data):
    """Rewrite a zip with fixed timestamps so the same ledger always exports to the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            part = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time into `modified`
                part = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", part)
            target.writestr(fixed, part)
    return out.getvalue()
