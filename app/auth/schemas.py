"""Auth request and response schemas."""

from marshmallow import Schema, fields, validate, validates_schema

from app.core.fields import Timestamp
from app.core.pagination import PageQuery

CODE12 = validate.Regexp(r"^\d{12}$", error="应为 12 位区划代码")


class LoginSchema(Schema):
    """Password login."""

    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))
    otp = fields.String(load_default=None, validate=validate.Regexp(r"^\d{6}$", error="动态口令应为 6 位数字"))


class WechatLoginSchema(Schema):
    """wx.login() code."""

    code = fields.String(required=True, validate=validate.Length(min=1, max=128))


class BindSchema(Schema):
    """An invite code."""

    invite_code = fields.String(required=True, validate=validate.Length(min=4, max=40))


class OtpSchema(Schema):
    """A TOTP code."""

    otp = fields.String(required=True, validate=validate.Regexp(r"^\d{6}$", error="动态口令应为 6 位数字"))


class GrantSchema(Schema):
    """A role on a scope."""

    id = fields.Integer(dump_only=True)
    role = fields.String(required=True, validate=validate.OneOf(
        ["publisher", "reviewer", "inspector", "custodian", "unit_handler", "admin"]))
    region_code = fields.String(load_default=None, allow_none=True, validate=CODE12)
    unit_id = fields.Integer(load_default=None, allow_none=True)
    region_name = fields.Method("_region_name", dump_only=True)
    pending = fields.Boolean(dump_only=True)

    def _region_name(self, grant):
        from app.auth.directory import find_region

        region = find_region(grant.region_code)
        return region.display_name if region else None


class UserSchema(Schema):
    """An account as its owner or an admin sees it."""

    id = fields.Integer()
    username = fields.String(allow_none=True)
    display_name = fields.String()
    is_staff = fields.Boolean()
    totp_enabled = fields.Boolean()
    unit_id = fields.Integer(allow_none=True)
    roles = fields.Function(lambda u: sorted({"resident"} | {g.role for g in u.grants}))
    grants = fields.List(fields.Nested(GrantSchema))
    pending_grants = fields.List(fields.Nested(GrantSchema))  # awaiting a second admin; they confer nothing
    wechat_bound = fields.Function(lambda u: bool(u.identities))


class SessionSchema(Schema):
    """A new login session."""

    token = fields.String()
    expires_at = Timestamp()
    user = fields.Nested(UserSchema)
    totp_enrollment_required = fields.Boolean()


class BindResultSchema(Schema):
    """What an invite bound."""

    bound = fields.String()
    session = fields.Nested(SessionSchema, allow_none=True)
    membership_id = fields.Integer(allow_none=True)
    layer = fields.String(allow_none=True)


class TotpSetupSchema(Schema):
    """TOTP enrolment data."""

    secret = fields.String()
    otpauth_uri = fields.String()


class TotpEnabledSchema(Schema):
    """TOTP confirmed."""

    totp_enabled = fields.Boolean()


class CreateUserSchema(Schema):
    """A new staff account."""

    username = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{3,64}$",
                                                                    error="用户名应为 3-64 位字母、数字或 _.-"))
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=10, max=256))
    unit_id = fields.Integer(load_default=None, allow_none=True)
    grants = fields.List(fields.Nested(GrantSchema), load_default=list, validate=validate.Length(max=20))

    @validates_schema
    def _password_strength(self, data, **kwargs):
        from marshmallow import ValidationError

        pw = data.get("password", "")
        if pw and (pw.isdigit() or pw.isalpha()):
            raise ValidationError({"password": ["密码须同时包含字母和数字"]})


class PendingGrantSchema(GrantSchema):
    """A grant awaiting a second admin's confirmation, with whom it is for and who asked."""

    user_id = fields.Integer(dump_only=True)
    username = fields.Function(lambda g: g.user.username, dump_only=True)
    display_name = fields.Function(lambda g: g.user.display_name, dump_only=True)
    granted_by_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = Timestamp(dump_only=True)


class UsersQuery(PageQuery):
    """Account search."""

    q = fields.String(load_default=None, validate=validate.Length(max=64))


class InviteSchema(Schema):
    """A one-time invite code, shown once."""

    invite_code = fields.String()
    expires_at = Timestamp()
