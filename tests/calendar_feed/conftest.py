"""The calendar feed's tests: the tracker's public address, and reading a feed back."""

from __future__ import annotations

import pytest
from icalendar import Calendar, Event

from tests.conftest import configure
from tracker import clock
from tracker.calendar_feed.service import new_feed_address
from tracker.extensions import db

PUBLIC_URL = "https://tracker.northshire.example"
HOST = "tracker.northshire.example"


@pytest.fixture(autouse=True)
def public_url(app):
    configure(app, PUBLIC_URL=PUBLIC_URL + "/")  # a trailing slash must not double up
    return PUBLIC_URL


def turn_on_feed(user) -> str:
    """A new calendar address for `user`, committed; its secret."""
    secret = new_feed_address(user, now=clock.now()).secret
    db.session.commit()
    return secret


def feed_path(secret: str) -> str:
    return f"/calendar/{secret}.ics"


def read_feed(client, secret: str) -> Calendar:
    """The feed behind `secret`, parsed back (fails unless it answers 200)."""
    response = client.get(feed_path(secret))
    assert response.status_code == 200, response.status_code
    return Calendar.from_ical(response.data)


def events_of(calendar: Calendar) -> dict[str, Event]:
    """The feed's events by UID."""
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def uid(kind: str, *parts: object) -> str:
    return f"{kind}-{'-'.join(str(part) for part in parts)}@{HOST}"


def text(event: Event, name: str) -> str:
    """A TEXT property as a client reads it, its escapes undone."""
    return str(event[name])
