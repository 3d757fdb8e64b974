"""Cancelling an action: the lead officer or an administrator cancels, with a reason; an owner
who is neither asks, and the lead officer agrees or refuses; a partner never cancels."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from markupsafe import escape
from sqlalchemy import select

from tests.conftest import sign_in_as
from tests.factories import ActionFactory, AdminFactory, PartnerFactory, UserFactory
from tests.partners.factories import partner_action, send_link
from tracker.audit.models import HistoryEntry, HistoryKind
from tracker.errors import RuleBroken
from tracker.extensions import db
from tracker.items import queries, service
from tracker.items.models import Action, ActionStatus, CancellationRequest, RequestState
from tracker.partners import service as partners
from tracker.settings import default_settings

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)
REASON = "Replaced by the quarterly case file audit, which covers the same ground"

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def overdue():
    """An action due three weeks ago, owned by a manager who is not the item's lead officer."""
    return ActionFactory(due_date=date(2026, 11, 1), status=ActionStatus.IN_PROGRESS)


def council_of(action: Action):
    return action.item.finding.inspection.council


def entries(action: Action, kind: HistoryKind) -> list[HistoryEntry]:
    return list(db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.action_id == action.id, HistoryEntry.kind == kind)
        .order_by(HistoryEntry.id)))


def overdue_count(action: Action) -> int:
    return queries.council_summary(council_of(action).id, TODAY,
                                   default_settings().status_rules).overdue_actions


# Who cancels -------------------------------------------------------------------------------


def test_the_lead_officer_cancels_an_action_at_once_with_a_reason(overdue):
    lead = overdue.item.lead_officer

    asked = service.cancel_action(overdue, actor=lead, now=NOW, reason=REASON)

    assert asked is None
    assert overdue.status is ActionStatus.CANCELLED
    assert overdue_count(overdue) == 0
    [cancelled] = entries(overdue, HistoryKind.STATUS_CHANGE)
    assert (cancelled.author_id, cancelled.text) == (lead.id, REASON)
    assert overdue.cancellation_requests == []


def test_an_administrator_cancels_an_action_at_once(overdue):
    admin = AdminFactory(council=council_of(overdue))
    service.cancel_action(overdue, actor=admin, now=NOW, reason=REASON)
    assert overdue.status is ActionStatus.CANCELLED


@pytest.mark.parametrize("reason", ["", "   "])
def test_cancelling_without_a_reason_is_refused(overdue, reason):
    with pytest.raises(RuleBroken) as refused:
        service.cancel_action(overdue, actor=overdue.item.lead_officer, now=NOW, reason=reason)
    assert refused.value.field == "reason"
    assert overdue.status is ActionStatus.IN_PROGRESS


def test_an_owner_asks_and_the_action_stays_overdue_until_the_lead_officer_agrees(overdue):
    owner, lead = overdue.owner, overdue.item.lead_officer

    asked = service.cancel_action(overdue, actor=owner, now=NOW, reason=REASON)

    assert asked.state is RequestState.PENDING
    assert overdue.status is ActionStatus.IN_PROGRESS
    assert overdue_count(overdue) == 1
    [request] = entries(overdue, HistoryKind.CANCELLATION_REQUESTED)
    assert (request.author_id, request.text) == (owner.id, REASON)
    assert (request.old_value, request.new_value) == ("in progress", "cancelled")

    service.decide_cancellation(asked, actor=lead, now=NOW, approve=True, note="Agreed")

    assert asked.state is RequestState.APPROVED
    assert asked.decided_by_id == lead.id
    assert overdue.status is ActionStatus.CANCELLED
    assert overdue_count(overdue) == 0
    [cancelled] = entries(overdue, HistoryKind.STATUS_CHANGE)
    assert cancelled.author_id == lead.id
    assert cancelled.text == f"{REASON} (approved: Agreed)"


def test_the_lead_officer_refuses_a_cancellation_saying_why_and_the_action_stays(overdue):
    lead = overdue.item.lead_officer
    asked = service.cancel_action(overdue, actor=overdue.owner, now=NOW, reason=REASON)

    with pytest.raises(RuleBroken) as silent:
        service.decide_cancellation(asked, actor=lead, now=NOW, approve=False, note=" ")
    assert silent.value.field == "note"
    assert "Say why the cancellation is refused" in silent.value.message

    service.decide_cancellation(asked, actor=lead, now=NOW, approve=False,
                                note="The quarterly audit does not look at children's views")

    assert asked.state is RequestState.REFUSED
    assert overdue.status is ActionStatus.IN_PROGRESS
    [refusal] = entries(overdue, HistoryKind.CANCELLATION_REFUSED)
    assert refusal.text == "The quarterly audit does not look at children's views"
    with pytest.raises(RuleBroken, match="no longer waiting: it was refused"):
        service.decide_cancellation(asked, actor=lead, now=NOW, approve=True, note="")


def test_an_owner_can_no_longer_cancel_their_own_overdue_action_with_a_progress_update(overdue):
    with pytest.raises(RuleBroken) as refused:
        service.update_action(overdue, actor=overdue.owner, now=NOW, expected_version=None,
                              status=ActionStatus.CANCELLED, commentary="Not needed",
                              evidence_link="")
    assert refused.value.field == "status"
    assert "Ask to cancel" in refused.value.message
    assert overdue.status is ActionStatus.IN_PROGRESS
    assert overdue_count(overdue) == 1


def test_the_lead_officer_cancelling_with_a_progress_update_agrees_to_the_waiting_request(
    overdue,
):
    asked = service.cancel_action(overdue, actor=overdue.owner, now=NOW, reason=REASON)
    service.update_action(overdue, actor=overdue.item.lead_officer, now=NOW,
                          expected_version=None, status=ActionStatus.CANCELLED,
                          commentary="As Sam asked", evidence_link="")
    assert overdue.status is ActionStatus.CANCELLED
    assert asked.state is RequestState.APPROVED


def test_a_partner_can_neither_cancel_nor_ask_to_even_as_the_owner_signed_in(overdue):
    partner = PartnerFactory(council=council_of(overdue))
    overdue.owner = partner

    with pytest.raises(RuleBroken) as refused:
        service.cancel_action(overdue, actor=partner, now=NOW, reason=REASON)
    assert refused.value.message == (
        "Only the item's lead officer or an administrator can cancel an action")
    with pytest.raises(RuleBroken):
        service.update_action(overdue, actor=partner, now=NOW, expected_version=None,
                              status=ActionStatus.CANCELLED, commentary="Not needed",
                              evidence_link="")
    # Not even as the item's lead officer: an administrator cancels then.
    overdue.item.lead_officer = partner
    with pytest.raises(RuleBroken):
        service.cancel_action(overdue, actor=partner, now=NOW, reason=REASON)
    assert overdue.status is ActionStatus.IN_PROGRESS
    assert overdue.cancellation_requests == []
    assert overdue_count(overdue) == 1


def test_a_partner_cannot_cancel_through_a_partner_link(client):
    action = partner_action(due_date=date(2026, 11, 1))
    link = send_link(action).link

    with pytest.raises(RuleBroken):
        partners.post_partner_update(link, now=NOW, expected_version=None,
                                     status=ActionStatus.CANCELLED, commentary="Not needed",
                                     evidence_link="", daily_posts=10)
    assert action.status is ActionStatus.NOT_STARTED
    assert overdue_count(action) == 1


def test_the_owner_withdraws_their_request_and_it_is_kept_as_withdrawn(overdue):
    asked = service.cancel_action(overdue, actor=overdue.owner, now=NOW, reason=REASON)

    service.withdraw_request(asked, actor=overdue.owner, now=NOW)

    assert asked.state is RequestState.WITHDRAWN
    assert service.pending_cancellation(overdue) is None
    [withdrawn] = entries(overdue, HistoryKind.CANCELLATION_WITHDRAWN)
    assert withdrawn.author_id == overdue.owner_id
    with pytest.raises(RuleBroken, match="no longer waiting"):
        service.decide_cancellation(asked, actor=overdue.item.lead_officer, now=NOW,
                                    approve=True, note="")
    assert overdue.status is ActionStatus.IN_PROGRESS


def test_asking_again_replaces_ones_own_waiting_request_but_not_someone_elses(overdue):
    first_owner = overdue.owner
    first = service.cancel_action(overdue, actor=first_owner, now=NOW, reason="Not needed")
    second = service.cancel_action(overdue, actor=first_owner, now=NOW, reason=REASON)

    assert first.state is RequestState.WITHDRAWN
    assert first.decision_note == "Replaced by a new request"
    assert service.pending_cancellation(overdue) is second

    overdue.owner = UserFactory(council=council_of(overdue))
    with pytest.raises(RuleBroken, match=f"{first_owner.name} has already asked"):
        service.cancel_action(overdue, actor=overdue.owner, now=NOW, reason="Me too")
    assert len(overdue.cancellation_requests) == 2


# Pages -------------------------------------------------------------------------------------


def test_the_lead_officer_cancels_on_the_action_page_giving_a_reason(client, overdue):
    sign_in_as(client, overdue.item.lead_officer)
    page = client.get(f"/actions/{overdue.id}").text
    assert "Cancel action" in page and "Ask to cancel" not in page

    refused = client.post(f"/actions/{overdue.id}/cancel", data={"reason": ""})
    assert refused.status_code == 400
    assert "Enter the reason for cancelling" in refused.text
    assert db.session.get(Action, overdue.id).status is ActionStatus.IN_PROGRESS

    done = client.post(f"/actions/{overdue.id}/cancel", data={"reason": REASON})
    assert done.status_code == 302
    assert db.session.get(Action, overdue.id).status is ActionStatus.CANCELLED
    assert "Action cancelled" in client.get(done.headers["Location"]).text


def test_an_owner_asks_and_the_lead_officer_sees_it_where_date_requests_wait(client, overdue):
    owner, lead = overdue.owner, overdue.item.lead_officer
    sign_in_as(client, owner)
    assert "Ask to cancel" in client.get(f"/actions/{overdue.id}").text
    # The progress update no longer offers "Cancelled" to the owner; it points to asking.
    update = client.get(f"/actions/{overdue.id}/update").text
    assert 'value="cancelled"' not in update
    assert f"/actions/{overdue.id}/cancel" in update

    response = client.post(f"/actions/{overdue.id}/cancel", data={"reason": REASON})
    assert response.status_code == 302
    assert db.session.get(Action, overdue.id).status is ActionStatus.IN_PROGRESS
    asked = db.session.scalars(select(CancellationRequest)).one()

    sign_in_as(client, lead)
    description = str(escape(overdue.description))
    dashboard = client.get("/").text
    assert "Cancellations waiting for your decision" in dashboard
    assert f"/cancellations/{asked.id}" in dashboard and description in dashboard
    waiting = client.get("/due-date-changes").text
    assert f"/cancellations/{asked.id}" in waiting and str(escape(REASON)) in waiting
    assert f"/cancellations/{asked.id}" in client.get(f"/actions/{overdue.id}").text

    agreed = client.post(f"/cancellations/{asked.id}", data={"decision": "approve", "note": ""})
    assert agreed.status_code == 302
    assert db.session.get(Action, overdue.id).status is ActionStatus.CANCELLED
    assert "No requests to cancel" in client.get("/due-date-changes").text


def test_the_lead_officer_refusing_without_a_note_is_told_to_say_why(client, overdue):
    asked = service.cancel_action(overdue, actor=overdue.owner, now=NOW, reason=REASON)
    db.session.commit()
    sign_in_as(client, overdue.item.lead_officer)

    response = client.post(f"/cancellations/{asked.id}", data={"decision": "refuse"})

    assert response.status_code == 400
    assert "Say why the cancellation is refused" in response.text
    assert db.session.get(CancellationRequest, asked.id).state is RequestState.PENDING


def test_a_partner_signed_in_is_not_offered_cancelling_and_cannot_post_it(client, overdue):
    partner = PartnerFactory(council=council_of(overdue))
    overdue.owner = partner
    db.session.commit()
    sign_in_as(client, partner)

    page = client.get(f"/actions/{overdue.id}").text
    assert "Cancel action" not in page and "Ask to cancel" not in page
    assert 'value="cancelled"' not in client.get(f"/actions/{overdue.id}/update").text
    assert client.get(f"/actions/{overdue.id}/cancel").status_code == 403
    assert client.post(f"/actions/{overdue.id}/cancel",
                       data={"reason": REASON}).status_code == 403
    posted = client.post(f"/actions/{overdue.id}/update", data={
        "version": overdue.version, "status": "cancelled", "commentary": "Not needed"})
    assert posted.status_code == 400
    assert db.session.get(Action, overdue.id).status is ActionStatus.IN_PROGRESS
    assert db.session.scalars(select(CancellationRequest)).all() == []


def test_the_owner_withdraws_a_request_from_the_action_page_and_others_cannot(client, overdue):
    asked = service.cancel_action(overdue, actor=overdue.owner, now=NOW, reason=REASON)
    db.session.commit()
    stranger = UserFactory(council=council_of(overdue))
    sign_in_as(client, stranger)
    assert client.post(f"/cancellations/{asked.id}/withdraw").status_code == 403
    sign_in_as(client, overdue.item.lead_officer)
    assert client.post(f"/cancellations/{asked.id}/withdraw").status_code == 403

    sign_in_as(client, overdue.owner)
    page = client.get(f"/actions/{overdue.id}").text
    assert f'action="/cancellations/{asked.id}/withdraw"' in page
    response = client.post(f"/cancellations/{asked.id}/withdraw")

    assert response.status_code == 302
    assert db.session.get(CancellationRequest, asked.id).state is RequestState.WITHDRAWN
    assert "Request withdrawn" in client.get(response.headers["Location"]).text


def test_requests_to_cancel_come_fifty_a_page_beside_the_date_requests(client, overdue):
    item = overdue.item
    for n in range(51):
        action = ActionFactory(item=item, owner=overdue.owner, description=f"Audit {n}")
        service.cancel_action(action, actor=overdue.owner, now=NOW, reason="Not needed")
    db.session.commit()
    sign_in_as(client, item.lead_officer)

    first = client.get("/due-date-changes").text
    assert first.count('href="/cancellations/') == 50
    assert "51 requests to cancel an action, the oldest first" in first
    assert 'href="/due-date-changes?page=1&amp;cancellations_page=2#cancellations"' in first
    second = client.get("/due-date-changes?cancellations_page=2").text
    assert second.count('href="/cancellations/') == 1
