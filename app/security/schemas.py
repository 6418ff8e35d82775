"""Audit log query and output schemas."""

from marshmallow import Schema, fields, validate

from app.core.fields import Timestamp
from app.core.pagination import PageQuery


class AuditQuery(PageQuery):
    """Filters of the audit log."""

    actor_id = fields.Integer(load_default=None)
    action = fields.String(load_default=None, validate=validate.Length(max=64))
    object_type = fields.String(load_default=None, validate=validate.Length(max=40))
    object_id = fields.String(load_default=None, validate=validate.Length(max=64))
    since = fields.AwareDateTime(load_default=None, default_timezone=None)
    until = fields.AwareDateTime(load_default=None, default_timezone=None)


class AuditEntrySchema(Schema):
    """One audit entry."""

    id = fields.Integer()
    at = Timestamp()
    actor_id = fields.Integer(allow_none=True)
    actor_name = fields.String(allow_none=True)
    action = fields.String()
    object_type = fields.String(allow_none=True)
    object_id = fields.String(allow_none=True)
    address_hash = fields.String(allow_none=True)
    detail = fields.Dict(allow_none=True)
