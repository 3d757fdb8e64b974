"""Signed-in sessions kept on the server, so that ending one ends it wherever its cookie is.

The session cookie (Flask's signed cookie) carries the person's id and a random secret;
`user_session` holds the secret's SHA-256 while the session lasts. A request is signed in only
while that row is not ended: signing out, a password change, an administrator's "end their
sessions" or deactivation end rows, and a copied cookie stops working at once.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from functools import cache

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import contains_eager

from tracker.access.service import fingerprint
from tracker.accounts.models import User, UserSession
from tracker.extensions import db

# The key of the session's secret in Flask's session cookie.
SESSION_KEY = "sid"


def start_session(user: User, *, now: datetime) -> str:
    """A new session for `user`; the secret to put in their session cookie (never stored)."""
    secret = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, secret_sha256=fingerprint(secret),
                               created_at=now))
    db.session.flush()
    return secret


def user_of_session(user_id: int, secret: str) -> User | None:
    """The active person whose session this is, while it has not been ended; else None.
    One statement, with the person's council (the layout names it on every page): it is run
    on every signed-in request."""
    return db.session.scalars(
        _user_of_session(), {"user_id": user_id, "secret_sha256": fingerprint(secret)}
    ).first()


@cache
def _user_of_session() -> Select[tuple[User]]:
    """`user_of_session`'s statement, built once (building it took longer than running it)."""
    return (
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .join(User.council)
        .options(contains_eager(User.council))
        .where(User.id == bindparam("user_id"), User.active.is_(True),
               UserSession.secret_sha256 == bindparam("secret_sha256"),
               UserSession.ended_at.is_(None))
    )


def end_session(secret: str, *, now: datetime) -> None:
    """End one session (signing out): its cookie, and every copy of it, stops working."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.secret_sha256 == fingerprint(secret), UserSession.ended_at.is_(None))
        .values(ended_at=now).execution_options(synchronize_session=False))


def end_current_session(cookie: dict, *, now: datetime) -> None:
    """End the session whose secret this session cookie holds, if any."""
    secret = cookie.get(SESSION_KEY)
    if isinstance(secret, str) and secret:
        end_session(secret, now=now)


def end_sessions(user: User, *, now: datetime, keep: str | None = None) -> int:
    """End every session of `user` but the one whose secret is `keep` (the person's own, when
    they change their password); how many were ended."""
    query = update(UserSession).where(UserSession.user_id == user.id,
                                      UserSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(UserSession.secret_sha256 != fingerprint(keep))
    ended = db.session.execute(
        query.values(ended_at=now).execution_options(synchronize_session=False))
    return ended.rowcount


def live_sessions(user: User) -> int:
    """How many sessions of `user` have not been ended (some may have gone idle since)."""
    return len(db.session.scalars(
        select(UserSession.id).where(UserSession.user_id == user.id,
                                     UserSession.ended_at.is_(None))).all())
