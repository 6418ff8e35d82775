"""Upload API schemas."""

from marshmallow import Schema, fields

from app.core.fields import Timestamp


class UploadSchema(Schema):
    """A stored upload: its id (to send as attachment_ids), type by content, size and content hash."""

    id = fields.String()
    mime = fields.String()
    size = fields.Integer()
    width = fields.Integer(allow_none=True)
    height = fields.Integer(allow_none=True)
    sha256 = fields.String()
    created_at = Timestamp()
