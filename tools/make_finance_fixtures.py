"""Write tests/fixtures/finance_sample.xlsx and .csv: one village ledger for March 2026, byte-for-byte reproducible.

    .venv/bin/python tools/make_finance_fixtures.py

The .xlsx is laid out as a village accountant keeps it (real date cells, numeric amounts formatted #,##0.00,
Chinese headers, a 期初余额 row under the lines); the .csv is what Chinese Excel saves as "CSV": GB18030, dates
written 2026/3/5, amounts "1,234.50". Both hold the same LINES, so a test can compare them.
"""

import csv
import io
import sys
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures"
HEADER = ["日期", "凭证号", "收支", "科目", "金额(元)", "对方单位", "备注"]
OPENING_BALANCE = "186,420.35"
# (day, voucher, 收支, 科目, 金额(元), 对方单位, 备注)
LINES = [
    (2, "记-01", "收入", "上级补助收入", "50,000.00", "竹山县财政局", "2026年村级组织运转经费（第一季度）"),
    (2, "记-02", "支出", "村干部报酬", "12,600.00", "村“两委”成员", "2月份基本报酬"),
    (3, "记-03", "支出", "办公费", "486.50", "竹山县宝丰镇文印店", "公开栏资料打印、复印"),
    (4, "记-04", "收入", "集体资产租赁收入", "18,000.00", "竹山县绿源茶叶专业合作社", "集体茶园上半年租金"),
    (5, "记-05", "支出", "道路维修", "23,850.00", "竹山县宏达建筑工程有限公司", "三组通组路水毁修复，按合同付至50%"),
    (6, "记-06", "支出", "水电费", "732.18", "国网竹山县供电公司", "村委会办公用电"),
    (7, "记-07", "收入", "上级补助收入", "8,000.00", "宝丰镇人民政府", "人居环境整治奖补资金"),
    (8, "记-08", "支出", "保洁费", "3,600.00", "村保洁员（4人）", "2月份保洁员工资"),
    (9, "记-09", "支出", "办公费", "1,250.00", "竹山县新华书店", "党员学习资料及报刊订阅"),
    (10, "记-10", "收入", "经营收入", "6,480.00", "竹山县宝丰镇农贸市场", "集体门面房出租收入"),
    (11, "记-11", "支出", "会议费", "560.00", "龙井村委会", "村民代表会议误工补贴（14人）"),
    (12, "记-12", "支出", "道路维修", "4,320.00", "竹山县宝丰镇建材经营部", "水泥、砂石材料款"),
    (13, "记-13", "收入", "利息收入", "37.42", "湖北竹山农村商业银行", "一季度存款利息"),
    (14, "记-14", "支出", "困难救助", "2,000.00", "五组困难户（2户）", "经村民代表会议通过的临时救助"),
    (15, "记-15", "支出", "村干部报酬", "12,600.00", "村“两委”成员", "3月份基本报酬"),
    (16, "记-16", "收入", "一事一议筹补资金", "30,000.00", "竹山县财政局", "四组饮水工程一事一议财政奖补"),
    (17, "记-17", "支出", "饮水工程", "26,500.00", "竹山县清泉水利工程有限公司", "四组饮水工程管网改造进度款"),
    (18, "记-18", "支出", "办公费", "318.00", "竹山县宝丰镇文印店", "宣传横幅、展板"),
    (19, "记-19", "支出", "水电费", "215.60", "竹山县自来水公司", "村委会办公用水"),
    (20, "记-20", "收入", "集体资产租赁收入", "2,400.00", "村民王某某", "集体闲置仓库租金（一季度）"),
    (21, "记-21", "支出", "报刊费", "380.00", "中国邮政竹山县分公司", "《湖北日报》《十堰日报》订阅"),
    (22, "记-22", "支出", "公益事业支出", "5,800.00", "竹山县宝丰镇五金店", "路灯维修更换12盏"),
    (24, "记-23", "支出", "保洁费", "3,600.00", "村保洁员（4人）", "3月份保洁员工资"),
    (25, "记-24", "收入", "上级补助收入", "3,000.00", "竹山县农业农村局", "农村人居环境“门前三包”奖励"),
    (26, "记-25", "支出", "培训费", "900.00", "宝丰镇党校", "党员冬春训误餐补助"),
    (27, "记-26", "支出", "办公费", "1,034.90", "竹山县宝丰镇电脑经营部", "打印机硒鼓、办公耗材"),
    (28, "记-27", "支出", "防汛物资", "2,760.00", "竹山县宝丰镇农资超市", "编织袋、雨衣、手电筒"),
    (30, "记-28", "支出", "道路维修", "1,200.00", "村民临时用工", "二组便道清障误工费（6人次）"),
    (31, "记-29", "支出", "银行手续费", "12.00", "湖北竹山农村商业银行", "账户管理费"),
]


def _yuan(text):
    return Decimal(text.replace(",", ""))


def build_csv():
    """The ledger as Chinese Excel saves CSV: GB18030, 2026/3/5 dates, "1,234.50" amounts."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for day, voucher, direction, subject, amount, counterparty, note in LINES:
        writer.writerow([f"2026/3/{day}", voucher, direction, subject, amount, counterparty, note])
    writer.writerow([])
    writer.writerow(["期初余额", "", "", "", OPENING_BALANCE, "", ""])
    return out.getvalue().encode("gb18030")


def build_xlsx():
    """The ledger as an .xlsx workbook with real date and number cells."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "2026年3月"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for day, voucher, direction, subject, amount, counterparty, note in LINES:
        value = _yuan(amount)
        sheet.append([datetime(2026, 3, day), voucher, direction, subject,
                      int(value) if value == value.to_integral() else float(value), counterparty, note or None])
    sheet.append([])
    sheet.append(["期初余额", None, None, None, float(_yuan(OPENING_BALANCE))])
    for row in sheet.iter_rows(min_row=2):
        row[0].number_format = "yyyy-mm-dd"
        row[4].number_format = "#,##0.00"
    book.properties.created = book.properties.modified = datetime(2026, 4, 1)
    book.properties.creator = "龙井村报账员"
    raw = io.BytesIO()
    book.save(raw)
    return _fixed_zip(raw.getvalue())


def _fixed_zip(data):
    import re

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                part = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-04-01T00:00:00Z", part)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=(2026, 4, 1, 0, 0, 0)), part,
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def main():
    """Write both fixtures."""
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "finance_sample.csv").write_bytes(build_csv())
    (OUT / "finance_sample.xlsx").write_bytes(build_xlsx())
    print(f"{len(LINES)} lines -> {OUT}/finance_sample.xlsx, .csv", file=sys.stderr)


if __name__ == "__main__":
    main()

