"""QR codes, posters and mini-program codes of a village (settings read here, rendering in codes/render)."""

import logging
import os

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.core.permissions import require, require_anywhere
from app.core.timeutil import utcnow
from app.errors import DomainError, NotFound
from app.extensions import db
from app.qr.batch import printable_check
from app.qr.codes import address_problem, qr_png, qr_svg, village_url
from app.qr.models import Poster, WxaCode
from app.qr.render import poster_png
from app.qr.templates import list_templates, load_template
from app.qr.vector import poster_pdf
from app.regions.service import ancestors, get_region

log = logging.getLogger(__name__)
DEFAULT_TEMPLATE = "a4_notice"


def setting(name, default=None):
    """A QR setting from the app config, falling back to default when unset or empty."""
    value = current_app.config.get(name)
    return default if value in (None, "") else value


def template_root():
    """QR_TEMPLATE_DIR (default: the repository's qr_templates/)."""
    return setting("QR_TEMPLATE_DIR", os.path.join(os.path.dirname(current_app.root_path), "qr_templates"))


def export_dir():
    """QR_EXPORT_DIR (default: instance/exports)."""
    return setting("QR_EXPORT_DIR", os.path.join(current_app.instance_path, "exports"))


def base_url_warning():
    """The red warning staff see before printing when PUBLIC_BASE_URL is loopback, private or unset, else None."""
    problem = address_problem(current_app.config.get("PUBLIC_BASE_URL"))
    if problem is None:
        return None
    return f"{problem}：打印前请让管理员把 PUBLIC_BASE_URL 设置为公网地址（如 https://jd.example.gov.cn）"


def public_url(village_code, poster_id=None):
    """PUBLIC_BASE_URL/v/<code> (+ ?s=<poster id>)."""
    return village_url(setting("PUBLIC_BASE_URL", "http://127.0.0.1:5000"), village_code, poster_id)


def template(name):
    """A checked template; an unknown name is 404 naming it, a broken one 422 with the loader's message."""
    try:
        return load_template(template_root(), name)
    except DomainError as err:
        if err.code == "qr_template_unknown":
            raise NotFound(err.message, code=err.code, fields=err.fields) from None
        raise


def poster_of(village_code, poster_id):
    """The registered poster of this village, or 404."""
    poster = db.session.get(Poster, poster_id) if poster_id else None
    if poster is None or poster.village_code != village_code:
        raise NotFound("未找到该村（社区）的这张海报", code="poster_not_found")
    return poster


def village_fields(village, chain=None):
    """Slot values of a village for poster templates."""
    chain = chain if chain is not None else ancestors(village)
    township, county = chain.get("township"), chain.get("county")
    return {"village_code": village.code,
            "village_name": village.poster_name,
            "township_name": township.poster_name if township else "",
            "county_name": county.poster_name if county else "",
            "township_code": township.code if township else village.code[:9],
            "supervision_phone": village.supervision_phone or ""}


def village_qr(code, fmt, size=512, poster_id=None):
    """(bytes, url) of a village's QR code as png (size px square) or svg; poster_id must be one of its posters."""
    get_region(code, "village")
    if poster_id is not None:
        poster_of(code, poster_id)
    url = public_url(code, poster_id)
    return (qr_png(url, size) if fmt == "png" else qr_svg(url)), url


def poster(user, code, template_name, poster_id=None, fmt="png"):
    """(PNG or vector PDF bytes, url) of a printable poster of a village (staff with poster.view there).

    422 qr_glyph_missing naming the characters when the font lacks one of the names it prints.
    """
    village = get_region(code, "village")
    require(user, "poster.view", region_code=code)
    if poster_id is not None:
        poster_of(code, poster_id)
    checked = template(template_name)
    url = public_url(code, poster_id)
    fields = {**village_fields(village), "url": url}
    printable_check(checked, fields, setting("QR_FONT_PATH"))
    render = poster_pdf if fmt == "pdf" else poster_png
    return render(checked, fields, url, setting("QR_FONT_PATH")), url


def register_poster(user, code, template_name, label=""):
    """Register a poster of a village so its code carries `?s=<id>` and scans count per poster."""
    get_region(code, "village")
    require(user, "poster.view", region_code=code)
    template(template_name)
    row = Poster(village_code=code, template=template_name, label=label or "", created_by=user.id)
    db.session.add(row)
    db.session.commit()
    return poster_view(row)


def list_posters(user, code):
    """A village's registered posters, newest first."""
    get_region(code, "village")
    require(user, "poster.view", region_code=code)
    rows = db.session.scalars(sa.select(Poster).where(Poster.village_code == code).order_by(Poster.id.desc())
                              .limit(200))
    return [poster_view(row) for row in rows]


def poster_view(row):
    """A poster row as the API shows it."""
    return {"id": row.id, "village_code": row.village_code, "template": row.template, "label": row.label,
            "batch_id": row.batch_id, "created_at": row.created_at, "url": public_url(row.village_code, row.id)}


def templates(user):
    """The valid poster templates (any staff who may view posters somewhere)."""
    require_anywhere(user, "poster.view")
    return [{"name": t.name, "label": t.label, "description": t.description, "width_mm": t.width_mm,
             "height_mm": t.height_mm, "dpi": t.dpi} for t in list_templates(template_root())]


def wxacode(code):
    """(bytes, mime) of the village's mini-program code: fetched from WeChat once, then served from the database."""
    from app.wechat.service import wxacode_unlimited

    get_region(code, "village")
    page = setting("WECHAT_VILLAGE_PAGE", "")
    cached = db.session.get(WxaCode, code)
    if cached is not None and cached.page == page:
        return cached.image, cached.mime
    image = wxacode_unlimited(code, page=page or None)
    mime = "image/png" if image.startswith(b"\x89PNG") else "image/jpeg"
    try:
        if cached is None:
            db.session.add(WxaCode(village_code=code, page=page, image=image, mime=mime))
        else:
            cached.page, cached.image, cached.mime, cached.fetched_at = page, image, mime, utcnow()
        db.session.commit()
    except IntegrityError:  # fetched at the same moment by another request: theirs is as good
        db.session.rollback()
        log.info("wxacode of %s was cached concurrently", code)
    return image, mime
