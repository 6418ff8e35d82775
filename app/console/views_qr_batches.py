"""Admin: batch export of a township's posters, past batches, progress polled by the browser, downloads; templates."""

from flask import flash, jsonify, redirect, request, url_for

from app.console import queries
from app.console.access import staff
from app.console.blueprint import bp
from app.console.forms import clean, errors_of, validate_form
from app.console.layout import render, split_errors
from app.console.nav import NavEntry
from app.core.permissions import in_scopes, region_scopes
from app.errors import DomainError
from app.extensions import db
from app.qr import batches
from app.qr import service as qr_service
from app.qr.schemas import BatchCreate

NAV = [
    NavEntry("海报批量导出", "console.qr_batches", "qr.batch", "系统管理",
             "按乡镇批量生成各村二维码海报并打包下载", 60),
    NavEntry("海报模板", "console.qr_templates", "qr.batch", "系统管理", "预览 A4 公开栏海报、桌牌等模板", 65),
]
FIELDS = ("township_code", "template", "format")
FORMATS = list(batches.FORMAT_LABELS.items())
REFRESH_SECONDS = 2  # without JavaScript the page refreshes itself; with it, qr-batch.js polls the progress


def _regions(user):
    scopes = region_scopes(user, "qr.batch")
    return [(r.code, ("　" if r.level == "township" else "") + r.display_name) for r in queries.region_choices()
            if r.level in ("county", "township") and in_scopes(r.code, scopes)]


def _form_page(user, status=200, form=None, errors=None, message=None):
    errors = errors or {}
    templates = [(t["name"], t["label"]) for t in qr_service.templates(user)]
    page = batches.list_batches(user, 20, clean(request.args.get("cursor")))
    return render("qr/batches.html", status=status, form=form or {}, errors=errors, message=message,
                  general=split_errors(errors, FIELDS), regions=_regions(user), templates=templates, formats=FORMATS,
                  page=page, base_url_warning=qr_service.base_url_warning())


@bp.route("/admin/qr-batches")
def qr_batches():
    """The form to start a batch for a township (or a whole county) and the past batches."""
    return _form_page(staff("qr.batch"))


@bp.route("/admin/qr-batches", methods=["POST"])
def qr_batch_create():
    """Start a batch; the browser then watches its progress."""
    user = staff("qr.batch")
    form = {name: clean(request.form.get(name)) for name in FIELDS}
    data, errors = validate_form(BatchCreate(), {k: v for k, v in form.items() if v is not None})
    if errors:
        errors = {("township_code" if k == "_schema" else k): v for k, v in errors.items()}
        return _form_page(user, 400, form, errors, "请按提示修改后再提交")
    try:
        batch = batches.create_batch(user, data)
    except DomainError as err:
        db.session.rollback()
        return _form_page(user, err.status, form, errors_of(err), err.message)
    flash(f"已开始生成 {batch.total} 张海报。", "success")
    return redirect(url_for("console.qr_batch", batch_id=batch.id))


@bp.route("/admin/qr-batches/<int:batch_id>")
def qr_batch(batch_id):
    """A batch's progress (polled by qr-batch.js; refreshed without JavaScript) and its download."""
    user = staff("qr.batch")
    view = batches.batch_view(batches.get_batch(user, batch_id))
    running = view["status"] in ("queued", "running")
    return render("qr/batch.html", b=view, running=running, refresh=REFRESH_SECONDS,
                  base_url_warning=qr_service.base_url_warning())


@bp.route("/admin/qr-batches/<int:batch_id>/progress")
def qr_batch_progress(batch_id):
    """The batch's state as JSON for the page's poller."""
    view = batches.batch_view(batches.get_batch(staff("qr.batch"), batch_id))
    keys = ("status", "status_label", "done", "total", "file_name")
    return jsonify({**{k: view[k] for k in keys}, "error": view["error"]["message"] if view["error"] else None,
                    "download_url": url_for("console.qr_batch_download", batch_id=batch_id)
                    if view["status"] == "done" else None})


@bp.route("/admin/qr-batches/<int:batch_id>/download")
def qr_batch_download(batch_id):
    """The finished zip or PDF (409 while it is being made)."""
    return batches.download(staff("qr.batch"), batch_id)


@bp.route("/admin/qr-templates")
def qr_templates():
    """Every poster template, previewed for the first village in the user's scope."""
    user = staff("qr.batch")
    page = queries.villages_in_scope(user, "poster.view", None, 1, None)
    village = page.items[0] if page.items else None
    return render("qr/templates.html", templates=qr_service.templates(user), village=village)
