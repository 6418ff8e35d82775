"""All-or-nothing import of a region tree from CSV (code,name,level,parent_code)."""

import csv
import io

import sqlalchemy as sa

from app.core.permissions import REGION_LEVEL_DIGITS, region_prefix
from app.core.spreadsheets import decode_csv
from app.errors import Unprocessable
from app.extensions import db
from app.regions.models import LEVELS, Region
from app.regions.names import display_name, unprintable

REQUIRED = ("code", "name", "level", "parent_code")
MAX_ERRORS = 50
MAX_WARNINGS = 200


def _read_rows(data):
    text = decode_csv(data, Unprocessable("文件编码无法识别，请另存为 UTF-8 编码的 CSV", code="import_failed"))
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise Unprocessable(f"CSV 缺少列：{'、'.join(missing)}", code="import_failed", fields={"line": 1})
    return reader


def _check_row(row, seen, known_levels):
    code, name = (row.get("code") or "").strip(), (row.get("name") or "").strip()
    level, parent = (row.get("level") or "").strip(), (row.get("parent_code") or "").strip()
    if len(code) != 12 or not code.isdigit():
        return "区划代码应为 12 位数字"
    if not name or len(name) > 100:
        return "名称为空或过长"
    if level not in LEVELS:
        return f"层级“{level}”无效，应为 {', '.join(LEVELS)}"
    if len(region_prefix(code)) != REGION_LEVEL_DIGITS[level]:
        # permissions match a grant's subtree by the code's prefix, so a code must have its level's shape
        return f"区划代码 {code} 与层级（{level}）不符"
    if code in seen:
        return f"区划代码 {code} 重复"
    if parent:
        parent_level = known_levels.get(parent)
        if parent_level is None:
            return f"上级区划 {parent} 不存在（上级须先于下级出现或已导入）"
        if LEVELS.index(parent_level) >= LEVELS.index(level):
            return f"上级区划层级（{parent_level}）不高于本级（{level}）"
        if not code.startswith(parent[: {"province": 2, "city": 4, "county": 6, "township": 9}.get(parent_level, 12)]):
            return "区划代码与上级代码不一致"
    elif level not in ("province", "city", "county"):
        return "乡镇和村必须有上级区划"
    return None


def import_regions(data, progress=None):
    """Validate every row, then upsert them in one transaction; bad rows raise with their line numbers."""
    reader = _read_rows(data)
    known = dict(db.session.execute(sa.select(Region.code, Region.level)).all())
    rows, errors, seen = [], [], set()
    for row in reader:
        line = reader.line_num  # the physical line, right even after blank lines or quoted line breaks
        problem = _check_row(row, seen, known)
        if problem:
            errors.append({"line": line, "message": problem})
            if len(errors) >= MAX_ERRORS:
                break
            continue
        code = row["code"].strip()
        seen.add(code)
        known[code] = row["level"].strip()
        rows.append(row)
    if errors:
        lines = "；".join(f"第 {e['line']} 行：{e['message']}" for e in errors[:5])
        raise Unprocessable(f"导入失败，共 {len(errors)} 处错误，未导入任何数据。{lines}", code="import_failed",
                            fields={"rows": errors})
    if not rows:
        raise Unprocessable("文件中没有区划数据", code="import_failed")
    existing = set(db.session.scalars(sa.select(Region.code).where(Region.code.in_(list(seen)))).all()) if len(
        seen) < 30000 else set(db.session.scalars(sa.select(Region.code)).all())
    try:
        for index, row in enumerate(rows, start=1):
            values = {"code": row["code"].strip(), "name": row["name"].strip(), "level": row["level"].strip(),
                      "parent_code": (row["parent_code"] or "").strip() or None}
            values["display_name"] = display_name(values["name"], values["level"])
            if values["code"] in existing:
                db.session.execute(sa.update(Region).where(Region.code == values["code"]).values(**values))
            else:
                db.session.add(Region(**values))
            if index % 2000 == 0:
                db.session.flush()
                if progress:
                    progress(index, len(rows))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if progress:
        progress(len(rows), len(rows))
    result = {"imported": len(rows), "updated": len(existing & seen)}
    warnings = glyph_warnings(rows)
    if warnings:  # names the poster font cannot print: imported, but a print name is needed before posters
        result["warnings"] = warnings
    return result


def glyph_warnings(rows):
    """[{code, name, characters, message}] for names with characters the poster font lacks (at most 200)."""
    warnings = []
    for row in rows:
        name = display_name(row["name"].strip(), row["level"].strip())
        missing = unprintable(name)
        if missing:
            code = row["code"].strip()
            shown = "、".join(f"“{c}”（U+{ord(c):04X}）" for c in missing)
            warnings.append({"code": code, "name": name, "characters": [f"U+{ord(c):04X}" for c in missing],
                             "message": f"{code} {name}：字体中没有 {shown}，海报会缺字，请设置打印名称"})
            if len(warnings) >= MAX_WARNINGS:
                break
    return warnings
