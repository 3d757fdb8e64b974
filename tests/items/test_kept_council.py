"""An item keeps the council of its inspection, and each action its item's, from the moment
they are made, so the dashboard finds a council's items and overdue actions without going
through findings and inspections. However an item or action is made, the council it keeps is
the one its inspection belongs to, and another council's never counts."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from tests.factories import (
    ActionFactory,
    AdminFactory,
    CouncilFactory,
    FindingFactory,
    InspectionFactory,
    ItemFactory,
    UserFactory,
)
from tests.statements import recorded_statements
from tracker.extensions import db
from tracker.items import queries, service
from tracker.items.models import Action, ActionStatus, Item
from tracker.settings import default_settings

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)

pytestmark = pytest.mark.usefixtures("app")


def kept_councils(model: type[Item] | type[Action], ids: list[int]) -> list[int | None]:
    """The councils these rows keep, as the database has them."""
    return list(db.session.scalars(select(model.council_id).where(model.id.in_(ids))
                                   .order_by(model.id)))


def test_an_item_tracked_and_the_actions_planned_against_it_keep_its_council(council):
    admin = AdminFactory(council=council)
    finding = FindingFactory(inspection=InspectionFactory(council=council))
    with recorded_statements() as statements:
        item = service.track_finding(finding=finding, title="Children's views", lead_officer=None,
                                     actor=admin, now=NOW)
        action = service.add_action(item, actor=admin, now=NOW, description="Audit files",
                                    owner=admin, due_date=date(2027, 1, 15))
    # The council is known when they are made: no statement is spent looking it up.
    assert not any("SELECT inspection.council_id" in sql or "SELECT item.council_id" in sql
                   for sql in statements)
    assert kept_councils(Item, [item.id]) == [council.id]
    assert kept_councils(Action, [action.id]) == [council.id]


def test_an_item_or_action_made_without_its_council_takes_its_inspections(council):
    elsewhere = CouncilFactory(name="Southshire")
    ours = ItemFactory(finding__inspection__council=council)
    theirs = ItemFactory(finding__inspection__council=elsewhere)
    actions = [ActionFactory(item=ours), ActionFactory(item=theirs)]
    assert kept_councils(Item, [ours.id, theirs.id]) == [council.id, elsewhere.id]
    assert kept_councils(Action, [a.id for a in actions]) == [council.id, elsewhere.id]


def test_the_dashboards_counts_and_overdue_actions_are_the_councils_own(council):
    rules = default_settings().status_rules
    lead = UserFactory(council=council)
    ours = ItemFactory(finding__inspection__council=council, lead_officer=lead)
    late = ActionFactory(item=ours, due_date=date(2026, 11, 1),
                         status=ActionStatus.IN_PROGRESS)
    ActionFactory(item=ours, due_date=date(2026, 10, 1), status=ActionStatus.COMPLETE)
    theirs = ItemFactory()  # another council's, with an action overdue longer
    ActionFactory(item=theirs, due_date=date(2026, 9, 1), status=ActionStatus.NOT_STARTED)

    summary = queries.council_summary(council.id, TODAY, rules)
    assert sum(summary.by_status.values()) == 1
    assert (summary.open_actions, summary.overdue_actions, summary.complete_actions) == (1, 1, 1)
    assert [line.id for line in queries.overdue_actions(council.id, TODAY, limit=10)] == [
        late.id]
