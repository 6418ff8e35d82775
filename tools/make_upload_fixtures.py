"""Write the upload fixtures of tests/files/test_sanitize.py into tests/fixtures/ (deterministic).

    .venv/bin/python tools/make_upload_fixtures.py [out_dir]

Every file is built from constants: no clock, no randomness, so running it twice gives the same bytes with the
same Pillow/libjpeg build. Commit the output together with this script.
"""

import io
import struct
import sys
import zlib
from pathlib import Path

from PIL import ExifTags, Image, ImageDraw, PngImagePlugin

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
SERIAL = b"SERIAL-0042-PRIVATE"
FAKE_ICC = b"\x00\x00\x01\x00fake-icc desc: Phone Camera P3 " + SERIAL + b"\x00" * 64
BOMB_SIDE = 25_000  # 625 million pixels, ~80 KB on disk


def gps_photo() -> bytes:
    """A 64x32 JPEG, red marker top-left, Orientation 6, GPS, Make/Model, MakerNote, XMP, comment, ICC."""
    im = Image.new("RGB", (64, 32), (0, 0, 255))
    ImageDraw.Draw(im).rectangle((0, 0, 15, 15), fill=(255, 0, 0))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "HUAWEI"
    exif[ExifTags.Base.Model] = "ALN-AL00"
    exif[ExifTags.Base.Orientation] = 6  # stored landscape, shown portrait (rotate 90° clockwise)
    exif[ExifTags.Base.DateTime] = "2026:11:01 09:30:00"
    exif[ExifTags.Base.Software] = "ALN-AL00 4.2.0"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSVersionID] = b"\x02\x02\x00\x00"
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (32.0, 13.0, 30.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (110.0, 15.0, 12.25)
    gps[ExifTags.GPS.GPSAltitude] = 412.5
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    sub[ExifTags.Base.DateTimeOriginal] = "2026:11:01 09:30:00"
    sub[ExifTags.Base.BodySerialNumber] = SERIAL.decode()
    sub[ExifTags.Base.MakerNote] = b"HUAWEI\x00\x00" + SERIAL
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           b'<rdf:Description exif:GPSLatitude="32,13.5N"/></rdf:RDF></x:xmpmeta>')
    out = io.BytesIO()
    im.save(out, "JPEG", quality=90, exif=exif, xmp=xmp, comment=b"taken at " + SERIAL, icc_profile=FAKE_ICC)
    return out.getvalue()


def text_png() -> bytes:
    """A 32x32 RGBA PNG with half-transparent pixels, tEXt/zTXt/iTXt chunks, eXIf with GPS and an iCCP."""
    im = Image.new("RGBA", (32, 32), (0, 128, 0, 255))
    ImageDraw.Draw(im).rectangle((0, 0, 31, 7), fill=(255, 255, 255, 0))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "GPS 32.2258N 110.2534E " + SERIAL.decode())
    info.add_text("Description", "compressed " + SERIAL.decode(), zip=True)
    info.add_itxt("Author", "张三 " + SERIAL.decode(), lang="zh", tkey="作者")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Xiaomi"
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] = "N"
    out = io.BytesIO()
    im.save(out, "PNG", pnginfo=info, exif=exif, icc_profile=FAKE_ICC)
    return out.getvalue()


def bomb_png(side: int = BOMB_SIDE) -> bytes:
    """A valid 1-bit greyscale PNG of side×side pixels, all black: tiny on disk, huge once decoded."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte + packed bits
    comp = zlib.compressobj(9)
    idat = b"".join(comp.compress(row) for _ in range(side)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def truncated_jpeg() -> bytes:
    """The first 60% of a 256x256 patterned JPEG: the header is fine, the scan data stops short."""
    im = Image.new("RGB", (256, 256))
    im.putdata([((x * 7) % 256, (y * 5) % 256, ((x ^ y) * 3) % 256) for y in range(256) for x in range(256)])
    out = io.BytesIO()
    im.save(out, "JPEG", quality=90)
    data = out.getvalue()
    return data[: len(data) * 6 // 10]


def elf_binary() -> bytes:
    """An ELF64 header (x86-64 executable) with padding, as a renamed Linux program would start."""
    ident = b"\x7fELF\x02\x01\x01" + b"\x00" * 9
    header = ident + struct.pack("<HHIQQQIHHHHHH", 2, 0x3E, 1, 0x401000, 64, 0, 0, 64, 56, 1, 64, 0, 0)
    return header + b"\x90" * 448


def exe_binary() -> bytes:
    """A DOS/PE header as a renamed Windows .exe would start."""
    dos = b"MZ" + b"\x90\x00" + b"\x00" * 56 + struct.pack("<I", 0x80)
    stub = b"This program cannot be run in DOS mode.\r\r\n$".ljust(0x80 - len(dos), b"\x00")
    return dos + stub + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 250


def pdf(objects: list[bytes]) -> bytes:
    """Assemble a PDF 1.4 file with a correct cross-reference table from numbered object bodies."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _page_objects(catalog_extra: bytes = b"") -> list[bytes]:
    content = b"BT /F1 12 Tf 20 40 Td (Hello) Tj ET"
    return [
        b"<< /Type /Catalog /Pages 2 0 R" + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]


def tiny_pdf() -> bytes:
    """A one-page PDF saying Hello, with an /OpenAction that only sets the view (allowed)."""
    return pdf(_page_objects(b" /OpenAction [3 0 R /Fit]"))


def javascript_pdf() -> bytes:
    """A one-page PDF whose /OpenAction runs JavaScript (refused)."""
    objects = _page_objects(b" /OpenAction 6 0 R")
    objects.append(b"<< /Type /Action /S /JavaScript /JS (app.alert\\('hi'\\);) >>")
    return pdf(objects)


FIXTURES = {
    "gps_photo.jpg": gps_photo,
    "text_chunks.png": text_png,
    "bomb.png": bomb_png,
    "truncated.jpg": truncated_jpeg,
    "renamed_elf.jpg": elf_binary,
    "renamed_exe.png": exe_binary,
    "empty.jpg": lambda: b"",
    "tiny.pdf": tiny_pdf,
    "javascript.pdf": javascript_pdf,
}


def build(out_dir: Path = OUT) -> dict[str, int]:
    """Write every fixture into out_dir and return their sizes."""
    out_dir.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for name, make in FIXTURES.items():
        data = make()
        (out_dir / name).write_bytes(data)
        sizes[name] = len(data)
    return sizes


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    for fname, size in build(target).items():
        print(f"{size:>9}  {target / fname}")
