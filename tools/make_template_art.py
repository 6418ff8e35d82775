"""Draw the artwork of the shipped poster templates (background.png, logo.png) from their template.json.

Run from the repository root: `.venv/bin/python tools/make_template_art.py`. The drawing is deterministic
(same pixels on every run for the pinned Pillow and font); commit the PNGs it writes. Page size, DPI and the
QR box are read from each template.json, so moving the QR code there and re-running keeps the frame around it.
"""

import json
import sys
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.qr.fonts import load_font, resolve_font_path  # noqa: E402

TEMPLATES = ROOT / "qr_templates"
SUPERSAMPLE = 2  # draw at twice the size, then downscale: smooth rounded corners
RED = (200, 16, 46)  # 党政红 #C8102E
GOLD = (217, 165, 33)
BORDER = (232, 180, 188)
PANEL = (252, 237, 239)
PANEL_EDGE = (242, 196, 203)
FRAME_EDGE = (224, 224, 224)
RULE = (235, 211, 214)
WHITE = (255, 255, 255)


class Canvas:
    """A page in millimetres drawn at SUPERSAMPLE times the template DPI."""

    def __init__(self, spec):
        page = spec["page"]
        self.width_mm, self.height_mm, self.dpi = page["width_mm"], page["height_mm"], page["dpi"]
        self.scale = self.dpi * SUPERSAMPLE / 25.4
        self.image = Image.new("RGB", (self.px(self.width_mm), self.px(self.height_mm)), WHITE)
        self.draw = ImageDraw.Draw(self.image)

    def px(self, mm):
        """Millimetres to supersampled pixels."""
        return round(mm * self.scale)

    def box(self, x0, y0, x1, y1):
        """A millimetre box in supersampled pixels."""
        return (self.px(x0), self.px(y0), self.px(x1) - 1, self.px(y1) - 1)

    def rect(self, x0, y0, x1, y1, fill=None, outline=None, width_mm=0.0, radius_mm=0.0, corners=None):
        """A (rounded) rectangle in millimetres."""
        self.draw.rounded_rectangle(self.box(x0, y0, x1, y1), radius=self.px(radius_mm), fill=fill,
                                    outline=outline, width=max(1, self.px(width_mm)) if outline else 0,
                                    corners=corners)

    def qr_frame(self, qr, gap_mm, bracket_mm, thick_mm):
        """White field with a hairline and red corner brackets around the template's QR box."""
        x0, y0 = qr["x_mm"] - gap_mm, qr["y_mm"] - gap_mm
        x1, y1 = qr["x_mm"] + qr["size_mm"] + gap_mm, qr["y_mm"] + qr["size_mm"] + gap_mm
        self.rect(x0, y0, x1, y1, fill=WHITE, outline=FRAME_EDGE, width_mm=thick_mm / 3, radius_mm=gap_mm / 2)
        b, t = bracket_mm, thick_mm
        for cx, cy, dx, dy in ((x0, y0, 1, 1), (x1, y0, -1, 1), (x0, y1, 1, -1), (x1, y1, -1, -1)):
            self.rect(min(cx, cx + dx * b), min(cy, cy + dy * t), max(cx, cx + dx * b), max(cy, cy + dy * t), fill=RED)
            self.rect(min(cx, cx + dx * t), min(cy, cy + dy * b), max(cx, cx + dx * t), max(cy, cy + dy * b), fill=RED)

    def save(self, path):
        """Downscale to the template DPI and write an optimised PNG."""
        size = (round(self.width_mm * self.dpi / 25.4), round(self.height_mm * self.dpi / 25.4))
        self.image.resize(size, Image.Resampling.LANCZOS).save(path, "PNG", optimize=True, dpi=(self.dpi, self.dpi))


def a4_notice(spec):
    """A4 portrait notice-board poster: red header band with gold rule, framed QR, phone panel, red foot band."""
    c = Canvas(spec)
    c.rect(6, 6, 204, 291, outline=BORDER, width_mm=0.8, radius_mm=4)
    c.rect(6, 6, 204, 58, fill=RED, radius_mm=4, corners=(True, True, False, False))
    c.rect(6, 58, 204, 59.6, fill=GOLD)
    c.qr_frame(spec["qr"], gap_mm=4, bracket_mm=11, thick_mm=1.4)
    c.rect(25, 229.5, 185, 248.5, fill=PANEL, outline=PANEL_EDGE, width_mm=0.4, radius_mm=3)
    c.rect(20, 255.5, 190, 255.9, fill=RULE)
    c.rect(6, 286, 204, 291, fill=RED, radius_mm=4, corners=(False, False, True, True))
    return c


def table_card(spec):
    """100x70 mm landscape card: red header band, framed QR on the left, phone panel on the right."""
    c = Canvas(spec)
    c.rect(2.5, 2.5, 97.5, 67.5, outline=BORDER, width_mm=0.4, radius_mm=3)
    c.rect(2.5, 2.5, 97.5, 15, fill=RED, radius_mm=3, corners=(True, True, False, False))
    c.rect(2.5, 15, 97.5, 15.6, fill=GOLD)
    c.qr_frame(spec["qr"], gap_mm=1.5, bracket_mm=5, thick_mm=0.6)
    c.rect(52.5, 45, 96, 54.6, fill=PANEL, outline=PANEL_EDGE, width_mm=0.25, radius_mm=1.5)
    c.rect(2.5, 65.6, 97.5, 67.5, fill=RED, radius_mm=3, corners=(False, False, True, True))
    return c


def logo(path, side=256):
    """Centre logo: a red rounded square with a white 督 (supervise)."""
    big = side * 4
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 5, fill=RED + (255,))
    font = load_font(resolve_font_path(), round(big * 0.62))
    draw.text((big / 2, big / 2), "督", font=font, fill=WHITE + (255,), anchor="mm",
              stroke_width=round(big * 0.012), stroke_fill=WHITE + (255,))
    img.resize((side, side), Image.Resampling.LANCZOS).save(path, "PNG", optimize=True)


ARTWORK = {"a4_notice": a4_notice, "table_card": table_card}


def main():
    """Write every template's background.png (and the A4 logo)."""
    for name, draw in ARTWORK.items():
        folder = TEMPLATES / name
        spec = json.loads((folder / "template.json").read_text(encoding="utf-8"))
        draw(spec).save(folder / spec["background"])
        if spec["qr"].get("logo"):
            logo(folder / spec["qr"]["logo"])
        for written in sorted(folder.glob("*.png")):
            print(f"{written.relative_to(ROOT)}  {written.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
