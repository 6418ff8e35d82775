"""`flask contacts import`: a county's list from .xlsx or .csv, row errors by line and column, all or nothing."""

import csv
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.contacts.importer import import_members
from app.contacts.models import ContactMember
from app.errors import Unprocessable
from app.extensions import db
from tests.contacts.conftest import COUNTY, OTHER_COUNTY

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HEADER = "姓名,类别,界别/层级,所属区划代码或村名,电话\n"


def _members(app):
    with app.app_context():
        rows = db.session.scalars(sa.select(ContactMember).order_by(ContactMember.id)).all()
        return [(m.name, m.type, m.layer, m.level, m.region_code, m.phone) for m in rows]


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["contacts", "import", *map(str, args)])


def test_good_xlsx_imports_every_row(app, county):
    result = _run(app, FIXTURES / "contacts_good.xlsx", "--county", COUNTY)
    assert result.exit_code == 0, result.output
    assert "已导入 8 名成员" in result.output
    members = _members(app)
    assert members[0] == ("张明华", "contact_point", "farmer", "village", "420323103211", "13871000001")
    assert members[1][2:5] == ("retired_cadre", "village", "420323102203")  # 罗家坡村 by name
    assert members[2][3:] == ("township", "420323103000", "13871000003")  # "138 7100 0003", 宝丰镇
    assert members[3][5] == "0719-4212345"
    assert members[4][4] == "420323105204"  # 秦古镇小河村: the township names which 小河村
    assert members[5][1:5] == ("informant", None, "village", "420323103211")  # 村级, 龙井村
    assert members[6][3:5] == ("township", "420323102000") and members[7][3] == "county"


def test_bad_xlsx_reports_each_row_and_column_and_imports_nothing(app, county):
    result = _run(app, FIXTURES / "contacts_bad.xlsx", "--county", COUNTY)
    assert result.exit_code == 1
    output = result.output
    assert "导入失败，共 8 处错误，未导入任何数据。" in output
    expected = [
        (3, "C", "界别/层级", "界别“农民”无效"),
        (4, "D", "所属区划代码或村名", "“小河村”对应多个区划"),
        (5, "E", "电话", "电话号码格式不正确"),
        (6, "A", "姓名", "姓名不能为空"),
        (7, "B", "类别", "类别“志愿者”无效"),
        (8, "C", "界别/层级", "层级为县级，但所属区划是村级"),
        (9, "D", "所属区划代码或村名", "区划代码 430000000000 不存在"),
        (10, "E", "电话", "与第 3 行的电话号码重复"),
    ]
    for line, letter, column, text in expected:
        assert f"第 {line} 行 {letter} 列（{column}）：" in output and text in output, (line, output)
    assert _members(app) == []


def test_csv_in_gb18030_and_invite_codes_out(app, county, tmp_path):
    source = tmp_path / "名单.csv"
    source.write_bytes((HEADER + "王德福,联系点成员,农民群众,宝丰镇龙井村,13900000001\n"
                        "陈秀英,信访情报员,乡镇级,宝丰镇,13900000002\n\n").encode("gb18030"))
    codes = tmp_path / "codes.csv"
    result = _run(app, source, "--invites-out", codes)
    assert result.exit_code == 0, result.output
    assert "已导入 2 名成员" in result.output and "邀请码已写入" in result.output
    with open(codes, encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["姓名"] for r in rows] == ["王德福", "陈秀英"]
    assert len(rows[0]["邀请码"]) == 14 and rows[0]["电话"] == "139****0001"
    assert rows[1]["界别"] == "" and rows[1]["所属区划"] == "宝丰镇"


def test_rows_outside_the_county_or_already_registered_are_refused(app, county, other_county, tmp_path):
    with app.app_context():
        import_members((HEADER + "王德福,联系点成员,农民群众,420323103211,13900000001\n").encode())
    source = tmp_path / "list.csv"
    source.write_text(HEADER + "王德福,联系点成员,农民群众,420323103211,139 0000 0001\n"
                      "李四,联系点成员,农民群众,郧西县,13900000009\n", encoding="utf-8")
    result = _run(app, source, "--county", COUNTY)
    assert result.exit_code == 1
    assert "第 2 行 E 列（电话）：该电话号码已登记" in result.output
    assert "第 3 行 D 列（所属区划代码或村名）：导入范围内未找到“郧西县”" in result.output
    result = _run(app, source, "--county", OTHER_COUNTY[:6] + "999999")
    assert result.exit_code == 2 and "不是已导入的县级区划代码" in result.output
    assert len(_members(app)) == 1


@pytest.mark.parametrize(("content", "text"), [
    (b"", "文件为空"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "仅支持 .xlsx 或 .csv 文件"),
    ("姓名,电话\n张三,13900000001\n".encode(), "表头缺少列：类别、界别/层级、所属区划代码或村名"),
    ("名单\n张三,13900000001\n".encode(), "未找到表头"),
    (HEADER.encode(), "文件中没有成员数据"),
])
def test_unusable_files_are_refused_in_chinese(app, county, tmp_path, content, text):
    source = tmp_path / "list.csv"
    source.write_bytes(content)
    result = _run(app, source)
    assert result.exit_code == 1 and text in result.output, result.output


def test_an_inspector_imports_only_within_his_scope(app, county, make_user):
    from app.auth.models import User

    user_id = make_user(("inspector", "420323103000"))
    data = (HEADER + "王德福,联系点成员,农民群众,龙井村,13900000001\n"
            "陈秀英,联系点成员,农民群众,罗家坡村,13900000002\n").encode()
    with app.app_context():
        user = db.session.get(User, user_id)
        with pytest.raises(Unprocessable) as caught:
            import_members(data, user=user)
        rows = caught.value.fields["rows"]
        assert rows == [{"line": 3, "column": "所属区划代码或村名", "letter": "D",
                         "message": "导入范围内未找到“罗家坡村”，请填写 12 位区划代码或准确的村（社区）名"}]
        result = import_members(data.rsplit(b"\n", 2)[0] + b"\n", user=user)
        assert result["imported"] == 1
