"""Working days with China's statutory holidays and make-up days, on real 2025/2026 dates."""

import logging
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.triage.workdays import WorkCalendar, parse_dates

CAL = WorkCalendar()


def test_national_day_golden_week_2025():
    assert all(not CAL.is_workday(date(2025, 10, d)) for d in range(1, 9))  # Oct 1-8 off (with Mid-Autumn)
    assert CAL.is_workday(date(2025, 9, 28))  # Sunday make-up day
    assert CAL.is_workday(date(2025, 10, 11))  # Saturday make-up day
    assert not CAL.is_workday(date(2025, 10, 12))
    assert not CAL.is_workday(date(2025, 9, 27))  # an ordinary Saturday


def test_deadline_across_golden_week_skips_holidays_and_counts_makeup_days():
    # received Sat 27 Sep: Sun 28 (make-up), Mon 29, Tue 30, then Thu 9, Fri 10, Sat 11 (make-up)
    assert CAL.add_workdays(date(2025, 9, 27), 1) == date(2025, 9, 28)
    assert CAL.add_workdays(date(2025, 9, 27), 3) == date(2025, 9, 30)
    assert CAL.add_workdays(date(2025, 9, 27), 4) == date(2025, 10, 9)
    assert CAL.add_workdays(date(2025, 9, 27), 6) == date(2025, 10, 11)
    assert CAL.add_workdays(date(2025, 9, 27), 7) == date(2025, 10, 13)


def test_spring_festival_2026():
    assert CAL.is_workday(date(2026, 2, 14))  # Saturday make-up day
    assert all(not CAL.is_workday(date(2026, 2, d)) for d in range(15, 24))  # Feb 15-23 off
    assert CAL.is_workday(date(2026, 2, 28))  # Saturday make-up day
    # received Friday 13 Feb, 15 working days: 14 Feb (1), 24-27 Feb (2-5), 28 Feb (6), 2-6 Mar (7-11), 9-12 Mar
    assert CAL.add_workdays(date(2026, 2, 13), 15) == date(2026, 3, 12)


def test_start_day_does_not_count():
    monday = date(2025, 11, 3)
    assert CAL.add_workdays(monday, 0) == monday
    assert CAL.add_workdays(monday, 1) == date(2025, 11, 4)
    assert CAL.add_workdays(date(2025, 11, 7), 1) == date(2025, 11, 10)  # Friday -> Monday


def test_negative_counts_go_backwards():
    assert CAL.add_workdays(date(2025, 10, 9), -1) == date(2025, 9, 30)
    assert CAL.add_workdays(date(2025, 11, 10), -1) == date(2025, 11, 7)


def test_workdays_between():
    assert CAL.workdays_between(date(2025, 9, 30), date(2025, 10, 9)) == 1
    assert CAL.workdays_between(date(2025, 10, 9), date(2025, 9, 30)) == -1
    assert CAL.workdays_between(date(2025, 11, 3), date(2025, 11, 3)) == 0
    assert CAL.workdays_between(date(2025, 11, 2), date(2025, 11, 9)) == 5


@given(start=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 10, 1)), n=st.integers(0, 40))
def test_between_inverts_add(start, n):
    due = CAL.add_workdays(start, n)
    assert CAL.workdays_between(start, due) == n
    assert n == 0 or CAL.is_workday(due)


def test_extra_holidays_and_workdays_override():
    local = WorkCalendar(extra_holidays={date(2025, 11, 4)}, extra_workdays={date(2025, 11, 8)})
    assert not local.is_workday(date(2025, 11, 4))
    assert local.is_workday(date(2025, 11, 8))  # a Saturday made a working day
    assert local.add_workdays(date(2025, 11, 3), 1) == date(2025, 11, 5)
    with pytest.raises(ValueError):
        WorkCalendar(extra_holidays={date(2025, 1, 1)}, extra_workdays={date(2025, 1, 1)})


def test_unknown_year_falls_back_to_weekends_with_one_warning(caplog):
    cal = WorkCalendar()
    with caplog.at_level(logging.WARNING, logger="app.triage.workdays"):
        assert cal.is_workday(date(2035, 1, 1))  # a Monday; New Year unknown to the package
        assert not cal.is_workday(date(2035, 1, 6))  # Saturday
        assert cal.add_workdays(date(2035, 1, 5), 1) == date(2035, 1, 8)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "2035" in warnings[0].getMessage()


def test_overrides_fill_a_year_the_package_does_not_know():
    cal = WorkCalendar(extra_holidays={date(2035, 1, 1)})
    assert not cal.is_workday(date(2035, 1, 1))
    assert cal.add_workdays(date(2034, 12, 29), 1) == date(2035, 1, 2)


def test_due_status():
    due = date(2025, 10, 13)
    assert CAL.due_status(due, date(2025, 10, 14)) == "overdue"
    assert CAL.due_status(due, due) == "due_soon"
    assert CAL.due_status(due, date(2025, 10, 9)) == "due_soon"  # 9 Oct: 10, 11 (make-up), 13 = 3 left
    assert CAL.due_status(due, date(2025, 9, 30)) == "ok"  # 4 working days left: the holiday does not count
    assert CAL.due_status(due, date(2025, 9, 30), soon_days=4) == "due_soon"
    assert CAL.due_status(due, date(2025, 10, 9), soon_days=2) == "ok"
    assert CAL.remaining_workdays(due, date(2025, 10, 9)) == 3


def test_datetimes_are_refused():
    with pytest.raises(TypeError):
        CAL.is_workday(datetime(2025, 10, 1, 12))
    with pytest.raises(TypeError):
        CAL.add_workdays("2025-10-01", 1)


def test_parse_dates_for_settings():
    assert parse_dates("2027-01-01, 2027-02-06，2027-02-07") == {date(2027, 1, 1), date(2027, 2, 6), date(2027, 2, 7)}
    assert parse_dates("") == set() and parse_dates(None) == set()
    assert parse_dates(["2027-01-01"]) == {date(2027, 1, 1)}
    with pytest.raises(ValueError):
        parse_dates("2027-13-01")


def test_long_limits_are_fine():
    assert CAL.add_workdays(date(2025, 1, 1), 250) - date(2025, 1, 1) < timedelta(days=400)
