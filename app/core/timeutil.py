"""Time helpers: aware UTC in the database, China Standard Time for people."""

from datetime import UTC, date, datetime, timedelta, timezone

import sqlalchemy as sa

CST = timezone(timedelta(hours=8), "Asia/Shanghai")


def utcnow():
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def today_cst():
    """Return today's date in China Standard Time."""
    return datetime.now(CST).date()


def to_cst(value):
    """Convert an aware (or naive UTC) datetime to China Standard Time."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(CST)


def start_of_day_utc(day: date):
    """Return the UTC instant at which a CST calendar day starts."""
    return datetime(day.year, day.month, day.day, tzinfo=CST).astimezone(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """Store naive UTC, return aware UTC, on every database alike."""

    impl = sa.DateTime
    cache_ok = True

    @property
    def python_type(self):
        """datetime, for code that inspects column types (keyset cursors parse their values by it)."""
        return datetime

    def process_bind_param(self, value, dialect):
        """Normalise to naive UTC before storing."""
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        """Attach UTC to what the database returns."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC)
