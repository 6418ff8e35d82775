"""The village QR poster: preview, PNG (300 DPI) and vector PDF downloads per template; the print name for names
the font cannot print."""

from flask import Response, flash, redirect, request, url_for

from app.console import queries
from app.console.access import staff
from app.console.blueprint import bp
from app.console.forms import clean
from app.console.layout import render
from app.console.nav import NavEntry
from app.core.permissions import can
from app.errors import DomainError
from app.extensions import db
from app.qr import service as qr_service
from app.qr.fonts import missing_glyphs
from app.regions.service import ancestors, get_region, set_print_name

NAV = [NavEntry("二维码海报", "console.posters", "poster.view", "公开与审核",
                "本村公开栏二维码海报：预览与下载（A4 海报、桌牌）", 50)]


@bp.route("/posters")
def posters():
    """The villages whose posters this account may print."""
    user = staff("poster.view")
    q = clean(request.args.get("q"))
    page = queries.villages_in_scope(user, "poster.view", q[:40] if q else None, 50, clean(request.args.get("cursor")))
    return render("poster_index.html", page=page, q=q or "", args={"q": q} if q else {},
                  base_url_warning=qr_service.base_url_warning())


@bp.route("/villages/<code>/poster")
def poster(code, status=200, print_error=None):
    """One village's poster: a preview of the chosen template, the downloads, and what the font cannot print."""
    village = get_region(code, "village")
    user = staff("poster.view", region_code=village.code)
    templates = qr_service.templates(user)
    names = [t["name"] for t in templates]
    chosen = request.args.get("template") or (names[0] if names else qr_service.DEFAULT_TEMPLATE)
    if chosen not in names:
        chosen = qr_service.DEFAULT_TEMPLATE if qr_service.DEFAULT_TEMPLATE in names else (names or [None])[0]
    township = ancestors(village).get("township")
    unprintable = [(r, missing_glyphs(r.poster_name, qr_service.setting("QR_FONT_PATH")))
                   for r in (village, township) if r is not None]
    return render("poster.html", status=status, village=village, township=township, templates=templates,
                  chosen=chosen, url=qr_service.public_url(village.code),
                  base_url_warning=qr_service.base_url_warning(),
                  unprintable=[(r, [(c, f"U+{ord(c):04X}") for c in m]) for r, m in unprintable if m],
                  print_error=print_error,
                  may_rename=can(user, "region.manage", region_code=village.code))


@bp.route("/villages/<code>/print-name", methods=["POST"])
def poster_print_name(code):
    """An admin sets (or clears) the name posters print for the village or its township; audited."""
    village = get_region(code, "village")
    target = clean(request.form.get("region_code")) or village.code
    if target not in (village.code, village.parent_code):
        target = village.code
    user = staff("region.manage", region_code=target)
    try:
        region = set_print_name(user, target, clean(request.form.get("print_name")))
    except DomainError as err:
        db.session.rollback()
        return poster(code, status=err.status, print_error=err.message)
    flash(f"已将{region.display_name}的打印名称设为“{region.poster_name}”。" if region.print_name
          else f"已清除{region.display_name}的打印名称。", "success")
    return redirect(url_for("console.poster", code=code))


@bp.route("/villages/<code>/poster.png")
def poster_png(code):
    """The poster PNG at 300 DPI (inline for the preview, as an attachment with ?download=1)."""
    return _poster_file(code, "png", "image/png")


@bp.route("/villages/<code>/poster.pdf")
def poster_pdf(code):
    """The vector PDF poster (text selectable, QR as paths), as an attachment."""
    return _poster_file(code, "pdf", "application/pdf", download=True)


def _poster_file(code, fmt, mimetype, download=False):
    user = staff("poster.view")
    template = clean(request.args.get("template")) or qr_service.DEFAULT_TEMPLATE
    data, _ = qr_service.poster(user, code, template, fmt=fmt)
    headers = {}
    if download or request.args.get("download") == "1":
        headers["Content-Disposition"] = f'attachment; filename="poster-{code}-{template}.{fmt}"'
    return Response(data, mimetype=mimetype, headers=headers)
