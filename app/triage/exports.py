"""Downloads of tables (stats, 台账) as xlsx or csv with Chinese headers and a Chinese file name (RFC 5987)."""

import csv
import io
from datetime import date, datetime
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from app.core.timeutil import to_cst

FORMATS = ("json", "xlsx", "csv")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def content_disposition(filename, fallback):
    """An attachment header with an ASCII fallback name and the UTF-8 name as filename* (RFC 5987/6266)."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def cell(value):
    """A value as it goes into a cell: dates as text, booleans as 是/否, formulas neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return to_cst(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value  # text from users must never run as a spreadsheet formula
    return value


def table_response(fmt, *, title, subtitle, headers, rows, filename, fallback):
    """A download of `rows` (lists of values under `headers`) as xlsx or csv."""
    if fmt == "csv":
        data, mime, ext = to_csv(headers, rows), "text/csv", "csv"  # Flask adds "; charset=utf-8" to text types
    else:
        data, mime, ext = to_xlsx(title, subtitle, headers, rows), XLSX_MIME, "xlsx"
    resp = Response(data, mimetype=mime)
    resp.headers["Content-Disposition"] = content_disposition(f"{filename}.{ext}", f"{fallback}.{ext}")
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


def to_csv(headers, rows):
    """CSV bytes in UTF-8 with a BOM, so Excel on Chinese Windows opens it correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(title, subtitle, headers, rows):
    """An xlsx workbook: a title line, a subtitle line, the header row (frozen) and the rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append([title])
    ws.append([subtitle])
    ws.append(list(headers))
    ws["A1"].font = Font(bold=True, size=14)
    for col in range(1, len(headers) + 1):
        ws.cell(row=3, column=col).font = Font(bold=True)
        ws.cell(row=3, column=col).alignment = Alignment(wrap_text=True, vertical="center")
    widths = [max(6, len(str(h)) * 2) for h in headers]
    for row in rows:
        values = [cell(v) for v in row]
        ws.append(values)
        for i, v in enumerate(values):
            widths[i] = min(60, max(widths[i], len(str(v)) * 2 if isinstance(v, str) else 8))
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A4"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def stats_download(result, fmt):
    """The figures of stats.compute as a download (rows, then the total)."""
    from app.triage.stats_sql import COLUMNS

    rows = [[row[name] for name, _ in COLUMNS] for row in [*result["items"], result["total"]]]
    headers = [result["by_label"] if name == "label" else label for name, label in COLUMNS]
    span = f"{result['from']:%Y%m%d}-{result['to']:%Y%m%d}"
    return table_response(fmt, title=f"反映问题统计（按{result['by_label']}）",
                          subtitle=f"受理区间：{result['from'].isoformat()} 至 {result['to'].isoformat()}",
                          headers=headers, rows=rows, filename=f"反映问题统计_按{result['by_label']}_{span}",
                          fallback=f"stats_{result['by']}_{span}")


def ledger_download(book, fmt):
    """The 台账 of ledger_book.ledger as a download."""
    from app.triage.ledger_book import COLUMNS

    rows = [[line[name] for name, _ in COLUMNS] for line in book["items"]]
    span = f"{book['from']:%Y%m%d}-{book['to']:%Y%m%d}"
    return table_response(fmt, title="问题线索处置台账",
                          subtitle=f"登记区间：{book['from'].isoformat()} 至 {book['to'].isoformat()}（含未办结事项）",
                          headers=[label for _, label in COLUMNS], rows=rows, filename=f"问题线索处置台账_{span}",
                          fallback=f"ledger_{span}")


def networks_rows(result):
    """[chain, figure, this period, previous period, change %] lines of the networks' figures."""
    from app.triage.stats_networks import CONTACT_FIELDS, INFORMANT_FIELDS, LABELS

    rows = []
    for chain, names, title in (("contact_point", CONTACT_FIELDS, "千人联系点"), ("informant", INFORMANT_FIELDS,
                                                                              "千人情报网")):
        for name in names:
            now, before, pct = result[chain][name], result["previous"][chain][name], result["change_pct"][chain][name]
            if isinstance(now, list):
                key = "layer" if name == "letters_by_layer" else "level"
                prev = {r[key]: r["count"] for r in before}
                pcts = {r[key]: r["change_pct"] for r in pct}
                rows += [[title, f"{LABELS[name]}：{r['label']}", r["count"], prev.get(r[key]), pcts.get(r[key])]
                         for r in now]
            else:
                rows.append([title, LABELS[name], now, before, pct])
    return rows


def networks_download(result, fmt):
    """The networks' figures as a download: one line per figure, this period, the previous one and the change."""
    span = f"{result['from']:%Y%m%d}-{result['to']:%Y%m%d}"
    return table_response(fmt, title=f"{result['region_name']}千人联系点、千人情报网统计",
                          subtitle=f"统计区间：{result['from']} 至 {result['to']}；"
                                   f"上年同期：{result['previous_from']} 至 {result['previous_to']}",
                          headers=["网络", "指标", "本期", "上年同期", "同比变化（%）"], rows=networks_rows(result),
                          filename=f"千人联系点千人情报网统计_{span}",
                          fallback=f"networks_{result['region_code']}_{span}")
