"""Working days in England and Wales: weekends and bank holidays are not working days."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> holidays.HolidayBase:
    # England's list is the England and Wales list; the package ships it, no network needed.
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


@lru_cache(maxsize=64)
def _bank_holiday_days(year: int) -> frozenset[date]:
    # The days alone: asking a set is many times quicker than asking the holidays package,
    # and the statutory clock asks for every day of three months.
    return frozenset(_bank_holidays(year))


def is_bank_holiday(day: date) -> bool:
    """Whether the day is a bank holiday in England and Wales."""
    return day in _bank_holiday_days(day.year)


def bank_holiday_name(day: date) -> str | None:
    """The name of the bank holiday in England and Wales on the day ("Christmas Day"), or None."""
    return _bank_holidays(day.year).get(day)


def is_working_day(day: date) -> bool:
    """Monday to Friday, except bank holidays."""
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_working_days(start: date, count: int) -> date:
    """The date `count` working days after `start` (the start day itself is not counted)."""
    day = start
    remaining = count
    # Whole weeks first, each counted by `working_days_between` (a week has at most five
    # working days, so no jump passes the answer), leaving at least one day to step to, so
    # the answer is a working day.
    while remaining > 5:
        later = day + timedelta(weeks=(remaining - 1) // 5)
        remaining -= working_days_between(day, later)
        day = later
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is earlier."""
    if end < start:
        return -working_days_between(end, start)
    # Weekdays counted a whole week at a time, the rest of a week day by day, less the bank
    # holidays on weekdays in between (a few a year): the statutory clock asks this over
    # months on every dashboard.
    days = (end - start).days
    weekdays = days // 7 * 5 + sum(
        1 for offset in range(days - days % 7 + 1, days + 1)
        if (start + timedelta(days=offset)).weekday() < 5)
    holidays_between = sum(
        1 for year in range(start.year, end.year + 1) for holiday in _bank_holiday_days(year)
        if start < holiday <= end and holiday.weekday() < 5)
    return weekdays - holidays_between


def working_days_before(day: date, count: int) -> date:
    """The date `count` working days before `day` (the day itself is not counted)."""
    earlier = day
    remaining = count
    while remaining > 0:
        earlier -= timedelta(days=1)
        if is_working_day(earlier):
            remaining -= 1
    return earlier
