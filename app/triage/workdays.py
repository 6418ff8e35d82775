"""Working-day arithmetic for legal time limits in mainland China.

Statutory holidays and make-up working days (调休) come from `chinese_calendar`; a deployment can add local
holidays or correct a year the package does not know yet with `extra_holidays` / `extra_workdays`. Outside the
years the package covers, weekends alone count as rest days and a warning is logged once per year.

Counting rule: a time limit of n working days starting on day `start` ends on the n-th working day AFTER `start`
(the start day itself never counts, as for 期间 in Chinese procedure law), so a report received on a Friday
evening with a 15-working-day limit is due 15 working days after that Friday.
"""

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta

import chinese_calendar

log = logging.getLogger(__name__)
_WARNED_YEARS: set[int] = set()

DUE_STATUSES = ("overdue", "due_soon", "ok")
DUE_STATUS_LABELS = {"overdue": "已超期", "due_soon": "即将到期", "ok": "未到期"}
MAX_SPAN_DAYS = 20 * 366  # guard against runaway loops on absurd input


class WorkCalendar:
    """China's working days (weekends, statutory holidays, 调休) with local overrides."""

    def __init__(self, extra_holidays: Iterable[date] = (), extra_workdays: Iterable[date] = ()):
        self.extra_holidays = frozenset(_as_date(d) for d in extra_holidays)
        self.extra_workdays = frozenset(_as_date(d) for d in extra_workdays)
        both = self.extra_holidays & self.extra_workdays
        if both:
            raise ValueError(f"dates both extra holiday and extra workday: {sorted(both)}")

    def is_workday(self, d: date) -> bool:
        """Whether staff work on this China-time calendar day."""
        d = _as_date(d)
        if d in self.extra_holidays:
            return False
        if d in self.extra_workdays:
            return True
        try:
            return chinese_calendar.is_workday(d)
        except NotImplementedError:
            if d.year not in _WARNED_YEARS:  # once per process and year, whatever the number of calendars
                _WARNED_YEARS.add(d.year)
                log.warning("chinese_calendar has no holiday data for %s: counting weekends only; "
                            "upgrade chinese_calendar or set WORKDAY_EXTRA_HOLIDAYS/WORKDAY_EXTRA_WORKDAYS", d.year)
            return d.weekday() < 5

    def add_workdays(self, start: date, n: int) -> date:
        """Return the n-th working day after `start` (start not counted; negative n counts backwards)."""
        day = _as_date(start)
        step = 1 if n >= 0 else -1
        remaining = abs(n)
        for _ in range(MAX_SPAN_DAYS):
            if remaining == 0:
                return day
            day += timedelta(days=step)
            if self.is_workday(day):
                remaining -= 1
        raise ValueError(f"{n} working days is beyond the supported span")

    def workdays_between(self, a: date, b: date) -> int:
        """Count working days in (a, b]; negative when b is before a, 0 when equal."""
        a, b = _as_date(a), _as_date(b)
        if b < a:
            return -self.workdays_between(b, a)
        if (b - a).days > MAX_SPAN_DAYS:
            raise ValueError("span too long")
        return sum(1 for i in range(1, (b - a).days + 1) if self.is_workday(a + timedelta(days=i)))

    def due_status(self, due: date, today: date, soon_days: int = 3) -> str:
        """Return "overdue" after the due day, "due_soon" within `soon_days` working days of it, else "ok"."""
        due, today = _as_date(due), _as_date(today)
        if today > due:
            return "overdue"
        if self.workdays_between(today, due) <= soon_days:
            return "due_soon"
        return "ok"

    def remaining_workdays(self, due: date, today: date) -> int:
        """Working days left until the due day (negative: working days overdue)."""
        return self.workdays_between(_as_date(today), _as_date(due))


def parse_dates(value: str | Iterable[str] | None) -> set[date]:
    """Parse ISO dates from a comma/space separated setting ("2027-01-01,2027-02-06") or a list."""
    if not value:
        return set()
    items = value.replace(",", " ").replace("，", " ").split() if isinstance(value, str) else value
    try:
        return {date.fromisoformat(item.strip()) for item in items if item.strip()}
    except ValueError as exc:
        raise ValueError(f"bad date in working-day setting: {exc}") from exc


def _as_date(d: date) -> date:
    if isinstance(d, datetime):
        raise TypeError("pass a China-time calendar date, not a datetime (see app.core.timeutil.to_cst)")
    if not isinstance(d, date):
        raise TypeError(f"expected a date, got {type(d).__name__}")
    return d
