"""The person's calendar feed page: turning the feed on, seeing its address once, replacing
it and turning it off."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tests.calendar_feed.conftest import PUBLIC_URL, feed_path, turn_on_feed
from tests.conftest import sign_in_as
from tests.factories import CommitteeMemberFactory, UserFactory
from tracker.access.models import AccessToken, TokenPurpose
from tracker.access.service import active_tokens, fingerprint
from tracker.extensions import db

PAGE = "/account/calendar"
ADDRESS = re.compile(re.escape(PUBLIC_URL) + r"/calendar/(cal_[A-Za-z0-9_-]+)\.ics")


def shown_addresses(response) -> list[str]:
    return ADDRESS.findall(response.get_data(as_text=True))


def feed_summary(page: str) -> dict[str, str]:
    """The "Your feed now" summary list: each key and its value."""
    rows = re.findall(r'govuk-summary-list__key">\s*(.*?)\s*</dt>\s*'
                      r'<dd class="govuk-summary-list__value">\s*(.*?)\s*</dd>', page, re.S)
    return dict(rows)


def test_the_page_says_the_feed_is_off_and_offers_to_turn_it_on(client, council):
    person = UserFactory(council=council)
    sign_in_as(client, person)

    response = client.get(PAGE)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1 class=\"govuk-heading-l\">Calendar feed</h1>" in page
    assert feed_summary(page) == {"Feed": "Off"}
    assert "Turn on the calendar feed" in page
    assert "Replace the address" not in page and "Turn off the feed" not in page
    assert not shown_addresses(response)


def test_turning_the_feed_on_shows_its_address_once_and_keeps_only_its_hash(client, council):
    person = UserFactory(council=council)
    sign_in_as(client, person)

    answer = client.post(PAGE, data={"change": "new"})

    assert answer.status_code == 200
    [secret] = set(shown_addresses(answer))
    assert "Your calendar feed is on" in answer.get_data(as_text=True)
    assert "Subscribe from web" in answer.get_data(as_text=True)  # Outlook's steps
    assert "From URL" in answer.get_data(as_text=True)  # Google's steps
    assert answer.headers["Cache-Control"] == "no-store"
    [token] = active_tokens(person, TokenPurpose.CALENDAR)
    assert token.token_sha256 == fingerprint(secret)
    stored = db.session.query(AccessToken.token_sha256, AccessToken.hint, AccessToken.name).all()
    assert not [value for row in stored for value in row if secret in value]
    # The address works, and the page never shows it again.
    assert client.get(feed_path(secret)).status_code == 200
    again = client.get(PAGE)
    assert again.status_code == 200
    assert not shown_addresses(again)
    assert secret not in again.get_data(as_text=True)


def test_the_page_says_since_when_the_feed_is_on_and_when_a_calendar_last_read_it(
    app, client, council, fixed_time
):
    person = UserFactory(council=council)
    sign_in_as(client, person)
    fixed_time.move_to(datetime(2026, 11, 2, 9, 15, tzinfo=UTC))
    secret = turn_on_feed(person)

    fixed_time.move_to(datetime(2026, 11, 22, 12, 0, tzinfo=UTC))
    not_read = feed_summary(client.get(PAGE).get_data(as_text=True))
    assert not_read["Feed"] == "On"
    assert not_read["Address made"] == "2 November 2026 at 9:15am"
    assert not_read["Last read by a calendar"] == "Not read yet"

    fixed_time.move_to(datetime(2026, 11, 22, 16, 40, tzinfo=UTC))
    calendar = app.test_client()  # a calendar has no session of its own
    assert calendar.get(feed_path(secret)).status_code == 200
    sign_in_as(client, person)
    read = feed_summary(client.get(PAGE).get_data(as_text=True))
    assert read["Last read by a calendar"] == "22 November 2026 at 4:40pm"
    # How the address begins, so that people can tell which one their calendar has.
    assert read["Address begins"] == f"{PUBLIC_URL}/calendar/{secret[:10]}…"


def test_replacing_the_address_from_the_page_stops_the_old_one(client, council):
    person = UserFactory(council=council)
    old = turn_on_feed(person)
    sign_in_as(client, person)
    assert "Replace the address" in client.get(PAGE).get_data(as_text=True)

    answer = client.post(PAGE, data={"change": "new"})

    [new] = set(shown_addresses(answer))
    assert new != old
    assert client.get(feed_path(old)).status_code == 404
    assert client.get(feed_path(new)).status_code == 200
    assert len(active_tokens(person, TokenPurpose.CALENDAR)) == 1


def test_turning_the_feed_off_from_the_page(client, council):
    person = UserFactory(council=council)
    secret = turn_on_feed(person)
    sign_in_as(client, person)

    answer = client.post(PAGE, data={"change": "off"})

    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(PAGE)
    assert client.get(feed_path(secret)).status_code == 404
    page = client.get(PAGE).get_data(as_text=True)
    assert "Your calendar feed is off: its address no longer works" in page
    assert "Turn on the calendar feed" in page


def test_changing_the_feed_needs_the_forms_token(csrf_app, council):
    client = csrf_app.test_client()
    person = UserFactory(council=council)
    secret = turn_on_feed(person)
    sign_in_as(client, person)

    for change in ("new", "off"):
        response = client.post(PAGE, data={"change": change})
        assert response.status_code == 400, change
        assert not shown_addresses(response)
    assert client.get(feed_path(secret)).status_code == 200  # neither replaced nor turned off

    page = client.get(PAGE).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    response = client.post(PAGE, data={"change": "off", "csrf_token": token})
    assert response.status_code == 302
    assert client.get(feed_path(secret)).status_code == 404


def test_a_tampered_button_is_refused_and_changes_nothing(client, council):
    person = UserFactory(council=council)
    secret = turn_on_feed(person)
    sign_in_as(client, person)

    for body in ({}, {"change": "delete everything"}, {"change": "new" * 50}):
        response = client.post(PAGE, data=body)
        assert response.status_code == 400, body
        assert "There is a problem" in response.get_data(as_text=True)

    assert client.get(feed_path(secret)).status_code == 200
    assert len(active_tokens(person, TokenPurpose.CALENDAR)) == 1


def test_the_page_tells_each_person_whose_committee_dates_their_feed_holds(client, council):
    sign_in_as(client, CommitteeMemberFactory(council=council))
    member_page = client.get(PAGE).get_data(as_text=True)
    sign_in_as(client, UserFactory(council=council))
    staff_page = client.get(PAGE).get_data(as_text=True)

    assert "the meetings of the committees you are a member of" in member_page
    assert "each action you own" not in member_page
    assert f"the meetings of every committee of {council.name}" in staff_page
    assert "each action you own" in staff_page


def test_a_person_sees_only_their_own_feed_on_the_page(client, council):
    other = UserFactory(council=council)
    turn_on_feed(other)
    person = UserFactory(council=council)
    sign_in_as(client, person)

    page = client.get(PAGE).get_data(as_text=True)

    assert feed_summary(page) == {"Feed": "Off"}
    assert "Turn on the calendar feed" in page
