"""Development-only secrets, generated once into instance/ with mode 600."""

import json
import os
import secrets

from cryptography.fernet import Fernet


def _fresh_values():
    return {
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATA_KEYS": Fernet.generate_key().decode(),
        "AUDIT_ADDRESS_SALT": secrets.token_urlsafe(24),
        "RECEIPT_PEPPERS": secrets.token_hex(32),
    }


def _add_missing(path, values):
    """Add secrets introduced after the file was made (never replace existing ones)."""
    missing = {k: v for k, v in _fresh_values().items() if k not in values}
    if missing:
        values.update(missing)
        tmp = path + ".tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(values, fh)
        os.replace(tmp, path)
    return values


def ensure_dev_secrets(app):
    """Load (or create) instance/dev-secrets.json and fill missing secrets from it."""
    path = os.path.join(app.instance_path, "dev-secrets.json")
    if not os.path.exists(path):
        values = _fresh_values()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process (a second worker) created it first: use that one
        else:
            with os.fdopen(fd, "w") as fh:
                json.dump(values, fh)
    if os.stat(path).st_mode & 0o077:
        os.chmod(path, 0o600)  # secrets readable by others: tighten rather than trust
    with open(path) as fh:
        values = _add_missing(path, json.load(fh))
    for key, value in values.items():
        if not app.config.get(key):
            app.config[key] = value
