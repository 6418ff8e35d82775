"""Resolving the 所属区划 column of a member list: a 12-digit code or a (township +) village name."""

import re

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.contacts.layers import LEVELS
from app.core.permissions import in_scopes, scope_filter
from app.extensions import db
from app.regions.models import Region

CODE_RE = re.compile(r"^\d{12}$")
TOWNSHIP_SPLIT = re.compile(r"^(.+?(?:镇|乡|街道|办事处))(.+)$")


class PlaceError(Exception):
    """A region cell that does not name exactly one region in scope."""


def _label(region):
    parent = region.parent.display_name if region.level == "village" and region.parent is not None else ""
    return f"{parent}{region.display_name}（{region.code}）"


class PlaceResolver:
    """Finds regions by code or name within region prefixes (None in the list: everywhere); caches answers."""

    def __init__(self, prefixes):
        self.prefixes = list(prefixes)
        self.cache = {}

    def _in_scope(self, code):
        return in_scopes(code, self.prefixes)

    def _scoped(self, stmt, table=Region):
        return stmt if None in self.prefixes else stmt.where(scope_filter(table.code, self.prefixes))

    def resolve(self, text):
        """The Region a cell names, or raise PlaceError with a Chinese message."""
        value = "".join((text or "").split())
        if value not in self.cache:
            try:
                self.cache[value] = self._resolve(value)
            except PlaceError as err:
                self.cache[value] = err
        found = self.cache[value]
        if isinstance(found, PlaceError):
            raise found
        return found

    def _resolve(self, value):
        if not value:
            raise PlaceError("所属区划不能为空")
        if CODE_RE.match(value):
            region = db.session.get(Region, value)
            if region is None:
                raise PlaceError(f"区划代码 {value} 不存在")
            if not self._in_scope(region.code):
                raise PlaceError(f"区划代码 {value}（{region.display_name}）不在导入范围内")
            if region.level not in LEVELS:
                raise PlaceError("只能登记到县、乡镇或村（社区）")
            return region
        matches = self._by_name(value) or self._by_township_and_village(value)
        if not matches:
            raise PlaceError(f"导入范围内未找到“{value}”，请填写 12 位区划代码或准确的村（社区）名")
        if len(matches) > 1:
            names = "、".join(_label(r) for r in matches[:4])
            raise PlaceError(f"“{value}”对应多个区划：{names}，请写明乡镇（如 宝丰镇龙井村）或填写区划代码")
        return matches[0]

    def _by_name(self, value):
        stmt = sa.select(Region).where(Region.level.in_(("township", "village")),
                                       sa.or_(Region.display_name == value, Region.name == value))
        return list(db.session.scalars(self._scoped(stmt).order_by(Region.code).limit(10)))

    def _by_township_and_village(self, value):
        match = TOWNSHIP_SPLIT.match(value)
        if not match:
            return []
        township, village = match.groups()
        parent = aliased(Region)
        stmt = (sa.select(Region).join(parent, Region.parent_code == parent.code)
                .where(Region.level == "village", sa.or_(Region.display_name == village, Region.name == village),
                       sa.or_(parent.display_name == township, parent.name == township)))
        return list(db.session.scalars(self._scoped(stmt).order_by(Region.code).limit(10)))
