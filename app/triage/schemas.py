"""Request and response schemas of the triage queue, transitions, custody and recusals."""

from marshmallow import Schema, ValidationError, fields, post_load, validate

from app.core.fields import Timestamp
from app.core.pagination import PageQuery
from app.disclosures.content_fields import Line, Paragraphs
from app.reports.conflicts import accused_summary, conflicted_with
from app.reports.models import KINDS
from app.triage.models import IDENTITY_REQUEST_LABELS
from app.triage.states import DISPOSITIONS, STATES

CODE = validate.Regexp(r"^\d{12}$", error="区划代码应为 12 位数字")
VISIBILITY = validate.OneOf(("public", "internal"), error="可见范围应为 public（举报人可见）或 internal（仅内部）")
DISPOSITION = validate.OneOf(DISPOSITIONS, error="处置方式应为 talk_inquiry（谈话函询）、preliminary_verification"
                                                 "（初步核实）、hold_pending（暂存待查）或 close_out（予以了结）")


def _text(max_len, required=False, min_len=0, message=None):
    length = validate.Length(min=min_len, max=max_len, error=message or f"内容应为 {min_len} 到 {max_len} 字")
    if required:
        return Paragraphs(required=True, validate=length)
    return Paragraphs(load_default=None, validate=length)


class QueueQuery(PageQuery):
    """?status=&village=&township=&kind=&topic=&overdue=&due_soon=&q= of the queue."""

    status = fields.String(load_default=None, validate=validate.Length(max=200))
    village = fields.String(load_default=None, validate=CODE)
    township = fields.String(load_default=None, validate=CODE)
    kind = fields.String(load_default=None, validate=validate.OneOf(KINDS, error="类别不正确"))
    topic = Line(load_default=None, validate=validate.Length(max=40))
    overdue = fields.Boolean(load_default=False)
    due_soon = fields.Boolean(load_default=False)
    q = Line(load_default=None, validate=validate.Length(min=1, max=50, error="搜索词应为 1 到 50 字"))

    @post_load
    def split_status(self, data, **kwargs):
        """`status=received,accepted` -> a list of known states."""
        if data.get("status"):
            wanted = [s.strip() for s in data["status"].split(",") if s.strip()]
            unknown = [s for s in wanted if s not in STATES]
            if unknown:
                raise ValidationError({"status": [f"未知的状态：{'、'.join(unknown)}"]})
            data["status"] = wanted
        return data


class AcceptSchema(Schema):
    """POST .../accept."""

    disposition = fields.String(load_default=None, validate=DISPOSITION)
    note = _text(2000)
    visibility = fields.String(load_default="internal", validate=VISIBILITY)


class TriageReasonSchema(Schema):
    """POST .../refuse and .../reopen."""

    reason = _text(2000, required=True, min_len=2, message="理由应为 2 到 2000 字")
    note = _text(2000)


class AssignSchema(Schema):
    """POST .../assign."""

    unit_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    due_date = fields.Date(required=True)
    disposition = fields.String(load_default=None, validate=DISPOSITION)
    note = _text(2000)
    visibility = fields.String(load_default="internal", validate=VISIBILITY)


class NoteSchema(Schema):
    """POST .../hold, /resume, /close: an optional note."""

    note = _text(2000)
    disposition = fields.String(load_default=None, validate=DISPOSITION)
    visibility = fields.String(load_default="internal", validate=VISIBILITY)


class ConcludeSchema(Schema):
    """POST .../conclude."""

    result = _text(2000, required=True, min_len=2, message="办理结果应为 2 到 2000 字")
    disposition = fields.String(load_default=None, validate=DISPOSITION)
    note = _text(2000)


class MessageSchema(Schema):
    """POST .../messages."""

    content = _text(2000, required=True, min_len=1, message="留言应为 1 到 2000 字")
    visibility = fields.String(load_default="internal", validate=VISIBILITY)


class IdentityRequestSchema(Schema):
    """POST .../identity-requests."""

    reason = _text(500, required=True, min_len=5, message="理由应为 5 到 500 字")


class DecisionSchema(Schema):
    """POST /custody/identity-requests/{id}/approve|deny."""

    note = _text(500)


class RequestListQuery(PageQuery):
    """?status= of the custodian's list."""

    status = fields.String(load_default="pending", validate=validate.OneOf(
        ("pending", "approved", "denied"), error="状态应为 pending、approved 或 denied"))


class RecusalCreateSchema(Schema):
    """POST /triage/recusals."""

    inspector_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    village_code = fields.String(required=True, validate=CODE)
    reason = Line(required=True, validate=validate.Length(min=2, max=200, error="回避理由应为 2 到 200 字"))


class RecusalQuery(Schema):
    """?village=&inspector_id= of the recusal list."""

    village = fields.String(load_default=None, validate=CODE)
    inspector_id = fields.Integer(load_default=None)


class RecusalOut(Schema):
    """A recusal."""

    id = fields.Integer()
    inspector_id = fields.Integer()
    village_code = fields.String()
    reason = fields.String()
    created_by_id = fields.Integer()
    created_at = Timestamp()


class Due(Schema):
    """Deadline fields shared by queue items and details."""

    stage = fields.String()
    stage_label = fields.String()
    due_at = fields.Date()
    due_status = fields.String()
    due_status_label = fields.String()
    overdue = fields.Boolean()
    due_soon = fields.Boolean()
    remaining_workdays = fields.Integer()


class QueueItem(Due):
    """A row of the queue."""

    id = fields.Integer()
    tracking_no = fields.String()
    kind = fields.String()
    kind_label = fields.String()
    topic = fields.String()
    status = fields.String()
    status_label = fields.String()
    channel = fields.String()
    village_code = fields.String()
    village_name = fields.String()
    township_code = fields.String()
    township_name = fields.String()
    received_at = Timestamp()
    status_changed_at = Timestamp()
    anonymous = fields.Boolean()
    disposition = fields.String()
    disposition_label = fields.String()
    flagged = fields.Boolean()
    excerpt = fields.String()


class Event(Schema):
    """A timeline event as staff see it."""

    id = fields.Integer()
    at = Timestamp()
    action = fields.String()
    from_status = fields.String()
    to_status = fields.String()
    visibility = fields.String()
    note = fields.String()
    actor_id = fields.Integer()
    actor_label = fields.String()


class Attachment(Schema):
    """An attachment's record (the file itself through the files API)."""

    id = fields.String()
    mime = fields.String()
    size = fields.Integer()
    width = fields.Integer()
    height = fields.Integer()


class Deadline(Schema):
    """One legal limit of a report."""

    kind = fields.String()
    label = fields.String()
    due_on = fields.Date()
    met_on = fields.Date()
    status = fields.String()
    status_label = fields.String()


class AssignmentOut(Schema):
    """An assignment to a unit."""

    id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.String()
    due_date = fields.Date()
    assigned_at = Timestamp()
    answered_at = Timestamp()
    withdrawn_at = Timestamp()
    answer = fields.String()
    rectified = fields.Boolean(allow_none=True)
    open = fields.Boolean()


class IdentityRequestOut(Schema):
    """An identity request (never the identity itself)."""

    id = fields.Integer()
    report_id = fields.Integer()
    tracking_no = fields.String(attribute="report.tracking_no")
    requester_id = fields.Integer()
    reason = fields.String()
    status = fields.String()
    status_label = fields.Method("_label")
    created_at = Timestamp()
    decided_by_id = fields.Integer()
    decided_at = Timestamp()
    decision_note = fields.String()
    accused = fields.Function(lambda r: accused_summary(r.report),
                              metadata={"description": "被反映对象及所有可能匹配（利益冲突）"})
    requester_conflicted = fields.Function(lambda r: conflicted_with(r.requester, r.report_id),
                                           metadata={"description": "申请人或其单位是否可能是被反映人"})

    def _label(self, obj):
        return IDENTITY_REQUEST_LABELS.get(obj.status)


class FiledRequest(IdentityRequestOut):
    """A newly filed request, saying whether any custodian can decide it."""

    custodian_configured = fields.Boolean()
    hint = fields.String()


class ReportDetail(QueueItem):
    """GET /triage/reports/{id}."""

    content = fields.String()
    timeline = fields.List(fields.Nested(Event))
    attachments = fields.List(fields.Nested(Attachment))
    allowed_actions = fields.List(fields.Dict())
    deadlines = fields.List(fields.Nested(Deadline))
    reporter = fields.Dict()
    target = fields.Dict(allow_none=True)
    assignments = fields.List(fields.Nested(AssignmentOut))
    contact_layer = fields.String()
    identity_request = fields.Nested(IdentityRequestOut, allow_none=True)


class SimilarItem(Schema):
    """A likely duplicate."""

    report = fields.Nested(QueueItem)
    score = fields.Float()
    text_score = fields.Float()
    reasons = fields.List(fields.String())
