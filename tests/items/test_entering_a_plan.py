"""Entering an existing plan by hand: actions dated from the inspection's letter, and a
warning for an action due after its item's target date."""

from datetime import date

from tests.conftest import sign_in_as
from tests.factories import ActionFactory, ItemFactory
from tracker.extensions import db
from tracker.items.models import Action


def _action_form(owner, day: date) -> dict:
    return {"description": "Audit twenty case files", "owner": str(owner.id),
            "due_date": [str(day.day), str(day.month), str(day.year)]}


def test_an_action_may_be_dated_from_the_letter_before_the_item_was_created(client):
    # The letter of 27 July 2026; the item recorded on 1 August 2026.
    item = ItemFactory()
    sign_in_as(client, item.lead_officer)

    page = client.get(f"/items/{item.id}/actions/new").get_data(as_text=True)
    page = page.replace("&#39;", "'")
    assert "as early as 27 July 2026, the date of the inspection's letter" in page
    response = client.post(f"/items/{item.id}/actions/new",
                           data=_action_form(item.lead_officer, date(2026, 7, 28)))

    assert response.status_code == 302
    assert db.session.query(Action).filter_by(item_id=item.id).one().due_date == date(2026, 7, 28)


def test_an_action_due_after_the_target_date_is_saved_and_the_lead_is_warned(client):
    item = ItemFactory(target_date=date(2027, 3, 31))
    sign_in_as(client, item.lead_officer)

    response = client.post(f"/items/{item.id}/actions/new",
                           data=_action_form(item.lead_officer, date(2027, 4, 30)))
    assert response.status_code == 302

    page = client.get(f"/items/{item.id}").get_data(as_text=True).replace("&#39;", "'")
    assert db.session.query(Action).filter_by(item_id=item.id).count() == 1
    assert "It is due after the item's target date, 31 March 2027" in page
    assert "1 action is due after this item's target date, 31 March 2027" in page


def test_the_warning_is_for_those_who_plan_the_item_not_for_councillors(client):
    from tests.factories import CommitteeMemberFactory

    action = ActionFactory(due_date=date(2027, 4, 30), item__target_date=date(2027, 3, 31))
    member = CommitteeMemberFactory(council=action.item.finding.inspection.council)
    sign_in_as(client, member)
    assert "due after this item" not in client.get(f"/items/{action.item.id}").get_data(
        as_text=True)
    sign_in_as(client, action.item.lead_officer)
    assert "due after this item" in client.get(f"/items/{action.item.id}").get_data(
        as_text=True)
