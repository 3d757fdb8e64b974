"""Makers for the access matrix (tests/whole_app/test_access_matrix.py): an API token of
someone in the world's council, for the token page's revoke address."""

from __future__ import annotations

from datetime import UTC, datetime

from tracker.access.service import make_api_token
from tracker.extensions import db


def api_token_for_world(world) -> int:
    """The id of an API token of the world's plain user: anyone else revoking it is told they
    can only revoke their own (400), which the matrix accepts as a refusal."""
    token = make_api_token(world.user, "Matrix token",
                           now=datetime(2026, 9, 1, 10, 0, tzinfo=UTC)).token
    db.session.commit()
    return token.id
