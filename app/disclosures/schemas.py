"""Request and response schemas of the disclosure endpoints."""

from marshmallow import Schema, fields, validate, validates_schema
from marshmallow.exceptions import ValidationError

from app.core.fields import Timestamp
from app.core.pagination import PageQuery
from app.disclosures.content_fields import Line
from app.disclosures.models import KINDS, STATES

KIND = validate.OneOf(KINDS, error="公开类别应为 affairs、finance、party、power、funds 之一")
CODE = validate.Regexp(r"^\d{12}$", error="村（社区）代码应为 12 位数字")


def _title(required=True):
    return Line(required=required, validate=validate.Length(min=1, max=100, error="标题长度应在 1 到 100 字之间"))


def _reason():
    return Line(required=True, validate=validate.Length(min=2, max=500, error="原因应为 2 到 500 字"))


class CreateSchema(Schema):
    """POST /disclosures."""

    village_code = fields.String(required=True, validate=CODE)
    kind = fields.String(required=True, validate=KIND)
    period = fields.String(required=True, validate=validate.Length(max=10))
    title = _title()
    content = fields.Dict(required=True)


class UpdateSchema(Schema):
    """PATCH /disclosures/{id}: any of title, period, content."""

    title = _title(required=False)
    period = fields.String(validate=validate.Length(max=10))
    content = fields.Dict()

    @validates_schema
    def not_empty(self, data, **kwargs):
        """At least one field must be sent."""
        if not data:
            raise ValidationError("请至少修改标题、公开期间或内容中的一项")


class ReasonSchema(Schema):
    """{reason} of a rejection or a withdrawal."""

    reason = _reason()


class ApproveSchema(Schema):
    """{note?} of an approval."""

    note = Line(load_default=None, validate=validate.Length(max=500))


class CorrectionSchema(Schema):
    """POST /disclosures/{id}/corrections."""

    content = fields.Dict(required=True)
    reason = _reason()
    title = _title(required=False)


class PublicListQuery(PageQuery):
    """?kind=&period= of a village's published list."""

    kind = fields.String(load_default=None, validate=KIND)
    period = fields.String(load_default=None, validate=validate.Length(max=10))


class StaffListQuery(PageQuery):
    """?village=&kind=&state=&period= of the staff work list."""

    village = fields.String(load_default=None, validate=CODE)
    kind = fields.String(load_default=None, validate=KIND)
    state = fields.String(load_default=None, validate=validate.OneOf(STATES))
    period = fields.String(load_default=None, validate=validate.Length(max=10))


class LedgerQuery(Schema):
    """?verify=1&after=&limit= of a village ledger."""

    verify = fields.Boolean(load_default=False)
    after = fields.Integer(load_default=0, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class ExportQuery(Schema):
    """?format=xlsx|csv&version= of a finance export."""

    format = fields.String(load_default="xlsx", validate=validate.OneOf(("xlsx", "csv")))
    version = fields.Integer(load_default=None, validate=validate.Range(min=1))


class ComplianceQuery(Schema):
    """?township=&as_of=&kind=&lookback= of the compliance report."""

    township = fields.String(required=True, validate=CODE)
    as_of = fields.Date(load_default=None)
    kind = fields.String(load_default=None, validate=KIND)
    lookback = fields.Integer(load_default=4, validate=validate.Range(min=1, max=12))


class VersionBrief(Schema):
    """A published version in a history list."""

    version = fields.Integer(allow_none=True)
    state = fields.String()
    state_label = fields.String()
    title = fields.String()
    published_at = Timestamp(allow_none=True)
    superseded_at = Timestamp(allow_none=True)
    supersedes = fields.Integer(allow_none=True)
    correction_reason = fields.String(allow_none=True)
    seq = fields.Integer(allow_none=True)
    hash = fields.String(allow_none=True)
    prev_hash = fields.String(allow_none=True)


class PublicSummary(VersionBrief):
    """A published disclosure in a village's list."""

    id = fields.Integer()
    village_code = fields.String()
    kind = fields.String()
    kind_label = fields.String()
    period = fields.String()
    period_label = fields.String()
    status = fields.String()
    status_label = fields.String()
    first_published_at = Timestamp(allow_none=True)
    corrected = fields.Boolean()


class Withdrawal(Schema):
    """Why and when a disclosure was withdrawn."""

    reason = fields.String(allow_none=True)
    withdrawn_at = Timestamp(allow_none=True)
    seq = fields.Integer(allow_none=True)
    hash = fields.String(allow_none=True)


class PublicVersion(PublicSummary):
    """A published version with its content as the public reads it."""

    content = fields.Raw()


class PublicDetail(PublicVersion):
    """GET /disclosures/{id}."""

    correction = fields.Dict(allow_none=True)
    withdrawal = fields.Nested(Withdrawal, allow_none=True)
    versions = fields.List(fields.Nested(VersionBrief))


class StaffItem(Schema):
    """One disclosure in the staff work list."""

    id = fields.Integer()
    village_code = fields.String()
    kind = fields.String()
    kind_label = fields.String()
    period = fields.String()
    period_label = fields.String()
    status = fields.String()
    status_label = fields.String()
    title = fields.String()
    version = fields.Integer(allow_none=True)
    state = fields.String()
    state_label = fields.String()
    review_note = fields.String(allow_none=True)
    current_version = fields.Integer(allow_none=True)
    created_at = Timestamp()
    updated_at = Timestamp()
    submitted_at = Timestamp(allow_none=True)


class StaffVersion(VersionBrief):
    """A version in full, for staff."""

    content = fields.Raw()
    created_by = fields.String(allow_none=True)
    created_at = Timestamp()
    updated_at = Timestamp()
    submitted_by = fields.String(allow_none=True)
    submitted_at = Timestamp(allow_none=True)
    reviewed_by = fields.String(allow_none=True)
    reviewed_at = Timestamp(allow_none=True)
    review_note = fields.String(allow_none=True)
    published_by = fields.String(allow_none=True)


class StaffDetail(StaffItem):
    """GET /staff/disclosures/{id} and the answer of every write."""

    withdrawn_at = Timestamp(allow_none=True)
    withdraw_reason = fields.String(allow_none=True)
    withdrawn_by = fields.String(allow_none=True)
    versions = fields.List(fields.Nested(StaffVersion))


class LedgerEntryBrief(Schema):
    """One ledger entry."""

    seq = fields.Integer(allow_none=True)
    event = fields.String()
    disclosure_id = fields.Integer(allow_none=True)
    version = fields.Integer(allow_none=True)
    kind = fields.String()
    period = fields.String()
    title = fields.String()
    hash = fields.String(allow_none=True)
    prev_hash = fields.String(allow_none=True)
    recorded_at = Timestamp()


class LedgerEntryDocument(LedgerEntryBrief):
    """One ledger entry with the document its hash covers."""

    document = fields.Raw()


class LedgerListing(Schema):
    """GET /villages/{code}/ledger."""

    village_code = fields.String()
    head = fields.Dict()
    entries = fields.List(fields.Nested(LedgerEntryBrief))
    next_after = fields.Integer(allow_none=True)
    verification = fields.Dict()


class ComplianceItem(Schema):
    """One village late for one kind and period."""

    village_code = fields.String()
    village_name = fields.String()
    kind = fields.String()
    kind_label = fields.String()
    period = fields.String()
    period_label = fields.String()
    granularity = fields.String()
    due_date = fields.Date()
    status = fields.String()
    days_late = fields.Integer()
    published_on = fields.Date()
    disclosure_id = fields.Integer()


class ComplianceReport(Schema):
    """GET /admin/disclosure-compliance."""

    region = fields.Dict()
    as_of = fields.Date()
    lookback = fields.Integer()
    villages_checked = fields.Integer()
    villages_late = fields.Integer()
    counts = fields.Dict()
    items = fields.List(fields.Nested(ComplianceItem))
