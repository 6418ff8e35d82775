"""The village QR poster: previewed inline and downloadable as PNG, for each poster template (A4, table card)."""

from flask import Response, request

from app.console import queries
from app.console.access import staff
from app.console.blueprint import bp
from app.console.forms import clean
from app.console.layout import render
from app.console.nav import NavEntry
from app.qr import service as qr_service
from app.regions.service import ancestors, get_region

NAV = [NavEntry("二维码海报", "console.posters", "poster.view", "公开与审核",
                "本村公开栏二维码海报：预览与下载（A4 海报、桌牌）", 50)]


@bp.route("/posters")
def posters():
    """The villages whose posters this account may print."""
    user = staff("poster.view")
    q = clean(request.args.get("q"))
    page = queries.villages_in_scope(user, "poster.view", q[:40] if q else None, 50, clean(request.args.get("cursor")))
    return render("poster_index.html", page=page, q=q or "", args={"q": q} if q else {})


@bp.route("/villages/<code>/poster")
def poster(code):
    """One village's poster: a preview of the chosen template and the downloads."""
    village = get_region(code, "village")
    user = staff("poster.view", region_code=village.code)
    templates = qr_service.templates(user)
    names = [t["name"] for t in templates]
    chosen = request.args.get("template") or (names[0] if names else qr_service.DEFAULT_TEMPLATE)
    if chosen not in names:
        chosen = qr_service.DEFAULT_TEMPLATE if qr_service.DEFAULT_TEMPLATE in names else (names or [None])[0]
    return render("poster.html", village=village, township=ancestors(village).get("township"),
                  templates=templates, chosen=chosen, url=qr_service.public_url(village.code))


@bp.route("/villages/<code>/poster.png")
def poster_png(code):
    """The poster PNG (inline for the preview, as an attachment with ?download=1)."""
    user = staff("poster.view")
    template = clean(request.args.get("template")) or qr_service.DEFAULT_TEMPLATE
    data, _ = qr_service.poster(user, code, template)
    headers = {}
    if request.args.get("download") == "1":
        headers["Content-Disposition"] = f'attachment; filename="poster-{code}-{template}.png"'
    return Response(data, mimetype="image/png", headers=headers)
