"""Schemas of cases, warnings, unit answers, the 台账 and the figures. No reporter identity is ever dumped."""

from marshmallow import Schema, fields, validate

from app.core.fields import Timestamp
from app.core.pagination import PageQuery
from app.core.timeutil import today_cst
from app.reports.topics import KIND_LABELS
from app.triage.case_models import CASE_STATUS_LABELS, CASE_STATUSES, WARNING_STATUS_LABELS, WARNING_STATUSES
from app.triage.states import STATE_LABELS
from app.triage.stats import GROUPS
from app.triage.stats_sql import COLUMNS

REPORT_IDS = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1)), required=True,
                         validate=validate.Length(min=1, max=200, error="请选择 1 到 200 条反映"))
TEXT = validate.Length(min=1, max=2000, error="长度应在 1 到 2000 字之间")
EXPORT_FORMAT = fields.String(load_default="json", validate=validate.OneOf(("json", "xlsx", "csv")))
REGION = validate.Regexp(r"^\d{12}$", error="应为 12 位区划代码")


class ReportBrief(Schema):
    """A report inside a case or warning, as staff see it: no reporter identity, no content."""

    id = fields.Integer()
    tracking_no = fields.String()
    kind = fields.String()
    kind_label = fields.Function(lambda r: KIND_LABELS.get(r.kind, r.kind))
    topic = fields.String()
    village_code = fields.String()
    status = fields.String()
    status_label = fields.Function(lambda r: STATE_LABELS.get(r.status, r.status))
    received_at = Timestamp()


class CaseCreateSchema(Schema):
    """Merge reports into a new case."""

    report_ids = REPORT_IDS
    title = fields.String(required=True, validate=validate.Length(min=1, max=120, error="标题长度应在 1 到 120 字之间"))


class CaseReportsSchema(Schema):
    """Merge more reports into a case."""

    report_ids = REPORT_IDS


class CaseConcludeSchema(Schema):
    """The result that concludes a case and its reports."""

    result = fields.String(required=True, validate=TEXT)
    reason = fields.String(load_default=None, allow_none=True, validate=TEXT,
                           metadata={"description": "尚有预警未反馈时必填：为何仍办结"})


class CasesQuery(PageQuery):
    """Filters of the case list."""

    status = fields.String(load_default=None, validate=validate.OneOf(CASE_STATUSES))


class CaseSchema(Schema):
    """A case; `reports` only in the detail (the reports the caller may see)."""

    id = fields.Integer()
    title = fields.String()
    status = fields.String()
    status_label = fields.Function(lambda c: CASE_STATUS_LABELS[c.status])
    result = fields.String()
    conclude_reason = fields.String()
    county_code = fields.String()
    township_code = fields.String()
    report_count = fields.Function(lambda c: len(c.links))
    created_at = Timestamp()
    concluded_at = Timestamp()
    reports = fields.Function(lambda c: ReportBrief(many=True).dump(getattr(c, "visible_reports", None) or [])
                              if hasattr(c, "visible_reports") else None)


class WarningCreateSchema(Schema):
    """A warning to a unit."""

    unit_id = fields.Integer(required=True, strict=True)
    case_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    report_ids = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1)), load_default=list,
                             validate=validate.Length(max=200))
    content = fields.String(required=True, validate=TEXT)
    due_date = fields.Date(required=True)


class WarningsQuery(PageQuery):
    """Filters of a warning list."""

    status = fields.String(load_default=None, validate=validate.OneOf(WARNING_STATUSES))
    unit_id = fields.Integer(load_default=None)
    case_id = fields.Integer(load_default=None)


class ResponseSchema(Schema):
    """A unit's answer: what was done and whether the problem is rectified."""

    content = fields.String(required=True, validate=TEXT)
    rectified = fields.Boolean(required=True)


class WarningResponseSchema(Schema):
    """One answer of a unit."""

    content = fields.String()
    rectified = fields.Boolean()
    state_label = fields.Function(lambda r: "整改完毕" if r.rectified else "正在整改")
    evidence = fields.String()
    answered_at = Timestamp()


def _status(warning):
    return warning.effective_status(today_cst())


class WarningSchema(Schema):
    """A warning as staff see it (linked reports by tracking number only)."""

    id = fields.Integer()
    unit = fields.Function(lambda w: {"id": w.unit.id, "name": w.unit.name})
    case_id = fields.Integer()
    case_title = fields.Function(lambda w: getattr(w, "visible_case_title", None))
    content = fields.String()
    due_date = fields.Date()
    status = fields.Function(_status)
    status_label = fields.Function(lambda w: WARNING_STATUS_LABELS[_status(w)])
    overdue = fields.Function(lambda w: _status(w) == "overdue")
    issued_at = Timestamp()
    answered_at = Timestamp()
    rectified_at = Timestamp()
    # only what warnings.for_viewer left: the linked reports this viewer may see
    reports = fields.Function(lambda w: [{"id": r.id, "tracking_no": r.tracking_no}
                                         for r in getattr(w, "visible_reports", [])])
    responses = fields.List(fields.Nested(WarningResponseSchema))


class UnitReportSchema(Schema):
    """A report as a unit handler sees it: never the reporter; the content only when assigned to his unit."""

    tracking_no = fields.String()
    kind_label = fields.String()
    topic = fields.String()
    village_name = fields.String()
    received_at = Timestamp()
    content = fields.String(allow_none=True)


class UnitWarningSchema(WarningSchema):
    """A warning as the unit that received it sees it."""

    case_title = fields.Function(lambda w: w.case.title if w.case else None)
    reports = fields.List(fields.Nested(UnitReportSchema), attribute="unit_reports")


class UnitAssignmentsQuery(PageQuery):
    """Filters of the unit's assignment list."""

    status = fields.String(load_default=None, validate=validate.OneOf(("open", "answered", "overdue")))


class UnitAssignmentSchema(Schema):
    """An assignment as the unit sees it."""

    id = fields.Integer()
    due_date = fields.Date()
    status = fields.String(attribute="unit_status")
    status_label = fields.String(attribute="unit_status_label")
    overdue = fields.Boolean(attribute="unit_overdue")
    note = fields.String()
    assigned_at = Timestamp()
    answered_at = Timestamp()
    answer = fields.String()
    rectified = fields.Boolean(allow_none=True)
    report = fields.Nested(UnitReportSchema, attribute="unit_report")


class PeriodQuery(Schema):
    """A period (default: the current quarter, China time) and an export format."""

    from_ = fields.Date(data_key="from", load_default=None)
    to = fields.Date(load_default=None)
    format = EXPORT_FORMAT


class StatsQuery(PeriodQuery):
    """What to count and how to group it."""

    by = fields.String(load_default="township", validate=validate.OneOf(GROUPS))
    region = fields.String(load_default=None, validate=REGION)


class LedgerQuery(PeriodQuery):
    """Which ledger lines."""

    type = fields.String(load_default=None, validate=validate.OneOf(("report", "case", "warning")))


class StatsSchema(Schema):
    """Figures with their column names and Chinese headers."""

    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()
    by = fields.String()
    by_label = fields.String()
    columns = fields.Function(lambda s: [{"name": n, "label": label} for n, label in COLUMNS])
    items = fields.Raw()
    total = fields.Raw()


class LedgerLineSchema(Schema):
    """One 台账 line."""

    type = fields.String()
    type_label = fields.String()
    id = fields.Integer()
    item = fields.String()
    report_count = fields.Integer()
    reports = fields.String()
    units = fields.String()
    due_date = fields.Date()
    answers = fields.String()
    result = fields.String()
    status = fields.String()
    status_label = fields.String()
    overdue = fields.Boolean()
    created_at = Timestamp()


class LedgerSchema(Schema):
    """The 台账 for a period."""

    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()
    items = fields.List(fields.Nested(LedgerLineSchema))
