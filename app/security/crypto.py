"""Field encryption with MultiFernet (keys from DATA_KEYS, newest first) and keyed hashes."""

import hashlib
import hmac

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


def _keys(config):
    raw = config.get("DATA_KEYS") or ""
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    if not keys:
        raise RuntimeError("DATA_KEYS is not configured")
    return keys


def fernet():
    """The app's MultiFernet, built once per app from DATA_KEYS."""
    ext = current_app.extensions
    cached = ext.get("mss_fernet")
    keys = _keys(current_app.config)
    if cached is None or cached[0] != keys:
        cached = (keys, MultiFernet([Fernet(k.encode()) for k in keys]))
        ext["mss_fernet"] = cached
    return cached[1]


def encrypt(text):
    """Encrypt a string (None stays None)."""
    if text is None:
        return None
    return fernet().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token):
    """Decrypt a string produced by encrypt()."""
    if token is None:
        return None
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise RuntimeError("encrypted field cannot be decrypted with the configured DATA_KEYS") from None


def rotate(token):
    """Re-encrypt a token under the newest key."""
    if token is None:
        return None
    return fernet().rotate(token.encode("ascii")).decode("ascii")


def encrypted_columns(metadata=None):
    """Every (table, column) stored as EncryptedText, across all domains' tables."""
    if metadata is None:
        from app.extensions import db

        metadata = db.metadata
    return [(table, column) for table in metadata.sorted_tables for column in table.columns
            if isinstance(column.type, EncryptedText)]


def rotate_all(session=None):
    """Re-encrypt every EncryptedText value not yet under the newest DATA_KEYS key; returns how many changed.

    Key rotation: prepend a new key to DATA_KEYS (keep the old ones after it), run this, then drop the old keys.
    Works on the raw column values, so nothing is decrypted into the ORM identity map; commits per table.
    """
    if session is None:
        from app.extensions import db

        session = db.session
    newest = Fernet(_keys(current_app.config)[0].encode())
    changed = 0
    for table, column in encrypted_columns():
        pk = list(table.primary_key.columns)
        raw = sa.type_coerce(column, sa.Text).label("mss_token")
        rows = session.execute(sa.select(*pk, raw).where(column.is_not(None))).all()
        for row in rows:
            token = row.mss_token
            try:
                newest.decrypt(token.encode("ascii"))
                continue  # already under the newest key
            except InvalidToken:
                pass
            where = [col == row._mapping[col] for col in pk]
            session.execute(table.update().where(*where).values({column.name: sa.literal(rotate(token), sa.Text())}))
            changed += 1
        session.commit()
    return changed


def keyed_hash(value, purpose):
    """HMAC-SHA256 of a value under SECRET_KEY and a purpose label (for lookups without decrypting)."""
    key = hashlib.sha256((current_app.config["SECRET_KEY"] + "|" + purpose).encode()).digest()
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


class EncryptedText(sa.types.TypeDecorator):
    """A text column stored as a Fernet token; readable only with DATA_KEYS."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Encrypt before storing."""
        return encrypt(value)

    def process_result_value(self, value, dialect):
        """Decrypt after loading."""
        return decrypt(value)
