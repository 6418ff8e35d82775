"""Poster templates: `qr_templates/<name>/template.json` parsed and checked into a frozen Template."""

import json
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from app.errors import BadRequest, DomainError, Unprocessable

log = logging.getLogger(__name__)

TEMPLATE_FILE = "template.json"
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
COLOR_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
MM_PER_INCH = 25.4
MM_PER_PT = MM_PER_INCH / 72
ALIGNMENTS = ("left", "center", "right")
# Slots whose text is the same on every poster of a batch (template text, overridable by a field of that name).
STATIC_SLOTS = frozenset({"title", "subtitle", "instructions", "footer"})
# Slots filled per village from the fields passed to render_poster ("url" is the QR link itself,
# "region_line" defaults to "<county_name> <township_name>").
FIELD_SLOTS = frozenset({
    "village_name", "township_name", "county_name", "region_line", "supervision_phone", "village_code", "url",
})
SLOT_NAMES = STATIC_SLOTS | FIELD_SLOTS
FIELD_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")  # a template's own fields ("fields": [...] in template.json)
MIN_QR_MM = 15
MAX_LOGO_RATIO = 0.22
MAX_PAGE_PIXELS = 40_000_000
EPS = 0.01


@dataclass(frozen=True)
class TextSlot:
    """One text box: top-left corner and width in mm, font size in pt; the box is max_lines lines tall."""

    name: str
    x_mm: float
    y_mm: float
    width_mm: float
    font_pt: float
    min_font_pt: float
    color: str
    align: str
    text: str | None
    max_lines: int
    line_spacing: float
    bold: bool

    @property
    def height_mm(self):
        """Height of the slot box: max_lines lines at the nominal font size."""
        return self.max_lines * self.font_pt * MM_PER_PT * self.line_spacing


@dataclass(frozen=True)
class QrBox:
    """Where the QR code goes (a square, quiet zone included) and its optional centre logo."""

    x_mm: float
    y_mm: float
    size_mm: float
    logo_path: Path | None
    logo_ratio: float


@dataclass(frozen=True)
class Template:
    """A checked poster template; hashable, so renderers can cache per template."""

    name: str
    label: str
    directory: Path
    width_mm: float
    height_mm: float
    dpi: int
    background_path: Path
    qr: QrBox
    slots: tuple[TextSlot, ...]
    stamp: tuple  # (mtime_ns, size) of the files used, so an edited template is a new cache key
    description: str = ""
    fields: tuple[str, ...] = ()  # the template's own field slots, filled from fields of the same name

    @property
    def width_px(self):
        """Page width in pixels at the template DPI."""
        return self.px(self.width_mm)

    @property
    def height_px(self):
        """Page height in pixels at the template DPI."""
        return self.px(self.height_mm)

    def px(self, mm):
        """Millimetres to whole pixels at the template DPI."""
        return round(mm * self.dpi / MM_PER_INCH)

    def pt_px(self, pt):
        """Points to whole pixels at the template DPI."""
        return max(1, round(pt * self.dpi / 72))


def load_template(root_dir, name) -> Template:
    """Load and check the template `name` under root_dir; BadRequest/Unprocessable name the problem."""
    directory = _template_dir(root_dir, name)
    spec_path = directory / TEMPLATE_FILE
    if not spec_path.is_file():
        raise _invalid(name, f"缺少 {TEMPLATE_FILE}")
    try:
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as err:
        raise _invalid(name, f"{TEMPLATE_FILE} 不是 UTF-8 编码") from err
    except json.JSONDecodeError as err:
        raise _invalid(name, f"{TEMPLATE_FILE} 不是合法的 JSON（第 {err.lineno} 行第 {err.colno} 列）") from err
    if not isinstance(spec, dict):
        raise _invalid(name, f"{TEMPLATE_FILE} 的顶层必须是对象")
    return _parse(name, directory, spec, spec_path)


def list_templates(root_dir) -> list[Template]:
    """All valid templates under root_dir, by name; broken ones are logged and left out."""
    root = Path(root_dir)
    if not root.is_dir():
        return []
    found = []
    for child in sorted(root.iterdir()):
        if not (NAME_RE.match(child.name) and (child / TEMPLATE_FILE).is_file()):
            continue
        try:
            found.append(load_template(root, child.name))
        except DomainError as err:
            log.warning("skipping poster template %s: %s", child.name, err.message)
    return found


def poster_fields(fields, url) -> dict:
    """Slot values from the caller's fields: strings stripped, `region_line` and `url` filled in."""
    values = {}
    for key, value in (fields or {}).items():
        text = "" if value is None else "".join(ch for ch in str(value) if ch == "\n" or ch.isprintable()).strip()
        if text:
            values[key] = text
    if "region_line" not in values:
        parts = [values.get("county_name"), values.get("township_name")]
        values["region_line"] = " ".join(p for p in parts if p)
    values["url"] = url
    return values


def slot_text(slot, values) -> str:
    """What a slot shows: its fixed text, overridable by a field; `{value}` in text is the field's value."""
    value = values.get(slot.name, "")
    if slot.text is None:
        return value
    if "{value}" in slot.text:
        return slot.text.replace("{value}", value) if value else ""
    return value or slot.text


def _template_dir(root_dir, name):
    if not isinstance(name, str) or not NAME_RE.match(name):
        shown = name[:40] if isinstance(name, str) else type(name).__name__
        raise BadRequest(f"海报模板名称不合法：{shown}（只能用小写字母、数字、- 和 _）", code="qr_template_name")
    root = Path(root_dir).resolve()
    directory = (root / name).resolve()
    if directory.parent != root or not directory.is_dir():
        raise BadRequest(f"未知的海报模板：{name}", code="qr_template_unknown", fields={"template": name})
    return directory


def _invalid(name, problem):
    return Unprocessable(f"海报模板 {name} 有误：{problem}", code="qr_template_invalid", fields={"template": name})


def _parse(name, directory, spec, spec_path):
    page = _section(name, spec, "page")
    width = _number(name, page, "width_mm", "page", low=20, high=1200)
    height = _number(name, page, "height_mm", "page", low=20, high=1200)
    dpi = _number(name, page, "dpi", "page", low=72, high=600, integer=True)
    if width * height * (dpi / MM_PER_INCH) ** 2 > MAX_PAGE_PIXELS:
        raise _invalid(name, f"页面在 {dpi} DPI 下像素过多，请降低 DPI")
    background = _asset(name, directory, spec.get("background"), "背景图片", "background")
    _check_background(name, background, width, height)
    qr = _parse_qr(name, directory, _section(name, spec, "qr"), width, height)
    own = _own_fields(name, spec.get("fields", []))
    raw_slots = spec.get("slots", [])
    if not isinstance(raw_slots, list):
        raise _invalid(name, "slots 必须是数组")
    slots = tuple(_parse_slot(name, raw, i, width, height, SLOT_NAMES | set(own)) for i, raw in enumerate(raw_slots))
    files = [spec_path, background] + ([qr.logo_path] if qr.logo_path else [])
    stamp = tuple((f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    label = spec.get("label") if isinstance(spec.get("label"), str) else name
    description = spec.get("description") if isinstance(spec.get("description"), str) else ""
    return Template(name, label, directory, width, height, dpi, background, qr, slots, stamp, description, own)


def _own_fields(name, raw):
    """The template's declared field names: lower-case identifiers, not one of the built-in slot names."""
    if not isinstance(raw, list) or not all(isinstance(f, str) for f in raw):
        raise _invalid(name, "fields 必须是字段名数组")
    for field in raw:
        if not FIELD_NAME_RE.match(field) or field in SLOT_NAMES:
            raise _invalid(name, f"字段名不合法或与内置文字区域重名：{field}（只能用小写字母、数字和 _）")
    return tuple(dict.fromkeys(raw))


def _section(name, spec, key):
    value = spec.get(key)
    if not isinstance(value, dict):
        raise _invalid(name, f"缺少 {key} 设置（应为对象）")
    return value


def _number(name, obj, key, where, low=None, high=None, integer=False, default=None):
    value = obj.get(key, default)
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or (integer and value != int(value)):
        kind = "整数" if integer else "数字"
        raise _invalid(name, f"{where}.{key} 缺失或不是{kind}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise _invalid(name, f"{where}.{key} 应在 {low} 到 {high} 之间，实际为 {value}")
    return int(value) if integer else float(value)


def _asset(name, directory, filename, what, key):
    if not isinstance(filename, str) or not filename:
        raise _invalid(name, f"未指定{what}（{key}）")
    if "/" in filename or "\\" in filename or filename.startswith(".") or Path(filename).is_absolute():
        raise _invalid(name, f"{what}的文件名不合法：{filename}（只能是模板目录里的文件名）")
    path = directory / filename
    if not path.is_file():
        raise _invalid(name, f"缺少{what}文件：{filename}")
    return path


def _check_background(name, path, width_mm, height_mm):
    try:
        with Image.open(path) as img:
            w, h = img.size
    except (OSError, ValueError) as err:
        raise _invalid(name, f"无法读取背景图片 {path.name}") from err
    if abs(w / h - width_mm / height_mm) > 0.01 * (width_mm / height_mm):
        page = f"{width_mm:g}×{height_mm:g} 毫米"
        raise _invalid(name, f"背景图片 {path.name} 的宽高比（{w}×{h}）与页面尺寸 {page} 不一致")


def _parse_qr(name, directory, qr, width, height):
    x = _number(name, qr, "x_mm", "qr")
    y = _number(name, qr, "y_mm", "qr")
    size = _number(name, qr, "size_mm", "qr")
    if size < MIN_QR_MM:
        raise _invalid(name, f"二维码尺寸过小（{size:g} 毫米），至少 {MIN_QR_MM} 毫米才便于扫描")
    if x < -EPS or y < -EPS or x + size > width + EPS or y + size > height + EPS:
        raise _invalid(name, f"二维码超出页面范围（页面 {width:g}×{height:g} 毫米）")
    logo = None
    if qr.get("logo") is not None:
        logo = _asset(name, directory, qr.get("logo"), "二维码中心标志", "qr.logo")
    ratio = _number(name, qr, "logo_ratio", "qr", low=0.05, high=MAX_LOGO_RATIO, default=0.2)
    return QrBox(x, y, size, logo, ratio)


def _parse_slot(name, raw, index, width, height, allowed=SLOT_NAMES):
    if not isinstance(raw, dict):
        raise _invalid(name, f"第 {index + 1} 个文字区域不是对象")
    slot = raw.get("name")
    if slot not in allowed:
        raise _invalid(name, f"未知的文字区域名称：{slot}（可用：{'、'.join(sorted(allowed))}；"
                             "模板自己的字段请在 fields 中声明）")
    where = f"slots[{slot}]"
    font_pt = _number(name, raw, "font_pt", where, low=4, high=200)
    min_font_pt = _number(name, raw, "min_font_pt", where, low=4, high=font_pt, default=max(4.0, font_pt * 0.6))
    color = raw.get("color", "#000000")
    if not isinstance(color, str) or not COLOR_RE.match(color):
        raise _invalid(name, f"文字区域 {slot} 的颜色不合法：{color}（应为 #RRGGBB）")
    if len(color) == 4:
        color = "#" + "".join(c * 2 for c in color[1:])
    align = raw.get("align", "left")
    if align not in ALIGNMENTS:
        raise _invalid(name, f"文字区域 {slot} 的对齐方式不合法：{align}（应为 left、center 或 right）")
    text = raw.get("text")
    if text is not None and not isinstance(text, str):
        raise _invalid(name, f"文字区域 {slot} 的 text 必须是字符串")
    result = TextSlot(
        name=slot,
        x_mm=_number(name, raw, "x_mm", where),
        y_mm=_number(name, raw, "y_mm", where),
        width_mm=_number(name, raw, "width_mm", where, low=1),
        font_pt=font_pt,
        min_font_pt=min_font_pt,
        color=color.lower(),
        align=align,
        text=text,
        max_lines=_number(name, raw, "max_lines", where, low=1, high=10, integer=True, default=1),
        line_spacing=_number(name, raw, "line_spacing", where, low=0.8, high=3, default=1.25),
        bold=bool(raw.get("bold", False)),
    )
    if (result.x_mm < -EPS or result.y_mm < -EPS or result.x_mm + result.width_mm > width + EPS
            or result.y_mm + result.height_mm > height + EPS):
        raise _invalid(name, f"文字区域 {slot} 超出页面范围（页面 {width:g}×{height:g} 毫米）")
    return result
