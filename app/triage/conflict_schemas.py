"""Schemas of whom a report accuses: the possible matches (conflicts) and clearing a false one."""

from marshmallow import Schema, fields

from app.triage.schemas import _text


class PossibleMatch(Schema):
    """An account or unit that may be the accused: it never sees or handles the report."""

    id = fields.Integer()
    user_id = fields.Integer(allow_none=True)
    unit_id = fields.Integer(allow_none=True)
    label = fields.String()
    reason = fields.String()
    reason_label = fields.String()


class AccusedSchema(Schema):
    """GET /triage/reports/{id}/conflicts."""

    person_name = fields.String(allow_none=True)
    person_post = fields.String(allow_none=True)
    unit_name = fields.String(allow_none=True)
    handling_level = fields.String(allow_none=True)
    possible_matches = fields.List(fields.Nested(PossibleMatch))


class ClearConflictSchema(Schema):
    """POST /triage/reports/{id}/conflicts/{cid}/clear."""

    reason = _text(200, required=True, min_len=5, message="排除理由应为 5 到 200 字")
