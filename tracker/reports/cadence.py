"""When a committee's progress report is due: a regular rule, or working days before meetings.

Plain functions over a `ReportSchedule`, so the dates can be tested without a database:
- a rule is the scheduler's cron fields for months and day ("1,4,7,10" and "1st mon": the first
  Monday of each quarter), at a time of day, UK time; a day the rule lands on that is not a
  working day (the first Monday of May is a bank holiday) moves to the next working day;
- "N working days before each meeting" counts back over weekends and England and Wales bank
  holidays (tracker.workingdays) from each meeting date.

A due moment is produced once (the run's unique key is the committee and the moment). If the
scheduler was stopped over a due moment, it is still produced when the scheduler is back
within CATCH_UP; after that it is skipped, as a report a day late is better made by hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from apscheduler.triggers.cron import CronTrigger

from tracker.committees.models import Committee, ReportCadence
from tracker.errors import RuleBroken
from tracker.formatting import UK, clock_time
from tracker.workingdays import add_working_days, is_working_day, working_days_before

CATCH_UP = timedelta(hours=24)
MOST_DAYS_BEFORE = 60
# Christmas to New Year holds at most six days that are not working days in a row.
SHIFT_LOOKBACK = timedelta(days=7)

_ORDINALS = {"first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th",
             "last": "last"}
_WEEKDAYS = {name: name[:3] for name in
             ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")}
_MONTHS = {name: str(number) for number, name in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"), start=1)}


@dataclass(frozen=True)
class ReportSchedule:
    """A committee's report cadence, as plain values."""

    cadence: ReportCadence
    rule_months: str = ""
    rule_day: str = ""
    days_before: int | None = None
    time_of_day: str = "09:00"

    @classmethod
    def of(cls, committee: Committee) -> ReportSchedule:
        return cls(committee.report_cadence, committee.report_rule_months,
                   committee.report_rule_day, committee.report_days_before,
                   committee.report_time)


def normalise_day(text: str) -> str:
    """A day as people write it ("first Monday", "Last Friday", "15") in the scheduler's
    terms ("1st mon", "last fri", "15")."""
    words = re.split(r"\s+", text.strip().lower())
    return " ".join(_ORDINALS.get(word, _WEEKDAYS.get(word, word)) for word in words if word)


def normalise_months(text: str) -> str:
    """Months as numbers or names, separated by commas ("January, April" -> "1,4")."""
    parts = [part.strip().lower() for part in re.split(r"[,\s]+", text) if part.strip()]
    return ",".join(_MONTHS.get(part, _MONTHS.get(_full_month(part), part)) for part in parts)


def _full_month(short: str) -> str:
    return next((name for name in _MONTHS if len(short) >= 3 and name.startswith(short)), short)


def parse_time(text: str) -> time:
    """HH:MM on the 24-hour clock, or RuleBroken."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise RuleBroken("Enter the time as hours and minutes on the 24-hour clock, such as "
                         "09:00", field="report_time")
    return time(int(match[1]), int(match[2]))


def rule_trigger(schedule: ReportSchedule) -> CronTrigger:
    """The scheduler's trigger for a RULE cadence, or RuleBroken saying which field is wrong."""
    at = parse_time(schedule.time_of_day)
    months = schedule.rule_months or "*"
    if not re.fullmatch(r"\*|\d{1,2}(-\d{1,2})?(,\d{1,2}(-\d{1,2})?)*", months) or any(
        not 1 <= int(number) <= 12 for number in re.findall(r"\d+", months)
    ):
        raise RuleBroken("Enter the months as numbers from 1 to 12 or month names, separated "
                         "by commas, such as 1,4,7,10", field="report_rule_months")
    if not schedule.rule_day:
        raise RuleBroken("Enter the day of the month, such as 1st mon or 15",
                         field="report_rule_day")
    try:
        CronTrigger(day=schedule.rule_day)
    except ValueError as error:
        raise RuleBroken("Enter the day as a date such as 15, or a weekday in the month "
                         "such as 1st mon, 2nd tue or last fri", field="report_rule_day") from error
    return CronTrigger(month=months, day=schedule.rule_day, hour=at.hour, minute=at.minute,
                       timezone=UK)


_DAY_NAMES = {short: name.capitalize() for name, short in _WEEKDAYS.items()}
_ORDINAL_WORDS = {short: word for word, short in _ORDINALS.items()}
_MONTH_NAMES = {int(number): name.capitalize() for name, number in _MONTHS.items()}


def _nth(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(
        number % 10, "th")
    return f"{number}{suffix}"


def _in_words(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _day_in_words(part: str) -> str:
    """One part of a rule's day ("1st fri", "last mon", "15", "last", "1-7") in words."""
    words = part.split()
    if len(words) == 2 and words[0] in _ORDINAL_WORDS and words[1] in _DAY_NAMES:
        return f"{_ORDINAL_WORDS[words[0]]} {_DAY_NAMES[words[1]]}"
    if part == "last":
        return "last day"
    if re.fullmatch(r"\d{1,2}", part):
        return f"{_nth(int(part))} day"
    if match := re.fullmatch(r"(\d{1,2})-(\d{1,2})", part):
        return f"days {match[1]} to {match[2]}"
    return part


def _months_in_words(months: str) -> str:
    if not months or months == "*":
        return "every month"
    parts = []
    for part in months.split(","):
        if match := re.fullmatch(r"(\d{1,2})-(\d{1,2})", part):
            parts.append(f"{_MONTH_NAMES[int(match[1])]} to {_MONTH_NAMES[int(match[2])]}")
        else:
            parts.append(_MONTH_NAMES[int(part)])
    return _in_words(parts)


def schedule_in_words(schedule: ReportSchedule) -> str:
    """The schedule as people say it: "First Friday of January, April, July and October at
    9am", "15th day of every month at 2:30pm", "3 working days before each meeting at 9am";
    "" when there is no schedule. The schedule is one that `check_schedule` accepts."""
    at = {"12:00pm": "midday", "12:00am": "midnight"}.get(
        clock_time(parse_time(schedule.time_of_day)),
        clock_time(parse_time(schedule.time_of_day)).replace(":00", ""))
    if schedule.cadence is ReportCadence.RULE:
        days = _in_words([_day_in_words(part.strip())
                          for part in schedule.rule_day.split(",")])
        return f"{days[:1].upper()}{days[1:]} of {_months_in_words(schedule.rule_months)} at {at}"
    if schedule.cadence is ReportCadence.BEFORE_MEETING and schedule.days_before:
        count = schedule.days_before
        return f"{count} working day{'' if count == 1 else 's'} before each meeting at {at}"
    return ""


def check_schedule(schedule: ReportSchedule) -> None:
    """RuleBroken (with the field to fix) unless the schedule can produce reports."""
    if schedule.cadence is ReportCadence.RULE:
        rule_trigger(schedule)
        # The scheduler skips a month with no fifth Monday without a word: refused when saved.
        for part in schedule.rule_day.split(","):
            words = part.split()
            if len(words) == 2 and words[0] == "5th":
                day = _DAY_NAMES.get(words[1], words[1])
                raise RuleBroken(f"Not every month has a fifth {day}: enter “last {day}” for "
                                 f"the last {day} of each month", field="report_rule_day")
    elif schedule.cadence is ReportCadence.BEFORE_MEETING:
        parse_time(schedule.time_of_day)
        if schedule.days_before is None or not 1 <= schedule.days_before <= MOST_DAYS_BEFORE:
            raise RuleBroken(f"Enter the number of working days before each meeting, from 1 "
                             f"to {MOST_DAYS_BEFORE}", field="report_days_before")


def _on_a_working_day(moment: datetime) -> datetime:
    day = moment.date()
    if is_working_day(day):
        return moment
    return _local(add_working_days(day, 1), moment.timetz().replace(tzinfo=None))


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=UK)


def moments_between(
    schedule: ReportSchedule, meetings: Iterable[date], start: datetime, end: datetime
) -> list[datetime]:
    """The moments in [start, end] at which the schedule makes a report, earliest first,
    each timezone-aware (UK time)."""
    if schedule.cadence is ReportCadence.RULE:
        trigger = rule_trigger(schedule)
        found: list[datetime] = []
        # A fire time a little before the start may move into the window (a bank holiday).
        fire = trigger.get_next_fire_time(None, (start - SHIFT_LOOKBACK).astimezone(UK))
        while fire is not None and fire <= end:
            moved = _on_a_working_day(fire)
            if start <= moved <= end and moved not in found:
                found.append(moved)
            fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
        return found
    if schedule.cadence is ReportCadence.BEFORE_MEETING and schedule.days_before:
        at = parse_time(schedule.time_of_day)
        moments = sorted(
            _local(working_days_before(meeting, schedule.days_before), at)
            for meeting in set(meetings)
        )
        return [moment for moment in moments if start <= moment <= end]
    return []


def due_moments(
    schedule: ReportSchedule, meetings: Iterable[date], now: datetime
) -> list[datetime]:
    """Moments that have come (within CATCH_UP) and so should have a report by now."""
    return moments_between(schedule, meetings, now - CATCH_UP, now)


def next_moments(
    schedule: ReportSchedule, meetings: Iterable[date], now: datetime, count: int = 3
) -> list[datetime]:
    """The next `count` moments after now, for the committee's page."""
    return moments_between(schedule, meetings, now, now + timedelta(days=3 * 366))[:count]
