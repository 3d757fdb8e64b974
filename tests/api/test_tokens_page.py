"""The API tokens page: a person makes, sees and revokes their own tokens."""

from __future__ import annotations

import re

import pytest

from tests.conftest import sign_in_as
from tests.factories import CommitteeMemberFactory, UserFactory
from tracker import clock
from tracker.access.models import AccessToken, TokenPurpose
from tracker.access.service import MOST_API_TOKENS, make_api_token, renew_calendar_token
from tracker.extensions import db

SECRET = re.compile(r"trk_[A-Za-z0-9_\-]{40,}")


@pytest.fixture
def person(council):
    return UserFactory(council=council, name="Sam Reader")


def make(user, name: str = "Power BI dashboard") -> str:
    secret = make_api_token(user, name, now=clock.now()).secret
    db.session.commit()
    return secret


def api_status(client, secret: str) -> int:
    return client.get("/api/v1/", headers={"Authorization": f"Bearer {secret}"}).status_code


def test_a_person_makes_a_token_and_sees_its_secret_once(client, person):
    sign_in_as(client, person)
    response = client.post("/account/api-tokens", data={"name": "  Power BI   dashboard "})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    secrets = SECRET.findall(page)
    assert len(secrets) == 1
    assert "You will not be able to see it again" in page
    assert "Your new token ‘Power BI dashboard’" in page
    # Not in a flash message (which would put it in the session cookie), nor on any later page.
    assert secrets[0] not in response.headers.get("Set-Cookie", "")
    later = client.get("/account/api-tokens").get_data(as_text=True)
    assert secrets[0] not in later
    assert secrets[0][:10] in later  # its first characters tell it apart
    assert "Power BI dashboard" in later
    assert api_status(client, secrets[0]) == 200


def test_a_token_needs_a_name(client, person):
    sign_in_as(client, person)
    response = client.post("/account/api-tokens", data={"name": "   "})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert "Enter a name for the token, such as what will use it" in page
    assert page.count("<title>Error: ") == 1
    assert not SECRET.search(page)
    assert db.session.query(AccessToken).count() == 0


def test_a_token_name_has_a_length_limit(client, person):
    sign_in_as(client, person)
    response = client.post("/account/api-tokens", data={"name": "x" * 101})
    assert response.status_code == 400
    assert "Name must be 100 characters or fewer" in response.get_data(as_text=True)


def test_a_person_cannot_have_more_than_the_most_tokens(client, person):
    for n in range(MOST_API_TOKENS):
        make(person, f"Token {n}")
    sign_in_as(client, person)
    page = client.get("/account/api-tokens").get_data(as_text=True)
    assert f"You have {MOST_API_TOKENS} tokens, the most anyone can have" in page
    response = client.post("/account/api-tokens", data={"name": "One more"})
    assert response.status_code == 400
    assert "revoke one you no longer use first" in response.get_data(as_text=True)


def test_the_page_lists_only_the_persons_own_working_api_tokens(client, council, person):
    make(person, "Power BI dashboard")
    revoked = make_api_token(person, "Old spreadsheet", now=clock.now()).token
    revoked.revoked_at = clock.now()
    renew_calendar_token(person, now=clock.now())
    make(UserFactory(council=council), "Someone else's token")
    db.session.commit()
    sign_in_as(client, person)
    page = client.get("/account/api-tokens").get_data(as_text=True)
    assert "Power BI dashboard" in page
    assert "Old spreadsheet" not in page
    assert "Someone else's token" not in page
    assert page.count("Revoke<span") == 1
    assert "Never" in page  # not used yet


def test_the_page_says_when_a_token_was_last_used(client, person):
    secret = make(person)
    api_status(client, secret)
    sign_in_as(client, person)
    page = client.get("/account/api-tokens").get_data(as_text=True)
    assert "22 November 2026 at 12:00pm" in page
    assert "Never" not in page


def test_a_committee_member_can_make_a_token_too(client, council):
    member = CommitteeMemberFactory(council=council)
    sign_in_as(client, member)
    assert client.get("/account/api-tokens").status_code == 200
    response = client.post("/account/api-tokens", data={"name": "Reading on my tablet"})
    assert response.status_code == 200
    assert api_status(client, SECRET.search(response.get_data(as_text=True)).group()) == 200


def test_a_person_revokes_their_token_and_it_stops_working(client, person):
    secret = make(person)
    token = db.session.query(AccessToken).one()
    sign_in_as(client, person)
    response = client.post(f"/account/api-tokens/{token.id}/revoke")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/api-tokens"
    page = client.get("/account/api-tokens").get_data(as_text=True)
    assert "Token ‘Power BI dashboard’ revoked: it no longer works" in page
    assert "You have no tokens that work." in page
    assert api_status(client, secret) == 401


def test_nobody_revokes_someone_elses_token(client, council, person):
    secret = make(person)
    token = db.session.query(AccessToken).one()
    sign_in_as(client, UserFactory(council=council))
    response = client.post(f"/account/api-tokens/{token.id}/revoke")
    assert response.status_code == 400
    assert "You can only revoke your own tokens" in response.get_data(as_text=True)
    assert api_status(client, secret) == 200


def test_another_councils_token_is_not_found(client, person):
    stranger = UserFactory()
    make(stranger)
    token = db.session.query(AccessToken).one()
    sign_in_as(client, person)
    assert client.post(f"/account/api-tokens/{token.id}/revoke").status_code == 404


def test_a_calendar_token_is_not_revoked_here(client, person):
    calendar = renew_calendar_token(person, now=clock.now()).token
    db.session.commit()
    sign_in_as(client, person)
    assert client.post(f"/account/api-tokens/{calendar.id}/revoke").status_code == 404
    db.session.refresh(calendar)
    assert calendar.revoked_at is None
    assert calendar.purpose is TokenPurpose.CALENDAR


def test_making_and_revoking_need_the_form_token(csrf_app, person):
    client = csrf_app.test_client()
    make(person)
    token = db.session.query(AccessToken).one()
    sign_in_as(client, person)
    assert client.post("/account/api-tokens", data={"name": "Forged"}).status_code == 400
    assert client.post(f"/account/api-tokens/{token.id}/revoke").status_code == 400
    db.session.refresh(token)
    assert token.revoked_at is None
    assert db.session.query(AccessToken).count() == 1
    # With the page's own form token, both work.
    page = client.get("/account/api-tokens").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page)
    assert client.post(f"/account/api-tokens/{token.id}/revoke",
                       data={"csrf_token": csrf.group(1)}).status_code == 302


def test_a_stranger_is_sent_to_sign_in(client):
    response = client.get("/account/api-tokens")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
