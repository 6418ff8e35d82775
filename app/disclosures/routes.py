"""Staff disclosure endpoints: drafting, review, publication, corrections, withdrawal, ledger files, compliance."""

from flask import Response, request

from app.core.api import ApiBlueprint
from app.disclosures import compliance, schemas, service, staff
from app.disclosures.finance_io import MAX_FILE_BYTES
from app.disclosures.public_routes import public_bp
from app.errors import BadRequest, UnsupportedMedia

bp = ApiBlueprint("disclosures", __name__, tag="阳光公开（管理）")
blueprints = [public_bp, bp]
WRITE_ERRORS = (403, 404, 409)


def _idempotency_key():
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 80:
        raise BadRequest("Idempotency-Key 不能超过 80 个字符", code="invalid_idempotency_key")
    return key or None


def _detail(user, disclosure):
    return staff.staff_detail(user, disclosure.id)


@bp.op("/disclosures", "POST", summary="新建公开内容草稿", body=schemas.CreateSchema(),
       response=schemas.StaffDetail(), status=201, auth="required", errors=WRITE_ERRORS)
def create(user, data):
    """Create a draft (publisher of that village); an Idempotency-Key makes a retry return the same draft."""
    return _detail(user, service.create_disclosure(user, data, _idempotency_key()))


@bp.op("/disclosures/<int:disclosure_id>", "PATCH", summary="修改草稿（仅草稿或被退回的版本）",
       body=schemas.UpdateSchema(), response=schemas.StaffDetail(), auth="required", errors=WRITE_ERRORS)
def update(user, disclosure_id, data):
    """Edit the draft or rejected version."""
    return _detail(user, service.update_draft(user, disclosure_id, data))


@bp.op("/disclosures/<int:disclosure_id>/submit", "POST", summary="提交村务监督委员会审核",
       response=schemas.StaffDetail(), auth="required", errors=WRITE_ERRORS)
def submit(user, disclosure_id):
    """Send the draft to review."""
    return _detail(user, service.submit(user, disclosure_id))


@bp.op("/disclosures/<int:disclosure_id>/approve", "POST", summary="审核通过（村务监督委员会）",
       body=schemas.ApproveSchema(), response=schemas.StaffDetail(), auth="required", errors=WRITE_ERRORS)
def approve(user, disclosure_id, data):
    """Approve the submitted version (reviewer of that village, not the submitter)."""
    return _detail(user, service.approve(user, disclosure_id, data["note"]))


@bp.op("/disclosures/<int:disclosure_id>/reject", "POST", summary="退回修改（村务监督委员会）",
       body=schemas.ReasonSchema(), response=schemas.StaffDetail(), auth="required", errors=WRITE_ERRORS)
def reject(user, disclosure_id, data):
    """Send the submitted version back with a reason."""
    return _detail(user, service.reject(user, disclosure_id, data["reason"]))


@bp.op("/disclosures/<int:disclosure_id>/publish", "POST", summary="发布（仅审核通过的版本）",
       response=schemas.StaffDetail(), auth="required", errors=WRITE_ERRORS)
def publish(user, disclosure_id):
    """Publish the approved version and append it to the village ledger."""
    return _detail(user, service.publish(user, disclosure_id))


@bp.op("/disclosures/<int:disclosure_id>/corrections", "POST", summary="更正已发布内容（新版本，重新审核）",
       body=schemas.CorrectionSchema(), response=schemas.StaffDetail(), status=201, auth="required",
       errors=WRITE_ERRORS)
def correct(user, disclosure_id, data):
    """Start a correction: a new version that supersedes the current one once published."""
    return _detail(user, service.correct(user, disclosure_id, data, _idempotency_key()))


@bp.op("/disclosures/<int:disclosure_id>/withdraw", "POST", summary="撤回已发布内容（保留记录与原因）",
       body=schemas.ReasonSchema(), response=schemas.StaffDetail(), auth="required", errors=WRITE_ERRORS)
def withdraw(user, disclosure_id, data):
    """Withdraw the published disclosure."""
    return _detail(user, service.withdraw(user, disclosure_id, data["reason"]))


@bp.op("/disclosures/<int:disclosure_id>/finance-import", "POST", summary="导入财务收支台账（.xlsx 或 .csv）",
       response=schemas.StaffDetail(), auth="required", multipart=True, errors=(403, 404, 409, 413, 415, 422))
def finance_import(user, disclosure_id):
    """Fill a finance draft's lines from an uploaded file (form field `file`); a bad row saves nothing."""
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMedia("请以 multipart/form-data 上传台账文件（字段名 file）")
    upload = request.files.get("file")
    if upload is None:
        raise BadRequest("请选择要导入的台账文件（字段名 file）", code="file_missing",
                         fields={"file": ["此项为必填项"]})
    data = upload.stream.read(MAX_FILE_BYTES + 1)
    return _detail(user, service.import_finance(user, disclosure_id, data, upload.filename or ""))


@bp.op("/disclosures/<int:disclosure_id>/finance-export", summary="导出财务收支台账（xlsx 或 csv）",
       query=schemas.ExportQuery(), auth="optional", errors=(404,),
       produces="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, text/csv")
def finance_export(user, disclosure_id, args):
    """Download a finance version in the import format (published versions for everyone, drafts for staff)."""
    data, name, mimetype = service.export_finance(user, disclosure_id, args["format"], args["version"])
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.op("/staff/disclosures", summary="公开内容工作列表（按村、类别、状态）", query=schemas.StaffListQuery(),
       response=schemas.StaffItem(), paginated=True, auth="required", errors=(403,))
def staff_list(user, args):
    """Disclosures of the villages the user works for, newest change first."""
    return staff.staff_list(user, args["village"], args["kind"], args["state"], args["period"], args["limit"],
                            args["cursor"])


@bp.op("/staff/disclosures/<int:disclosure_id>", summary="公开内容详情（工作人员视图，含草稿与完整信息）",
       response=schemas.StaffDetail(), auth="required", errors=(403, 404))
def staff_detail(user, disclosure_id):
    """Every version of a disclosure, in full."""
    return staff.staff_detail(user, disclosure_id)


@bp.op("/admin/disclosure-compliance", summary="逾期未公开的村（按类别与期间）", query=schemas.ComplianceQuery(),
       response=schemas.ComplianceReport(), auth="required", errors=(403, 404))
def disclosure_compliance(user, args):
    """Villages late with a kind and period under a township or county, within the user's scope."""
    return compliance.compliance_report(user, args["township"], args["as_of"], args["kind"], args["lookback"])
