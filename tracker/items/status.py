"""How status is worked out: overdue, not updated, and the status rule. Written once, shown to
users.

An item's status is one of five states, checked in this order (`work_out_status`):

1. Complete: outcome evidence recorded and signed off by a second person;
2. Awaiting sign-off: marked complete, not yet signed off;
3. Delivered, awaiting evidence of impact: no open action, at least one complete, and the
   item not (or no longer) marked complete;
4. Not planned: no lead officer, no actions, or every action cancelled;
5. In delivery: the RAG of delivery (set by hand with a reason, or Red, Amber or Green).

The state is stored nowhere: it is worked out whenever it is shown, from the item's columns,
today's date and the facts of its actions that the item keeps (how many are open, complete
and cancelled, and the earliest due dates of the open and the not-started ones:
`tracker.items.facts` keeps them right whenever an action changes). Those facts do not depend
on the date, so the status is right on any day without a nightly job.

`ShownStatus` is the one value that lists, counts, filters and colours use (the RAG in place
of "in delivery"), each with its name in words: status is never told by colour alone.

The help page ("How status is worked out") and the README print `status_rule_in_words`, so
the rule a committee reads is the rule the code applies. `status_in_sql` is the same rule,
step for step, as one SQL expression over an item's own columns (its kept action facts
among them, so no action is read), so lists and counts over thousands of items are worked
out by the database without loading every item; tests/items/test_rag_in_sql.py holds the two
to the same answers.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, and_, bindparam, case, literal, or_

from tracker.formatting import long_date
from tracker.items.models import ActionStatus, ItemStatus, Rag


class ItemState(enum.Enum):
    """The five states of an item, in the order the rule checks them."""

    COMPLETE = "complete"
    AWAITING_SIGN_OFF = "awaiting sign-off"
    DELIVERED = "delivered"
    NOT_PLANNED = "not planned"
    IN_DELIVERY = "in delivery"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]


_STATE_LABELS = {
    ItemState.COMPLETE: "Complete",
    ItemState.AWAITING_SIGN_OFF: "Awaiting sign-off",
    ItemState.DELIVERED: "Delivered, awaiting evidence of impact",
    ItemState.NOT_PLANNED: "Not planned",
    ItemState.IN_DELIVERY: "In delivery (Red, Amber or Green)",
}


class ShownStatus(enum.Enum):
    """The status as pages, counts, filters and reports show it: the item's state, or its RAG
    while it is in delivery. Listed most urgent first, the order of lists and counts."""

    NOT_PLANNED = "not planned"
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    DELIVERED = "delivered"
    AWAITING_SIGN_OFF = "awaiting sign-off"
    COMPLETE = "complete"

    @property
    def label(self) -> str:
        """Its name in words, shown beside its colour everywhere."""
        return _SHOWN[self][0]

    @property
    def short_label(self) -> str:
        """Its name where room is short (a chart's bar, a table's column)."""
        return _SHOWN[self][1]

    @property
    def colour(self) -> str:
        """The GOV.UK tag colour it is shown in ("blue" is the tag's own colour)."""
        return _SHOWN[self][2]

    @property
    def state(self) -> ItemState:
        return ItemState.IN_DELIVERY if self.rag is not None else ItemState(self.value)

    @property
    def rag(self) -> Rag | None:
        """The RAG it stands for; None for the states that are not in delivery."""
        return Rag(self.value) if self.value in _RAG_VALUES else None

    @classmethod
    def of(cls, state: ItemState, rag: Rag | None) -> ShownStatus:
        """The shown status of a state (and, in delivery, its RAG)."""
        if state is ItemState.IN_DELIVERY:
            if rag is None:
                raise ValueError("An item in delivery has a RAG")
            return cls(rag.value)
        return cls(state.value)

    @classmethod
    def of_state(cls, state: ItemState) -> list[ShownStatus]:
        """Every shown status of a state: Red, Amber and Green for "in delivery"."""
        return [shown for shown in cls if shown.state is state]


_RAG_VALUES = {rag.value for rag in Rag}
_SHOWN = {
    ShownStatus.NOT_PLANNED: ("Not planned", "Not planned", "grey"),
    ShownStatus.RED: ("Red", "Red", "red"),
    ShownStatus.AMBER: ("Amber", "Amber", "orange"),
    ShownStatus.GREEN: ("Green", "Green", "green"),
    ShownStatus.DELIVERED: ("Delivered, awaiting evidence of impact", "Awaiting evidence",
                            "teal"),
    ShownStatus.AWAITING_SIGN_OFF: ("Awaiting sign-off", "Awaiting sign-off", "purple"),
    ShownStatus.COMPLETE: ("Complete", "Complete", "blue"),
}


@dataclass(frozen=True)
class StatusRules:
    """The thresholds the rules use, as `tracker.settings` reads them from the settings
    RAG_RED_OVERDUE_DAYS, RAG_AMBER_DUE_WITHIN_DAYS and STALE_AFTER_DAYS."""

    red_overdue_days: int
    amber_due_within_days: int
    stale_after_days: int


@dataclass(frozen=True)
class ItemFacts:
    """What the status rule needs to know about an item; queries gather these in bulk.

    `open_actions` counts actions not started or in progress; `tracked_since` is the day the
    item was made from its finding (when the finding was imported); `sent_back_reason` and
    `sent_back_on` say why and when it was last sent back at sign-off."""

    status: ItemStatus
    target_date: date | None
    has_lead_officer: bool
    open_actions: int
    complete_actions: int
    cancelled_actions: int
    rag_override: Rag | None = None
    rag_override_reason: str = ""
    earliest_open_due: date | None = None
    earliest_not_started_due: date | None = None
    tracked_since: date | None = None
    sent_back_reason: str = ""
    sent_back_on: date | None = None


@dataclass(frozen=True)
class StatusResult:
    """An item's state, its RAG when it is in delivery, and the reason, in words a reader can
    check."""

    state: ItemState
    reason: str
    rag: Rag | None = None
    overridden: bool = False

    @property
    def shown(self) -> ShownStatus:
        return ShownStatus.of(self.state, self.rag)

    @property
    def label(self) -> str:
        """"Amber (set by hand)", "Not planned"."""
        return self.shown.label + (" (set by hand)" if self.overridden else "")


def is_overdue(status: ActionStatus, due_date: date, today: date) -> bool:
    """An action is overdue when it is not complete or cancelled and its due date has passed."""
    return status.is_open and due_date < today


def days_overdue(status: ActionStatus, due_date: date, today: date) -> int:
    """How many days past its due date an open action is; 0 when it is not overdue."""
    return (today - due_date).days if is_overdue(status, due_date, today) else 0


def is_stale(last_updated_at: datetime, now: datetime, rules: StatusRules) -> bool:
    """Not updated: nothing recorded against it for more than the configured number of days."""
    return now - last_updated_at > timedelta(days=rules.stale_after_days)


def _days(number: int) -> str:
    return f"{number} day" if number == 1 else f"{number} days"


def _sent_back(facts: ItemFacts) -> str:
    """The sentence that says why the item was sent back at sign-off, if it was."""
    if facts.sent_back_on is None:
        return ""
    reason = facts.sent_back_reason.strip().rstrip(".")
    return f" Sent back at sign-off on {long_date(facts.sent_back_on)}: {reason}."


def _actions_done(facts: ItemFacts) -> str:
    """"All 3 actions are complete", "1 action is complete and 2 cancelled"."""
    complete, cancelled = facts.complete_actions, facts.cancelled_actions
    if cancelled:
        verb = "action is" if complete == 1 else "actions are"
        return f"{complete} {verb} complete and {cancelled} cancelled"
    return "Its one action is complete" if complete == 1 else f"All {complete} actions are complete"


def _since_imported(facts: ItemFacts, today: date) -> str:
    if facts.tracked_since is None:
        return ""
    days = (today - facts.tracked_since).days
    if days <= 0:
        return ", on the day the finding was imported"
    return (f", {_days(days)} after the finding was imported "
            f"({long_date(facts.tracked_since)})")


def _rag_of_delivery(facts: ItemFacts, today: date, rules: StatusRules) -> StatusResult:
    """Step 5: the RAG of an item in delivery, set by hand or by dates."""

    def result(rag: Rag, reason: str, overridden: bool = False) -> StatusResult:
        return StatusResult(ItemState.IN_DELIVERY, reason + _sent_back(facts), rag, overridden)

    if facts.rag_override is not None:
        return result(facts.rag_override, f"Set by hand: {facts.rag_override_reason}",
                      overridden=True)
    if facts.target_date is not None and facts.target_date < today:
        return result(Rag.RED, f"The target date, {long_date(facts.target_date)}, has passed.")
    if facts.earliest_open_due is not None and facts.earliest_open_due < today:
        late = (today - facts.earliest_open_due).days
        if late > rules.red_overdue_days:
            return result(Rag.RED, f"An action is {_days(late)} overdue "
                                   f"(more than {rules.red_overdue_days} days).")
        return result(Rag.AMBER, f"An action is {_days(late)} overdue.")
    horizon = today + timedelta(days=rules.amber_due_within_days)
    if facts.earliest_not_started_due is not None and facts.earliest_not_started_due <= horizon:
        return result(
            Rag.AMBER,
            f"An action due on {long_date(facts.earliest_not_started_due)} has not started.",
        )
    return result(Rag.GREEN, "All actions are on track.")


def work_out_status(facts: ItemFacts, today: date, rules: StatusRules) -> StatusResult:
    """Apply the status rule to one item. See `status_rule_in_words` for the same rule in
    English, and `status_in_sql` for it in SQL."""
    if facts.status is ItemStatus.COMPLETE:
        return StatusResult(ItemState.COMPLETE, "Outcome evidenced and signed off.")
    if facts.status is ItemStatus.AWAITING_SIGN_OFF:
        return StatusResult(ItemState.AWAITING_SIGN_OFF,
                            "Marked complete with its outcome evidence; waiting for a second "
                            "person to sign it off.")
    if facts.open_actions == 0 and facts.complete_actions > 0:
        return StatusResult(
            ItemState.DELIVERED,
            f"{_actions_done(facts)}; the outcome is not yet evidenced and signed off."
            + _sent_back(facts),
        )
    gaps = []
    if not facts.has_lead_officer:
        gaps.append("No lead officer yet")
    if facts.open_actions == 0:
        gaps.append("Every action was cancelled" if facts.cancelled_actions
                    else "No actions planned")
    if gaps:
        which = gaps[0] if len(gaps) == 1 else f"{gaps[0]} and {gaps[1][0].lower()}{gaps[1][1:]}"
        return StatusResult(ItemState.NOT_PLANNED,
                            f"{which}{_since_imported(facts, today)}." + _sent_back(facts))
    return _rag_of_delivery(facts, today, rules)


def status_parameters(today: date, rules: StatusRules) -> dict[str, date]:
    """The days the status rule compares dates with: today; the day before which an open
    action's due date makes an item Red (more than N days late); the last day on which a
    not-started action's due date makes it Amber. The values of `status_in_sql`'s bound
    parameters, by name."""
    return {"today": today,
            "red_before": today - timedelta(days=rules.red_overdue_days),
            "amber_until": today + timedelta(days=rules.amber_due_within_days)}


def status_in_sql(*, status: ColumnElement[Any], lead_officer_id: ColumnElement[Any],
                  target_date: ColumnElement[Any], rag_override: ColumnElement[Any],
                  earliest_open_due: ColumnElement[Any],
                  earliest_not_started_due: ColumnElement[Any],
                  complete_actions: ColumnElement[Any],
                  order: Sequence[ShownStatus] | None = None) -> ColumnElement[Any]:
    """`work_out_status` as a SQL CASE over an item's columns and the facts of its actions
    that it keeps (the earliest due dates of its open and its not-started actions, and how
    many of its actions are complete); it gives the `ShownStatus` value ("not planned", "red",
    ...). `tracker.items.queries.shown_status` applies it to the item's own columns.

    The days it compares with are bound parameters ("today", "red_before", "amber_until":
    their values are `status_parameters`), so a statement built once runs on any day, with
    any thresholds. With `order`, each status is given as its place in it (a number) instead
    of its value: a long list sorts and counts numbers faster than words.

    An item has no open action exactly when the earliest due date of its open actions is
    null; with none complete either, it has no actions or only cancelled ones. The steps are
    in the same order as `work_out_status`'s; a change to one is a change to both."""
    today = bindparam("today", type_=Date)
    red_before = bindparam("red_before", type_=Date)
    amber_until = bindparam("amber_until", type_=Date)

    def shown(result: ShownStatus) -> ColumnElement[Any]:
        return literal(order.index(result) if order is not None else result.value)

    # A RAG set by hand is the status of the same name.
    by_hand = rag_override if order is None else case(
        {rag.value: order.index(ShownStatus(rag.value)) for rag in Rag}, value=rag_override)
    no_open_action = earliest_open_due.is_(None)
    return case(
        (status == ItemStatus.COMPLETE, shown(ShownStatus.COMPLETE)),
        (status == ItemStatus.AWAITING_SIGN_OFF, shown(ShownStatus.AWAITING_SIGN_OFF)),
        (and_(no_open_action, complete_actions > 0), shown(ShownStatus.DELIVERED)),
        (or_(lead_officer_id.is_(None), no_open_action), shown(ShownStatus.NOT_PLANNED)),
        (rag_override.is_not(None), by_hand),
        (target_date < today, shown(ShownStatus.RED)),
        # More than N days late: its due date is before today minus N days.
        (earliest_open_due < red_before, shown(ShownStatus.RED)),
        (earliest_open_due < today, shown(ShownStatus.AMBER)),
        (earliest_not_started_due <= amber_until, shown(ShownStatus.AMBER)),
        else_=shown(ShownStatus.GREEN),
    )


def status_rule_in_words(rules: StatusRules) -> list[tuple[str, str]]:
    """The status rule as readers see it, step by step in the order it is applied."""
    return [
        ("Complete", "The item is complete: its outcome evidence is recorded and a second "
         "person (an administrator or the lead officer) has signed it off."),
        ("Awaiting sign-off", "Otherwise, if the item has been marked complete with its "
         "outcome evidence, it is awaiting sign-off by that second person."),
        ("Delivered, awaiting evidence of impact", "Otherwise, if none of its actions is "
         "still open and at least one is complete, the work is done but not yet shown to have "
         "made a difference: the item waits to be marked complete with its outcome evidence. "
         "An item sent back at sign-off comes back here (or to its RAG below, if an action "
         "is reopened), with the reason it was sent back."),
        ("Not planned", "Otherwise, if the item has no lead officer, no actions, or only "
         "cancelled actions, it is not planned; the reason says which, and how long ago the "
         "finding was imported."),
        ("Set by hand", "Otherwise the item is in delivery and shows a RAG. If a lead officer "
         "or administrator has set it by hand, that RAG is shown, marked as set by hand, with "
         "the written reason; the reason is kept in the item's history."),
        ("Red", f"Otherwise Red: the item's target date has passed, or an action is overdue "
         f"by more than {rules.red_overdue_days} days."),
        ("Amber", f"Otherwise Amber: an action is overdue, or an action due within the next "
         f"{rules.amber_due_within_days} days has not started."),
        ("Green", "Otherwise Green: every action is on track."),
    ]
