"""Periods and the publishing schedule (Art. 30 of the Organic Law of Villagers' Committees)."""

from datetime import date

import pytest

from app.disclosures import periods
from app.disclosures.periods import PeriodError, due_date, expected_periods, parse_period


@pytest.mark.parametrize("text, start, end, granularity, display", [
    ("2026-03", date(2026, 3, 1), date(2026, 3, 31), "month", "2026年3月"),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "month", "2024年2月"),
    ("2026-12", date(2026, 12, 1), date(2026, 12, 31), "month", "2026年12月"),
    ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), "quarter", "2026年第1季度"),
    ("2026-q4", date(2026, 10, 1), date(2026, 12, 31), "quarter", "2026年第4季度"),
    ("2026", date(2026, 1, 1), date(2026, 12, 31), "year", "2026年度"),
])
def test_parse_period(text, start, end, granularity, display):
    period = parse_period(text)
    assert (period.start, period.end, period.granularity, period.display) == (start, end, granularity, display)
    assert parse_period(period.label) == period


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-Q5", "26-03", "2026-3", "1999", "2026年3月", "", None,
                                  2026])
def test_bad_periods_are_refused_in_chinese(text):
    with pytest.raises(PeriodError) as err:
        parse_period(text)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(err.value))


def test_containment():
    assert periods.period_contains("2026-Q1", date(2026, 3, 31))
    assert not periods.period_contains("2026-Q1", date(2026, 4, 1))
    assert periods.period_within("2026-02", "2026-Q1") and periods.period_within("2026-Q1", "2026")
    assert not periods.period_within("2026", "2026-Q1")


@pytest.mark.parametrize("kind, period, due", [
    ("affairs", "2026-Q1", date(2026, 4, 20)),
    ("affairs", "2026-Q4", date(2027, 1, 20)),
    ("finance", "2026-03", date(2026, 4, 20)),
    ("finance", "2026-12", date(2027, 1, 20)),
    ("power", "2026", date(2027, 1, 20)),
])
def test_due_dates(kind, period, due):
    assert due_date(kind, period) == due


def test_default_schedule_follows_the_law():
    assert periods.DEFAULT_SCHEDULE["finance"] == "month"
    assert {periods.DEFAULT_SCHEDULE[k] for k in ("affairs", "party", "power", "funds")} == {"quarter"}


def test_expected_periods_are_those_past_due():
    assert [p.label for p in expected_periods("affairs", date(2026, 4, 20), lookback=2)] == ["2025-Q3", "2025-Q4"]
    assert [p.label for p in expected_periods("affairs", date(2026, 4, 21), lookback=2)] == ["2025-Q4", "2026-Q1"]
    monthly = expected_periods("finance", date(2026, 5, 1), lookback=3)
    assert [p.label for p in monthly] == ["2026-01", "2026-02", "2026-03"]
    quarterly = expected_periods("finance", date(2026, 5, 1), {"finance": "quarter"}, lookback=1)
    assert [p.label for p in quarterly] == ["2026-Q1"]
