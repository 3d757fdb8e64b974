"""How many items and actions were on time, overdue and complete at each month end.

Worked out from the history: when each item and action was created, each status change an
action went through (from its history entries' typed values, never their words) and each
approved move of its due date. Nothing here touches the database, so the rules can be tested
on their own.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

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


def _statuses_at(action: ActionHistory, moments: list[datetime]) -> list[ActionStatus | None]:
    """`action.status_at` at each of `moments` (oldest first), in one pass over its changes."""
    changes = action.status_changes
    if not changes:
        # The status it has now from its creation, but in progress until the day it was
        # completed (as `status_at` says), worked out once rather than at each moment.
        status, completed = action.status, None
        if status is ActionStatus.COMPLETE and action.completed_on is not None:
            completed = datetime.combine(action.completed_on, time(), tzinfo=UK)
        created_at = action.created_at
        return [None if created_at >= moment
                else ActionStatus.IN_PROGRESS if completed is not None and completed >= moment
                else status
                for moment in moments]
    statuses: list[ActionStatus | None] = []
    passed = 0
    for moment in moments:
        if action.created_at >= moment:
            statuses.append(None)
            continue
        while passed < len(changes) and changes[passed][0] < moment:
            passed += 1
        statuses.append(changes[passed - 1][2] if passed else changes[0][1])
    return statuses


def _dues_at(action: ActionHistory, moments: list[datetime]) -> list[date]:
    """`action.due_at` at each of `moments` (oldest first), in one pass over its moves."""
    moves = action.date_moves
    if not moves:
        return [action.due_date] * len(moments)
    dues = []
    due, passed = moves[0][1], 0
    for moment in moments:
        while passed < len(moves) and moves[passed][0] < moment:
            due = moves[passed][2]
            passed += 1
        dues.append(due)
    return dues


def trend(items: list[ItemHistory], today: date, most: int = 12) -> list[Point]:
    """Month-end counts from the month the first item was created, then today's: the counts
    `point_at` gives for each day, worked out walking each action's history once for all the
    days rather than once a day."""
    if not items:
        return []
    first = min(item.created_at for item in items).astimezone(UK).date()
    days = month_ends(first, today, most=most - 1) + [today]
    moments = [_end_of(day) for day in days]
    counts = [[0] * 6 for _ in days]
    complete = ActionStatus.COMPLETE
    cancelled = ActionStatus.CANCELLED
    # The statuses `is_overdue` counts as open, asked once rather than for every count.
    still_open = tuple(status for status in ActionStatus if status.is_open)
    for item in items:
        # At each moment: did the item exist, and was any of its actions overdue?
        exists = [item.created_at < moment for moment in moments]
        any_overdue = [False] * len(days)
        for action in item.actions:
            dues = _dues_at(action, moments)
            for n, status in enumerate(_statuses_at(action, moments)):
                if status is None or status is cancelled or not exists[n]:
                    continue
                if status is complete:
                    counts[n][5] += 1
                elif status in still_open and dues[n] < days[n]:  # `is_overdue`
                    counts[n][4] += 1
                    any_overdue[n] = True
                else:
                    counts[n][3] += 1
        for n, moment in enumerate(moments):
            if not exists[n]:
                continue
            if item.completed_at is not None and item.completed_at < moment:
                counts[n][2] += 1
            elif any_overdue[n] or (item.target_date is not None
                                    and item.target_date < days[n]):
                counts[n][1] += 1
            else:
                counts[n][0] += 1
    return [Point(day, n == len(days) - 1, *counts[n]) for n, day in enumerate(days)]
