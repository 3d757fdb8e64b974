"""Each item keeps the facts of its actions that its status needs (how many are open,
complete and cancelled; the earliest due dates of the open and the not-started ones; and how
many had their due date moved), so lists never count every action. Whatever happens to an
action, the item's kept facts are what its actions say, in the same request, and the item's
version does not move: a kept value is not an edit of the item."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from tests.factories import ActionFactory, AdminFactory, ItemFactory, UserFactory
from tests.statements import recorded_statements
from tracker.extensions import db
from tracker.items import queries, service
from tracker.items.facts import FACT_COLUMNS, recompute_item_facts, stored_facts_differ
from tracker.items.models import Action, ActionStatus, Item
from tracker.settings import default_settings

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("app")


STATUS_FACTS = ("open_actions", "complete_actions", "cancelled_actions", "earliest_open_due",
                "earliest_not_started_due")


def kept(item: Item) -> tuple:
    """What the item keeps for its status, as the session now sees it (no refresh by hand)."""
    return tuple(getattr(item, name) for name in STATUS_FACTS)


def counted(item: Item) -> tuple:
    """The same facts counted from its actions as they are in the database."""
    actions = db.session.execute(
        select(Action.status, Action.due_date).where(Action.item_id == item.id)).all()
    facts = queries.facts_from_actions(item, actions)
    return (facts.open_actions, facts.complete_actions, facts.cancelled_actions,
            facts.earliest_open_due, facts.earliest_not_started_due)


def assert_kept_right(*items: Item) -> None:
    for item in items:
        assert kept(item) == counted(item)
    # Every kept fact (the moved count too) is what the actions say, for every item.
    assert set(STATUS_FACTS) < set(FACT_COLUMNS)
    assert stored_facts_differ(db.session) == []


@pytest.fixture
def plan():
    """An item with a lead officer and two open actions, committed; and an administrator."""
    item = ItemFactory(target_date=date(2027, 6, 30))
    council = item.finding.inspection.council
    owner = UserFactory(council=council)
    first = ActionFactory(item=item, owner=owner, due_date=date(2026, 12, 1))
    second = ActionFactory(item=item, owner=owner, due_date=date(2027, 1, 15))
    return item, first, second, AdminFactory(council=council)


def test_an_item_with_no_actions_keeps_none(plan):
    item = ItemFactory()
    assert kept(item) == (0, 0, 0, None, None)
    assert_kept_right(item, plan[0])


def test_planning_an_action_counts_it_at_once_and_moves_no_version(plan):
    item, first, second, admin = plan
    version = item.version
    assert kept(item) == (2, 0, 0, date(2026, 12, 1), date(2026, 12, 1))
    service.add_action(item, actor=admin, now=NOW, description="Audit of supervision",
                       owner=first.owner, due_date=date(2026, 11, 30))
    # Read in the same request, before any commit.
    assert kept(item) == (3, 0, 0, date(2026, 11, 30), date(2026, 11, 30))
    assert_kept_right(item)
    db.session.commit()
    assert item.version == version


def test_starting_completing_and_cancelling_actions_keeps_the_counts_and_dates(plan):
    item, first, second, admin = plan
    version = item.version
    service.update_action(first, actor=admin, now=NOW, expected_version=first.version,
                          status=ActionStatus.IN_PROGRESS, commentary="Started",
                          evidence_link="")
    assert kept(item) == (2, 0, 0, date(2026, 12, 1), date(2027, 1, 15))
    service.update_action(first, actor=admin, now=NOW, expected_version=first.version,
                          status=ActionStatus.COMPLETE, commentary="Done", evidence_link="")
    assert kept(item) == (1, 1, 0, date(2027, 1, 15), date(2027, 1, 15))
    service.cancel_action(second, actor=admin, now=NOW, reason="No longer needed")
    assert kept(item) == (0, 1, 1, None, None)
    assert_kept_right(item)
    assert queries.status_of(item, NOW.date(), _rules()).shown.value == "delivered"
    db.session.commit()
    assert item.version == version


def test_moving_a_due_date_keeps_the_earliest_due_dates(plan):
    item, first, second, admin = plan
    assert item.moved_actions == 0
    service.change_due_date(first, actor=admin, now=NOW, new_date=date(2027, 2, 1),
                            reason="Waiting for the new case system")
    assert kept(item) == (2, 0, 0, date(2027, 1, 15), date(2027, 1, 15))
    assert item.moved_actions == 1
    assert_kept_right(item)


def test_a_request_to_move_a_date_moves_nothing_until_the_lead_officer_approves_it(plan):
    item, first, second, admin = plan
    item.lead_officer = UserFactory(council=item.finding.inspection.council)
    db.session.commit()
    request = service.change_due_date(first, actor=first.owner, now=NOW,
                                      new_date=date(2027, 3, 1), reason="Staff away")
    assert request is not None
    assert kept(item)[3] == date(2026, 12, 1)
    service.decide_due_date_change(request, actor=item.lead_officer, now=NOW, approve=True,
                                   note="Agreed")
    assert kept(item) == (2, 0, 0, date(2027, 1, 15), date(2027, 1, 15))
    assert_kept_right(item)


def test_an_approved_request_to_cancel_counts_the_action_cancelled(plan):
    item, first, second, admin = plan
    item.lead_officer = UserFactory(council=item.finding.inspection.council)
    db.session.commit()
    request = service.cancel_action(first, actor=first.owner, now=NOW, reason="Duplicate")
    assert request is not None
    assert kept(item)[:3] == (2, 0, 0)
    service.decide_cancellation(request, actor=item.lead_officer, now=NOW, approve=True,
                                note="Agreed")
    assert kept(item) == (1, 0, 1, date(2027, 1, 15), date(2027, 1, 15))
    assert_kept_right(item)


def test_removing_an_action_and_moving_one_to_another_item_keep_both_items_right(plan):
    item, first, second, admin = plan
    other = ItemFactory(finding__inspection=item.finding.inspection)
    version, other_version = item.version, other.version
    db.session.delete(first)
    db.session.flush()
    assert kept(item) == (1, 0, 0, date(2027, 1, 15), date(2027, 1, 15))
    second.item = other
    db.session.flush()
    assert kept(item) == (0, 0, 0, None, None)
    assert kept(other) == (1, 0, 0, date(2027, 1, 15), date(2027, 1, 15))
    assert_kept_right(item, other)
    db.session.commit()
    assert (item.version, other.version) == (version, other_version)


def test_a_change_the_facts_do_not_count_recomputes_nothing(plan):
    item, first, second, admin = plan
    first.description = "A clearer description"
    with recorded_statements() as statements:
        db.session.flush()
    assert not any(statement.lstrip().upper().startswith("UPDATE ITEM")
                   for statement in statements)


def test_facts_written_without_the_orm_are_put_right_by_the_same_recompute(plan):
    item, first, second, admin = plan
    table = Action.__table__
    db.session.execute(table.update().where(table.c.id == first.id)
                       .values(status=ActionStatus.COMPLETE))
    assert stored_facts_differ(db.session) == [item.id]
    recompute_item_facts(db.session, [item.id])
    assert kept(item) == (1, 1, 0, date(2027, 1, 15), date(2027, 1, 15))
    assert_kept_right(item)


def test_an_edit_of_the_item_after_its_facts_moved_does_not_conflict(plan):
    # The form was drawn at the item's version; an action's update in between changed its
    # kept facts, which is no edit: saving the form still works.
    item, first, second, admin = plan
    version = item.version
    service.update_action(first, actor=admin, now=NOW, expected_version=first.version,
                          status=ActionStatus.COMPLETE, commentary="Done", evidence_link="")
    db.session.commit()
    service.edit_item(item, actor=admin, now=NOW, expected_version=version,
                      title="A new title", theme=item.theme, priority=item.priority,
                      target_date=item.target_date, measure_of_success="",
                      lead_officer=item.lead_officer, may_change_lead=True)
    db.session.commit()
    assert item.version == version + 1


def _rules():
    return default_settings().status_rules


def test_the_items_list_counts_each_items_open_and_overdue_actions(plan):
    item, first, second, admin = plan
    for status in ActionStatus:
        ActionFactory(item=item, owner=first.owner, status=status, due_date=date(2026, 10, 1))
    page = queries.find_items(item.finding.inspection.council_id, queries.ItemFilters(),
                              today=NOW.date(), now=NOW, rules=_rules())
    (row,) = page.rows
    # Two open actions still to come, and one not started and one in progress overdue.
    assert (row.open_actions, row.overdue_actions) == (4, 2)
