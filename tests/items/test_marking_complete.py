"""An item is marked complete only once no action is open and at least one is complete; until
then the form is not offered, and the page names the actions still open."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from markupsafe import escape

from tests.conftest import sign_in_as
from tests.factories import ActionFactory, ItemFactory
from tracker.errors import RuleBroken
from tracker.extensions import db
from tracker.items import service
from tracker.items.models import ActionStatus, Item, ItemStatus

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
EVIDENCE = "The November audit found the child's views in 47 of 50 case files"

pytestmark = pytest.mark.usefixtures("app")


def mark(item: Item) -> None:
    service.mark_item_complete(item, actor=item.lead_officer, now=NOW, outcome_evidence=EVIDENCE)


def test_an_item_with_no_actions_cannot_be_marked_complete():
    item = ItemFactory()
    with pytest.raises(RuleBroken, match="This item has no actions"):
        mark(item)
    assert item.status is ItemStatus.OPEN


def test_an_item_whose_every_action_was_cancelled_cannot_be_marked_complete():
    item = ItemFactory()
    ActionFactory(item=item, status=ActionStatus.CANCELLED)
    ActionFactory(item=item, status=ActionStatus.CANCELLED)
    with pytest.raises(RuleBroken, match="Every action of this item was cancelled"):
        mark(item)
    assert item.status is ItemStatus.OPEN


def test_the_refusal_names_each_open_action():
    item = ItemFactory()
    ActionFactory(item=item, status=ActionStatus.COMPLETE, description="Audit case files")
    ActionFactory(item=item, status=ActionStatus.IN_PROGRESS, description="Train team leaders")
    ActionFactory(item=item, description="Revise the supervision template")

    with pytest.raises(RuleBroken) as refused:
        mark(item)

    assert refused.value.message == (
        "Complete or cancel the 2 open actions first: “Train team leaders”; “Revise the "
        "supervision template”")
    assert item.status is ItemStatus.OPEN


def test_one_complete_action_and_the_rest_cancelled_is_enough():
    item = ItemFactory()
    ActionFactory(item=item, status=ActionStatus.COMPLETE)
    ActionFactory(item=item, status=ActionStatus.CANCELLED)
    assert service.completion_check(item).ready
    mark(item)
    assert item.status is ItemStatus.AWAITING_SIGN_OFF


def test_mark_complete_is_not_offered_until_an_action_is_complete_and_the_page_says_why(
    client,
):
    item = ItemFactory()
    ActionFactory(item=item, status=ActionStatus.CANCELLED, description="Buy a new system")
    sign_in_as(client, item.lead_officer)

    page = client.get(f"/items/{item.id}").text
    assert "Mark complete" not in page
    assert "Every action of this item was cancelled" in page

    form = client.get(f"/items/{item.id}/complete")
    assert form.status_code == 200
    assert 'name="outcome_evidence"' not in form.text
    assert "Every action of this item was cancelled" in form.text

    posted = client.post(f"/items/{item.id}/complete", data={"outcome_evidence": EVIDENCE})
    assert posted.status_code == 400
    assert "There is a problem" in posted.text
    assert db.session.get(Item, item.id).status is ItemStatus.OPEN


def test_the_item_page_names_the_open_actions_and_links_to_them(client):
    item = ItemFactory()
    ActionFactory(item=item, status=ActionStatus.COMPLETE, description="Audit case files")
    still = ActionFactory(item=item, status=ActionStatus.IN_PROGRESS,
                          description="Train team leaders <in groups>",
                          due_date=date(2027, 1, 15))
    sign_in_as(client, item.lead_officer)

    page = client.get(f"/items/{item.id}").text
    assert "Mark complete" not in page
    assert "1 action is still open:" in page
    assert (f'<a class="govuk-link" href="/actions/{still.id}">'
            f'{escape("Train team leaders <in groups>")}</a> (in progress, due 15 January 2027)'
            ) in page
    form = client.get(f"/items/{item.id}/complete").text
    assert 'name="outcome_evidence"' not in form
    assert f'href="/actions/{still.id}"' in form

    # Once it is complete, the form is offered and the item can be marked complete.
    service.update_action(still, actor=item.lead_officer, now=NOW, expected_version=None,
                          status=ActionStatus.COMPLETE, commentary="", evidence_link="")
    db.session.commit()
    assert "Mark complete" in client.get(f"/items/{item.id}").text
    assert 'name="outcome_evidence"' in client.get(f"/items/{item.id}/complete").text
    response = client.post(f"/items/{item.id}/complete", data={"outcome_evidence": EVIDENCE})
    assert response.status_code == 302
    assert db.session.get(Item, item.id).status is ItemStatus.AWAITING_SIGN_OFF


def test_people_who_cannot_mark_it_complete_are_not_told_what_stands_in_the_way(client):
    item = ItemFactory()
    action = ActionFactory(item=item, description="Train team leaders")
    sign_in_as(client, action.owner)
    page = client.get(f"/items/{item.id}").text
    assert "still open" not in page and "Mark complete" not in page
