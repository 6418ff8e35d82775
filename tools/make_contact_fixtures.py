"""Write tests/fixtures/contacts_good.xlsx and contacts_bad.xlsx: member lists of 竹山县 as a county office keeps them.

    .venv/bin/python tools/make_contact_fixtures.py

Both have a title row above the header (姓名, 类别, 界别/层级, 所属区划代码或村名, 电话); phone numbers are number
cells, as Excel stores a typed-in mobile number. The good file mixes 12-digit codes, village names and
township + village names; the bad file has one mistake per row in a known column (tests assert them).
"""

import io
import re
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures"
TITLE = "竹山县千人联系点成员及信访情报员名单"
HEADER = ["姓名", "类别", "界别/层级", "所属区划代码或村名", "电话"]
GOOD = [
    ("张明华", "联系点成员", "农民群众", "420323103211", 13871000001),
    ("李秀兰", "联系点成员", "老干部", "罗家坡村", 13871000002),
    ("王建军", "联系点成员", "个体业主", "宝丰镇", "138 7100 0003"),
    ("陈志刚", "联系点成员", "机关干部", "420323000000", "0719-4212345"),
    ("刘玉芳", "联系点成员", "外来务工人员", "秦古镇小河村", 13871000005),
    ("赵德福", "信访情报员", "村级", "龙井村", 13871000006),
    ("周海燕", "信访情报员", "乡镇级", "麻家渡镇", 13871000007),
    ("吴春云", "信访情报员", "", "420323000000", 13871000008),
]
# (row, column letter, what is wrong)
BAD = [
    ("张明华", "联系点成员", "农民", "420323103211", 13871000001),  # C: unknown layer
    ("李秀兰", "联系点成员", "老干部", "小河村", 13871000002),  # D: two villages named 小河村
    ("王建军", "联系点成员", "个体业主", "宝丰镇", 1387100),  # E: bad phone
    ("", "联系点成员", "机关干部", "420323000000", 13871000004),  # A: no name
    ("刘玉芳", "志愿者", "农民群众", "420323103211", 13871000005),  # B: unknown type
    ("赵德福", "信访情报员", "县级", "龙井村", 13871000006),  # C: level does not match a village
    ("周海燕", "联系点成员", "社区居民", "430000000000", 13871000007),  # D: unknown region code
    ("吴春云", "联系点成员", "科教人员", "420323103211", 13871000001),  # E: same phone as row 3
]


def _book(rows):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "名单"
    sheet.append([TITLE])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(list(row))
    for cell in sheet["E"][2:]:
        if isinstance(cell.value, int):
            cell.number_format = "0"
    for letter, width in zip("ABCDE", (10, 14, 14, 24, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return _deterministic(buffer.getvalue())


def _deterministic(data):
    """Re-pack the zip with fixed timestamps, so the fixture is byte-for-byte reproducible."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>", b"", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, content)
    return out.getvalue()


def main():
    """Write both fixtures."""
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "contacts_good.xlsx").write_bytes(_book(GOOD))
    (OUT / "contacts_bad.xlsx").write_bytes(_book(BAD))
    print(f"wrote {OUT / 'contacts_good.xlsx'} and {OUT / 'contacts_bad.xlsx'}", file=sys.stderr)


if __name__ == "__main__":
    main()
