"""Finance ledger import (.xlsx, .csv) and export: row/column errors, limits, round trips."""

import io
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.disclosures.finance_io import export_ledger, parse_ledger, read_ledger
from app.disclosures.periods import parse_period
from app.errors import PayloadTooLarge, Unprocessable, UnsupportedMedia

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HEADER = "日期,凭证号,收支,科目,金额(元),对方单位,备注\n"
MARCH = parse_period("2026-03")


def csv_bytes(rows, header=HEADER, encoding="utf-8"):
    return (header + "".join(row + "\n" for row in rows)).encode(encoding)


def xlsx_bytes(rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def refused(data, name="a.csv", period=MARCH, kind=Unprocessable):
    with pytest.raises(kind) as err:
        parse_ledger(data, name, period)
    return err.value


def test_fixtures_import_identically():
    xlsx = read_ledger((FIXTURES / "finance_sample.xlsx").read_bytes(), "x.xlsx", MARCH)
    csv = read_ledger((FIXTURES / "finance_sample.csv").read_bytes(), "x.csv", MARCH)
    assert xlsx.lines == csv.lines and len(xlsx.lines) == 29
    assert xlsx.opening_balance_fen == csv.opening_balance_fen == 18642035
    assert xlsx.lines[0] == {"date": "2026-03-02", "voucher_no": "记-01", "direction": "income",
                             "subject": "上级补助收入", "amount_fen": 5000000, "counterparty": "竹山县财政局",
                             "note": "2026年村级组织运转经费（第一季度）"}


def test_the_generator_is_deterministic(tmp_path):
    from tools import make_finance_fixtures as tool

    assert tool.build_csv() == (FIXTURES / "finance_sample.csv").read_bytes()
    assert tool.build_xlsx() == (FIXTURES / "finance_sample.xlsx").read_bytes()


@pytest.mark.parametrize("cell, fen", [
    ("1,234.50", 123450), ("¥1,234.50", 123450), ('"￥ 12,000"', 1200000), ("0.01", 1), ("3", 300), ("1.5", 150),
])
def test_amount_forms(cell, fen):
    quoted = cell if cell.startswith('"') else f'"{cell}"'
    lines = parse_ledger(csv_bytes([f"2026-03-05,1,收入,租金,{quoted},,"]), "a.csv", MARCH)
    assert lines[0]["amount_fen"] == fen


@pytest.mark.parametrize("cell", ["2026-03-05", "2026/3/5", "2026.3.5", "2026年3月5日", "20260305"])
def test_date_forms(cell):
    assert parse_ledger(csv_bytes([f"{cell},1,支出,办公费,1,,"]), "a.csv", MARCH)[0]["date"] == "2026-03-05"


@pytest.mark.parametrize("row, column, message", [
    ("2026-03-05,1,收入,租金,1.234,,", "金额(元)", "最多保留两位小数"),
    ("2026-03-05,1,收入,租金,-5,,", "金额(元)", "必须大于 0"),
    ("2026-03-05,1,收入,租金,一百,,", "金额(元)", "金额格式无效"),
    ("2026-04-05,1,收入,租金,5,,", "日期", "不在公开期间内"),
    ("2026-02-30,1,收入,租金,5,,", "日期", "日期不存在"),
    ("昨天,1,收入,租金,5,,", "日期", "日期格式无效"),
    ("2026-03-05,1,借,租金,5,,", "收支", "收入"),
    ("2026-03-05,1,收入,,5,,", "科目", "长度"),
    ("2026-03-05,1,收入,租金,5,," + "x" * 300, "备注", "长度"),
])
def test_a_bad_row_names_row_and_column_and_nothing_is_kept(row, column, message):
    data = csv_bytes(["2026-03-01,1,收入,租金,5,,", "", row])
    err = refused(data)
    assert err.fields == {"row": 4, "column": column}
    assert err.code == "ledger_row_invalid" and message in err.message and "第 4 行" in err.message


def test_english_headers_any_order_and_bom():
    header = "amount,date,direction,subject,counterparty,note,voucher_no\n"
    data = b"\xef\xbb\xbf" + csv_bytes(["12.00,2026-03-02,expense,Office,,,V1"], header=header)
    assert parse_ledger(data, "a.csv", MARCH) == [{"date": "2026-03-02", "voucher_no": "V1", "direction": "expense",
                                                   "subject": "Office", "amount_fen": 1200, "counterparty": "",
                                                   "note": ""}]
    err = refused(csv_bytes(["x,2026-03-02,out,Office,,,V1"], header=header))
    assert err.fields == {"row": 2, "column": "amount"}


def test_gb18030_and_tab_separated():
    data = csv_bytes(["2026-03-05\t1\t支出\t办公费\t8\t宝丰镇文印店\t"], header=HEADER.replace(",", "\t"),
                     encoding="gb18030")
    assert parse_ledger(data, "a.csv", MARCH)[0]["counterparty"] == "宝丰镇文印店"


def test_two_column_layout_and_title_rows():
    header = "龙井村2026年3月收支明细\n日期,科目,摘要,收入金额,支出金额\n"
    rows = ["2026-03-05,租赁收入,茶园租金,100,", "2026-03-06,办公费,打印,,2.5"]
    lines = parse_ledger(csv_bytes(rows, header=header), "a", MARCH)
    assert [(line["direction"], line["amount_fen"]) for line in lines] == [("income", 10000), ("expense", 250)]
    assert (lines[0]["subject"], lines[0]["note"]) == ("租赁收入", "茶园租金")
    err = refused(csv_bytes(["2026-03-07,办公费,打印,1,2"], header=header))
    assert err.fields == {"row": 3, "column": "收入金额"} and "只填一项" in err.message


def test_missing_columns_are_named():
    assert "科目" in refused(csv_bytes(["2026-03-05,收入,5"], header="日期,收支,金额\n")).message
    assert "收支" in refused(csv_bytes(["2026-03-05,租金,5"], header="日期,科目,金额\n")).message
    assert "未找到表头" in refused(csv_bytes(["a,b"], header="x,y\n")).message


def test_empty_and_headers_only():
    assert refused(b"").code == "ledger_empty"
    assert refused(csv_bytes([])).code == "ledger_empty"
    assert refused(csv_bytes(["", ",,,,,,"])).code == "ledger_empty"


def test_limits_and_types():
    refused(b"x" * (5 * 1024 * 1024 + 1), kind=PayloadTooLarge)
    many = csv_bytes(["2026-03-05,1,收入,租金,5,,"] * 5001)
    assert refused(many).code == "ledger_too_many_rows"
    assert "xls" in refused(b"\xd0\xcf\x11\xe0" + b"\0" * 100, "a.xls", kind=UnsupportedMedia).message
    refused(b"%PDF-1.7\n...", "a.csv", kind=UnsupportedMedia)
    refused((FIXTURES / "tiny.pdf").read_bytes(), "ledger.xlsx", kind=UnsupportedMedia)
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    refused(docx.getvalue(), "a.xlsx", kind=UnsupportedMedia)
    assert refused(b"PK\x03\x04garbage", "a.xlsx").code == "ledger_invalid"


def test_zip_bomb_is_refused_before_parsing():
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * (80 * 1024 * 1024) + b"</a>")
    assert len(bomb.getvalue()) < 1024 * 1024
    refused(bomb.getvalue(), "bomb.xlsx", kind=PayloadTooLarge)


def test_xlsx_cells():
    data = xlsx_bytes([["日期", "凭证号", "收支", "科目", "金额(元)", "对方单位", "备注"],
                       [datetime(2026, 3, 5), 12, "支", "办公费", 0.1 + 0.2, None, None],
                       [None] * 7,
                       ["2026/3/6", "记-2", "收", "租金", 1234.5, "合作社", "上半年"]])
    lines = parse_ledger(data, "a.xlsx", MARCH)
    assert [(line["voucher_no"], line["amount_fen"]) for line in lines] == [("12", 30), ("记-2", 123450)]
    bad = xlsx_bytes([["日期", "收支", "科目", "金额(元)"], [datetime(2026, 3, 5), "支", "办公费", 1.005]])
    assert refused(bad, "a.xlsx").fields == {"row": 2, "column": "金额(元)"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_round_trips(fmt):
    content = read_ledger((FIXTURES / "finance_sample.xlsx").read_bytes(), "a.xlsx", MARCH)
    ledger = {"opening_balance_fen": -1234, "lines": content.lines}
    exported = export_ledger(ledger, fmt)
    again = read_ledger(exported, f"a.{fmt}", MARCH)
    assert again.lines == ledger["lines"] and again.opening_balance_fen == -1234
    assert export_ledger(ledger, fmt) == exported


def test_export_shows_totals():
    ledger = {"opening_balance_fen": 100, "lines": [
        {"date": "2026-03-01", "voucher_no": "", "direction": "income", "subject": "租金", "amount_fen": 123456,
         "counterparty": "", "note": ""}]}
    text = export_ledger(ledger, "csv").decode("utf-8-sig")
    assert text.splitlines()[0] == "日期,凭证号,收支,科目,金额(元),对方单位,备注"
    assert '期末余额,,,,"1,235.56",,' in text


ROW = st.tuples(
    st.sampled_from(["2026-03-05", "2026/3/31", "2026-04-01", "x", ""]),
    st.sampled_from(["收入", "支出", "借", ""]),
    st.sampled_from(["办公费", "", "租金"]),
    st.sampled_from(["1,234.50", "0.01", "-3", "1.234", "abc", "", "12"]),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW, min_size=1, max_size=8))
def test_any_table_imports_exactly_or_is_refused_whole(rows):
    text = [",".join([d, "", direction, subject, f'"{amount}"', "", ""]) for d, direction, subject, amount in rows]
    data = csv_bytes(text)
    good = [r for r in rows if any(r)]
    valid = all(d in ("2026-03-05", "2026/3/31") and direction in ("收入", "支出") and subject
                and amount in ("1,234.50", "0.01", "12") for d, direction, subject, amount in good)
    if valid and good:
        lines = parse_ledger(data, "a.csv", MARCH)
        assert len(lines) == len(good)
        assert [line["subject"] for line in lines] == [r[2] for r in good]
    else:
        with pytest.raises(Unprocessable):
            parse_ledger(data, "a.csv", MARCH)
