"""Compose a village poster from a template (background, QR code, text) and encode it as PNG or PDF."""

import functools
import io
from dataclasses import dataclass

from PIL import Image, ImageDraw

from app.qr.codes import load_logo, qr_image
from app.qr.fonts import fit_text, load_font, resolve_font_path
from app.qr.templates import MM_PER_INCH, STATIC_SLOTS, Template, poster_fields, slot_text

PNG_COMPRESS_LEVEL = 3  # zlib level: as fast as 1 here and 18% smaller; 6 is 2.5x slower for 20% less
MAX_ART_COLOURS = 4096  # art with more colours than this (a photo) is rendered and saved as RGB
RAMP_STEPS = 16  # anti-aliasing levels kept for each text colour over its background
ANCHORS = {"left": "lm", "center": "mm", "right": "rm"}


@dataclass(frozen=True)
class _Region:
    box: tuple[int, int, int, int]
    slots: tuple[int, ...]
    qr: bool


@dataclass(frozen=True)
class _Prepared:
    base: Image.Image  # RGB page: background and the static slots already drawn
    indexed: Image.Image | None  # base in palette mode, or None when the art is rendered as RGB
    palette: Image.Image | None
    regions: tuple[_Region, ...]  # the parts that change per poster, overlapping boxes merged
    logo: Image.Image | None


def render_poster(template: Template, fields, url, font_path=None) -> Image.Image:
    """Render one poster at the template DPI: mode "P" (palette) for flat art, "RGB" otherwise."""
    font_path = resolve_font_path(font_path)
    values = poster_fields(fields, url)
    static = tuple(slot_text(s, values) for s in template.slots if s.name in STATIC_SLOTS)
    prep = _prepare(template, font_path, static)
    qr = template.qr
    at = (template.px(qr.x_mm), template.px(qr.y_mm))
    code = qr_image(url, template.px(qr.size_mm), logo=prep.logo, logo_ratio=qr.logo_ratio)
    dynamic = {i: slot_text(s, values) for i, s in enumerate(template.slots) if s.name not in STATIC_SLOTS}
    if prep.indexed is None:
        out = prep.base.copy()
        out.paste(code, at)
        draw = ImageDraw.Draw(out)
        for i, text in dynamic.items():
            _draw_slot(draw, template, template.slots[i], text, font_path)
    else:
        out = prep.indexed.copy()
        for region in prep.regions:
            if not region.qr and not any(dynamic[i] for i in region.slots):
                continue
            x0, y0 = region.box[:2]
            crop = prep.base.crop(region.box)
            if region.qr:
                crop.paste(code, (at[0] - x0, at[1] - y0))
            draw = ImageDraw.Draw(crop)
            for i in region.slots:
                _draw_slot(draw, template, template.slots[i], dynamic[i], font_path, (x0, y0))
            out.paste(crop.quantize(palette=prep.palette, dither=Image.Dither.NONE), (x0, y0))
    out.info["dpi"] = (template.dpi, template.dpi)
    return out


def prepare(template: Template, font_path=None) -> None:
    """Decode the art, draw the static text and load the fonts now (pool initializers call this)."""
    font_path = resolve_font_path(font_path)
    values = poster_fields({}, "")
    _prepare(template, font_path, tuple(slot_text(s, values) for s in template.slots if s.name in STATIC_SLOTS))
    for slot in template.slots:
        load_font(font_path, template.pt_px(slot.font_pt))


def poster_png(template: Template, fields, url, font_path=None) -> bytes:
    """PNG bytes of one poster, with its DPI recorded so it prints at the template's size."""
    return encode_png(render_poster(template, fields, url, font_path), template.dpi)


def encode_png(image, dpi) -> bytes:
    """PNG bytes of image (fast zlib level, DPI recorded)."""
    buf = io.BytesIO()
    image.save(buf, "PNG", compress_level=PNG_COMPRESS_LEVEL, dpi=(dpi, dpi))
    return buf.getvalue()


@functools.lru_cache(maxsize=8)
def _background(path, stamp, size):
    with Image.open(path) as img:
        img = img.convert("RGB")
    if img.size != size:
        img = img.resize(size, Image.Resampling.LANCZOS)
    return img


@functools.lru_cache(maxsize=8)
def _prepare(template, font_path, static_texts):
    """Per process and template: decoded art with the static text drawn, its palette, the per-poster regions."""
    base = _background(template.background_path, template.stamp, (template.width_px, template.height_px)).copy()
    draw = ImageDraw.Draw(base)
    static = [s for s in template.slots if s.name in STATIC_SLOTS]
    for slot, text in zip(static, static_texts, strict=True):
        _draw_slot(draw, template, slot, text, font_path)
    logo = None
    if template.qr.logo_path:
        side = round(template.px(template.qr.size_mm) * template.qr.logo_ratio)
        logo = load_logo(template.qr.logo_path)
        logo = logo.resize((side, round(side * logo.height / logo.width)), Image.Resampling.LANCZOS)
    palette = _palette(base, template, logo)
    if palette is None:
        return _Prepared(base, None, None, (), logo)
    indexed = base.quantize(palette=palette, dither=Image.Dither.NONE)
    return _Prepared(base, indexed, palette, _regions(template), logo)


def _palette(base, template, logo):
    """256 colours: black, white, the art's main colours, a ramp per field slot colour over its background, the rest."""
    art = base.getcolors(MAX_ART_COLOURS)
    if art is None:
        return None
    colours = [(255, 255, 255), (0, 0, 0)] + [rgb for _, rgb in sorted(art, reverse=True)[:16]]  # flat areas exact
    for slot in template.slots:
        if slot.name in STATIC_SLOTS:
            continue
        under = max(base.crop(_slot_box(template, slot, pad=False)).getcolors(MAX_ART_COLOURS))[1]
        ink = tuple(int(slot.color[i:i + 2], 16) for i in (1, 3, 5))
        colours += [tuple(round(u + (k - u) * step / (RAMP_STEPS - 1)) for u, k in zip(under, ink, strict=True))
                    for step in range(RAMP_STEPS)]
    if logo is not None:
        flat = Image.alpha_composite(Image.new("RGBA", logo.size, "white"), logo).convert("RGB")
        colours += _rgb_triples(flat.quantize(16).getpalette()[:48])
    colours = list(dict.fromkeys(colours))[:192]
    spare = 256 - len(colours)
    colours += _rgb_triples(base.quantize(spare, Image.Quantize.MEDIANCUT).getpalette()[:spare * 3])
    colours = list(dict.fromkeys(colours))[:256]
    holder = Image.new("P", (1, 1))
    holder.putpalette([c for rgb in colours for c in rgb] + [0] * (768 - 3 * len(colours)))
    return holder


def _rgb_triples(flat):
    return [tuple(flat[i:i + 3]) for i in range(0, len(flat) - 2, 3)]


def _regions(template):
    """Boxes redrawn per poster (the QR code and the field slots); overlapping boxes are merged."""
    qr = template.qr
    x, y, side = template.px(qr.x_mm), template.px(qr.y_mm), template.px(qr.size_mm)
    items = [[(x, y, x + side, y + side), (), True]]
    items += [[_slot_box(template, s, pad=True), (i,), False]
              for i, s in enumerate(template.slots) if s.name not in STATIC_SLOTS]
    while True:
        pair = next(((a, b) for a in range(len(items)) for b in range(a + 1, len(items))
                     if _overlap(items[a][0], items[b][0])), None)
        if pair is None:
            break
        a, b = pair
        (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = items[a][0], items[b][0]
        items[a] = [(min(ax0, bx0), min(ay0, by0), max(ax1, bx1), max(ay1, by1)),
                    items[a][1] + items[b][1], items[a][2] or items[b][2]]
        del items[b]
    return tuple(_Region(tuple(box), slots, has_qr) for box, slots, has_qr in items)


def _overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _slot_box(template, slot, pad):
    """The slot's box in pixels; padded by half the font size (stroke, overhang), kept on the page."""
    margin = template.pt_px(slot.font_pt) // 2 if pad else 0
    box = (template.px(slot.x_mm) - margin, template.px(slot.y_mm) - margin,
           template.px(slot.x_mm + slot.width_mm) + margin, template.px(slot.y_mm + slot.height_mm) + margin)
    return (max(0, box[0]), max(0, box[1]), min(template.width_px, box[2]), min(template.height_px, box[3]))


def _draw_slot(draw, template, slot, text, font_path, origin=(0, 0)):
    """Draw text in its slot: fitted, lines centred vertically in the box, aligned horizontally."""
    if not text:
        return
    width = template.px(slot.width_mm)
    nominal = template.pt_px(slot.font_pt)
    fit = fit_text(font_path, text, width, nominal, template.pt_px(slot.min_font_pt), slot.max_lines, slot.bold)
    if not fit.lines:
        return
    font = load_font(font_path, fit.size_px)
    scale = template.dpi / MM_PER_INCH
    line_h = fit.size_px * slot.line_spacing
    top = slot.y_mm * scale + (slot.max_lines * nominal * slot.line_spacing - line_h * len(fit.lines)) / 2
    left = slot.x_mm * scale
    x = {"left": left + fit.stroke_px, "center": left + width / 2, "right": left + width - fit.stroke_px}[slot.align]
    for i, line in enumerate(fit.lines):
        xy = (x - origin[0], top + (i + 0.5) * line_h - origin[1])
        draw.text(xy, line, font=font, fill=slot.color, anchor=ANCHORS[slot.align],
                  stroke_width=fit.stroke_px, stroke_fill=slot.color)
