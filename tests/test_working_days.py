"""Working days in England and Wales, as the statutory clock counts them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker.workingdays import (
    add_working_days,
    is_bank_holiday,
    is_working_day,
    working_days_between,
)


@pytest.mark.parametrize(
    "day",
    [
        date(2025, 12, 25),  # Christmas Day, a Thursday
        date(2025, 12, 26),  # Boxing Day
        date(2026, 1, 1),  # New Year's Day
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 4),  # Early May bank holiday
        date(2026, 8, 31),  # Summer bank holiday: the last Monday of August in England
    ],
    ids=str,
)
def test_bank_holidays_in_england_and_wales_are_not_working_days(day):
    assert is_bank_holiday(day)
    assert not is_working_day(day)


def test_when_christmas_falls_on_a_weekend_the_substitute_days_are_not_working_days():
    # Christmas 2022 was a Sunday: Boxing Day on Monday 26th, Christmas on Tuesday 27th.
    assert is_bank_holiday(date(2022, 12, 27))
    # Christmas 2027 is a Saturday: substitutes on Monday 27th and Tuesday 28th.
    assert is_bank_holiday(date(2027, 12, 27))
    assert is_bank_holiday(date(2027, 12, 28))
    assert is_working_day(date(2027, 12, 29))


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 2),  # 2 January: a bank holiday in Scotland only
        date(2026, 8, 3),  # first Monday of August: Scotland's summer holiday
        date(2026, 11, 30),  # St Andrew's Day, Monday: Scotland only
        date(2026, 3, 17),  # St Patrick's Day: Northern Ireland only
    ],
    ids=str,
)
def test_holidays_of_scotland_and_northern_ireland_are_working_days(day):
    assert not is_bank_holiday(day)
    assert is_working_day(day)


def test_weekends_are_not_working_days():
    assert not is_working_day(date(2026, 9, 5))  # Saturday
    assert not is_working_day(date(2026, 9, 6))  # Sunday
    assert is_working_day(date(2026, 9, 7))  # Monday


def test_counting_working_days_skips_the_weekend_and_not_the_start_day():
    friday = date(2026, 9, 4)
    assert add_working_days(friday, 0) == friday
    assert add_working_days(friday, 1) == date(2026, 9, 7)  # Monday
    assert add_working_days(friday, 5) == date(2026, 9, 11)


def test_counting_working_days_skips_christmas_and_new_year():
    # From Wednesday 24 December 2025: Thu 25, Fri 26 holidays, weekend, Mon 29 (1),
    # Tue 30 (2), Wed 31 (3), Thu 1 January holiday, Fri 2 January (4).
    assert add_working_days(date(2025, 12, 24), 4) == date(2026, 1, 2)


def test_counting_working_days_skips_easter():
    # From Thursday 2 April 2026: Good Friday, the weekend and Easter Monday are skipped.
    assert add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)


def test_working_days_between_two_dates_counts_forwards_and_backwards():
    assert working_days_between(date(2026, 4, 2), date(2026, 4, 7)) == 1
    assert working_days_between(date(2026, 4, 7), date(2026, 4, 2)) == -1
    assert working_days_between(date(2026, 9, 7), date(2026, 9, 7)) == 0
    start = date(2025, 12, 22)
    assert working_days_between(start, add_working_days(start, 70)) == 70


def _step_by_day(start: date, count: int) -> date:
    """The answer as the statutory clock was first counted: one day at a time."""
    day = start
    while count > 0:
        day += timedelta(days=1)
        count -= is_working_day(day)
    return day


def test_counting_a_week_at_a_time_gives_the_same_days_as_counting_day_by_day():
    # Every start day of two years that cross Christmas, Easter and the late May and August
    # bank holidays, starting on weekends and holidays too, and counts up to five months.
    start = date(2025, 11, 1)
    for offset in range(0, 730, 3):
        day = start + timedelta(days=offset)
        for count in (0, 1, 4, 5, 6, 20, 70, 101):
            due = add_working_days(day, count)
            assert due == _step_by_day(day, count), (day, count)
            assert working_days_between(day, due) == count, (day, count)
            assert working_days_between(due, day) == -count, (day, count)
