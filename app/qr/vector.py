"""A poster as a vector PDF page: the template art as a shared image, text in the embedded CJK font, the QR as paths."""

import functools
import io
from dataclasses import dataclass

from PIL import Image

from app.qr.cff import cid_font
from app.qr.codes import QUIET_ZONE, qr_matrix
from app.qr.fonts import fit_text, resolve_font_path
from app.qr.pdf import PdfWriter
from app.qr.templates import MM_PER_INCH, Template, poster_fields, slot_text

PT_PER_MM = 72 / MM_PER_INCH
BACKGROUND, LOGO = b"Bg", b"Lg"


@dataclass(frozen=True)
class VectorPage:
    """One poster page ready for PdfWriter.add_page: size in points, content stream, CIDs used with their text."""

    width_pt: float
    height_pt: float
    content: bytes
    glyphs: dict
    images: tuple


def poster_page(template: Template, fields, url, font_path=None) -> VectorPage:
    """Compose one poster page: art, every text slot as text, the QR code as filled rectangles."""
    font_path = resolve_font_path(font_path)
    font = cid_font(font_path)
    values = poster_fields(fields, url)
    width, height = template.width_mm * PT_PER_MM, template.height_mm * PT_PER_MM
    ops = [b"q %.3f 0 0 %.3f 0 0 cm /Bg Do Q" % (width, height)]
    images = [BACKGROUND]
    glyphs = {}
    for slot in template.slots:
        text = slot_text(slot, values)
        if text:
            ops.append(_slot_ops(template, slot, text, font_path, font, height, glyphs))
    matrix = qr_matrix(url, QUIET_ZONE)
    ops.append(_qr_ops(template, matrix, height))
    if template.qr.logo_path:
        ops.append(_logo_ops(template, len(matrix), height))
        images.append(LOGO)
    return VectorPage(width, height, b"\n".join(ops), glyphs, tuple(images))


def add_poster(writer: PdfWriter, template: Template, page: VectorPage) -> None:
    """Add a composed page to a writer, registering the template's art with it on first use."""
    if not writer.has_image(BACKGROUND):
        writer.image(BACKGROUND, art_png(template.background_path, template.stamp))
    if LOGO in page.images and not writer.has_image(LOGO):
        writer.image(LOGO, art_png(template.qr.logo_path, template.stamp, flatten=True))
    writer.add_page(page.width_pt, page.height_pt, page.content, page.glyphs, page.images)


def poster_pdf(template: Template, fields, url, font_path=None) -> bytes:
    """A one-page vector PDF of one poster."""
    font_path = resolve_font_path(font_path)
    buf = io.BytesIO()
    writer = PdfWriter(buf, cid_font(font_path))
    add_poster(writer, template, poster_page(template, fields, url, font_path))
    writer.close()
    return buf.getvalue()


@functools.lru_cache(maxsize=8)
def art_png(path, stamp, flatten=False) -> bytes:
    """The art file as PNG bytes the writer embeds as they are (transparency flattened onto white for a logo)."""
    with Image.open(path) as img:
        if img.format == "PNG" and not flatten and img.mode in ("L", "RGB", "P") and not img.info.get("interlace"):
            return path.read_bytes()
        rgba = img.convert("RGBA")
    flat = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")
    buf = io.BytesIO()
    flat.save(buf, "PNG")
    return buf.getvalue()


def _rgb(color):
    return b"%.3f %.3f %.3f" % tuple(int(color[i:i + 2], 16) / 255 for i in (1, 3, 5))


def _slot_ops(template, slot, text, font_path, font, page_h, glyphs):
    """Text of one slot, fitted like the PNG renderer (sizes in template pixels), drawn as PDF text."""
    px_pt = 72 / template.dpi
    nominal = template.pt_px(slot.font_pt)
    fit = fit_text(font_path, text, template.px(slot.width_mm), nominal, template.pt_px(slot.min_font_pt),
                   slot.max_lines, slot.bold)
    size = fit.size_px * px_pt
    stroke = fit.stroke_px * px_pt
    line_h = size * slot.line_spacing
    box_w = slot.width_mm * PT_PER_MM
    left = slot.x_mm * PT_PER_MM
    top = slot.y_mm * PT_PER_MM + (slot.max_lines * nominal * px_pt * slot.line_spacing - line_h * len(fit.lines)) / 2
    middle = (font.ascent + font.descent) / 2 / font.units * size  # Pillow's "m" anchor: middle of asc/desc
    colour = _rgb(slot.color)
    out = [b"BT /F1 %.3f Tf %s rg" % (size, colour)]
    # text render mode is graphics state: set it in every slot (2 = fill and stroke: faux bold)
    out.append(b"2 Tr %.3f w %s RG" % (2 * stroke, colour) if stroke else b"0 Tr")
    for i, line in enumerate(fit.lines):
        width = sum(font.advance(ch) for ch in line) * size
        x = {"left": left + stroke, "center": left + (box_w - width) / 2,
             "right": left + box_w - stroke - width}[slot.align]
        baseline = top + (i + 0.5) * line_h + middle
        codes = []
        for ch in line:
            cid = font.cid(ch)
            glyphs.setdefault(cid, ch)
            codes.append(b"%04X" % cid)
        out.append(b"1 0 0 1 %.3f %.3f Tm <%s> Tj" % (x, page_h - baseline, b"".join(codes)))
    out.append(b"ET")
    return b" ".join(out)


def _qr_ops(template, matrix, page_h):
    """The code as one filled path of horizontal runs, in module units, over a white square (quiet zone)."""
    side = template.qr.size_mm * PT_PER_MM
    module = side / len(matrix)
    x0, top = template.qr.x_mm * PT_PER_MM, page_h - template.qr.y_mm * PT_PER_MM
    runs = []
    for y, row in enumerate(matrix):
        x, n = 0, len(row)
        while x < n:
            if row[x]:
                start = x
                while x < n and row[x]:
                    x += 1
                runs.append(b"%d %d %d 1 re" % (start, y, x - start))
            else:
                x += 1
    return (b"q 1 g %.3f %.3f %.3f %.3f re f %.5f 0 0 %.5f %.3f %.3f cm 0 g %s f Q"
            % (x0, top - side, side, side, module, -module, x0, top, b" ".join(runs)))


def _logo_ops(template, modules, page_h):
    """The centre logo on its white pad, sized as in the PNG renderer."""
    side_pt = template.qr.size_mm * PT_PER_MM
    module = side_pt / modules
    symbol = (modules - 2 * QUIET_ZONE) * module
    logo = symbol * template.qr.logo_ratio
    pad = max(module / 2, logo / 12)
    cx = template.qr.x_mm * PT_PER_MM + side_pt / 2
    cy = page_h - template.qr.y_mm * PT_PER_MM - side_pt / 2
    w, h = logo, logo * _aspect(template.qr.logo_path, template.stamp)
    return (b"q 1 g %.3f %.3f %.3f %.3f re f Q q %.3f 0 0 %.3f %.3f %.3f cm /Lg Do Q"
            % (cx - logo / 2 - pad, cy - logo / 2 - pad, logo + 2 * pad, logo + 2 * pad, w, h, cx - w / 2, cy - h / 2))


@functools.lru_cache(maxsize=8)
def _aspect(path, stamp):
    with Image.open(path) as img:
        return img.height / img.width
