"""The CJK font: where it is, cached FreeType faces per size, glyph checks, and fitting text into a slot."""

import functools
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from app.errors import ServiceUnavailable

# The one CJK font: Noto Sans CJK (SIL OFL 1.1) from Debian's fonts-noto-cjk, checked by SHA-256 (docs/dependencies.md).
FONT_FILE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FONT_SHA256 = "b76b0433203017ca80401b2ee0dd69350349871c4b19d504c34dbdd80541690a"  # 1:20220127+repack1-1
FONT_PACKAGE = "fonts-noto-cjk"
COLLECTION_SUFFIXES = (".ttc", ".otc")
BOLD_STROKE = 0.022  # faux bold: stroke width as a share of the font size (one face for every slot)
MAX_CACHED_FACES = 48  # a FreeType face of this font costs about 1.7 MB
ELLIPSIS = "…"
# Line-breaking rules for Chinese: these never start a line / never end one.
NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉…—·%‰℃”’,.;:?!)]}")
NO_LINE_END = frozenset("（《「『【〔〈“‘([{")
_TOKEN = re.compile(r"[A-Za-z0-9@#&+\-_.:/?=%~]+|\s+|.", re.S)


class FontMissing(ServiceUnavailable):
    """503: no usable CJK font (package missing or QR_FONT_PATH wrong)."""

    code = "qr_font_missing"


@dataclass(frozen=True)
class FittedText:
    """Text laid out for one slot: its lines, the font size chosen and the faux-bold stroke."""

    lines: tuple[str, ...]
    size_px: int
    stroke_px: int


def resolve_font_path(override=None) -> str:
    """The font to use: `override` (the QR_FONT_PATH setting) when given, else Debian's Noto Sans CJK, hash-checked."""
    if override:
        path = Path(override).expanduser()
        if not path.is_file():
            raise FontMissing(f"找不到 QR_FONT_PATH 指定的字体文件：{override}")
        return str(path.resolve())
    return _checked_font(FONT_FILE)


@functools.cache
def _checked_font(path):
    """The system font, once per process: present and byte for byte the file whose SHA-256 we name."""
    if not os.path.isfile(path):
        raise FontMissing(f"未安装海报所需的中文字体：请运行 make system-deps（安装 Debian 软件包 {FONT_PACKAGE}），"
                          "或用 QR_FONT_PATH 指定一个中文字体文件")
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != FONT_SHA256:
        raise FontMissing(f"中文字体文件 {path} 与登记的版本不一致（SHA-256 应为 {FONT_SHA256[:16]}…），"
                          "请重新安装 fonts-noto-cjk 或更新 docs/dependencies.md 中登记的校验值")
    return path


@functools.lru_cache(maxsize=MAX_CACHED_FACES)
def load_font(font_path, size_px) -> ImageFont.FreeTypeFont:
    """The FreeType face of font_path at size_px, cached per process (basic layout: no shaping needed)."""
    return ImageFont.truetype(font_path, int(size_px), index=face_index(font_path),
                              layout_engine=ImageFont.Layout.BASIC)


@functools.cache
def face_index(font_path) -> int:
    """For a font collection (.ttc/.otc) the Simplified Chinese face, else 0."""
    if not font_path.lower().endswith(COLLECTION_SUFFIXES):
        return 0
    for index in range(64):
        try:
            family = ImageFont.truetype(font_path, 12, index=index).getname()[0] or ""
        except OSError:
            break
        if family.endswith(" SC") or "SC " in family or "Hans" in family:
            return index
    return 0


def glyph_bitmap(font_path, char, size_px=48) -> bytes:
    """The rendered bitmap of one character (for comparing glyphs, e.g. against .notdef)."""
    side = size_px * 2
    img = Image.new("L", (side, side), 0)
    ImageDraw.Draw(img).text((side // 4, side // 4), char, font=load_font(font_path, size_px), fill=255)
    return img.tobytes()


def missing_glyphs(text, font_path=None) -> list[str]:
    """Characters of text the font has no glyph for (they would print as empty boxes or vanish), in order."""
    cmap = font_cmap(resolve_font_path(font_path))
    seen, missing = set(), []
    for char in str(text or ""):
        if char in seen or char.isspace():
            continue
        seen.add(char)
        if ord(char) not in cmap:
            missing.append(char)
    return missing


@functools.cache
def font_cmap(font_path) -> frozenset:
    """The code points the chosen face of font_path maps to a glyph (read once per process)."""
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(font_path, fontNumber=face_index(font_path), lazy=True).getBestCmap())


@functools.lru_cache(maxsize=4096)
def fit_text(font_path, text, width_px, size_px, min_size_px, max_lines=1, bold=False) -> FittedText:
    """Fit text into width_px: one line shrunk down to min_size_px, else wrapped, else cut with "…"."""
    paragraphs = tuple(p for p in (" ".join(line.split()) for line in str(text).splitlines()) if p)
    min_size_px = min(min_size_px, size_px)
    if not paragraphs:
        return FittedText((), size_px, 0)
    if len(paragraphs) == 1:
        size = _single_line_size(font_path, paragraphs[0], width_px, size_px, min_size_px, bold)
        if size:
            return FittedText(paragraphs, size, _stroke(size, bold))
    if max_lines > 1 or len(paragraphs) > 1:
        for size in _sizes(size_px, min_size_px):
            lines = _wrap_all(font_path, paragraphs, width_px, size, bold)
            if len(lines) <= max_lines:
                return FittedText(lines, size, _stroke(size, bold))
    lines = _wrap_all(font_path, paragraphs, width_px, min_size_px, bold)
    last = _ellipsize(font_path, lines[max_lines - 1], width_px, min_size_px, bold)
    return FittedText((*lines[: max_lines - 1], last), min_size_px, _stroke(min_size_px, bold))


def text_width(font_path, text, size_px, bold=False) -> float:
    """Advance width of text in pixels, faux-bold stroke included."""
    return load_font(font_path, size_px).getlength(text) + 2 * _stroke(size_px, bold)


def _stroke(size_px, bold):
    return max(1, round(size_px * BOLD_STROKE)) if bold else 0


def _sizes(size_px, min_size_px):
    """Candidate sizes from large to small in steps of about 4%, to keep the number of cached faces low."""
    size = size_px
    while size > min_size_px:
        yield size
        size -= max(1, size // 25)
    yield min_size_px


def _single_line_size(font_path, text, width_px, size_px, min_size_px, bold):
    width = text_width(font_path, text, size_px, bold)
    if width <= width_px:
        return size_px
    guess = int(size_px * width_px / width)
    for size in _sizes(min(guess, size_px - 1), min_size_px):
        if size >= min_size_px and text_width(font_path, text, size, bold) <= width_px:
            return size
    return None


def _tokens(text):
    """Split into unbreakable pieces: Latin words and numbers stay whole, punctuation sticks to its neighbour."""
    tokens = []
    glue_next = False
    for piece in _TOKEN.findall(text):
        if tokens and (glue_next or piece[0] in NO_LINE_START):
            tokens[-1] += piece
        else:
            tokens.append(piece)
        glue_next = piece[-1] in NO_LINE_END
    return tokens


def _wrap_all(font_path, paragraphs, width_px, size_px, bold):
    lines = []
    for paragraph in paragraphs:
        lines.extend(_wrap(font_path, paragraph, width_px, size_px, bold))
    return tuple(lines)


def _wrap(font_path, text, width_px, size_px, bold):
    """Greedy line filling by tokens; a token wider than the line is split by characters."""
    lines, line = [], ""
    fits = functools.partial(_fits, font_path, width_px, size_px, bold)
    for token in _tokens(text):
        if fits(line + token):
            line += token
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = token.lstrip()
        while line and not fits(line):
            cut = max(1, next((i for i in range(len(line), 0, -1) if fits(line[:i])), 1))
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _fits(font_path, width_px, size_px, bold, text):
    return text_width(font_path, text, size_px, bold) <= width_px


def _ellipsize(font_path, line, width_px, size_px, bold):
    while line and not _fits(font_path, width_px, size_px, bold, line + ELLIPSIS):
        line = line[:-1]
    return line.rstrip() + ELLIPSIS
