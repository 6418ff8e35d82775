"""`flask regions import FILE.csv`: all rows or none, bad rows by line number, idempotent."""

from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.regions.importer import import_regions
from app.regions.models import Region

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
GOOD, BAD = FIXTURES / "regions_good.csv", FIXTURES / "regions_bad.csv"


def _count(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Region))


def _import(app, path):
    return app.test_cli_runner().invoke(args=["regions", "import", str(path)])


def test_good_file_imports_and_reports_count(app):
    result = _import(app, GOOD)
    assert result.exit_code == 0, result.output
    assert "已导入 10 条区划（其中更新 0 条）" in result.output
    assert _count(app) == 10
    with app.app_context():
        village = db.session.get(Region, "429999001002")
        assert (village.name, village.display_name, village.level, village.parent_code) == (
            "城关社区居民委员会", "城关社区", "village", "429999001000")
        assert db.session.get(Region, "429999000000").parent_code is None


def test_reimport_is_idempotent(app):
    assert _import(app, GOOD).exit_code == 0
    with app.app_context():
        before = [(r.code, r.name, r.display_name, r.level, r.parent_code)
                  for r in db.session.scalars(sa.select(Region).order_by(Region.code))]
    result = _import(app, GOOD)
    assert result.exit_code == 0, result.output
    assert "已导入 10 条区划（其中更新 10 条）" in result.output
    with app.app_context():
        after = [(r.code, r.name, r.display_name, r.level, r.parent_code)
                 for r in db.session.scalars(sa.select(Region).order_by(Region.code))]
    assert after == before


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(app):
    result = _import(app, BAD)
    assert result.exit_code == 1
    output = result.output
    assert "导入失败，共 6 处错误，未导入任何数据。" in output
    assert "第 4 行：区划代码应为 12 位数字" in output
    assert "第 6 行：名称为空或过长" in output  # line 5 is blank: the count stays on the physical line
    assert "第 7 行：层级“hamlet”无效" in output
    assert "第 8 行：上级区划 429999003000 不存在" in output
    assert "第 9 行：区划代码 429999001000 重复" in output
    assert "第 10 行：区划代码 429999004000 与层级（village）不符" in output
    assert "第 11 行" not in output and "第 2 行" not in output and "第 3 行" not in output
    assert _count(app) == 0


def test_a_bad_file_leaves_existing_regions_untouched(app):
    assert _import(app, GOOD).exit_code == 0
    before = _count(app)
    assert _import(app, BAD).exit_code == 1
    assert _count(app) == before
    with app.app_context():
        assert db.session.get(Region, "429999001000").name == "甲镇"  # not renamed to 甲镇重复
        assert db.session.get(Region, "429999001007") is None


def test_missing_columns_are_refused(app, tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text("code,name\n429999000000,测试县\n", encoding="utf-8")
    result = _import(app, path)
    assert result.exit_code == 1
    assert "CSV 缺少列：level、parent_code" in result.output
    assert _count(app) == 0


def test_empty_file_is_refused(app, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("code,name,level,parent_code\n", encoding="utf-8")
    result = _import(app, path)
    assert result.exit_code == 1 and "没有区划数据" in result.output


def test_gbk_file_from_excel_is_read(app, tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("code,name,level,parent_code\n429999000000,测试县,county,\n".encode("gbk"))
    result = _import(app, path)
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.get(Region, "429999000000").name == "测试县"


def test_utf8_bom_is_accepted(app):
    with app.app_context():
        result = import_regions("\ufeffcode,name,level,parent_code\n429999000000,测试县,county,\n".encode())
        assert result == {"imported": 1, "updated": 0}


def test_a_child_may_attach_to_an_imported_parent(app, tmp_path):
    assert _import(app, GOOD).exit_code == 0
    path = tmp_path / "more.csv"
    path.write_text("code,name,level,parent_code\n429999001008,新村委会,village,429999001000\n", encoding="utf-8")
    assert _import(app, path).exit_code == 0
    assert _count(app) == 11


def test_child_code_must_lie_under_its_parent(app, tmp_path):
    path = tmp_path / "mismatch.csv"
    path.write_text("code,name,level,parent_code\n429999000000,测试县,county,\n"
                    "429998001000,别镇,township,429999000000\n", encoding="utf-8")
    result = _import(app, path)
    assert result.exit_code == 1 and "第 3 行：区划代码与上级代码不一致" in result.output
