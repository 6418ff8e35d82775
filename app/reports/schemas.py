"""Report API schemas: the submission, its answer, the tracking view and the reporter's own list."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.core.fields import Timestamp
from app.core.pagination import PageQuery
from app.disclosures.content_fields import IdNumber, Line, Paragraphs
from app.reports.models import CHANNELS, KINDS
from app.reports.topics import CHANNEL_LABELS, KIND_LABELS, event_label, status_label

MAX_ATTACHMENTS = 9
PHONE = validate.Regexp(r"^(1\d{10}|0\d{2,3}-?\d{7,8}|\d{7,8})$",
                        error="请填写 11 位手机号或带区号的固定电话，如 0719-4212345")


class ReporterSchema(Schema):
    """A real-name reporter: encrypted at rest, sealed from inspectors."""

    name = Line(required=True, validate=validate.Length(min=1, max=40))
    phone = Line(required=True, validate=PHONE)
    id_number = IdNumber(load_default=None, allow_none=True)


class TargetSchema(Schema):
    """What or whom the report is about."""

    disclosure_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    power_item = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1))
    person_name = Line(load_default=None, allow_none=True, validate=validate.Length(min=1, max=40))
    person_post = Line(load_default=None, allow_none=True, validate=validate.Length(max=60))
    roster_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1),
                               metadata={"description": "被反映人在村（社区）公示名单中的编号"})
    unit_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1),
                             metadata={"description": "被反映单位的编号（GET /units）"})

    @validates_schema
    def _consistent(self, data, **kwargs):
        if data.get("power_item") is not None and data.get("disclosure_id") is None:
            raise ValidationError("指明权力事项时须同时提供小微权力清单的 disclosure_id", "power_item")


class SubmitSchema(Schema):
    """POST /reports."""

    village_code = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Regexp(r"^\d{12}$", error="村代码应为 12 位数字"))
    region_code = fields.String(load_default=None, allow_none=True,
                                validate=validate.Regexp(r"^\d{12}$", error="区划代码应为 12 位数字"),
                                metadata={"description": "不属于某村的反映：所涉乡镇或县的 12 位代码"})
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    topic = Line(required=True, validate=validate.Length(min=1, max=40))
    content = Paragraphs(required=True, validate=validate.Length(min=5, max=5000,
                                                                    error="反映内容应为 5 到 5000 个字"))
    anonymous = fields.Boolean(required=True, truthy={True}, falsy={False})
    reporter = fields.Nested(ReporterSchema, load_default=None, allow_none=True)
    target = fields.Nested(TargetSchema, load_default=None, allow_none=True)
    channel = fields.String(load_default="miniprogram", validate=validate.OneOf(CHANNELS))
    attachment_ids = fields.List(fields.String(validate=validate.Regexp(r"^[0-9a-f]{32}$", error="附件编号无效")),
                                 load_default=list, validate=validate.Length(max=MAX_ATTACHMENTS,
                                                                             error=f"附件最多 {MAX_ATTACHMENTS} 个"))

    @validates_schema
    def _where(self, data, **kwargs):
        target = data.get("target") or {}
        if not data.get("village_code") and not data.get("region_code") and not target.get("unit_id"):
            raise ValidationError("请选择所涉村（社区），或所涉乡镇、县，或被反映的单位", "village_code")
        if data.get("village_code") and data.get("region_code"):
            raise ValidationError("village_code 与 region_code 只填一个", "region_code")

    @validates_schema
    def _reporter(self, data, **kwargs):
        if data.get("anonymous") and data.get("reporter"):
            raise ValidationError("匿名反映请不要填写身份信息；如需实名，请将 anonymous 设为 false", "reporter")
        if len(set(data.get("attachment_ids") or [])) != len(data.get("attachment_ids") or []):
            raise ValidationError("附件重复", "attachment_ids")


class SubmitResultSchema(Schema):
    """201 (new) or 200 (a retry with the same Idempotency-Key)."""

    tracking_no = fields.String()
    receipt_code = fields.String(allow_none=True)
    receipt_code_shown = fields.Boolean()
    replayed = fields.Boolean()
    status = fields.String()
    status_label = fields.String()
    received_at = Timestamp()


class EventSchema(Schema):
    """A public timeline step."""

    at = Timestamp()
    action = fields.String()
    action_label = fields.Function(lambda e: event_label(e.action))
    to_status = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    actor_label = fields.String(allow_none=True)


class PublicReportSchema(Schema):
    """What the receipt-code holder sees: status and the public timeline, not the content or identity."""

    tracking_no = fields.String()
    kind = fields.String()
    kind_label = fields.Function(lambda r: KIND_LABELS.get(r.kind, r.kind))
    topic = fields.String()
    status = fields.String()
    status_label = fields.Function(lambda r: status_label(r.status))
    received_at = Timestamp()
    status_changed_at = Timestamp()
    can_reply = fields.Function(lambda r: r.status not in ("not_accepted", "merged", "closed"))
    timeline = fields.Function(lambda r: EventSchema(many=True).dump(
        [e for e in r.timeline if e.visibility == "public"]))


class MyReportSchema(PublicReportSchema):
    """A logged-in reporter's own report: also what he wrote and where."""

    id = fields.Integer()
    village_code = fields.String()
    content = fields.String()
    channel = fields.String()
    channel_label = fields.Function(lambda r: CHANNEL_LABELS.get(r.channel, r.channel))
    anonymous = fields.Boolean()
    attachment_ids = fields.Function(lambda r: [u.id for u in r.attachments])


class MyReportsQuery(PageQuery):
    """GET /me/reports."""


class CatalogueSchema(Schema):
    """GET /reports/topics."""

    topics = fields.List(fields.String())
    kinds = fields.List(fields.Dict())
    channels = fields.List(fields.Dict())
