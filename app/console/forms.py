"""Form input for the console: reading HTML forms into dicts and validating them with marshmallow schemas."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.core.api import load_or_raise
from app.errors import DomainError, ValidationFailed

MAX_ROWS = 80  # rows of a repeated form group (roster lines, grants) read at most


def clean(value):
    """A form value stripped of surrounding space; empty becomes None."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def validate_form(schema, data):
    """Load data with schema; returns (loaded, {}) or (None, field errors in Chinese)."""
    try:
        return load_or_raise(schema, data), {}
    except ValidationFailed as err:
        return None, err.fields


def errors_of(err: DomainError):
    """A service error's field errors as {field: [messages]} (other shapes are left out)."""
    fields_ = err.fields if isinstance(err.fields, dict) else {}
    return {k: v if isinstance(v, list) else [str(v)] for k, v in fields_.items() if isinstance(v, (list, str))}


def rows(form, prefix, names):
    """Read a repeated group `prefix-<i>-<name>` into [(i, {name: value})], in index order."""
    indices = set()
    for key in form:
        parts = key.split("-")
        if len(parts) == 3 and parts[0] == prefix and parts[1].isdigit() and parts[2] in names:
            index = int(parts[1])
            if index < MAX_ROWS:
                indices.add(index)
    return [(i, {name: form.get(f"{prefix}-{i}-{name}") for name in names}) for i in sorted(indices)]


class AuditFilterForm(Schema):
    """Filters of the audit log page (dates are China Standard Time calendar days, both inclusive)."""

    actor = fields.String(load_default=None, validate=validate.Length(max=64))
    action = fields.String(load_default=None, validate=validate.Length(max=64))
    object_type = fields.String(load_default=None, validate=validate.Length(max=40))
    object_id = fields.String(load_default=None, validate=validate.Length(max=64))
    since = fields.Date(load_default=None)
    until = fields.Date(load_default=None)
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))

    @validates_schema
    def _range(self, data, **kwargs):
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            raise ValidationError({"until": ["结束日期不能早于开始日期"]})


class AccountFormExtras(Schema):
    """What the account form asks beyond the API's CreateUserSchema."""

    password = fields.String(required=True)
    password_confirm = fields.String(load_default=None)

    @validates_schema
    def _same(self, data, **kwargs):
        if data.get("password") != data.get("password_confirm"):
            raise ValidationError({"password_confirm": ["两次输入的密码不一致"]})


def row_errors(errors, source, target):
    """Rename `source.<i>.<field>` error keys to the form's input names `target-<i>-<field>`."""
    renamed = {}
    for key, messages in (errors or {}).items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == source and parts[1].isdigit():
            key = f"{target}-{parts[1]}-{parts[2]}"
        renamed[key] = messages
    return renamed
