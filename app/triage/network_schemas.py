"""Schemas of posted letters, mailings, outcomes, proposals, petition volumes and the networks' figures."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.contacts.layers import LAYERS
from app.core.fields import Timestamp
from app.core.pagination import PageQuery
from app.disclosures.content_fields import Line, Paragraphs
from app.reports.schemas import MAX_ATTACHMENTS, SubmitResultSchema, TargetSchema
from app.triage.network_models import ADDRESSEES, OUTCOME_KINDS, VERDICTS

TEXT = validate.Length(min=1, max=2000, error="长度应在 1 到 2000 字之间")
REGION = validate.Regexp(r"^\d{12}$", error="应为 12 位区划代码")
EXPORT_FORMAT = fields.String(load_default="json", validate=validate.OneOf(("json", "xlsx", "csv")))


class MemberQuery(Schema):
    """Find a member by name, member number or phone."""

    q = Line(required=True, validate=validate.Length(min=1, max=40))


class MemberBriefSchema(Schema):
    """A member as the letter form lists him (phone masked)."""

    id = fields.Integer()
    name = fields.String()
    type = fields.String()
    type_label = fields.String()
    layer = fields.String()
    layer_label = fields.String()
    level_label = fields.String()
    region_code = fields.String()
    place = fields.String()
    phone = fields.String()
    is_active = fields.Boolean()
    bound = fields.Boolean()


class LetterFormSchema(Schema):
    """The 情况反馈表's fields besides the main text."""

    subject = Line(load_default=None, allow_none=True, validate=validate.Length(max=120))
    involved = Line(load_default=None, allow_none=True, validate=validate.Length(max=120))
    suggestion = Paragraphs(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    remark = Paragraphs(load_default=None, allow_none=True, validate=validate.Length(max=500))


class LetterCreateSchema(Schema):
    """POST /triage/letters: a posted letter for a named member."""

    member_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    postmarked_on = fields.Date(required=True, metadata={"description": "信封邮戳日期"})
    topic = Line(required=True, validate=validate.Length(min=1, max=40))
    content = Paragraphs(required=True, validate=validate.Length(min=5, max=5000, error="反映内容应为 5 到 5000 个字"))
    form = fields.Nested(LetterFormSchema, load_default=None, allow_none=True)
    target = fields.Nested(TargetSchema, load_default=None, allow_none=True)
    attachment_ids = fields.List(fields.String(validate=validate.Regexp(r"^[0-9a-f]{32}$", error="附件编号无效")),
                                 load_default=list, validate=validate.Length(max=MAX_ATTACHMENTS),
                                 metadata={"description": "来信扫描件（先 POST /uploads，图片或 PDF）"})


class LetterResultSchema(SubmitResultSchema):
    """The entered letter: the report it became (a submission's answer) and whose letter it was."""

    member_id = fields.Integer()
    postmarked_on = fields.Date()


class MailingCreateSchema(Schema):
    """Forms posted to members."""

    region_code = fields.String(required=True, validate=REGION)
    mailed_on = fields.Date(required=True)
    layers = fields.Dict(keys=fields.String(validate=validate.OneOf(tuple(LAYERS))),
                         values=fields.Integer(strict=True, validate=validate.Range(min=0, max=1_000_000)),
                         required=True, metadata={"description": "各界别寄发份数，如 {\"farmer\": 500}"})
    note = Line(load_default=None, allow_none=True, validate=validate.Length(max=500))


class MailingSchema(Schema):
    """A recorded mailing."""

    id = fields.Integer()
    region_code = fields.String()
    mailed_on = fields.Date()
    forms = fields.Integer()
    layers = fields.Dict()
    note = fields.String()
    created_at = Timestamp()


class RegionQuery(Schema):
    """An optional region filter."""

    region_code = fields.String(load_default=None, validate=REGION)


class PetitionCreateSchema(Schema):
    """A region's petition volume of a year."""

    region_code = fields.String(required=True, validate=REGION)
    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2100))
    volume = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=10_000_000))


class PetitionSchema(Schema):
    """A recorded petition volume."""

    region_code = fields.String()
    year = fields.Integer()
    volume = fields.Integer()
    recorded_at = Timestamp()


class OutcomeCreateSchema(Schema):
    """How a report or problem ended."""

    kind = fields.String(required=True, validate=validate.OneOf(tuple(OUTCOME_KINDS)),
                         metadata={"description": "defused 超前化解, verified 初步核实, filed 立案, disciplined 处分, "
                                                  "referred 转有关部门, closed 了结"})
    occurred_on = fields.Date(required=True)
    note = Paragraphs(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    verdict = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(tuple(VERDICTS)))
    case_number = Line(load_default=None, allow_none=True, validate=validate.Length(max=60))
    persons = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=0, max=999))
    party_members = fields.Integer(load_default=None, allow_none=True, strict=True,
                                   validate=validate.Range(min=0, max=999))
    unit_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    department = Line(load_default=None, allow_none=True, validate=validate.Length(max=120))


class OutcomeSchema(Schema):
    """A recorded outcome."""

    id = fields.Integer()
    report_id = fields.Integer()
    case_id = fields.Integer()
    kind = fields.String()
    kind_label = fields.Function(lambda o: OUTCOME_KINDS.get(o.kind, o.kind))
    occurred_on = fields.Date()
    note = fields.String()
    verdict = fields.String()
    verdict_label = fields.Function(lambda o: VERDICTS.get(o.verdict) if o.verdict else None)
    case_number = fields.String()
    persons = fields.Integer()
    party_members = fields.Integer()
    unit_id = fields.Integer()
    department = fields.String()
    created_at = Timestamp()


class ProposalCreateSchema(Schema):
    """A proposal up."""

    region_code = fields.String(required=True, validate=REGION)
    addressee = fields.String(required=True, validate=validate.OneOf(tuple(ADDRESSEES)),
                              metadata={"description": "party_committee 县委, government 县政府, both 县委、县政府"})
    title = Line(required=True, validate=validate.Length(min=1, max=120))
    content = Paragraphs(required=True, validate=TEXT)
    sent_on = fields.Date(required=True)
    case_ids = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1)), required=True,
                           validate=validate.Length(min=1, max=50, error="请选择 1 到 50 个问题"))


class ProposalAnswerSchema(Schema):
    """The answer to a proposal."""

    answer = Paragraphs(required=True, validate=TEXT)
    answered_on = fields.Date(required=True)


class ProposalsQuery(PageQuery):
    """Filters of the proposal list."""

    year = fields.Integer(load_default=None, validate=validate.Range(min=2000, max=2100))


class ProposalSchema(Schema):
    """A proposal with its answer."""

    id = fields.Integer()
    region_code = fields.String()
    addressee = fields.String()
    addressee_label = fields.Function(lambda p: ADDRESSEES.get(p.addressee, p.addressee))
    title = fields.String()
    content = fields.String()
    sent_on = fields.Date()
    case_ids = fields.Function(lambda p: [link.case_id for link in p.case_links])
    answer = fields.String()
    answered_on = fields.Date()
    created_at = Timestamp()


class RectificationSchema(Schema):
    """A unit's rectification state: 正在整改 or 整改完毕 (with evidence)."""

    state = fields.String(required=True, validate=validate.OneOf(("rectifying", "rectified")),
                          metadata={"description": "rectifying 正在整改, rectified 整改完毕"})
    content = Paragraphs(required=True, validate=TEXT)
    evidence = Paragraphs(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class NetworksQuery(Schema):
    """GET /triage/stats/networks."""

    region_code = fields.String(load_default=None, validate=REGION)
    region = fields.String(load_default=None, validate=REGION)
    from_ = fields.Date(data_key="from", load_default=None)
    to = fields.Date(load_default=None)
    format = EXPORT_FORMAT

    @validates_schema
    def _period(self, data, **kwargs):
        if data.get("from_") and data.get("to") and data["to"] < data["from_"]:
            raise ValidationError("结束日期不能早于开始日期", "to")


class NetworksSchema(Schema):
    """The two chains of a region and period, the previous period's and the change in per cent."""

    region_code = fields.String()
    region_name = fields.String()
    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()
    previous_from = fields.Date()
    previous_to = fields.Date()
    contact_point = fields.Raw()
    informant = fields.Raw()
    previous = fields.Raw()
    change_pct = fields.Raw()
