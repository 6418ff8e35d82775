"""All-or-nothing import of a member list (.xlsx or .csv): every row is checked, then all are saved or none.

Header row (searched in the first 10 rows): 姓名, 类别 (联系点成员/信访情报员), 界别/层级, 所属区划代码 or 村名, 电话.
Errors name the spreadsheet row, the column letter and header: fields {"rows": [{line, column, letter, message}]}.
"""

import unicodedata

from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from app.contacts import service
from app.contacts.layers import LEVELS, layer_code, level_code, type_code
from app.contacts.places import PlaceError, PlaceResolver
from app.contacts.schemas import LAYER_CHOICES, PHONE_RE, MemberCreateSchema, normalise_phone
from app.contacts.sheets import column_letter, read_rows
from app.core.messages import to_chinese
from app.core.permissions import can, region_prefix, region_scopes
from app.errors import Conflict, Forbidden, Unprocessable
from app.extensions import db
from app.security.service import audit

HEADER_SEARCH_ROWS = 10
MAX_ERRORS = 100
COLUMNS = ("name", "type", "layer", "region", "phone")
HEADER_ALIASES = {
    "姓名": "name", "名字": "name",
    "类别": "type", "类型": "type", "人员类别": "type",
    "界别/层级": "layer", "界别": "layer", "层级": "layer", "界别或层级": "layer", "界别、层级": "layer",
    "所属区划代码": "region", "所属区划": "region", "区划代码": "region", "村名": "region", "所属村": "region",
    "所属区划代码或村名": "region", "所属区划代码/村名": "region", "所属村(社区)": "region", "区划": "region",
    "电话": "phone", "联系电话": "phone", "手机": "phone", "手机号": "phone", "手机号码": "phone",
}
HEADER_HINT = "姓名、类别、界别/层级、所属区划代码（或村名）、电话"
FIELD_COLUMNS = {"name": "name", "type": "type", "layer": "layer", "region_code": "region", "phone": "phone"}


def _normalise_header(cell):
    text = "".join(unicodedata.normalize("NFKC", cell or "").split()).replace("*", "").replace("＊", "")
    return text.replace("（", "(").replace("）", ")")


def _find_header(rows):
    for position, (line, row) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        mapping, labels = {}, {}
        for index, cell in enumerate(row):
            column = HEADER_ALIASES.get(_normalise_header(cell))
            if column and column not in mapping:
                mapping[column], labels[column] = index, cell
        if {"name", "phone"} <= set(mapping):
            missing = [c for c in COLUMNS if c not in mapping]
            if missing:
                names = {"type": "类别", "layer": "界别/层级", "region": "所属区划代码或村名"}
                raise Unprocessable(f"第 {line} 行表头缺少列：{'、'.join(names[c] for c in missing)}，未导入任何数据",
                                    code="contacts_header_invalid", fields={"line": line})
            return position, mapping, labels
    raise Unprocessable(f"未找到表头：应有 {HEADER_HINT} 这几列，未导入任何数据", code="contacts_header_invalid")


class _Row:
    """One data row's cells and its errors."""

    def __init__(self, line, row, mapping, labels):
        self.line, self.mapping, self.labels, self.errors = line, mapping, labels, []
        self.cells = {c: (row[i] if i < len(row) else "") for c, i in mapping.items()}

    def error(self, column, message):
        self.errors.append({"line": self.line, "column": self.labels[column],
                            "letter": column_letter(self.mapping[column]), "message": message})


def _check_layer(row, kind, region):
    """The row's layer code (None when it names none), after recording what is wrong with its 界别 cell."""
    text = row.cells["layer"]
    layer, level = layer_code(text), level_code(text)
    if kind == "contact_point" and layer is None:
        row.error("layer", f"界别“{text}”无效，应为：{LAYER_CHOICES}" if text else "联系点成员必须填写界别")
    elif kind == "informant" and text and layer is None:
        if level is None:
            row.error("layer", f"“{text}”既不是界别也不是层级（县级、乡镇级、村级）")
        elif region is not None and region.level != level:
            row.error("layer", f"层级为{LEVELS[level]}，但所属区划是{LEVELS.get(region.level, region.level)}")
    return layer


def _check_row(row, places, user, seen_phones):
    """Loaded MemberCreateSchema data for a row plus its Region, or None with row.errors filled."""
    cells = row.cells
    kind = type_code(cells["type"])
    if kind is None:
        row.error("type", f"类别“{cells['type']}”无效，应为 联系点成员 或 信访情报员" if cells["type"]
                  else "类别不能为空")
    region = None
    try:
        region = places.resolve(cells["region"])
    except PlaceError as err:
        row.error("region", str(err))
    if region is not None and user is not None and not can(user, "contact.manage", region_code=region.code):
        row.error("region", f"{region.display_name}不在您的管辖范围内")
    layer = _check_layer(row, kind, region)
    raw = {"name": cells["name"], "type": kind or "contact_point", "layer": layer,
           "region_code": region.code if region is not None else "000000000000", "phone": cells["phone"]}
    data = None
    try:
        data = MemberCreateSchema().load(raw)
    except ValidationError as err:
        for field, messages in err.messages.items():
            column = FIELD_COLUMNS.get(field)
            if column in ("name", "phone"):
                row.error(column, to_chinese(messages[0]) if cells[column] else f"{row.labels[column]}不能为空")
    phone = normalise_phone(cells["phone"])
    if PHONE_RE.match(phone):  # duplicates are looked for even in rows with other mistakes
        key = service.phone_key(phone)
        if key in seen_phones:
            row.error("phone", f"与第 {seen_phones[key]} 行的电话号码重复")
        elif service.active_phone_taken(key):
            row.error("phone", "该电话号码已登记为联系点成员或信访情报员")
        seen_phones.setdefault(key, row.line)
    return None if row.errors or data is None else (data, region)


def _raise_errors(errors):
    lines = "；".join(f"第 {e['line']} 行 {e['letter']} 列（{e['column']}）：{e['message']}" for e in errors[:5])
    raise Unprocessable(f"导入失败，共 {len(errors)} 处错误，未导入任何数据。{lines}", code="contacts_import_failed",
                        fields={"rows": errors})


def import_members(data, user=None, county=None, with_invites=False, filename=""):
    """Import a member list in one transaction; returns {imported, invites: [(member view, code, expires)]}."""
    prefixes = [region_prefix(county)] if county else [None]
    if user is not None:
        scopes = region_scopes(user, "contact.manage")
        if not scopes:
            raise Forbidden()
        if not county:
            prefixes = scopes
    rows = read_rows(data)
    start, mapping, labels = _find_header(rows)
    places, seen_phones, checked, errors = PlaceResolver(prefixes), {}, [], []
    for line, cells in rows[start + 1:]:
        if not any(cells):
            continue
        row = _Row(line, cells, mapping, labels)
        result = _check_row(row, places, user, seen_phones)
        errors.extend(row.errors)
        if result is not None:
            checked.append(result)
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        _raise_errors(errors)
    if not checked:
        raise Unprocessable("文件中没有成员数据，未导入任何数据", code="contacts_file_empty")
    return _save(checked, user, county, with_invites, filename)


def _save(checked, user, county, with_invites, filename):
    try:
        members = [service.new_member(data, region, user) for data, region in checked]
        db.session.add_all(members)
        db.session.flush()
        invites = []
        if with_invites:
            for member in members:
                code, invite = service.issue_invite(member, user)
                invites.append((service.member_view(user, member), code, invite.expires_at))
        audit("contact.import", user, "contact_member", None,
              {"count": len(members), "county": county, "file": (filename or "")[:100], "invites": with_invites})
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("导入期间有相同电话号码被登记，未导入任何数据，请重试", code="duplicate_phone") from None
    except Exception:
        db.session.rollback()
        raise
    return {"imported": len(members), "invites": invites}
