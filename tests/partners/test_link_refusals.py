"""Links that do not open the page: expired, revoked, tampered with, for another action, or
for work that has closed. Each says so plainly, never with an error page."""

from __future__ import annotations

import string
from datetime import UTC, datetime

import pytest
import time_machine
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from tests.factories import ActionFactory, UserFactory
from tests.partners.factories import partner_action, send_link
from tracker import clock
from tracker.audit.models import HistoryEntry
from tracker.extensions import db
from tracker.items.models import ActionStatus, ItemStatus
from tracker.partners import service


def post_update(client, token: str, action, **fields):
    return client.post(f"/partner/{token}", data={
        "version": str(action.version), "status": "in progress",
        "commentary": "Attended the discussion", "evidence_link": "", **fields})


def recorded_by_partner(action) -> int:
    return len(db.session.scalars(select(HistoryEntry).where(
        HistoryEntry.action_id == action.id, HistoryEntry.partner_link_id.is_not(None))).all())


def test_a_link_works_to_the_end_of_its_last_day_and_then_says_whom_to_ask(client):
    action = partner_action()
    sent = send_link(action, days=3)  # until the end of 25 November

    with time_machine.travel(datetime(2026, 11, 25, 23, 59, tzinfo=UTC), tick=False):
        last_minute = client.get(f"/partner/{sent.token}")
    with time_machine.travel(datetime(2026, 11, 26, 0, 0, tzinfo=UTC), tick=False):
        expired = client.get(f"/partner/{sent.token}")
        posted = post_update(client, sent.token, action)

    assert last_minute.status_code == 200
    assert expired.status_code == 410
    assert "This link no longer works" in expired.text
    assert "It worked until the end of 25 November 2026." in expired.text
    assert "ask Lee Lead, Head of Safeguarding, at Northshire County Council" in expired.text
    assert "lee.lead@northshire.example" in expired.text
    assert posted.status_code == 410
    assert recorded_by_partner(action) == 0


def test_a_revoked_link_refuses_a_post_from_a_page_opened_before(client):
    action = partner_action()
    sent = send_link(action)
    assert client.get(f"/partner/{sent.token}").status_code == 200
    service.revoke_partner_link(sent.link, actor=action.item.lead_officer, now=clock.now())
    db.session.commit()

    response = post_update(client, sent.token, action)

    assert response.status_code == 410
    assert "It was withdrawn on 22 November 2026." in response.text
    assert recorded_by_partner(action) == 0
    assert client.get(f"/partner/{sent.token}/sent").status_code == 410


def test_a_link_with_any_character_changed_is_not_recognised(client):
    action = partner_action()
    sent = send_link(action)
    token = sent.token
    # The id, the secret and the signature: a change anywhere breaks the signature.
    for position in range(0, len(token), 7):
        replacement = "A" if token[position] != "A" else "B"
        tampered = token[:position] + replacement + token[position + 1:]
        for path in (f"/partner/{tampered}", f"/partner/{tampered}/sent"):
            response = client.get(path)
            assert response.status_code == 404, (position, response.status_code)
            assert "Link not recognised" in response.text
        assert post_update(client, tampered, action).status_code == 404
    assert recorded_by_partner(action) == 0


@pytest.mark.parametrize("token", [
    "x", "not-a-token.at-all", "W10.abc", "é" * 40, "1" * 3000,
    string.punctuation.replace("/", "").replace("?", "").replace("#", "").replace("%", ""),
])
def test_links_that_were_never_sent_are_not_recognised(client, token):
    response = client.get(f"/partner/{token}")
    assert response.status_code == 404
    assert "Link not recognised" in response.text


@pytest.mark.parametrize("payload", [
    [10**12, "secret"], ["1", "secret"], [1], {"id": 1}, None, [True, "secret"], [1, 2],
])
def test_a_genuinely_signed_token_of_the_wrong_shape_is_not_recognised(app, client, payload):
    token = URLSafeSerializer(app.secret_key, salt=service.SALT).dumps(payload)
    assert client.get(f"/partner/{token}").status_code == 404


def test_a_token_signed_for_another_purpose_is_not_recognised(app, client):
    action = partner_action()
    sent = send_link(action)
    link_id, secret = service._read_token(sent.token, app.secret_key)
    other_salt = URLSafeSerializer(app.secret_key, salt="something else").dumps([link_id, secret])
    other_key = service.make_token(link_id, secret, secret_key="another app's key")

    assert client.get(f"/partner/{other_salt}").status_code == 404
    assert client.get(f"/partner/{other_key}").status_code == 404


def test_a_link_opens_only_its_own_action(app, client):
    first = partner_action()
    second = ActionFactory(item=first.item, owner=first.owner,
                           description="Police to share the strategy discussion minutes")
    first_sent, second_sent = send_link(first), send_link(second)
    _, first_secret = service._read_token(first_sent.token, app.secret_key)
    # A genuinely signed token with the second link's id but the first link's secret.
    crossed = service.make_token(second_sent.link.id, first_secret, secret_key=app.secret_key)

    own = client.get(f"/partner/{first_sent.token}")
    assert client.get(f"/partner/{crossed}").status_code == 404
    assert post_update(client, crossed, second).status_code == 404

    assert "Police to attend every strategy discussion in person" in own.text
    assert "Police to share the strategy discussion minutes" not in own.text
    post_update(client, first_sent.token, first)
    assert recorded_by_partner(first) == 1
    assert recorded_by_partner(second) == 0


@pytest.mark.parametrize(("change", "reason"), [
    ("new owner", "The action it was sent for now has a different owner."),
    ("partner deactivated", "The action it was sent for now has a different owner."),
    ("action cancelled", "The action it was sent for has been cancelled."),
    ("item signed off", "The work it was sent for is complete and signed off."),
])
def test_a_link_stops_when_its_action_is_no_longer_the_partners_to_update(
    client, change, reason
):
    action = partner_action()
    sent = send_link(action)
    if change == "new owner":
        action.owner = UserFactory(council=action.item.finding.inspection.council)
    elif change == "partner deactivated":
        action.owner.active = False
    elif change == "action cancelled":
        action.status = ActionStatus.CANCELLED
    else:
        action.status = ActionStatus.COMPLETE
        action.item.status = ItemStatus.COMPLETE
    db.session.commit()

    page = client.get(f"/partner/{sent.token}")
    posted = post_update(client, sent.token, action)

    assert page.status_code == 410
    assert reason in page.text
    assert "Lee Lead" in page.text
    assert posted.status_code == 410
    assert recorded_by_partner(action) == 0


def test_a_refused_link_never_shows_the_action(client):
    action = partner_action()
    sent = send_link(action)
    service.revoke_partner_link(sent.link, actor=action.item.lead_officer, now=clock.now())
    db.session.commit()

    page = client.get(f"/partner/{sent.token}")

    assert "Police to attend every strategy discussion" not in page.text
    assert "Multi-agency strategy discussions" not in page.text
