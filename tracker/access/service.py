"""Making, checking and revoking personal tokens (calendar feed and API).

A token is a random secret with a short prefix that says what it is for; only its SHA-256 is
stored. Checking a token is one indexed lookup. Its last use is noted at most once an hour, so
that a calendar polled every few minutes does not write to the database each time.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.access.models import AccessToken, TokenPurpose
from tracker.accounts.models import User
from tracker.errors import RuleBroken
from tracker.extensions import db

PREFIX = {TokenPurpose.CALENDAR: "cal_", TokenPurpose.API: "trk_"}
NOTE_USE_EVERY = timedelta(hours=1)
MOST_API_TOKENS = 20
NAME_LENGTH = 100


@dataclass(frozen=True)
class NewToken:
    """A token just made, with its secret: shown to its owner once and never stored."""

    token: AccessToken
    secret: str


def fingerprint(secret: str) -> str:
    """The stored form of a secret that lets someone in (a token, a partner link, a session,
    a password reset link): its SHA-256. The secret itself is never stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _make(user: User, purpose: TokenPurpose, name: str, now: datetime) -> NewToken:
    secret = PREFIX[purpose] + secrets.token_urlsafe(32)
    token = AccessToken(user_id=user.id, purpose=purpose, name=name,
                        token_sha256=fingerprint(secret), hint=secret[:10], created_at=now)
    db.session.add(token)
    db.session.flush()
    return NewToken(token, secret)


def active_tokens(user: User, purpose: TokenPurpose) -> list[AccessToken]:
    """The person's tokens of this purpose that still work, newest first."""
    return list(db.session.scalars(
        select(AccessToken)
        .where(AccessToken.user_id == user.id, AccessToken.purpose == purpose,
               AccessToken.revoked_at.is_(None))
        .order_by(AccessToken.created_at.desc(), AccessToken.id.desc())
    ))


def make_api_token(user: User, name: str, *, now: datetime) -> NewToken:
    """A new named API token for `user`. Raises RuleBroken for a missing or long name, or when
    the person already has MOST_API_TOKENS tokens."""
    name = " ".join(name.split())
    if not name:
        raise RuleBroken("Enter a name for the token, such as what will use it", "name")
    if len(name) > NAME_LENGTH:
        raise RuleBroken(f"Name must be {NAME_LENGTH} characters or fewer", "name")
    if len(active_tokens(user, TokenPurpose.API)) >= MOST_API_TOKENS:
        raise RuleBroken(f"You already have {MOST_API_TOKENS} API tokens: revoke one you no "
                         "longer use first", "name")
    return _make(user, TokenPurpose.API, name, now)


def renew_calendar_token(user: User, *, now: datetime) -> NewToken:
    """A new calendar feed address for `user`; any earlier one stops working."""
    for token in active_tokens(user, TokenPurpose.CALENDAR):
        token.revoked_at = now
    return _make(user, TokenPurpose.CALENDAR, "", now)


def revoke_token(token: AccessToken, *, actor: User, now: datetime) -> None:
    """Stop a token working. Only its owner revokes it; revoking twice changes nothing."""
    if token.user_id != actor.id:
        raise RuleBroken("You can only revoke your own tokens")
    if token.revoked_at is None:
        token.revoked_at = now
        db.session.flush()


def user_for_token(secret: str, purpose: TokenPurpose, *, now: datetime) -> User | None:
    """The active person a token belongs to, or None for an unknown, revoked or wrong-purpose
    token, or a deactivated person. Notes the token's use (at most once an hour)."""
    if not secret.startswith(PREFIX[purpose]) or len(secret) > 200:
        return None
    token = db.session.scalars(
        select(AccessToken).options(joinedload(AccessToken.user))
        .where(AccessToken.token_sha256 == fingerprint(secret))
    ).first()
    if (token is None or token.purpose is not purpose or token.revoked_at is not None
            or not token.user.active):
        return None
    if token.last_used_at is None or now - token.last_used_at >= NOTE_USE_EVERY:
        token.last_used_at = now
    return token.user
