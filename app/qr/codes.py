"""QR codes for village links at error correction H (about 30% of the symbol may be lost or covered)."""

import io
import ipaddress
from urllib.parse import quote, urlsplit

import qrcode
import qrcode.image.svg
from PIL import Image
from qrcode.constants import ERROR_CORRECT_H
from qrcode.exceptions import DataOverflowError

from app.errors import BadRequest

QUIET_ZONE = 4  # modules of white around the symbol, as the standard asks
MAX_URL_LENGTH = 600
MAX_LOGO_RATIO = 0.22  # logo width / symbol width; at H this leaves ample margin for wear


def village_url(base_url, village_code, poster_id=None) -> str:
    """The public link of a village: `<base>/v/<code>`, plus `?s=<poster_id>` to tell posters apart."""
    base = str(base_url or "").strip().rstrip("/")
    if not base.startswith(("https://", "http://")):
        raise BadRequest("二维码链接的站点地址必须以 https:// 或 http:// 开头", code="qr_base_url")
    code = str(village_code or "").strip()
    if not code:
        raise BadRequest("缺少村庄编码，无法生成二维码链接", code="qr_village_code")
    url = f"{base}/v/{quote(code, safe='')}"
    if poster_id is not None and str(poster_id).strip():
        url += f"?s={quote(str(poster_id).strip(), safe='')}"
    return url


def address_problem(base_url) -> str | None:
    """Why codes for base_url would not open on a villager's phone (loopback, private, unset), or None."""
    base = str(base_url or "").strip()
    if not base:
        return "未设置 PUBLIC_BASE_URL"
    try:
        host = (urlsplit(base).hostname or "").lower()
    except ValueError:
        host = ""
    if not host:
        return f"PUBLIC_BASE_URL（{base}）不是合法的网址"
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal", ".lan")):
        return f"PUBLIC_BASE_URL（{base}）是本机或内网地址，群众手机扫码无法打开"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        if "." not in host:
            return f"PUBLIC_BASE_URL（{base}）是内网主机名，群众手机扫码无法打开"
        return None
    if ip.is_loopback or ip.is_unspecified:
        return f"PUBLIC_BASE_URL（{base}）是本机回环地址，群众手机扫码无法打开"
    if ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_multicast or not ip.is_global:
        return f"PUBLIC_BASE_URL（{base}）是内网地址，群众手机扫码无法打开"
    return None


def qr_matrix(url, border=QUIET_ZONE) -> list[list[bool]]:
    """The module matrix (True = dark) of url at level H, quiet zone of `border` modules included."""
    if not isinstance(url, str) or not url:
        raise BadRequest("缺少二维码链接", code="qr_url")
    if len(url) > MAX_URL_LENGTH:
        raise BadRequest(f"二维码链接过长（{len(url)} 个字符，最多 {MAX_URL_LENGTH}）", code="qr_url")
    if not isinstance(border, int) or not 0 <= border <= 20:
        raise BadRequest("二维码留白应为 0 到 20 个模块", code="qr_border")
    return _make(url, border, None).get_matrix()


def qr_image(url, box_px, border=QUIET_ZONE, logo=None, logo_ratio=0.2) -> Image.Image:
    """A box_px square of the code, whole pixels per module, centred: mode "L", or "RGB" with a centre logo."""
    matrix = qr_matrix(url, border)
    modules = len(matrix)
    scale = int(box_px) // modules
    if scale < 1:
        raise BadRequest(f"二维码区域太小：至少需要 {modules} 像素", code="qr_too_small")
    small = Image.frombytes("L", (modules, modules), bytes(0 if dark else 255 for row in matrix for dark in row))
    code = small.resize((modules * scale, modules * scale), Image.Resampling.NEAREST)
    offset = (int(box_px) - modules * scale) // 2
    out = Image.new("L", (int(box_px), int(box_px)), 255)
    out.paste(code, (offset, offset))
    if logo is None:
        return out
    out = out.convert("RGB")
    symbol = (modules - 2 * border) * scale
    _paste_logo(out, logo, offset + border * scale, symbol, scale, logo_ratio)
    return out


def qr_png(url, size_px, border=QUIET_ZONE, logo=None, logo_ratio=0.2) -> bytes:
    """PNG bytes of a size_px square QR code for url (1-bit without a logo)."""
    img = qr_image(url, size_px, border, logo, logo_ratio)
    if logo is None:
        img = img.convert("1")
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def qr_svg(url, border=QUIET_ZONE) -> bytes:
    """SVG bytes of the QR code: one path, 1 unit (1 mm) per module, white background."""
    qr_matrix(url, border)  # same checks as the raster codes
    qr = _make(url, border, qrcode.image.svg.SvgPathFillImage)
    return qr.make_image().to_string(encoding="UTF-8")


def load_logo(path) -> Image.Image:
    """Open a logo file as a loaded RGBA image (to pass to qr_image / qr_png)."""
    with Image.open(path) as img:
        return img.convert("RGBA")


def _make(url, border, factory):
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_H, border=border, image_factory=factory)
    qr.add_data(url)
    try:
        qr.make(fit=True)
    except DataOverflowError as err:
        raise BadRequest("二维码链接过长，无法编码", code="qr_url") from err
    return qr


def _paste_logo(out, logo, symbol_origin, symbol_px, module_px, ratio):
    """Paste logo centred on the symbol over a white pad; the pad keeps modules from bleeding into it."""
    ratio = min(max(float(ratio), 0.05), MAX_LOGO_RATIO)
    side = max(1, round(symbol_px * ratio))
    pad = max(module_px // 2, side // 12)
    centre = symbol_origin + symbol_px // 2
    low, high = centre - side // 2 - pad, centre + (side + 1) // 2 + pad
    out.paste((255, 255, 255), (low, low, high, high))
    mark = logo if logo.mode == "RGBA" else logo.convert("RGBA")
    if max(mark.size) != side:  # render.py passes a logo already sized for its template
        scale = side / max(mark.size)
        mark = mark.resize((max(1, round(mark.width * scale)), max(1, round(mark.height * scale))),
                           Image.Resampling.LANCZOS)
    at = (centre - mark.width // 2, centre - mark.height // 2)
    out.paste(mark, at, mark)
