"""The CJK font inside PDFs: CIDs and widths of characters, and a CID-keyed CFF subset of the glyphs a document uses.

fontTools reads the font (one face of a .ttc/.otc or an .otf); each used glyph's outline is re-encoded once per
process as a self-contained Type 2 charstring (no subroutines), so a subset for a document is put together from
cached bytes in microseconds, however many documents a batch writes. Content streams address glyphs by CID with
the Identity-H encoding; the subset keeps the original CIDs in its charset.
"""

import functools
import hashlib
import string
import struct

from app.qr.fonts import face_index

CID_COUNT = 65535


class CidFont:
    """One CFF-outline face: cmap, advance widths, vertical metrics and cached subset charstrings."""

    def __init__(self, path):
        from fontTools.ttLib import TTFont

        self.path = path
        self._font = TTFont(path, fontNumber=face_index(path), lazy=True)
        if "CFF " not in self._font:
            raise ValueError(f"{path}: not a CFF-outline OpenType font")
        self._cmap = self._font.getBestCmap()
        self._hmtx = self._font["hmtx"].metrics
        head, hhea = self._font["head"], self._font["hhea"]
        self.units = head.unitsPerEm
        self.ascent, self.descent = hhea.ascent, hhea.descent
        self.bbox = (head.xMin, head.yMin, head.xMax, head.yMax)
        self.postscript_name = (self._font["name"].getDebugName(6) or "CJKFont").replace(" ", "")
        self._glyph_set = None
        self._charstrings = {}

    def cid(self, char) -> int:
        """The CID of a character's glyph (0, .notdef, when the font has none)."""
        name = self._cmap.get(ord(char))
        if name is None:
            return 0
        return int(name[3:]) if name.startswith("cid") else self._font.getGlyphID(name)

    def advance(self, char) -> float:
        """Advance width of a character in em (1.0 = the font size)."""
        name = self._cmap.get(ord(char), ".notdef")
        return self._hmtx.get(name, (self.units, 0))[0] / self.units

    def width_1000(self, cid) -> int:
        """Advance width of a CID in PDF glyph space (1000 per em)."""
        return round(self._hmtx[self._name(cid)][0] * 1000 / self.units)

    def subset_cff(self, cids) -> tuple[str, bytes]:
        """(subset font name with its six-letter tag, CID-keyed CFF bytes) holding .notdef and the given CIDs."""
        cids = sorted({0, *cids})
        tag = _tag(cids)
        name = f"{tag}+{self.postscript_name}"
        return name, _cff(name.encode("ascii", "replace"), cids, [self._charstring(c) for c in cids], self.bbox)

    def _name(self, cid):
        if cid == 0:
            return ".notdef"
        return f"cid{cid:05d}" if self._font.getGlyphOrder()[1].startswith("cid") else self._font.getGlyphName(cid)

    def _charstring(self, cid):
        cached = self._charstrings.get(cid)
        if cached is None:
            from fontTools.pens.t2CharStringPen import T2CharStringPen

            if self._glyph_set is None:
                self._glyph_set = self._font.getGlyphSet()
            name = self._name(cid)
            pen = T2CharStringPen(self._hmtx[name][0], None)
            self._glyph_set[name].draw(pen)
            program = pen.getCharString()
            program.compile()
            cached = self._charstrings[cid] = program.bytecode
        return cached


@functools.cache
def cid_font(path) -> CidFont:
    """The CidFont of a font file, loaded once per process."""
    return CidFont(path)


def _tag(cids):
    digest = hashlib.sha256(struct.pack(f">{len(cids)}H", *cids)).digest()
    return "".join(string.ascii_uppercase[b % 26] for b in digest[:6])


def _index(items):
    """A CFF INDEX of byte strings (4-byte offsets: simple and always enough)."""
    if not items:
        return b"\x00\x00"
    offsets, at = [], 1
    for item in items:
        offsets.append(at)
        at += len(item)
    offsets.append(at)
    return struct.pack(">HB", len(items), 4) + struct.pack(f">{len(offsets)}I", *offsets) + b"".join(items)


def _int(value):
    """A DICT integer in the fixed 5-byte form, so offsets can be filled in without changing sizes."""
    return b"\x1d" + struct.pack(">i", int(value))


def _op(code):
    return bytes([12, code - 1200]) if code >= 1200 else bytes([code])


def _dict(entries):
    return b"".join(b"".join(_int(v) for v in values) + _op(code) for code, values in entries)


def _cff(name, cids, charstrings, bbox):
    """A CID-keyed CFF (Adobe-Identity-0): one Font DICT, an empty Private DICT, no subroutines."""
    strings = _index([b"Adobe", b"Identity"])  # SIDs 391 and 392 (the first custom strings)
    charset = b"\x00" + struct.pack(f">{len(cids) - 1}H", *cids[1:])
    fdselect = b"\x00" + bytes(len(cids))
    glyphs = _index(charstrings)
    private = b""

    def top(charset_at, glyphs_at, fdarray_at, fdselect_at):
        return _dict([(1230, (391, 392, 0)), (1234, (CID_COUNT,)), (5, bbox), (15, (charset_at,)),
                      (17, (glyphs_at,)), (1236, (fdarray_at,)), (1237, (fdselect_at,))])

    def font_dict(private_at):
        return _dict([(18, (len(private), private_at))])

    head = b"\x01\x00\x04\x04" + _index([name])
    fixed = len(head) + len(_index([top(0, 0, 0, 0)])) + len(strings) + len(_index([]))
    charset_at = fixed
    fdselect_at = charset_at + len(charset)
    glyphs_at = fdselect_at + len(fdselect)
    fdarray_at = glyphs_at + len(glyphs)
    private_at = fdarray_at + len(_index([font_dict(0)]))
    return b"".join([head, _index([top(charset_at, glyphs_at, fdarray_at, fdselect_at)]), strings, _index([]),
                     charset, fdselect, glyphs, _index([font_dict(private_at)]), private])
