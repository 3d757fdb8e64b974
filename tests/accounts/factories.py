"""Password reset links for tests that need one without sending its email."""

from __future__ import annotations

import secrets
from datetime import datetime

from tracker import clock
from tracker.accounts.models import PasswordReset, User
from tracker.accounts.passwords import RESET_VALID_FOR, fingerprint
from tracker.extensions import db


def reset_link(user: User, *, now: datetime | None = None) -> str:
    """A working reset link of `user` (committed); its secret, the last part of its address."""
    now = now or clock.now()
    secret = secrets.token_urlsafe(32)
    db.session.add(PasswordReset(user_id=user.id, secret_sha256=fingerprint(secret),
                                 created_at=now, expires_at=now + RESET_VALID_FOR))
    db.session.commit()
    return secret


def reset_secret_for_world(world) -> str:
    """For the access matrix: a working link of the world's manager."""
    return reset_link(world.user)
