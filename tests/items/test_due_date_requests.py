"""An owner's request to move a due date: never into the past; withdrawn by the one who asked;
replaced by asking again, the old request kept as withdrawn."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from tests.conftest import sign_in_as
from tests.factories import ActionFactory, AdminFactory, UserFactory
from tracker.audit.models import HistoryEntry, HistoryKind
from tracker.errors import RuleBroken
from tracker.extensions import db
from tracker.items import service
from tracker.items.models import Action, DueDateChange, RequestState

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def action():
    # The owner is a manager who is not the item's lead officer; due in a fortnight.
    return ActionFactory(due_date=date(2026, 12, 6))


def entries(action: Action, kind: HistoryKind) -> list[HistoryEntry]:
    return list(db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.action_id == action.id, HistoryEntry.kind == kind)
        .order_by(HistoryEntry.id)))


def ask(action: Action, to: date, reason: str = "The audit team is short-staffed"):
    return service.change_due_date(action, actor=action.owner, now=NOW, new_date=to,
                                   reason=reason)


# A date in the past -------------------------------------------------------------------------


def test_a_request_for_a_date_before_today_is_refused_saying_what_to_ask_for(action):
    with pytest.raises(RuleBroken) as refused:
        ask(action, date(2026, 11, 21))
    assert refused.value.field == "new_date"
    assert "22 November 2026 or later" in refused.value.message
    assert action.due_date_changes == []
    # Today itself may be asked for.
    assert ask(action, date(2026, 11, 22)).state is RequestState.PENDING


def test_the_lead_officer_may_still_move_a_date_into_the_past(action):
    change = service.change_due_date(action, actor=action.item.lead_officer, now=NOW,
                                     new_date=date(2026, 10, 30), reason="Done in October")
    assert change.state is RequestState.APPROVED
    assert action.due_date == date(2026, 10, 30)


def test_the_request_form_tells_the_owner_to_ask_for_today_or_later(client, action):
    sign_in_as(client, action.owner)
    response = client.post(f"/actions/{action.id}/due-date", data={
        "new_date": ["1", "11", "2026"], "reason": "Staff absence"})
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "A new due date cannot be in the past: ask for 22 November 2026 or later" in (
        response.text)
    assert db.session.scalars(select(DueDateChange)).all() == []


# Withdrawing ---------------------------------------------------------------------------------


def test_the_requester_withdraws_a_waiting_request_and_it_is_kept_as_withdrawn(action):
    change = ask(action, date(2027, 1, 15))

    service.withdraw_request(change, actor=action.owner, now=NOW)

    assert change.state is RequestState.WITHDRAWN
    assert change.decided_by_id == action.owner_id
    assert service.pending_due_date_change(action) is None
    assert action.due_date == date(2026, 12, 6)
    [withdrawn] = entries(action, HistoryKind.DUE_DATE_WITHDRAWN)
    assert withdrawn.author_id == action.owner_id
    assert (withdrawn.old_value, withdrawn.new_value) == ("2026-12-06", "2027-01-15")
    with pytest.raises(RuleBroken, match="no longer waiting: it was withdrawn"):
        service.decide_due_date_change(change, actor=action.item.lead_officer, now=NOW,
                                       approve=True, note="")
    assert action.due_date == date(2026, 12, 6)


def test_nobody_else_but_an_administrator_withdraws_a_request(action):
    change = ask(action, date(2027, 1, 15))
    for someone in (action.item.lead_officer, UserFactory(council=action.owner.council)):
        with pytest.raises(RuleBroken, match="Only the person who made a request"):
            service.withdraw_request(change, actor=someone, now=NOW)
    assert change.state is RequestState.PENDING
    # An administrator may, for someone who has left, say.
    service.withdraw_request(change, actor=AdminFactory(council=action.owner.council), now=NOW)
    assert change.state is RequestState.WITHDRAWN


def test_the_requester_withdraws_from_the_action_page(client, action):
    change = ask(action, date(2027, 1, 15))
    db.session.commit()
    sign_in_as(client, action.item.lead_officer)
    lead_sees = client.get(f"/actions/{action.id}").text
    assert f"/due-date-changes/{change.id}/withdraw" not in lead_sees
    assert client.post(f"/due-date-changes/{change.id}/withdraw").status_code == 403

    sign_in_as(client, action.owner)
    page = client.get(f"/actions/{action.id}").text
    assert "Withdraw your request" in page
    assert f'action="/due-date-changes/{change.id}/withdraw"' in page
    response = client.post(f"/due-date-changes/{change.id}/withdraw")

    assert response.status_code == 302
    assert db.session.get(DueDateChange, change.id).state is RequestState.WITHDRAWN
    assert "Request withdrawn" in client.get(response.headers["Location"]).text
    # The lead officer no longer has it waiting.
    sign_in_as(client, action.item.lead_officer)
    assert "No due date changes are waiting" in client.get("/due-date-changes").text


def test_the_requester_sees_their_request_on_its_page_but_does_not_decide_it(client, action):
    change = ask(action, date(2027, 1, 15))
    db.session.commit()
    sign_in_as(client, action.owner)

    page = client.get(f"/due-date-changes/{change.id}")

    assert page.status_code == 200
    assert "Your request to change a due date" in page.text
    assert 'name="decision"' not in page.text
    assert client.post(f"/due-date-changes/{change.id}",
                       data={"decision": "approve"}).status_code == 403
    assert db.session.get(DueDateChange, change.id).state is RequestState.PENDING


# Replacing -----------------------------------------------------------------------------------


def test_a_new_request_replaces_the_waiting_one_which_is_kept_as_withdrawn(action):
    first = ask(action, date(2027, 1, 15), "The audit team is short-staffed")
    second = ask(action, date(2027, 2, 1), "The audit sample has doubled")

    assert first.state is RequestState.WITHDRAWN
    assert first.decision_note == "Replaced by a new request"
    assert second.state is RequestState.PENDING
    assert service.pending_due_date_change(action) is second
    assert [c.state for c in action.due_date_changes] == [RequestState.WITHDRAWN,
                                                           RequestState.PENDING]
    [withdrawn] = entries(action, HistoryKind.DUE_DATE_WITHDRAWN)
    assert withdrawn.new_value == "2027-01-15"
    assert withdrawn.text == "Replaced by a new request"
    assert [e.new_value for e in entries(action, HistoryKind.DUE_DATE_REQUESTED)] == [
        "2027-01-15", "2027-02-01"]

    service.decide_due_date_change(second, actor=action.item.lead_officer, now=NOW,
                                   approve=True, note="")
    assert action.due_date == date(2027, 2, 1)
    assert service.extension_count(action) == 1


def test_asking_again_on_the_form_replaces_the_waiting_request(client, action):
    first = ask(action, date(2027, 1, 15))
    db.session.commit()
    sign_in_as(client, action.owner)
    form = client.get(f"/actions/{action.id}/due-date").text
    assert "Send a new request" in form and "15 January 2027" in form

    response = client.post(f"/actions/{action.id}/due-date", data={
        "new_date": ["1", "2", "2027"], "reason": "The audit sample has doubled"})

    assert response.status_code == 302
    assert db.session.get(DueDateChange, first.id).state is RequestState.WITHDRAWN
    waiting = service.pending_due_date_change(db.session.get(Action, action.id))
    assert waiting.to_date == date(2027, 2, 1)
