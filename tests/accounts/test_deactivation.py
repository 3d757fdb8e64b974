"""Deactivating a person ends their access for good: reactivating them brings back no
session, token, calendar address, partner link or reset link. A partner link stopped by a new
owner stays stopped when the action is given back."""

from __future__ import annotations

from tests.accounts.factories import reset_link
from tests.accounts.test_sessions import signed_in_client
from tests.conftest import sign_in_as
from tests.factories import AdminFactory, UserFactory
from tests.partners.factories import partner_action, send_link
from tracker import clock
from tracker.access.models import TokenPurpose
from tracker.access.service import make_api_token, renew_calendar_token, user_for_token
from tracker.accounts.service import end_all_access
from tracker.extensions import db
from tracker.items import service as items


def set_active(admin_client, user, active: bool):
    response = admin_client.post(f"/users/{user.id}", data={
        "name": user.name, "job_title": user.job_title or "Officer",
        "organisation": user.organisation, "telephone": user.telephone,
        "role": user.role.value, "status": "active" if active else "deactivated"})
    assert response.status_code == 302


def test_reactivating_a_person_brings_back_none_of_their_access(app):
    action = partner_action()
    partner = action.owner
    sent = send_link(action)
    api = make_api_token(partner, "Dashboard", now=clock.now()).secret
    calendar = renew_calendar_token(partner, now=clock.now()).secret
    db.session.commit()
    reset = reset_link(partner)
    phone = signed_in_client(app, partner)
    admin_client = app.test_client()
    sign_in_as(admin_client, AdminFactory(council=partner.council))

    set_active(admin_client, partner, False)
    set_active(admin_client, partner, True)

    now = clock.now()
    assert user_for_token(api, TokenPurpose.API, now=now) is None
    assert user_for_token(calendar, TokenPurpose.CALENDAR, now=now) is None
    assert phone.get("/items").status_code == 302
    assert app.test_client().get(f"/partner/{sent.token}").status_code == 410
    assert app.test_client().get(f"/reset-password/{reset}").status_code == 410
    # The link's stop is in the action's history.
    history = app.test_client()
    sign_in_as(history, action.item.lead_officer)
    assert "access was ended" in history.get(f"/items/{action.item.id}").text


def test_a_link_stopped_by_a_new_owner_stays_stopped_when_the_action_is_given_back(app):
    action = partner_action()
    partner = action.owner
    lead = action.item.lead_officer
    sent = send_link(action)
    for owner in (lead, partner):
        items.edit_action(action, actor=lead, now=clock.now(), expected_version=None,
                          description=action.description, owner=owner)
        db.session.commit()
    page = app.test_client().get(f"/partner/{sent.token}")
    assert page.status_code == 410
    assert "withdrawn" in page.text


def test_ending_all_access_is_one_function_for_anonymising_too(app):
    action = partner_action()
    partner = action.owner
    sent = send_link(action)
    api = make_api_token(partner, "Dashboard", now=clock.now()).secret
    db.session.commit()
    phone = signed_in_client(app, partner)
    end_all_access(partner, actor=AdminFactory(council=partner.council), now=clock.now())
    db.session.commit()
    assert user_for_token(api, TokenPurpose.API, now=clock.now()) is None
    assert phone.get("/items").status_code == 302
    assert app.test_client().get(f"/partner/{sent.token}").status_code == 410


def test_a_person_kept_active_keeps_their_tokens(app):
    user = UserFactory()
    api = make_api_token(user, "Dashboard", now=clock.now()).secret
    db.session.commit()
    admin_client = app.test_client()
    sign_in_as(admin_client, AdminFactory(council=user.council))
    set_active(admin_client, user, True)
    assert user_for_token(api, TokenPurpose.API, now=clock.now()) == user
