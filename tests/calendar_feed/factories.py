"""Makers for the calendar feed's URL parameters (used by the access matrix)."""

from __future__ import annotations

from datetime import UTC, datetime

from tracker.access.service import renew_calendar_token
from tracker.extensions import db


def feed_token(world) -> str:
    """The secret of a working calendar feed address of one of the world's council's people."""
    secret = renew_calendar_token(world.user, now=datetime(2026, 9, 1, 10, 0, tzinfo=UTC)).secret
    db.session.commit()
    return secret
