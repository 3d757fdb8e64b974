"""The status rule is written twice, once in Python (`work_out_status`, which also gives the
reason) and once as SQL (`status_in_sql`, which sorts, filters and counts long lists in the
database). These tests hold the two to the same answer on every step of the rule and its
boundaries: the five states, and the RAG of the items in delivery. The Python rule is given
the facts counted from each item's actions; the database reads the facts the item keeps, so
these tests also hold the kept facts to the actions."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.factories import (
    ActionFactory,
    CouncilFactory,
    InspectionFactory,
    ItemFactory,
    UserFactory,
)
from tracker.extensions import db
from tracker.formatting import UK
from tracker.items import queries
from tracker.items.models import ActionStatus, Item, ItemStatus, Priority, Rag
from tracker.items.queries import ItemFilters
from tracker.items.status import ItemState, ShownStatus, StatusRules, work_out_status
from tracker.settings import default_settings

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UK)

pytestmark = pytest.mark.usefixtures("app")


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


# One item per line: (progress, RAG set by hand, target date, [(action status, due date)]),
# and a lead officer unless a fifth value says None.
# Each step of the rule, and each threshold from both sides (14 days overdue is Amber, 15 Red;
# a not-started action due in 14 days is Amber, in 15 Green).
NO_LEAD = None
CASES = [
    (ItemStatus.COMPLETE, None, day(-30), [(ActionStatus.IN_PROGRESS, day(-40))]),
    (ItemStatus.COMPLETE, Rag.RED, None, []),
    (ItemStatus.COMPLETE, None, None, [], NO_LEAD),
    (ItemStatus.AWAITING_SIGN_OFF, None, day(10), [(ActionStatus.COMPLETE, day(-40))]),
    (ItemStatus.AWAITING_SIGN_OFF, None, day(-1), []),
    (ItemStatus.AWAITING_SIGN_OFF, None, None, [], NO_LEAD),
    # Delivered: no open action, one or more complete; before "not planned" and any RAG.
    (ItemStatus.OPEN, None, None, [(ActionStatus.COMPLETE, day(-50)),
                                   (ActionStatus.CANCELLED, day(-50))]),
    (ItemStatus.OPEN, Rag.RED, day(-5), [(ActionStatus.COMPLETE, day(-50))]),
    (ItemStatus.OPEN, None, None, [(ActionStatus.COMPLETE, day(5))], NO_LEAD),
    # Not planned: no lead officer, no actions, or only cancelled ones.
    (ItemStatus.OPEN, None, None, []),
    (ItemStatus.OPEN, None, day(-1), []),
    (ItemStatus.OPEN, Rag.AMBER, None, []),
    (ItemStatus.OPEN, None, None, [], NO_LEAD),
    (ItemStatus.OPEN, None, day(30), [(ActionStatus.CANCELLED, day(-3)),
                                      (ActionStatus.CANCELLED, day(3))]),
    (ItemStatus.OPEN, Rag.GREEN, None, [(ActionStatus.IN_PROGRESS, day(-30))], NO_LEAD),
    # In delivery: set by hand, then Red, Amber, Green.
    (ItemStatus.OPEN, Rag.GREEN, day(-5), [(ActionStatus.NOT_STARTED, day(-100))]),
    (ItemStatus.OPEN, None, day(-1), [(ActionStatus.IN_PROGRESS, day(40))]),
    (ItemStatus.OPEN, None, day(0), [(ActionStatus.IN_PROGRESS, day(40))]),
    (ItemStatus.OPEN, None, None, [(ActionStatus.IN_PROGRESS, day(-15))]),
    (ItemStatus.OPEN, None, None, [(ActionStatus.IN_PROGRESS, day(-14))]),
    (ItemStatus.OPEN, None, None, [(ActionStatus.NOT_STARTED, day(-1))]),
    (ItemStatus.OPEN, None, None, [(ActionStatus.IN_PROGRESS, day(0))]),
    (ItemStatus.OPEN, None, day(30), [(ActionStatus.NOT_STARTED, day(14))]),
    (ItemStatus.OPEN, None, day(30), [(ActionStatus.NOT_STARTED, day(15))]),
    (ItemStatus.OPEN, None, day(30), [(ActionStatus.NOT_STARTED, day(0))]),
    (ItemStatus.OPEN, None, day(30), [(ActionStatus.IN_PROGRESS, day(3))]),
    (ItemStatus.OPEN, None, day(30), [(ActionStatus.IN_PROGRESS, day(3)),
                                      (ActionStatus.COMPLETE, day(-40)),
                                      (ActionStatus.CANCELLED, day(-40))]),
    (ItemStatus.OPEN, None, day(30), [(ActionStatus.IN_PROGRESS, day(3)),
                                      (ActionStatus.NOT_STARTED, day(40)),
                                      (ActionStatus.IN_PROGRESS, day(-20))]),
    (ItemStatus.OPEN, None, day(30), [(ActionStatus.IN_PROGRESS, day(-2)),
                                      (ActionStatus.NOT_STARTED, day(-30))]),
]


def _random_cases(count: int) -> list:
    # A fixed seed: the same mixtures every run, so a failure can be replayed.
    rng = random.Random(6)
    statuses = list(ActionStatus)
    made = []
    for _ in range(count):
        progress = rng.choice([ItemStatus.OPEN] * 4 + [ItemStatus.AWAITING_SIGN_OFF,
                                                       ItemStatus.COMPLETE])
        override = rng.choice([None] * 6 + [Rag.RED, Rag.AMBER, Rag.GREEN])
        target = rng.choice([None, day(rng.randint(-40, 60))])
        actions = [(rng.choice(statuses), day(rng.randint(-40, 40)))
                   for _ in range(rng.randint(0, 4))]
        lead = rng.choice(["lead"] * 5 + [NO_LEAD])
        made.append((progress, override, target, actions, lead))
    return made


def build(cases) -> tuple[int, dict[int, ShownStatus]]:
    """The items of a new council, and each one's status by the Python rule."""
    council = CouncilFactory()
    inspection = InspectionFactory(council=council, letter_date=day(-200))
    lead = UserFactory(council=council)
    expected = {}
    for progress, override, target, actions, *has_lead in cases:
        item = ItemFactory(finding__inspection=inspection,
                           lead_officer=lead if has_lead != [NO_LEAD] else None,
                           status=progress, rag_override=override,
                           rag_override_reason="Set by hand", target_date=target,
                           priority=Priority.MEDIUM)
        for status, due in actions:
            ActionFactory(item=item, owner=lead, status=status, due_date=due)
        expected[item.id] = python_status(item, default_settings().status_rules)
    return council.id, expected


def python_status(item: Item, rules: StatusRules) -> ShownStatus:
    """The Python rule's answer, from the facts counted afresh from the item's actions (not
    from the facts the item keeps, which the database reads)."""
    return work_out_status(queries.facts_from_actions(item, item.actions), TODAY, rules).shown


def sql_statuses(council_id: int, rules: StatusRules) -> dict[int, ShownStatus]:
    """Each item's status as the database works it out: the items list filtered by each
    state and, in delivery, by each RAG."""
    found = {}
    for shown in ShownStatus:
        page = queries.find_items(council_id, ItemFilters(state=shown.state, rag=shown.rag),
                                  today=TODAY, now=NOW, rules=rules, per_page=1000)
        for row in page.rows:
            assert row.item.id not in found, "an item has one status"
            found[row.item.id] = shown
            # The reason shown beside it comes from the Python rule: the same status.
            assert row.status.shown is shown
    return found


def test_the_database_works_out_the_same_status_as_the_rule_at_every_step_and_boundary():
    council_id, expected = build(CASES)
    assert sql_statuses(council_id, default_settings().status_rules) == expected
    # Every status is among the cases, so none of the steps went untested.
    assert set(expected.values()) == set(ShownStatus)


def test_the_database_and_the_rule_agree_on_mixtures_of_actions():
    council_id, expected = build(_random_cases(80))
    assert sql_statuses(council_id, default_settings().status_rules) == expected


def test_the_dashboard_counts_are_the_rules_counts():
    council_id, expected = build(CASES)
    summary = queries.council_summary(council_id, TODAY, default_settings().status_rules)
    assert summary.by_status == Counter(expected.values())
    assert summary.by_priority_and_status[Priority.MEDIUM] == Counter(expected.values())


def test_the_state_filter_takes_every_rag_of_items_in_delivery_and_the_rag_filter_one():
    council_id, expected = build(CASES)
    rules = default_settings().status_rules

    def ids(filters: ItemFilters) -> set[int]:
        return {row.item.id for row in queries.find_items(
            council_id, filters, today=TODAY, now=NOW, rules=rules, per_page=1000).rows}

    in_delivery = {item_id for item_id, shown in expected.items()
                   if shown in (ShownStatus.RED, ShownStatus.AMBER, ShownStatus.GREEN)}
    assert ids(ItemFilters(state=ItemState.IN_DELIVERY)) == in_delivery
    assert ids(ItemFilters(rag=Rag.RED)) == {
        item_id for item_id, shown in expected.items() if shown is ShownStatus.RED}
    assert ids(ItemFilters(state=ItemState.NOT_PLANNED, rag=Rag.RED)) == set()


def test_other_thresholds_move_both_rules_alike():
    rules = replace(default_settings().status_rules, red_overdue_days=3, amber_due_within_days=30)
    council_id, _ = build(CASES)
    python = {item.id: python_status(item, rules) for item in db.session.scalars(select(Item))}
    assert sql_statuses(council_id, rules) == python
