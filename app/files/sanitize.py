"""Upload sanitising: type by content, images re-encoded without any metadata, PDFs checked and passed through.

Policy (docs/intake-and-triage-rules.md): JPEG, PNG and WebP are decoded with Pillow and re-encoded (JPEG stays
JPEG at quality 85, PNG stays PNG, WebP becomes JPEG, or PNG when it uses transparency); EXIF (GPS, maker notes),
XMP, comments, text chunks and ICC profiles are all dropped after EXIF orientation has been applied. PDFs are
accepted by signature and end marker, refused when they carry scripts or embedded files, and stored unchanged.
GIF, HEIC/AVIF, SVG, HTML, archives and executables are refused. The file name is never trusted.
"""

import hashlib
import io
import logging
import re
import warnings
import zlib
from dataclasses import dataclass

from PIL import Image, ImageOps

from app.errors import BadRequest, PayloadTooLarge, Unprocessable, UnsupportedMedia

log = logging.getLogger(__name__)

UNSUPPORTED_MESSAGE = "仅支持 JPG、PNG、WebP 图片和 PDF 文件"
HEIC_MESSAGE = UNSUPPORTED_MESSAGE + "；苹果手机 HEIC 照片请在“设置-相机-格式”中选择“兼容性最佳”，或截图后上传"
JPEG_QUALITY = 85
PDF_TAIL_BYTES = 1024  # %%EOF must appear in the last KiB, as PDF readers require
PDF_OBJSTM_MAX_BYTES = 8 * 1024 * 1024  # cap on decompressed object streams scanned for active content

# what Pillow plugin may open each sniffed kind (nothing else is tried)
PILLOW_FORMATS = {"jpeg": ["JPEG"], "png": ["PNG"], "webp": ["WEBP"]}
PNG_MODES = {"1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"}
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}
# PDF names that make a document run something when opened: refused (best effort, see the docs)
PDF_ACTIVE_NAMES = {b"JavaScript", b"JS", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"RichMedia", b"XFA"}
_PDF_NAME = re.compile(rb"/([^\x00\t\n\x0c\r /<>\[\]()%{}]+)")
_PDF_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r)")
_PDF_HEADER = re.compile(rb"%PDF-\d\.\d")


@dataclass(frozen=True)
class Sanitized:
    """What is stored: the cleaned bytes, their type (by content) and their SHA-256."""

    data: bytes
    mime: str
    ext: str  # without the dot: jpg, png, pdf
    sha256: str
    width: int | None
    height: int | None

    @property
    def size(self) -> int:
        """Size of the stored bytes."""
        return len(self.data)


def sniff(data: bytes) -> str | None:
    """Name the file type from its first bytes (jpeg, png, webp, pdf, gif, heif) or None."""
    head = data[:32]
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if _PDF_HEADER.match(head):
        return "pdf"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return "heif"
    return None


def sanitize_upload(data: bytes, filename: str | None, max_bytes: int, max_pixels: int) -> Sanitized:
    """Check an upload by content and return what may be stored (images re-encoded, PDFs unchanged)."""
    del filename  # accepted for the caller's convenience; the type is decided by content only
    if not data:
        raise BadRequest("文件为空", code="empty_file")
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"文件不能超过 {_megabytes(max_bytes)} MB", code="file_too_large")
    kind = sniff(data)
    if kind == "pdf":
        _check_pdf(data)
        return Sanitized(data, "application/pdf", "pdf", hashlib.sha256(data).hexdigest(), None, None)
    if kind == "heif":
        raise UnsupportedMedia(HEIC_MESSAGE, code="unsupported_file_type")
    if kind not in PILLOW_FORMATS:
        raise UnsupportedMedia(UNSUPPORTED_MESSAGE, code="unsupported_file_type")
    return _reencode(data, kind, max_pixels)


def configure_pillow(max_pixels: int) -> None:
    """Align Pillow's own bomb guard with our limit (call once at start-up; process-wide)."""
    Image.MAX_IMAGE_PIXELS = max_pixels
    warnings.simplefilter("error", Image.DecompressionBombWarning)


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".removesuffix(".0")


def _too_many_pixels(max_pixels: int, width: int | None = None, height: int | None = None) -> PayloadTooLarge:
    size = f"{width}×{height} 像素，" if width and height else ""
    limit = f"{max_pixels / 10000:.0f} 万像素" if max_pixels >= 10000 else f"{max_pixels} 像素"
    return PayloadTooLarge(f"图片尺寸过大（{size}上限 {limit}），请压缩或截图后再上传", code="image_too_large")


def _corrupt() -> Unprocessable:
    return Unprocessable("图片已损坏或不完整，无法处理，请重新拍摄或截图后上传", code="image_corrupt")


def _reencode(data: bytes, kind: str, max_pixels: int) -> Sanitized:
    try:
        im = Image.open(io.BytesIO(data), formats=PILLOW_FORMATS[kind])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(max_pixels) from exc
    except Exception as exc:  # Pillow raises many types on hostile headers; all mean "not a usable image"
        raise _corrupt() from exc
    width, height = im.size  # from the header: nothing is decoded yet
    if width * height > max_pixels:
        raise _too_many_pixels(max_pixels, width, height)
    try:
        im.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(max_pixels, width, height) from exc
    except Exception as exc:  # truncated data, bad CRC ...
        raise _corrupt() from exc
    try:
        im = ImageOps.exif_transpose(im)
    except Exception:  # noqa: BLE001 - a broken EXIF block: keep the pixels as stored, the metadata goes anyway
        log.info("EXIF orientation unreadable; image kept as stored")
    if kind == "jpeg" or (kind == "webp" and not _uses_alpha(im)):
        return _encode_jpeg(im)
    return _encode_png(im)


def _uses_alpha(im: Image.Image) -> bool:
    if im.mode in ("RGBA", "LA", "PA"):
        return im.getchannel("A").getextrema()[0] < 255
    return "transparency" in im.info


def _encode_jpeg(im: Image.Image) -> Sanitized:
    if im.mode not in ("L", "RGB"):
        im = im.convert("RGB")
    im.info = {}  # Pillow would otherwise copy the JPEG comment; exif/icc/xmp are never passed
    out = io.BytesIO()
    im.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return _result(out.getvalue(), "image/jpeg", "jpg", im.size)


def _encode_png(im: Image.Image) -> Sanitized:
    if im.mode not in PNG_MODES:
        im = im.convert("RGBA" if "A" in im.mode or "transparency" in im.info else "RGB")
    keep = {"transparency": im.info["transparency"]} if "transparency" in im.info else {}
    im.info = keep  # transparency is pixel data, not metadata; text chunks, eXIf and iCCP go
    out = io.BytesIO()
    im.save(out, format="PNG")
    return _result(out.getvalue(), "image/png", "png", im.size)


def _result(data: bytes, mime: str, ext: str, size: tuple[int, int]) -> Sanitized:
    return Sanitized(data, mime, ext, hashlib.sha256(data).hexdigest(), size[0], size[1])


def _check_pdf(data: bytes) -> None:
    if b"%%EOF" not in data[-PDF_TAIL_BYTES:]:
        raise Unprocessable("PDF 文件不完整或已损坏，请重新导出后上传", code="pdf_corrupt")
    active = _pdf_active_content(data)
    if active:
        log.info("PDF refused: active content /%s", active.decode("latin-1"))
        raise Unprocessable("PDF 含有脚本、附件等可执行内容，请另存为普通 PDF 或截图后上传",
                            code="pdf_active_content")


def _pdf_active_content(data: bytes) -> bytes | None:
    """Return the first active-content name found outside content streams (and in object streams)."""
    outside, objstreams = _pdf_split(data)
    budget = PDF_OBJSTM_MAX_BYTES
    for body in objstreams:
        if budget <= 0:
            break
        try:
            decoded = zlib.decompressobj().decompress(body, budget)
        except zlib.error:
            continue  # not Flate or damaged: nothing more we can look at cheaply
        budget -= len(decoded)
        outside.append(decoded)
    for chunk in outside:
        for match in _PDF_NAME.finditer(chunk):
            name = _PDF_HEX.sub(lambda h: bytes([int(h.group(1), 16)]), match.group(1))
            if name in PDF_ACTIVE_NAMES:
                return name
    return None


def _pdf_split(data: bytes) -> tuple[list[bytes], list[bytes]]:
    """Split a PDF into the bytes outside streams and the bodies of object streams (/ObjStm)."""
    outside: list[bytes] = []
    objstreams: list[bytes] = []
    pos = 0
    while (match := _PDF_STREAM.search(data, pos)) is not None:
        outside.append(data[pos:match.start()])
        end = data.find(b"endstream", match.end())
        end = len(data) if end < 0 else end
        if b"/ObjStm" in data[max(pos, match.start() - 1024):match.start()]:
            objstreams.append(data[match.end():end])
        pos = end + len(b"endstream")
    outside.append(data[pos:])
    return outside, objstreams
