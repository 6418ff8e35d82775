"""The one reader of uploaded sheets: .xlsx by content, or CSV in UTF-8 / GB18030 with a comma or a tab."""

import io

import openpyxl
import pytest

from app.core.spreadsheets import csv_delimiter, decode_csv, sheet_rows
from app.errors import PayloadTooLarge, Unprocessable, UnsupportedMedia

NAMES = dict(code="thing", suffix="，未导入", noun="名单文件", only="仅支持 .xlsx 或 .csv 文件")


def rows(data, **kwargs):
    return sheet_rows(data, **{**NAMES, **kwargs})


@pytest.mark.parametrize("data", [
    "姓名,电话\n张三,138\n".encode(),
    "\ufeff姓名,电话\n张三,138\n".encode(),  # Excel's UTF-8 with a BOM
    "姓名,电话\n张三,138\n".encode("gb18030"),  # Chinese Excel's default
    "姓名\t电话\n张三\t138\n".encode(),  # pasted from a sheet: tabs
])
def test_csv_in_every_encoding_and_delimiter(data):
    assert rows(data) == [["姓名", "电话"], ["张三", "138"]]


def test_cells_pass_through_the_callable_and_quoted_line_breaks_stay():
    assert rows(b'a,"b\nc"\n 1 ,2\n', cell=str.strip) == [["a", "b\nc"], ["1", "2"]]


def test_xlsx_by_content_whatever_the_name():
    book = openpyxl.Workbook()
    book.active.append(["姓名", 138.0])
    out = io.BytesIO()
    book.save(out)
    assert rows(out.getvalue(), cell=lambda v: v) == [["姓名", 138.0]]


@pytest.mark.parametrize("data, error, code, message", [
    (b"", Unprocessable, "thing_empty", "文件为空，未导入"),
    (b"x" * (1024 * 1024 + 1), PayloadTooLarge, "thing_too_large", "名单文件不能超过 1 MB"),
    (b"\xd0\xcf\x11\xe0" + b"\x00" * 20, UnsupportedMedia, "thing_unsupported",
     "暂不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 .csv"),
    (b"%PDF-1.7 ...", UnsupportedMedia, "thing_unsupported", "仅支持 .xlsx 或 .csv 文件"),
    (b"a,b\n" + b"x" * 5000 + b"\x00", UnsupportedMedia, "thing_unsupported", "仅支持 .xlsx 或 .csv 文件"),
    (b"a,b\n\x81\x30", UnsupportedMedia, "thing_unsupported",
     "无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV，或 .xlsx"),
])
def test_refusals(data, error, code, message):
    with pytest.raises(error) as info:
        rows(data, max_bytes=1024 * 1024)
    assert (info.value.code, info.value.message) == (code, message)


def test_a_malformed_csv_is_422_with_the_suffix():
    with pytest.raises(Unprocessable) as info:
        rows(b"a," + b"x" * 200_000 + b"\n")  # a field over csv's limit
    assert info.value.code == "thing_invalid" and info.value.message.startswith("CSV 文件格式有误")
    assert info.value.message.endswith("，未导入")


def test_decode_csv_and_the_delimiter():
    refused = Unprocessable("编码无法识别", code="import_failed")
    assert decode_csv("已是文本", refused) == "已是文本"
    assert decode_csv("宝丰镇".encode("gb18030"), refused) == "宝丰镇"
    with pytest.raises(Unprocessable) as info:
        decode_csv(b"\x81\x30", refused)
    assert info.value is refused
    assert csv_delimiter("a\tb\tc,d\n1,2,3") == "\t" and csv_delimiter("a,b\n1\t2\t3") == ","
