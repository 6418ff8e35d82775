"""Multi-page PDFs of posters: PNG pages embedded as images without re-compressing them."""

import io
import struct

from PIL import Image

from app.errors import BadRequest
from app.qr.render import encode_png

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def posters_pdf(images, dpi=None) -> bytes:
    """A multi-page PDF, one poster (PIL image or PNG bytes) per page, each page sized by its DPI."""
    buf = io.BytesIO()
    writer = PdfWriter(buf)
    for image in images:
        if isinstance(image, bytes | bytearray):
            writer.add_png(bytes(image), dpi)
        else:
            page_dpi = dpi or round(image.info.get("dpi", (150, 150))[0])
            writer.add_png(encode_png(image, page_dpi), page_dpi)
    if not writer.page_count:
        raise BadRequest("没有可以放进 PDF 的海报", code="qr_pdf_empty")
    writer.close()
    return buf.getvalue()


class PdfWriter:
    """Writes a PDF page by page from PNG data (lossless Flate, no re-encoding); only offsets stay in memory."""

    def __init__(self, fp):
        self._fp, self._pos, self._offsets, self._pages, self._next = fp, 0, {}, [], 3  # 1 catalog, 2 page tree
        self._write(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")

    @property
    def page_count(self):
        """Pages added so far."""
        return len(self._pages)

    def add_png(self, png, dpi=None):
        """Add one page showing the PNG at dpi (default: the PNG's own, else 150); the page is the image's size."""
        width, height, space, colours, bits, data, png_dpi = _png_parts(png)
        dpi = dpi or png_dpi or 150
        image = self._object(
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent %d "
            b"/Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors %d /BitsPerComponent %d /Columns %d >> "
            b"/Length %d >>" % (width, height, space, bits, colours, bits, width, len(data)), data)
        w_pt, h_pt = width * 72 / dpi, height * 72 / dpi
        content = b"q %.4f 0 0 %.4f 0 0 cm /Im0 Do Q" % (w_pt, h_pt)
        contents = self._object(b"<< /Length %d >>" % len(content), content)
        self._pages.append(self._object(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.4f %.4f] /Resources << /XObject << /Im0 %d 0 R >> >> "
            b"/Contents %d 0 R >>" % (w_pt, h_pt, image, contents)))

    def close(self):
        """Write the page tree, catalog, cross-reference table and trailer."""
        kids = b" ".join(b"%d 0 R" % page for page in self._pages)
        self._object(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(self._pages)), number=2)
        self._object(b"<< /Type /Catalog /Pages 2 0 R >>", number=1)
        start, size = self._pos, self._next
        rows = b"".join(b"%010d 00000 n \n" % self._offsets[n] for n in range(1, size))
        self._write(b"xref\n0 %d\n0000000000 65535 f \n%s" % (size, rows))
        self._write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, start))

    def _object(self, head, stream=None, number=None):
        if number is None:
            number, self._next = self._next, self._next + 1
        self._offsets[number] = self._pos
        self._write(b"%d 0 obj\n%s\n" % (number, head))
        if stream is not None:
            self._write(b"stream\n")
            self._write(stream)
            self._write(b"\nendstream\n")
        self._write(b"endobj\n")
        return number

    def _write(self, data):
        self._fp.write(data)
        self._pos += len(data)


def _png_parts(png):
    """(width, height, PDF colour space, colours, bits, zlib data, dpi) of a PNG; odd PNGs are re-encoded first."""
    if png[:8] != _PNG_SIGNATURE:
        raise ValueError("not a PNG")
    pos, idat, palette, header, dpi = 8, [], b"", None, None
    while pos + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        chunk = png[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"PLTE":
            palette = chunk
        elif kind == b"IDAT":
            idat.append(chunk)
        elif kind == b"pHYs" and chunk[8:9] == b"\x01":  # pixels per metre
            dpi = round(struct.unpack(">I", chunk[:4])[0] * 0.0254) or None  # whole DPI: 150 is stored as 5906/m
        elif kind == b"IEND":
            break
    if header is None:
        raise ValueError("PNG without IHDR")
    width, height, bits, colour_type, _, _, interlace = header
    if interlace or colour_type not in (0, 2, 3) or bits == 16:
        with Image.open(io.BytesIO(png)) as img:
            return _png_parts(encode_png(img.convert("RGB"), dpi or 72))
    if colour_type == 3:
        space = b"[/Indexed /DeviceRGB %d <%s>]" % (len(palette) // 3 - 1, palette.hex().encode())
    else:
        space = b"/DeviceGray" if colour_type == 0 else b"/DeviceRGB"
    return width, height, space, 3 if colour_type == 2 else 1, bits, b"".join(idat), dpi
