"""Every list and lookup of items and actions is limited to the council by the council each
item and action keeps: another council's items, themes, actions and requests never show,
whatever the filter, and are as good as missing when asked for by their number."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.factories import ActionFactory, CouncilFactory, ItemFactory, UserFactory
from tracker.extensions import db
from tracker.items import queries
from tracker.items.models import ActionStatus, CancellationRequest, DueDateChange, Priority
from tracker.settings import default_settings

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def two_councils(council):
    """An item of ours and one of Southshire's alike in every filter (title, theme, priority,
    lead officer, an overdue action), so only the council tells them apart."""
    elsewhere = CouncilFactory(name="Southshire")
    ours = ItemFactory(finding__inspection__council=council, title="Hearing the child",
                       theme="Voice", priority=Priority.HIGH)
    theirs = ItemFactory(finding__inspection__council=elsewhere, title="Hearing the child",
                         theme="Neglect", priority=Priority.HIGH)
    owner = UserFactory(council=council)
    our_action = ActionFactory(item=ours, owner=owner, due_date=date(2026, 11, 1),
                               status=ActionStatus.IN_PROGRESS)
    # An action of theirs owned by our person (as data can be): My actions still leaves it.
    their_action = ActionFactory(item=theirs, owner=owner, due_date=date(2026, 10, 1),
                                 status=ActionStatus.IN_PROGRESS)
    return ours, theirs, owner, our_action, their_action


def test_the_items_list_shows_the_councils_items_alone_whatever_the_filter(council,
                                                                            two_councils):
    ours, *_ = two_councils
    rules = default_settings().status_rules
    for filters in (queries.ItemFilters(), queries.ItemFilters(text="the"),
                    queries.ItemFilters(priority=Priority.HIGH, text="hearing"),
                    queries.ItemFilters(overdue_only=True),
                    queries.ItemFilters(inspection_id=ours.finding.inspection_id)):
        page = queries.find_items(council.id, filters, today=TODAY, now=NOW, rules=rules)
        assert [row.item.id for row in page.rows] == [ours.id], filters
        assert page.total == 1 and sum(page.counts.values()) == 1


def test_the_theme_filter_offers_the_councils_themes_alone(council, two_councils):
    assert queries.themes_in_use(council.id) == ["Voice"]


def test_my_actions_and_the_recent_items_are_the_councils_own(council, two_councils):
    ours, _, owner, our_action, _ = two_councils
    mine = queries.actions_for_owner(owner, TODAY)
    assert [action.id for action in mine.actions] == [our_action.id]
    assert mine.counts == {"overdue": 1, "upcoming": 0, "finished": 0}
    assert [item.id for item in queries.recently_updated_items(council.id)] == [ours.id]


def test_another_councils_action_and_its_requests_are_not_found(council, two_councils):
    _, _, owner, our_action, their_action = two_councils
    requests = []
    for action in (our_action, their_action):
        change = DueDateChange(action=action, from_date=action.due_date,
                               to_date=date(2027, 1, 1), reason="Waiting for a panel",
                               requested_by=owner)
        cancel = CancellationRequest(action=action, reason="No longer needed",
                                     requested_by=owner)
        db.session.add_all([change, cancel])
        requests.append((change, cancel))
    db.session.flush()
    assert queries.get_action(council.id, our_action.id) is not None
    assert queries.get_action(council.id, their_action.id) is None
    (our_change, our_cancel), (their_change, their_cancel) = requests
    assert queries.get_due_date_change(council.id, our_change.id) is not None
    assert queries.get_due_date_change(council.id, their_change.id) is None
    assert queries.get_cancellation(council.id, our_cancel.id) is not None
    assert queries.get_cancellation(council.id, their_cancel.id) is None
