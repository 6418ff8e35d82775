"""Shared marshmallow fields."""

from marshmallow import fields

from app.core.timeutil import to_cst


class Timestamp(fields.DateTime):
    """An aware datetime dumped in China Standard Time with its offset (ISO 8601)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return to_cst(value).isoformat(timespec="seconds")


class Money(fields.Field):
    """Integer fen dumped as {"fen": 12345, "display": "123.45"}."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        sign = "-" if value < 0 else ""
        yuan, fen = divmod(abs(int(value)), 100)
        return {"fen": int(value), "display": f"{sign}{yuan:,}.{fen:02d}"}
