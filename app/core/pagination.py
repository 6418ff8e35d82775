"""Keyset pagination: opaque cursors over (sort columns..., id)."""

import base64
import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from marshmallow import Schema, fields, validate

from app.errors import BadRequest


@dataclass
class Page:
    """One page of results and the cursor of the next page (None at the end)."""

    items: list
    next_cursor: str | None


class PageQuery(Schema):
    """`?limit=&cursor=` shared by every list."""

    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))


def encode_cursor(values):
    """Encode the last row's sort values as an opaque cursor."""
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values], ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor, count):
    """Decode a cursor into its sort values; a malformed cursor is a 400."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("分页游标无效", code="invalid_cursor") from None
    if not isinstance(values, list) or len(values) != count:
        raise BadRequest("分页游标无效", code="invalid_cursor")
    return values


def _invalid_cursor():
    return BadRequest("分页游标无效", code="invalid_cursor")


def _coerce(column, value):
    """Check a decoded cursor value against its column's type, so a forged cursor is a 400, never a SQL error."""
    python_type = None
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        pass
    if value is None:
        return None  # a nullable sort column; keyset order over NULLs is the caller's concern
    if isinstance(value, (list, dict)):
        raise _invalid_cursor()
    if python_type is datetime:
        if not isinstance(value, str):
            raise _invalid_cursor()
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise _invalid_cursor() from None
        return parsed
    if python_type is int and (isinstance(value, bool) or not isinstance(value, int) or abs(value) >= 2 ** 63):
        raise _invalid_cursor()
    if python_type is str and not isinstance(value, str):
        raise _invalid_cursor()
    return value


def keyset_page(session, stmt, order, limit, cursor, row_key=None):
    """Run `stmt` ordered by `order` [(column, descending)], after `cursor`, returning a Page."""
    if cursor:
        values = [_coerce(col, v) for (col, _), v in zip(order, decode_cursor(cursor, len(order)), strict=True)]
        stmt = stmt.where(_after(order, values))
    stmt = stmt.order_by(*[col.desc() if desc else col.asc() for col, desc in order]).limit(limit + 1)
    rows = list(session.scalars(stmt))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        key = row_key or (lambda row: [getattr(row, col.key) for col, _ in order])
        next_cursor = encode_cursor(key(rows[-1]))
    return Page(items=rows, next_cursor=next_cursor)


def _after(order, values):
    clauses = []
    for i, (col, desc) in enumerate(order):
        equal = [order[j][0] == values[j] for j in range(i)]
        beyond = col < values[i] if desc else col > values[i]
        clauses.append(sa.and_(*equal, beyond))
    return sa.or_(*clauses)


def where_equal(stmt, filters, columns):
    """Add `column == value` for every filter named in columns ({filter name: column}) that has a value."""
    for name, column in columns.items():
        if filters.get(name):
            stmt = stmt.where(column == filters[name])
    return stmt
