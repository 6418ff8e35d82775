"""What each kind of disclosure contains: one marshmallow schema per kind, and validate_content.

Kinds: finance (ledger lines), power (小微权力清单 with step flows), funds (subsidy recipients), affairs and party
(plain-text body, item table, attachments). Money is integer fen; totals and balances are computed elsewhere
(public_view.py) and refused when a client sends them. Field errors use dotted paths with 0-based list indexes
("lines.3.date" is the fourth line).
"""

import re
from datetime import date

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from app.disclosures import content_fields as cf
from app.disclosures.periods import KINDS, PeriodError, parse_period
from app.errors import ValidationFailed

MAX_LINES = 5000
MAX_RECIPIENTS = 5000
_PHONE = re.compile(r"^[0-9][0-9\- ]{4,19}$")
_UPLOAD_ID = re.compile(r"^[0-9A-Za-z]{8,32}$")


def _text(maximum, required=True, minimum=None):
    low = (1 if required else 0) if minimum is None else minimum
    kwargs = {"required": True} if required else {"load_default": ""}
    return cf.Line(validate=validate.Length(min=low, max=maximum), **kwargs)


class StrictSchema(Schema):
    """Unknown fields are refused (a typo must not silently drop data)."""

    class Meta:
        unknown = RAISE


class LedgerLineSchema(StrictSchema):
    """One finance ledger line."""

    date = cf.IsoDate(required=True)
    voucher_no = _text(40, required=False)
    direction = fields.String(required=True, validate=validate.OneOf(cf.DIRECTIONS, error=cf.DIRECTION_ERROR))
    subject = _text(60)
    amount_fen = cf.Fen(required=True)
    counterparty = _text(100, required=False)
    note = _text(200, required=False)


class FinanceSchema(StrictSchema):
    """finance: opening balance (may be negative: an overdrawn account) and ledger lines."""

    opening_balance_fen = cf.Fen(required=True, positive=False)
    lines = fields.List(fields.Nested(LedgerLineSchema), required=True,
                        validate=validate.Length(max=MAX_LINES, error=f"明细不能超过 {MAX_LINES} 行"))

    @pre_load
    def refuse_computed(self, data, **kwargs):
        """Totals and the closing balance are computed, never typed."""
        if isinstance(data, dict):
            typed = [name for name in cf.COMPUTED_FINANCE_FIELDS if name in data]
            if typed:
                raise ValidationError({name: ["合计和期末余额由系统根据明细计算，请勿填写"] for name in typed})
        return data


class StepSchema(StrictSchema):
    """One step of a power item's flow."""

    step_no = fields.Integer(load_default=None)  # accepted and ignored: steps are renumbered 1..n
    name = _text(60)
    actor = _text(60)
    time_limit_days = fields.Integer(load_default=None, allow_none=True, strict=True,
                                     validate=validate.Range(min=0, max=365, error="办理时限应在 0 到 365 天之间"))


class PowerItemSchema(StrictSchema):
    """One item of the list of small and micro powers."""

    item_no = fields.Integer(load_default=None, allow_none=True, strict=True,
                             validate=validate.Range(min=1, max=999, error="事项编号应在 1 到 999 之间"))
    name = _text(100)
    category = _text(40)
    basis = cf.Paragraphs(load_default="", validate=validate.Length(max=1000))
    responsible_post = _text(60)
    steps = fields.List(fields.Nested(StepSchema), required=True,
                        validate=validate.Length(min=1, max=30, error="每个事项应有 1 到 30 个办理步骤"))
    supervision_phone = cf.Line(load_default="", validate=validate.Length(max=20))

    @validates_schema
    def check_phone(self, data, **kwargs):
        """A supervision phone, when given, looks like one."""
        phone = data.get("supervision_phone")
        if phone and not _PHONE.match(phone):
            raise ValidationError("监督电话格式不正确", "supervision_phone")


class PowerSchema(StrictSchema):
    """power: the village's list of small and micro powers."""

    items = fields.List(fields.Nested(PowerItemSchema), required=True,
                        validate=validate.Length(min=1, max=200, error="权力事项应有 1 到 200 项"))


class RecipientSchema(StrictSchema):
    """One recipient of a subsidy programme."""

    name = _text(40)
    id_number = cf.IdNumber(required=True)
    amount_fen = cf.Fen(required=True)


class FundsSchema(StrictSchema):
    """funds: a subsidy programme and its recipients."""

    program = _text(100)
    description = cf.Paragraphs(load_default="", validate=validate.Length(max=2000))
    recipients = fields.List(fields.Nested(RecipientSchema), required=True,
                             validate=validate.Length(min=1, max=MAX_RECIPIENTS,
                                                      error=f"发放对象应有 1 到 {MAX_RECIPIENTS} 人"))


class TableItemSchema(StrictSchema):
    """One row of an affairs/party item table."""

    label = _text(60)
    value = cf.Paragraphs(required=True, validate=validate.Length(max=1000))


class TextSchema(StrictSchema):
    """affairs and party: plain-text body, optional item table, optional attachments (upload ids)."""

    body = cf.Paragraphs(required=True, validate=validate.Length(min=1, max=20000))
    items = fields.List(fields.Nested(TableItemSchema), load_default=list, validate=validate.Length(max=200))
    attachment_ids = fields.List(cf.Line(validate=validate.Regexp(_UPLOAD_ID, error="附件编号格式不正确")),
                                 load_default=list, validate=validate.Length(max=20, error="附件不能超过 20 个"))


SCHEMAS = {"finance": FinanceSchema, "power": PowerSchema, "funds": FundsSchema, "affairs": TextSchema,
           "party": TextSchema}


def _flatten(messages):
    from app.core.api import flatten_messages

    return flatten_messages(messages)


def _finance_rules(content, period):
    errors = {}
    for index, line in enumerate(content["lines"]):
        if period is not None and not (period.start <= date.fromisoformat(line["date"]) <= period.end):
            errors[f"lines.{index}.date"] = [f"日期不在公开期间内（{period.start} 至 {period.end}）"]
    return errors


def _power_rules(content):
    errors, taken = {}, set()
    for index, item in enumerate(content["items"]):
        number = item.get("item_no")
        if number is not None and number in taken:
            errors[f"items.{index}.item_no"] = ["事项编号重复"]
        taken.add(number)
    next_no = max([n for n in taken if n is not None], default=0)
    for item in content["items"]:
        if item.get("item_no") is None:
            next_no += 1
            item["item_no"] = next_no
        item["steps"] = [{**step, "step_no": number} for number, step in enumerate(item["steps"], start=1)]
    return errors


def _funds_rules(content):
    errors, seen = {}, {}
    for index, person in enumerate(content["recipients"]):
        if person["id_number"] in seen:
            errors[f"recipients.{index}.id_number"] = [f"身份证号与第 {seen[person['id_number']] + 1} 人重复"]
        seen.setdefault(person["id_number"], index)
    return errors


def validate_content(kind, content, period=None):
    """Validate and clean a disclosure's content for its kind (and period); raise ValidationFailed naming fields."""
    if kind not in KINDS:
        raise ValidationFailed(fields={"kind": ["公开类别应为 affairs、finance、party、power、funds 之一"]})
    if isinstance(period, str):
        try:
            period = parse_period(period)
        except PeriodError as err:
            raise ValidationFailed(fields={"period": [str(err)]}) from None
    if not isinstance(content, dict):
        raise ValidationFailed(fields={"content": ["公开内容应为对象"]})
    try:
        cleaned = SCHEMAS[kind]().load(content)
    except ValidationError as err:
        raise ValidationFailed(fields=_flatten(err.messages)) from None
    if kind == "finance":
        errors = _finance_rules(cleaned, period)
    elif kind == "power":
        errors = _power_rules(cleaned)
        cleaned["items"] = sorted(cleaned["items"], key=lambda item: item["item_no"])
    elif kind == "funds":
        errors = _funds_rules(cleaned)
    else:
        cleaned["attachment_ids"] = list(dict.fromkeys(cleaned["attachment_ids"]))
        errors = {}
    if errors:
        raise ValidationFailed(fields=errors)
    return cleaned

