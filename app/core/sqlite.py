"""SQLite tuning for the embedded default: WAL, busy timeout, foreign keys."""

from sqlalchemy import event


def enable_sqlite_pragmas(engine):
    """Turn on WAL, a busy timeout and foreign keys for every SQLite connection."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
