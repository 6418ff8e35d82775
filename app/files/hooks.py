"""Start-up wiring of the files domain: Pillow's process-wide decompression-bomb guard."""

from app.files.sanitize import configure_pillow


def register(app):
    """Make Pillow refuse oversized images everywhere in the app (QR posters too), not only in uploads."""
    configure_pillow(app.config.get("MAX_UPLOAD_PIXELS", 40_000_000))
