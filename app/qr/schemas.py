"""Request and response shapes of the QR endpoints."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.core.fields import Timestamp
from app.core.pagination import PageQuery

CODE = validate.Regexp(r"^\d{12}$", error="应为 12 位区划代码")
TEMPLATE = validate.Regexp(r"^[a-z0-9][a-z0-9_-]{0,63}$", error="模板名称只能包含小写字母、数字、- 和 _")


class QrQuery(Schema):
    """?size= (PNG only) and ?poster= (a registered poster of the village)."""

    size = fields.Integer(load_default=512,
                          validate=validate.Range(min=128, max=2048, error="尺寸应在 128 到 2048 像素之间"))
    poster = fields.Integer(load_default=None, validate=validate.Range(min=1, error="海报编号不正确"))


class PosterQuery(Schema):
    """?template=&poster=."""

    template = fields.String(load_default="a4_notice")
    poster = fields.Integer(load_default=None, validate=validate.Range(min=1, error="海报编号不正确"))


class PosterCreate(Schema):
    """Register a poster of a village."""

    template = fields.String(required=True, validate=TEMPLATE)
    label = fields.String(load_default="", validate=validate.Length(max=100))


class PosterOut(Schema):
    """A registered poster and the link its code carries."""

    id = fields.Integer()
    village_code = fields.String()
    template = fields.String()
    label = fields.String()
    batch_id = fields.Integer(allow_none=True)
    url = fields.String()
    created_at = Timestamp()


class TemplateOut(Schema):
    """A poster template."""

    name = fields.String()
    label = fields.String()
    description = fields.String()
    width_mm = fields.Float()
    height_mm = fields.Float()
    dpi = fields.Integer()


class BatchCreate(Schema):
    """POST /qr/batches."""

    township_code = fields.String(load_default=None, validate=CODE)
    village_codes = fields.List(fields.String(validate=CODE), load_default=None,
                                validate=validate.Length(min=1, error="至少选择一个村（社区）"))
    template = fields.String(load_default="a4_notice", validate=TEMPLATE)
    format = fields.String(load_default="png", validate=validate.OneOf(
        ("png", "pdf", "pdf_village"), error="格式应为 png、pdf（每个乡镇一个多页 PDF）或 pdf_village（每村一个 PDF）"))

    @validates_schema
    def one_scope(self, data, **kwargs):
        """Exactly one of township_code and village_codes."""
        if bool(data.get("township_code")) == bool(data.get("village_codes")):
            raise ValidationError(["乡镇编码和村庄编码列表必须且只能填写一项"], "township_code")


class BatchError(Schema):
    """Why a batch failed."""

    code = fields.String()
    message = fields.String()


class BatchOut(Schema):
    """A batch's status and progress."""

    id = fields.Integer()
    status = fields.String()
    status_label = fields.String()
    done = fields.Integer()
    total = fields.Integer()
    template = fields.String()
    template_label = fields.String(metadata={"description": "模板中文名"})
    format = fields.String()
    format_label = fields.String()
    township_code = fields.String(allow_none=True)
    township_name = fields.String(metadata={"description": "乡镇（或县）名；按村列表导出时为“所选 N 个村（社区）”"})
    created_by = fields.String(metadata={"description": "发起人"})
    error = fields.Nested(BatchError, allow_none=True)
    bytes = fields.Integer(allow_none=True)
    file_name = fields.String(allow_none=True, metadata={"description": "下载文件名：乡镇-模板中文名.zip 或 .pdf"})
    download_url = fields.String(allow_none=True)
    created_at = Timestamp()
    finished_at = Timestamp(allow_none=True)
    expires_at = Timestamp(allow_none=True, metadata={"description": "可下载至"})


class BatchesQuery(PageQuery):
    """?limit=&cursor= of the batch list."""


class ScansQuery(Schema):
    """?township=&from=&to= (China-time dates, inclusive)."""

    township = fields.String(load_default=None, validate=CODE)
    date_from = fields.Date(data_key="from", load_default=None)
    date_to = fields.Date(data_key="to", load_default=None)


class ScanItem(Schema):
    """One counter: a village, a poster (or none) and a day."""

    village_code = fields.String()
    village_name = fields.String()
    day = fields.Date()
    poster_id = fields.Integer(allow_none=True)
    template = fields.String(allow_none=True)
    label = fields.String(allow_none=True)
    count = fields.Integer()


class ScanVillage(Schema):
    """A village's total over the range."""

    village_code = fields.String()
    village_name = fields.String()
    count = fields.Integer()


class ScansOut(Schema):
    """Scan counts over a date range."""

    date_from = fields.Date(data_key="from", attribute="from")
    date_to = fields.Date(data_key="to", attribute="to")
    township_code = fields.String(allow_none=True)
    total = fields.Integer()
    villages = fields.List(fields.Nested(ScanVillage))
    items = fields.List(fields.Nested(ScanItem))
