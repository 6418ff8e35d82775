"""Disclosure periods (a month, a quarter or a year) and the publishing schedule.

Art. 30 of the Organic Law of Villagers' Committees (村民委员会组织法): ordinary matters are published at least
once a quarter; where collective finances have many transactions, finances are published monthly; matters of
major interest to villagers are published as they happen. County disclosure catalogues set the deadlines used
here: a quarter's items are due by the 20th of the first month of the next quarter, a month's by the 20th of the
next month, a year's by the 20th of January of the next year; a matter that needed approval is due within
APPROVED_PUBLISH_DAYS calendar days of its approval.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

GRANULARITIES = ("month", "quarter", "year")
KINDS = ("affairs", "finance", "party", "power", "funds")
DEFAULT_SCHEDULE = {"finance": "month", "affairs": "quarter", "party": "quarter", "power": "quarter",
                    "funds": "quarter"}
DUE_DAY = 20
APPROVED_PUBLISH_DAYS = 5
GRANULARITY_LABELS = {"month": "月", "quarter": "季度", "year": "年"}

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


class PeriodError(ValueError):
    """A period string that is not YYYY-MM, YYYY-Qn or YYYY (message in Chinese)."""


@dataclass(frozen=True, order=True)
class Period:
    """A closed range of calendar days [start, end] with its granularity and canonical label."""

    start: date
    end: date
    granularity: str
    label: str

    @property
    def display(self):
        """The period as people write it: 2026年3月, 2026年第1季度, 2026年度."""
        if self.granularity == "month":
            return f"{self.start.year}年{self.start.month}月"
        if self.granularity == "quarter":
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        return f"{self.start.year}年度"


def _month_end(year, month):
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def month_period(year, month):
    """The Period of one calendar month."""
    return Period(date(year, month, 1), _month_end(year, month), "month", f"{year:04d}-{month:02d}")


def quarter_period(year, quarter):
    """The Period of one calendar quarter (1-4)."""
    first = 3 * (quarter - 1) + 1
    return Period(date(year, first, 1), _month_end(year, first + 2), "quarter", f"{year:04d}-Q{quarter}")


def year_period(year):
    """The Period of one calendar year."""
    return Period(date(year, 1, 1), date(year, 12, 31), "year", f"{year:04d}")


def parse_period(text):
    """Parse "2026-03", "2026-Q1" or "2026" into a Period; anything else raises PeriodError."""
    raw = text.strip().upper() if isinstance(text, str) else ""
    month, quarter, year = _MONTH.match(raw), _QUARTER.match(raw), _YEAR.match(raw)
    match = month or quarter or year
    if not match:
        raise PeriodError("公开期间格式应为 2026-03（月）、2026-Q1（季度）或 2026（年）")
    number = int(match[1])
    if not 2000 <= number <= 2099:
        raise PeriodError("年份应在 2000 到 2099 之间")
    if month:
        if not 1 <= int(month[2]) <= 12:
            raise PeriodError("月份应在 01 到 12 之间")
        return month_period(number, int(month[2]))
    if quarter:
        return quarter_period(number, int(quarter[2]))
    return year_period(number)


def period_contains(period, day):
    """Whether a calendar day lies within the period (a Period or its string)."""
    if isinstance(period, str):
        period = parse_period(period)
    return period.start <= day <= period.end


def period_within(inner, outer):
    """Whether the whole of `inner` lies within `outer` (both Periods or strings)."""
    inner = parse_period(inner) if isinstance(inner, str) else inner
    outer = parse_period(outer) if isinstance(outer, str) else outer
    return outer.start <= inner.start and inner.end <= outer.end


def period_of(day, granularity):
    """The Period of a granularity that contains a day."""
    if granularity == "month":
        return month_period(day.year, day.month)
    if granularity == "quarter":
        return quarter_period(day.year, (day.month - 1) // 3 + 1)
    if granularity == "year":
        return year_period(day.year)
    raise ValueError(granularity)


def previous_period(period):
    """The Period right before this one, of the same granularity."""
    return period_of(period.start - timedelta(days=1), period.granularity)


def schedule_for(kind, schedule=None):
    """The granularity a kind is due at under a schedule (DEFAULT_SCHEDULE for what it does not name)."""
    if kind not in KINDS:
        raise ValueError(kind)
    granularity = (schedule or {}).get(kind) or DEFAULT_SCHEDULE[kind]
    if granularity not in GRANULARITIES:
        raise ValueError(granularity)
    return granularity


def due_date(kind, period, schedule=None):
    """The last day a period's disclosure of this kind may be published: the 20th of the month after it ends.

    For a month that is the 20th of the next month, for a quarter the 20th of the first month of the next
    quarter, for a year the 20th of January. `kind` and `schedule` are accepted so that a per-kind rule can be
    added without changing callers; today every kind shares the rule.
    """
    schedule_for(kind, schedule)
    if isinstance(period, str):
        period = parse_period(period)
    after = period.end + timedelta(days=1)
    return date(after.year, after.month, DUE_DAY)


def expected_periods(kind, as_of, schedule=None, lookback=4):
    """The last `lookback` periods of the kind's granularity past due on `as_of` (due date < as_of), oldest first."""
    granularity = schedule_for(kind, schedule)
    period = period_of(as_of, granularity)
    found = []
    while len(found) < lookback:
        if due_date(kind, period, schedule) < as_of:
            found.append(period)
        period = previous_period(period)
    return list(reversed(found))
