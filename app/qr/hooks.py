"""What the poster domain plugs into lower domains at start-up: the glyph check of region names."""

from app.qr.fonts import FontMissing, missing_glyphs
from app.regions.names import GLYPH_HOOK


def register(app):
    """Let region import (and anyone naming a place) ask which characters the poster font lacks."""

    def check(text):
        try:
            return missing_glyphs(text, app.config.get("QR_FONT_PATH") or None)
        except FontMissing:
            return None

    app.extensions[GLYPH_HOOK] = check
