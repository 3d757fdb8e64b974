"""When a committee's progress report comes due: regular rules and working days before
meetings, across bank holidays and the turn of the year."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tracker.committees.models import ReportCadence
from tracker.errors import RuleBroken
from tracker.formatting import UK
from tracker.reports.cadence import (
    ReportSchedule,
    check_schedule,
    due_moments,
    next_moments,
    normalise_day,
    normalise_months,
    schedule_in_words,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def uk(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UK)


def rule(months: str, day: str, at: str = "09:00") -> ReportSchedule:
    return ReportSchedule(ReportCadence.RULE, normalise_months(months), normalise_day(day),
                          None, at)


def before_meetings(days: int, at: str = "09:00") -> ReportSchedule:
    return ReportSchedule(ReportCadence.BEFORE_MEETING, days_before=days, time_of_day=at)


def test_first_monday_of_each_quarter_runs_into_the_new_year():
    schedule = rule("January, April, July, October", "first Monday")

    assert next_moments(schedule, [], NOW, 3) == [uk(2027, 1, 4), uk(2027, 4, 5),
                                                  uk(2027, 7, 5)]


def test_a_rule_landing_on_a_bank_holiday_moves_to_the_next_working_day():
    # The first Monday of May is always the early May bank holiday.
    assert next_moments(rule("5", "1st mon"), [], NOW, 1) == [uk(2027, 5, 4)]
    # The 1st of January 2027 is a Friday and a bank holiday: Monday the 4th.
    assert next_moments(rule("1", "1"), [], NOW, 1) == [uk(2027, 1, 4)]


def test_working_days_before_a_meeting_skip_new_years_day_and_the_weekend():
    # Meeting on Wednesday 6 January 2027: 5, 4, 31 Dec, 30 Dec, 29 Dec.
    assert next_moments(before_meetings(5), [date(2027, 1, 6)], NOW) == [uk(2026, 12, 29)]


def test_working_days_before_a_meeting_skip_christmas_and_boxing_day():
    # Meeting on Tuesday 29 December 2026: 28 Dec is Boxing Day's substitute, 25 Dec is
    # Christmas, so three working days back is Tuesday 22 December.
    assert next_moments(before_meetings(3, "16:30"), [date(2026, 12, 29)], NOW) == [
        uk(2026, 12, 22, 16, 30)]


def test_a_due_moment_is_caught_up_within_a_day_and_not_after():
    schedule = before_meetings(5)
    meetings = [date(2026, 12, 10)]  # due Thursday 3 December at 9am
    assert due_moments(schedule, meetings, uk(2026, 12, 3, 8, 59)) == []
    assert due_moments(schedule, meetings, uk(2026, 12, 3, 9, 0)) == [uk(2026, 12, 3)]
    assert due_moments(schedule, meetings, uk(2026, 12, 4, 8, 0)) == [uk(2026, 12, 3)]
    assert due_moments(schedule, meetings, uk(2026, 12, 4, 9, 1)) == []


def test_a_committee_not_on_a_schedule_is_never_due():
    schedule = ReportSchedule(ReportCadence.NONE)
    assert next_moments(schedule, [date(2027, 1, 6)], NOW) == []


@pytest.mark.parametrize(("schedule", "field", "words"), [
    (rule("13", "1st mon"), "report_rule_months", "numbers from 1 to 12"),
    (rule("1,4", "someday"), "report_rule_day", "1st mon, 2nd tue or last fri"),
    (rule("1,4", ""), "report_rule_day", "Enter the day"),
    (rule("1,4", "1st mon", "25:00"), "report_time", "24-hour clock"),
    (before_meetings(0), "report_days_before", "from 1 to 60"),
    (before_meetings(61), "report_days_before", "from 1 to 60"),
])
def test_a_schedule_that_cannot_run_says_which_field_to_fix(schedule, field, words):
    with pytest.raises(RuleBroken) as broken:
        check_schedule(schedule)
    assert broken.value.field == field
    assert words in broken.value.message


def test_days_and_months_may_be_written_in_words():
    assert normalise_day("Last Friday") == "last fri"
    assert normalise_day(" 2nd  tue ") == "2nd tue"
    assert normalise_months("jan, Apr,jul october") == "1,4,7,10"


@pytest.mark.parametrize(("schedule", "words"), [
    (rule("1,4,7,10", "1st fri"), "First Friday of January, April, July and October at 9am"),
    (rule("", "last Monday", "14:30"), "Last Monday of every month at 2:30pm"),
    (rule("1-3,9", "15", "12:00"), "15th day of January to March and September at midday"),
    (rule("6", "2nd tue,22"), "Second Tuesday and 22nd day of June at 9am"),
    (before_meetings(1), "1 working day before each meeting at 9am"),
    (before_meetings(5, "08:15"), "5 working days before each meeting at 8:15am"),
    (ReportSchedule(ReportCadence.NONE), ""),
])
def test_a_schedule_is_summed_up_in_words(schedule, words):
    assert schedule_in_words(schedule) == words


@pytest.mark.parametrize("day", ["5th mon", "fifth Monday", "1st tue,5th fri"])
def test_a_fifth_weekday_is_refused_with_the_last_one_suggested(day):
    with pytest.raises(RuleBroken) as broken:
        check_schedule(rule("1,4,7,10", day))
    assert broken.value.field == "report_rule_day"
    assert "Not every month has a fifth" in broken.value.message
    assert "“last Monday”" in broken.value.message or "“last Friday”" in broken.value.message


def test_the_last_monday_of_a_month_is_a_rule():
    schedule = rule("January, February", "last Monday")
    check_schedule(schedule)
    assert next_moments(schedule, [], NOW, count=2) == [uk(2027, 1, 25), uk(2027, 2, 22)]
