"""Where upload bytes live: local disk under UPLOAD_DIR, one file per random id (never a client-chosen name)."""

import os
import re

from flask import current_app

_ID = re.compile(r"[0-9a-f]{32}")


def _path(upload_id):
    if not isinstance(upload_id, str) or not _ID.fullmatch(upload_id):
        raise ValueError("not an upload id")
    return os.path.join(current_app.config["UPLOAD_DIR"], upload_id[:2], upload_id)


def save(upload_id, data):
    """Write the bytes atomically (temporary file, then rename), readable only by the service account."""
    path = _path(upload_id)
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def load(upload_id):
    """The stored bytes, or None when the file is missing."""
    try:
        with open(_path(upload_id), "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None


def remove(upload_id):
    """Delete the stored bytes if present (used when the database write that would record them failed)."""
    try:
        os.remove(_path(upload_id))
    except FileNotFoundError:
        pass
