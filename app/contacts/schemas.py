"""Contact-point schemas: registration (shared by the API, the console and the importer), lists and results."""

import re
import unicodedata

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from app.contacts.layers import LAYERS, LEVELS, TYPES, layer_code, type_code
from app.core.fields import Timestamp
from app.core.pagination import PageQuery

REGION_CODE = validate.Regexp(r"^\d{12}$", error="应为 12 位区划代码")
# mainland mobile numbers, or a landline with its area code (0719-4212345)
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LAYER_CHOICES = "、".join(LAYERS.values())


def normalise_phone(value):
    """Full-width digits to ASCII; spaces, a +86 prefix and dashes in mobile numbers removed: '138-1234-5678'."""
    text = "".join(unicodedata.normalize("NFKC", str(value)).split())
    text = text.replace("—", "-").replace("－", "-")
    if text.startswith("+86"):
        text = text[3:].lstrip("-")
    compact = text.replace("-", "")
    return compact if MOBILE_RE.match(compact) else text


class LayerField(fields.String):
    """A layer given by its code or its Chinese label; loads the code."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        code = layer_code(text)
        if code is None:
            raise ValidationError(f"界别“{text}”无效，应为：{LAYER_CHOICES}")
        return code


class TypeField(fields.String):
    """A member type given by its code or its Chinese label; loads the code."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        code = type_code(text)
        if code is None:
            raise ValidationError(f"类别“{text}”无效，应为：联系点成员 或 信访情报员")
        return code


class MemberCreateSchema(Schema):
    """A new member: name, type, layer (required for contact points), region and phone."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=40))
    type = TypeField(required=True)
    layer = LayerField(load_default=None, allow_none=True)
    region_code = fields.String(required=True, validate=REGION_CODE)
    phone = fields.String(required=True, validate=validate.Length(min=1, max=30))

    @pre_load
    def _tidy(self, data, **kwargs):
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if isinstance(data.get("name"), str):
            data["name"] = " ".join(data["name"].split())
        if isinstance(data.get("phone"), (str, int)) and not isinstance(data.get("phone"), bool):
            data["phone"] = normalise_phone(data["phone"])
        if data.get("layer") == "":
            data["layer"] = None
        return data

    @validates_schema
    def _rules(self, data, **kwargs):
        errors = {}
        if data.get("phone") and not PHONE_RE.match(data["phone"]):
            errors["phone"] = ["电话号码格式不正确，应为 11 位手机号或带区号的固定电话"]
        if data.get("type") == "contact_point" and not data.get("layer"):
            errors["layer"] = ["联系点成员必须填写界别"]
        if errors:
            raise ValidationError(errors)


class MembersQuery(PageQuery):
    """Filters of the member list."""

    layer = LayerField(load_default=None)
    type = TypeField(load_default=None)
    region = fields.String(load_default=None, validate=REGION_CODE)
    active = fields.Boolean(load_default=None)
    bound = fields.Boolean(load_default=None)
    phone = fields.String(load_default=None, validate=validate.Length(max=30))


class RegionRef(Schema):
    """A region's code and name."""

    code = fields.String()
    name = fields.String()


class MemberSchema(Schema):
    """A member as staff see it (the phone masked unless the viewer may see it in full)."""

    id = fields.Integer()
    name = fields.String()
    type = fields.String(metadata={"enum": list(TYPES)})
    type_label = fields.String()
    layer = fields.String(allow_none=True, metadata={"enum": list(LAYERS)})
    layer_label = fields.String()
    level = fields.String(metadata={"enum": list(LEVELS)})
    level_label = fields.String()
    region = fields.Nested(RegionRef)
    phone = fields.String()
    phone_masked = fields.Boolean()
    bound = fields.Boolean()
    bound_at = Timestamp(allow_none=True)
    is_active = fields.Boolean()
    created_at = Timestamp()
    deactivated_at = Timestamp(allow_none=True)


class MemberInviteSchema(Schema):
    """A member with a one-time invite code (shown this once)."""

    member = fields.Nested(MemberSchema)
    invite_code = fields.String()
    expires_at = Timestamp()


class MembershipSchema(Schema):
    """The caller's own membership, or null."""

    member = fields.Nested(MemberSchema, allow_none=True)


class LayerSchema(Schema):
    """A layer code and its label."""

    code = fields.String()
    label = fields.String()
