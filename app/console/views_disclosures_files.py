"""Files of a disclosure: the finance ledger upload with a preview before saving, ledger downloads, attachments.

The ledger upload is read by the pure reader (app.disclosures.finance_io) to show totals and the closing balance;
the file waits in instance/console-imports/ (named by user, disclosure and a random token) until the publisher
confirms, and is then imported by app.disclosures.service.import_finance, which checks and audits everything
again. Attachments of affairs and party texts are stored by app.files.service and linked with update_draft.
"""

import os
import re
import secrets
import time

from flask import Response, current_app, flash, redirect, request, url_for

from app.console.access import staff
from app.console.blueprint import bp
from app.console.forms import clean
from app.console.layout import render
from app.console.views_disclosures import detail_page
from app.console.views_disclosures_edit import editable_detail
from app.disclosures import service as d_service
from app.disclosures.content import validate_content
from app.disclosures.finance_io import MAX_FILE_BYTES, read_ledger
from app.disclosures.periods import parse_period
from app.disclosures.public_view import render_content
from app.errors import BadRequest, DomainError, NotFound
from app.extensions import db
from app.files import service as files_service
from app.files import storage
from app.files.models import Upload

STASH_DIR = "console-imports"
STASH_SECONDS = 2 * 3600
PREVIEW_LINES = 200
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _stash_dir():
    path = os.path.join(current_app.instance_path, STASH_DIR)
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


def _stash_path(user_id, disclosure_id, token):
    return os.path.join(_stash_dir(), f"{int(user_id)}-{int(disclosure_id)}-{token}.upload")


def _stash(user_id, disclosure_id, data):
    """Keep an uploaded ledger until it is confirmed (old ones are swept); returns the token."""
    now = time.time()
    for name in os.listdir(_stash_dir()):
        path = os.path.join(_stash_dir(), name)
        try:
            if now - os.path.getmtime(path) > STASH_SECONDS:
                os.remove(path)
        except OSError:
            pass
    token = secrets.token_urlsafe(24)
    fd = os.open(_stash_path(user_id, disclosure_id, token), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return token


def _import_page(user, disclosure_id, status=200, message=None, **context):
    detail, village = editable_detail(user, disclosure_id)
    if detail["kind"] != "finance":
        raise BadRequest("只有财务公开可以导入收支台账", code="not_finance")
    current = detail["versions"][-1]["content"]
    return render("disclosures/import.html", status=status, d=detail, village=village, current=current,
                  message=message, **context)


@bp.route("/disclosures/<int:disclosure_id>/import")
def disclosure_import_form(disclosure_id):
    """The ledger upload form of a finance draft."""
    return _import_page(staff("disclosure.view_staff"), disclosure_id)


@bp.route("/disclosures/<int:disclosure_id>/import", methods=["POST"])
def disclosure_import_preview(disclosure_id):
    """Read the uploaded .xlsx/.csv and show its lines, totals and closing balance; nothing is saved yet."""
    user = staff("disclosure.view_staff")
    detail, _ = editable_detail(user, disclosure_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _import_page(user, disclosure_id, 400, "请选择要导入的台账文件（.xlsx 或 .csv）")
    data = upload.stream.read(MAX_FILE_BYTES + 1)
    period = parse_period(detail["period"])
    try:
        imported = read_ledger(data, upload.filename, period)
        opening = imported.opening_balance_fen
        if opening is None:
            opening = detail["versions"][-1]["content"]["opening_balance_fen"]
        content = validate_content("finance", {"opening_balance_fen": opening, "lines": imported.lines}, period)
    except DomainError as err:
        return _import_page(user, disclosure_id, err.status, err.message)
    token = _stash(user.id, disclosure_id, data)
    preview = render_content("finance", content, "staff")
    return _import_page(user, disclosure_id, preview=preview, token=token, filename=upload.filename[:100],
                        opening_from_file=imported.opening_balance_fen is not None, preview_lines=PREVIEW_LINES)


@bp.route("/disclosures/<int:disclosure_id>/import/confirm", methods=["POST"])
def disclosure_import_confirm(disclosure_id):
    """Import the previewed file into the draft (replacing its lines)."""
    user = staff("disclosure.view_staff")
    token = clean(request.form.get("token")) or ""
    path = _stash_path(user.id, disclosure_id, token) if _TOKEN.match(token) else None
    if path is None or not os.path.exists(path):
        return _import_page(user, disclosure_id, 400, "预览已过期或文件不存在，请重新上传台账文件")
    with open(path, "rb") as fh:
        data = fh.read()
    filename = clean(request.form.get("filename")) or "ledger"
    try:
        disclosure = d_service.import_finance(user, disclosure_id, data, filename)
    except DomainError as err:
        return _import_page(user, disclosure_id, err.status, err.message)
    os.remove(path)
    count = len(disclosure.latest.content["lines"])
    flash(f"已导入 {count} 行收支明细。请核对后提交审核。", "success")
    return redirect(url_for("console.disclosure", disclosure_id=disclosure_id))


@bp.route("/disclosures/<int:disclosure_id>/export")
def disclosure_export(disclosure_id):
    """Download a finance version as .xlsx or .csv (the import format)."""
    user = staff("disclosure.view_staff")
    fmt = request.args.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise BadRequest("导出格式应为 xlsx 或 csv", code="invalid_format")
    data, name, mimetype = d_service.export_finance(user, disclosure_id, fmt, request.args.get("version", type=int))
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/disclosures/<int:disclosure_id>/attachments", methods=["POST"])
def disclosure_attach(disclosure_id):
    """Upload an image or PDF and attach it to the affairs/party draft."""
    user = staff("disclosure.view_staff")
    detail, _ = editable_detail(user, disclosure_id)
    if detail["kind"] not in ("affairs", "party"):
        raise BadRequest("只有村务公开和党务公开可以添加附件", code="no_attachments")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return detail_page(user, disclosure_id, 400, "请选择要上传的附件（图片或 PDF）")
    content = detail["versions"][-1]["content"]
    try:
        stored = files_service.create_upload(upload.stream.read(), user=user)
        new = {"body": content["body"], "items": content["items"],
               "attachment_ids": [*content["attachment_ids"], stored.id]}
        d_service.update_draft(user, disclosure_id, {"content": new})
    except DomainError as err:
        message = err.message
        if err.fields:
            message = "；".join(str(m) for msgs in err.fields.values() for m in (msgs if isinstance(msgs, list)
                                                                                  else [msgs]))
        return detail_page(user, disclosure_id, err.status, message)
    flash("附件已上传。", "success")
    return redirect(url_for("console.disclosure", disclosure_id=disclosure_id))


@bp.route("/disclosures/<int:disclosure_id>/attachments/<upload_id>")
def disclosure_attachment(disclosure_id, upload_id):
    """Open an attachment listed by any version of the disclosure (staff of its village)."""
    staff("disclosure.view_staff")
    disclosure = d_service.get_disclosure(disclosure_id)
    staff("disclosure.view_staff", region_code=disclosure.village_code)
    listed = {i for v in disclosure.versions for i in (v.content or {}).get("attachment_ids", [])}
    row = db.session.get(Upload, upload_id) if upload_id in listed else None
    data = storage.load(upload_id) if row is not None else None
    if data is None:
        raise NotFound("未找到该附件", code="upload_not_found")
    return Response(data, mimetype=row.mime, headers={"Content-Disposition": "inline"})
