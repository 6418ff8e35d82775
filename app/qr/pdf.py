"""Streaming PDF writer for posters: vector pages with an embedded CJK subset, or PNG pages as lossless images."""

import io
import struct
import zlib

from PIL import Image

from app.errors import BadRequest
from app.qr.render import encode_png

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def posters_pdf(images, dpi=None) -> bytes:
    """A multi-page PDF of raster posters, one poster (PIL image or PNG bytes) per page, each page sized by its DPI."""
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
    """Writes a PDF page by page; only object offsets, shared images and the set of used glyphs stay in memory.

    Pages are raster (add_png: PNG data as a lossless Flate image, no re-encoding) or vector (add_page: a content
    stream that draws shared images, paths and text in the font /F1, a CJK CidFont embedded at close() as a
    CID-keyed CFF subset of the glyphs used, with a ToUnicode map so the text can be selected and searched).
    """

    def __init__(self, fp, font=None, compress=1):
        self._fp, self._pos, self._offsets, self._pages = fp, 0, {}, []
        self._font, self._compress, self._images, self._glyphs = font, compress, {}, {}
        self._font_ref, self._next = None, 3  # 1 catalog, 2 page tree; the font's number is taken on first use
        self._write(b"%PDF-1.6\n%\xe2\xe3\xcf\xd3\n")

    @property
    def page_count(self):
        """Pages added so far."""
        return len(self._pages)

    def image(self, name, png):
        """Register a PNG image under a resource name (e.g. b"Bg"), shared by every page that draws it; written once."""
        if name not in self._images:
            self._images[name] = self._image_object(png)

    def has_image(self, name) -> bool:
        """Whether an image of that resource name is registered."""
        return name in self._images

    def add_png(self, png, dpi=None):
        """Add one page showing the PNG at dpi (default: the PNG's own, else 150); the page is the image's size."""
        number = self._image_object(png)
        width, height, dpi = *_png_size(png), dpi or _png_parts(png)[6] or 150
        w_pt, h_pt = width * 72 / dpi, height * 72 / dpi
        content = b"q %.4f 0 0 %.4f 0 0 cm /Im0 Do Q" % (w_pt, h_pt)
        self._page(w_pt, h_pt, content, b"/XObject << /Im0 %d 0 R >>" % number)

    def add_page(self, width_pt, height_pt, content, glyphs=None, images=()):
        """Add a vector page: content draws `images` (names from image()) and text in /F1 with CIDs from glyphs."""
        resources = b""
        if images:
            refs = b" ".join(b"/%s %d 0 R" % (n, self._images[n]) for n in dict.fromkeys(images))
            resources += b"/XObject << %s >>" % refs
        if glyphs:
            if self._font is None:
                raise ValueError("a page with text needs the writer's font")
            self._glyphs.update(glyphs)
            if self._font_ref is None:  # reserved now, written by close()
                self._font_ref, self._next = self._next, self._next + 1
            resources += b" /Font << /F1 %d 0 R >>" % self._font_ref
        self._page(width_pt, height_pt, content, resources)

    def close(self):
        """Write the font subset, page tree, catalog, cross-reference table and trailer."""
        if self._glyphs:
            self._write_font()
        kids = b" ".join(b"%d 0 R" % page for page in self._pages)
        self._object(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(self._pages)), number=2)
        self._object(b"<< /Type /Catalog /Pages 2 0 R >>", number=1)
        start, size = self._pos, self._next
        rows = b"".join(b"%010d 00000 n \n" % self._offsets[n] for n in range(1, size))
        self._write(b"xref\n0 %d\n0000000000 65535 f \n%s" % (size, rows))
        self._write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, start))

    def _page(self, w_pt, h_pt, content, resources):
        data = zlib.compress(content, self._compress)
        contents = self._object(b"<< /Length %d /Filter /FlateDecode >>" % len(data), data)
        self._pages.append(self._object(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.4f %.4f] /Resources << %s >> /Contents %d 0 R >>"
            % (w_pt, h_pt, resources, contents)))

    def _image_object(self, png):
        width, height, space, colours, bits, data, _ = _png_parts(png)
        return self._object(
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent %d "
            b"/Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors %d /BitsPerComponent %d /Columns %d >> "
            b"/Length %d >>" % (width, height, space, bits, colours, bits, width, len(data)), data)

    def _write_font(self):
        font, cids = self._font, sorted(self._glyphs)
        name, cff = font.subset_cff(cids)
        data = zlib.compress(cff, 6)
        program = self._object(b"<< /Subtype /CIDFontType0C /Filter /FlateDecode /Length %d >>" % len(data), data)
        x0, y0, x1, y1 = (round(v * 1000 / font.units) for v in font.bbox)
        ascent, descent = (round(v * 1000 / font.units) for v in (font.ascent, font.descent))
        descriptor = self._object(
            b"<< /Type /FontDescriptor /FontName /%s /Flags 4 /FontBBox [%d %d %d %d] /ItalicAngle 0 /Ascent %d "
            b"/Descent %d /CapHeight %d /StemV 80 /FontFile3 %d 0 R >>"
            % (name.encode(), x0, y0, x1, y1, ascent, descent, ascent, program))
        widths = b" ".join(b"%d [%d]" % (cid, font.width_1000(cid)) for cid in cids)
        cid_font = self._object(
            b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /%s /CIDSystemInfo << /Registry (Adobe) "
            b"/Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /DW 1000 /W [%s] >>"
            % (name.encode(), descriptor, widths))
        cmap = _to_unicode(self._glyphs)
        to_unicode = self._object(b"<< /Length %d >>" % len(cmap), cmap)
        self._object(b"<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [%d 0 R] "
                     b"/ToUnicode %d 0 R >>" % (name.encode(), cid_font, to_unicode), number=self._font_ref)

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


def _to_unicode(glyphs):
    """A ToUnicode CMap: each CID to its character (UTF-16BE, surrogate pairs for Extension B and beyond)."""
    rows = []
    items = sorted(glyphs.items())
    for start in range(0, len(items), 100):
        chunk = items[start:start + 100]
        rows.append(b"%d beginbfchar\n" % len(chunk))
        rows += [b"<%04X> <%s>\n" % (cid, char.encode("utf-16-be").hex().upper().encode()) for cid, char in chunk]
        rows.append(b"endbfchar\n")
    return (b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) "
            b"/Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            b"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n" + b"".join(rows)
            + b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")


def _png_size(png):
    return struct.unpack(">II", png[16:24])


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
