"""How many items and actions were on time, overdue and complete at each month end.

Worked out from the history: when each item and action was created, each status change an
action went through (from its history entries' typed values, never their words) and each
approved move of its due date. Nothing here touches the database, so the rules can be tested
on their own.
"""

from __future__ import annotations

import calendar
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

from tracker.formatting import UK
from tracker.items.models import ActionStatus
from tracker.items.status import is_overdue


@dataclass
class ActionHistory:
    """One action's past: enough to say what state it was in at any moment."""

    created_at: datetime
    status: ActionStatus
    due_date: date
    completed_on: date | None = None
    # (when, old status, new status), oldest first.
    status_changes: Sequence[tuple[datetime, ActionStatus, ActionStatus]] = ()
    # Approved moves of the due date: (when, from, to), oldest first.
    date_moves: Sequence[tuple[datetime, date, date]] = ()

    def status_at(self, moment: datetime) -> ActionStatus | None:
        """Its status at `moment`, or None if it did not exist yet."""
        if self.created_at >= moment:
            return None
        earlier = [new for when, _old, new in self.status_changes if when < moment]
        if earlier:
            return earlier[-1]
        if self.status_changes:
            return self.status_changes[0][1]
        # No recorded change: the status it has now, unless it was completed after `moment`.
        if self.status is ActionStatus.COMPLETE and self.completed_on is not None:
            completed = datetime.combine(self.completed_on, time(), tzinfo=UK)
            if completed >= moment:
                return ActionStatus.IN_PROGRESS
        return self.status

    def due_at(self, moment: datetime) -> date:
        """Its due date as it stood at `moment`."""
        if not self.date_moves:
            return self.due_date
        due = self.date_moves[0][1]
        for when, _from, to in self.date_moves:
            if when < moment:
                due = to
        return due


@dataclass
class ItemHistory:
    created_at: datetime
    target_date: date | None
    # When it was signed off as complete; None while it is not.
    completed_at: datetime | None
    actions: list[ActionHistory] = field(default_factory=list)


@dataclass(frozen=True)
class Point:
    """The counts at one month end (or today, for the last point)."""

    day: date
    is_today: bool
    items_on_time: int
    items_overdue: int
    items_complete: int
    actions_on_time: int
    actions_overdue: int
    actions_complete: int


def _end_of(day: date) -> datetime:
    """The first moment after `day` ends, in UK time."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UK)


def month_ends(start: date, today: date, most: int = 12) -> list[date]:
    """The last day of each month from `start`'s month up to the month before `today`'s,
    keeping the latest `most`."""
    ends = []
    year, month = start.year, start.month
    while (year, month) < (today.year, today.month):
        ends.append(date(year, month, calendar.monthrange(year, month)[1]))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return ends[-most:] if most else []


def point_at(items: list[ItemHistory], day: date, *, is_today: bool = False) -> Point:
    """The counts at the end of `day`. Cancelled actions are not counted."""
    moment = _end_of(day)
    counts = dict.fromkeys(
        ("items_on_time", "items_overdue", "items_complete",
         "actions_on_time", "actions_overdue", "actions_complete"), 0
    )
    for item in items:
        if item.created_at >= moment:
            continue
        any_overdue = False
        for action in item.actions:
            status = action.status_at(moment)
            if status is None or status is ActionStatus.CANCELLED:
                continue
            if status is ActionStatus.COMPLETE:
                counts["actions_complete"] += 1
            elif is_overdue(status, action.due_at(moment), day):
                counts["actions_overdue"] += 1
                any_overdue = True
            else:
                counts["actions_on_time"] += 1
        if item.completed_at is not None and item.completed_at < moment:
            counts["items_complete"] += 1
        elif any_overdue or (item.target_date is not None and item.target_date < day):
            counts["items_overdue"] += 1
        else:
            counts["items_on_time"] += 1
    return Point(day=day, is_today=is_today, **counts)


def _spans(action: ActionHistory, moments: list[datetime]
           ) -> list[tuple[int, int, ActionStatus, date]]:
    """The stretches of `moments` (oldest first) over which the action's status and due date
    stay the same, from the first moment it existed: (first index, index after the last,
    status, due date). What `status_at` and `due_at` give at each moment, found by halving
    the moments at each change rather than asking at every moment."""
    size = len(moments)
    start = bisect_right(moments, action.created_at)  # the first moment after its creation
    if start >= size:
        return []
    # (from which moment, status), in order: a change counts from the first moment after it.
    changes = action.status_changes
    if changes:
        statuses = [(start, changes[0][1])] + [
            (max(bisect_right(moments, when), start), new) for when, _old, new in changes]
    elif action.status is ActionStatus.COMPLETE and action.completed_on is not None:
        # In progress until the day it was completed.
        completed = datetime.combine(action.completed_on, time(), tzinfo=UK)
        statuses = [(start, ActionStatus.IN_PROGRESS),
                    (max(bisect_right(moments, completed), start), action.status)]
    else:
        statuses = [(start, action.status)]
    moves = action.date_moves
    dues = [(start, moves[0][1] if moves else action.due_date)] + [
        (max(bisect_right(moments, when), start), to) for when, _from, to in moves]
    bounds = sorted({n for n, _status in statuses} | {n for n, _due in dues} | {size})
    spans = []
    status_at = due_at = 0
    for first, after in pairwise(bounds):
        while status_at + 1 < len(statuses) and statuses[status_at + 1][0] <= first:
            status_at += 1
        while due_at + 1 < len(dues) and dues[due_at + 1][0] <= first:
            due_at += 1
        spans.append((first, after, statuses[status_at][1], dues[due_at][1]))
    return spans


def trend(items: list[ItemHistory], today: date, most: int = 12) -> list[Point]:
    """Month-end counts from the month the first item was created, then today's: the counts
    `point_at` gives for each day, worked out from each action's stretches of the same status
    and due date (`_spans`) rather than asking each action at each day."""
    if not items:
        return []
    first = min(item.created_at for item in items).astimezone(UK).date()
    days = month_ends(first, today, most=most - 1) + [today]
    # In UTC, as the history's times are read: two times of the same zone compare at once,
    # a UK time and a UTC one only after working out the UK's offset each time.
    moments = [_end_of(day).astimezone(UTC) for day in days]
    size = len(days)
    counts = [[0] * 6 for _ in days]
    # The actions' counts as differences: +1 where a stretch starts, -1 after it ends.
    on_time, overdue, complete = ([0] * (size + 1) for _ in range(3))
    # The statuses `is_overdue` counts as open, asked once rather than for every count.
    still_open = tuple(status for status in ActionStatus if status.is_open)
    for item in items:
        # From which moment the item existed, and at which moments any action was overdue.
        exists = bisect_right(moments, item.created_at)
        any_overdue = [False] * size
        for action in item.actions:
            for first, after, status, due in _spans(action, moments):
                first = max(first, exists)
                if first >= after or status is ActionStatus.CANCELLED:
                    continue
                if status is ActionStatus.COMPLETE:
                    complete[first] += 1
                    complete[after] -= 1
                    continue
                # `is_overdue`: open, and due before the day: from the first day after it.
                late = max(bisect_right(days, due), first) if status in still_open else after
                if first < min(late, after):
                    on_time[first] += 1
                    on_time[min(late, after)] -= 1
                if late < after:
                    overdue[late] += 1
                    overdue[after] -= 1
                    any_overdue[late:after] = [True] * (after - late)
        for n in range(exists, size):
            if item.completed_at is not None and item.completed_at < moments[n]:
                counts[n][2] += 1
            elif any_overdue[n] or (item.target_date is not None
                                    and item.target_date < days[n]):
                counts[n][1] += 1
            else:
                counts[n][0] += 1
    running = [0, 0, 0]
    for n in range(size):
        running = [running[0] + on_time[n], running[1] + overdue[n], running[2] + complete[n]]
        counts[n][3:] = running
    return [Point(day, n == len(days) - 1, *counts[n]) for n, day in enumerate(days)]
