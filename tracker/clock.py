"""The current time and day. One place to ask, so tests can move time (time-machine)."""

from __future__ import annotations

from datetime import date, datetime

from tracker.db import utcnow
from tracker.formatting import UK


def now() -> datetime:
    """This moment, in UTC."""
    return utcnow()


def today() -> date:
    """Today's date in the UK."""
    return now().astimezone(UK).date()
