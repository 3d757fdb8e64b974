"""How status is worked out: overdue, not updated, and the RAG rule. Written once, shown to users.

The help page ("How status is worked out") and the README print `rag_rule_in_words`, so the
rule a committee reads is the rule the code applies. `rag_in_sql` is the same rule, step for
step, as one SQL expression, so lists and counts over thousands of items are worked out by the
database without loading every item; tests/items/test_rag_in_sql.py holds the two to
the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, literal

from tracker.formatting import long_date
from tracker.items.models import ActionStatus, ItemStatus, Rag


@dataclass(frozen=True)
class StatusRules:
    """The thresholds the rules use, as `tracker.settings` reads them from the settings
    RAG_RED_OVERDUE_DAYS, RAG_AMBER_DUE_WITHIN_DAYS and STALE_AFTER_DAYS."""

    red_overdue_days: int
    amber_due_within_days: int
    stale_after_days: int


@dataclass(frozen=True)
class ItemFacts:
    """What the RAG rule needs to know about an item; queries gather these in bulk."""

    status: ItemStatus
    target_date: date | None
    rag_override: Rag | None = None
    rag_override_reason: str = ""
    earliest_open_due: date | None = None
    earliest_not_started_due: date | None = None


@dataclass(frozen=True)
class RagResult:
    """An item's RAG and the reason for it, in words a reader can check."""

    rag: Rag
    reason: str
    overridden: bool = False


def is_overdue(status: ActionStatus, due_date: date, today: date) -> bool:
    """An action is overdue when it is not complete or cancelled and its due date has passed."""
    return status.is_open and due_date < today


def days_overdue(status: ActionStatus, due_date: date, today: date) -> int:
    """How many days past its due date an open action is; 0 when it is not overdue."""
    return (today - due_date).days if is_overdue(status, due_date, today) else 0


def is_stale(last_updated_at: datetime, now: datetime, rules: StatusRules) -> bool:
    """Not updated: nothing recorded against it for more than the configured number of days."""
    return now - last_updated_at > timedelta(days=rules.stale_after_days)


def work_out_rag(facts: ItemFacts, today: date, rules: StatusRules) -> RagResult:
    """Apply the RAG rule to one item. See `rag_rule_in_words` for the same rule in English."""
    if facts.status is ItemStatus.COMPLETE:
        return RagResult(Rag.COMPLETE, "Outcome evidenced and signed off.")
    if facts.rag_override is not None:
        return RagResult(
            facts.rag_override, f"Set by hand: {facts.rag_override_reason}", overridden=True
        )
    if facts.target_date is not None and facts.target_date < today:
        return RagResult(Rag.RED, f"The target date, {long_date(facts.target_date)}, has passed.")
    if facts.earliest_open_due is not None and facts.earliest_open_due < today:
        late = (today - facts.earliest_open_due).days
        days = "day" if late == 1 else "days"
        if late > rules.red_overdue_days:
            return RagResult(
                Rag.RED,
                f"An action is {late} {days} overdue "
                f"(more than {rules.red_overdue_days} days).",
            )
        return RagResult(Rag.AMBER, f"An action is {late} {days} overdue.")
    horizon = today + timedelta(days=rules.amber_due_within_days)
    if facts.earliest_not_started_due is not None and facts.earliest_not_started_due <= horizon:
        return RagResult(
            Rag.AMBER,
            f"An action due on {long_date(facts.earliest_not_started_due)} has not started.",
        )
    return RagResult(Rag.GREEN, "All actions are on track.")


def rag_in_sql(
    *,
    status: ColumnElement[Any],
    target_date: ColumnElement[Any],
    rag_override: ColumnElement[Any],
    earliest_open_due: ColumnElement[Any],
    earliest_not_started_due: ColumnElement[Any],
    today: date,
    rules: StatusRules,
) -> ColumnElement[str]:
    """`work_out_rag` as a SQL CASE over an item's columns and its actions' earliest due dates
    (the columns of `ItemFacts`); it gives the Rag's value ("red", "amber", ...). The steps are
    in the same order as `work_out_rag`'s; a change to one is a change to both."""
    overdue_by_more_than_red = today - timedelta(days=rules.red_overdue_days)
    horizon = today + timedelta(days=rules.amber_due_within_days)
    return case(
        (status == ItemStatus.COMPLETE, literal(Rag.COMPLETE.value)),
        (rag_override.is_not(None), rag_override),
        (target_date < today, literal(Rag.RED.value)),
        # More than N days late: its due date is before today minus N days.
        (earliest_open_due < overdue_by_more_than_red, literal(Rag.RED.value)),
        (earliest_open_due < today, literal(Rag.AMBER.value)),
        (earliest_not_started_due <= horizon, literal(Rag.AMBER.value)),
        else_=literal(Rag.GREEN.value),
    )


def rag_rule_in_words(rules: StatusRules) -> list[tuple[str, str]]:
    """The RAG rule as readers see it, step by step in the order it is applied."""
    return [
        ("Complete", "The item is complete: its outcome evidence is recorded and a second "
         "person (an administrator or the lead officer) has signed it off."),
        ("Set by hand", "Otherwise, if a lead officer or administrator has set the status by hand, "
         "that status is shown, marked as set by hand, with the written reason; the reason "
         "is kept in the item's history."),
        ("Red", f"Otherwise Red: the item's target date has passed, or an action is overdue "
         f"by more than {rules.red_overdue_days} days."),
        ("Amber", f"Otherwise Amber: an action is overdue, or an action due within the next "
         f"{rules.amber_due_within_days} days has not started."),
        ("Green", "Otherwise Green: every action is on track."),
    ]
