"""Changing a password, and resetting a forgotten one through an emailed link.

- A person changes their own password on Your account, giving the current one first; the
  new one keeps to `check_password_rules`. Their other sessions end.
- "Forgotten your password?" emails a link that works once, within RESET_VALID_FOR of being
  asked for. The answer on the page is the same whether or not the address has an account; at
  most MOST_RESETS_PER_HOUR links are emailed to one person in an hour, and the requests count
  against the network's sign-in limit (`tracker.accounts.signin`).
- An administrator can send a person a reset link (the same email, saying who sent it).
- A password set through a link ends every session of the person, and every other link.

Only the SHA-256 of a link's secret is stored, and the delivery log's copy of the email is
blanked once it has gone (`tracker.partners.service.forget_sent_link_messages`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update

from tracker.access.service import fingerprint
from tracker.accounts import sessions
from tracker.accounts.models import PasswordReset, SignInOutcome, User
from tracker.accounts.service import check_password_rules, find_user_by_email, normalise_email
from tracker.accounts.signin import SignInRefused, SignInRules, network_limit_reached, record
from tracker.errors import RuleBroken
from tracker.extensions import db
from tracker.formatting import UK
from tracker.mail import build_message
from tracker.settings import settings

RESET_VALID_FOR = timedelta(hours=1)
MOST_RESETS_PER_HOUR = 3


@dataclass(frozen=True)
class SentReset:
    """A reset link just made: its row and the address in the email (never stored)."""

    reset: PasswordReset
    address: str



def reset_address(secret: str) -> str:
    """The full address of a reset link, as the email gives it."""
    return f"{settings().public_url}/reset-password/{secret}"


def _set_password(user: User, password: str, *, now: datetime, keep: str | None) -> None:
    user.set_password(password)
    sessions.end_sessions(user, now=now, keep=keep)
    end_reset_links(user, now=now)
    db.session.flush()


def end_reset_links(user: User, *, now: datetime) -> int:
    """Stop every reset link of `user` that still works; how many."""
    ended = db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.ended_at.is_(None))
        .values(ended_at=now).execution_options(synchronize_session=False))
    return ended.rowcount


def change_password(user: User, *, current: str, new: str, now: datetime, address: str,
                    keep_session: str | None) -> None:
    """The person's new password, once they have given the current one; every other session
    of theirs ends (the one whose secret is `keep_session` stays signed in)."""
    if not user.check_password(current):
        raise RuleBroken("Your current password is not right", field="current_password")
    if current == new:
        raise RuleBroken("Choose a password different from your current one",
                         field="new_password")
    try:
        check_password_rules(new, user_inputs=[user.name, user.email, user.council.name])
    except RuleBroken as broken:
        raise RuleBroken(broken.message, field="new_password") from broken
    _set_password(user, new, now=now, keep=keep_session)
    record(SignInOutcome.PASSWORD_CHANGED, email=user.email, user=user, address=address,
           now=now)


def _resets_sent_lately(user: User, now: datetime) -> int:
    return db.session.scalar(
        select(func.count()).select_from(PasswordReset).where(
            PasswordReset.user_id == user.id, PasswordReset.sent_by_id.is_(None),
            PasswordReset.created_at > now - timedelta(hours=1))) or 0


def _email_reset(user: User, *, sent_by: User | None, now: datetime) -> SentReset:
    from tracker.reminders.models import DeliveryKind
    from tracker.reminders.service import queue_email

    end_reset_links(user, now=now)  # the newest email is the one to use
    secret = secrets.token_urlsafe(32)
    reset = PasswordReset(user_id=user.id, secret_sha256=fingerprint(secret),
                          sent_by_id=sent_by.id if sent_by else None, created_at=now,
                          expires_at=now + RESET_VALID_FOR)
    db.session.add(reset)
    db.session.flush()
    address = reset_address(secret)
    context = {"user": user, "sent_by": sent_by, "address": address,
               "council_name": user.council.name,
               "until": reset.expires_at}
    env = current_app.jinja_env
    message = build_message(
        sender=settings().mail.sender, to=user.email,
        subject=f"{user.council.name}: choose a new password for the improvement tracker"[:200],
        text=env.get_template("accounts/reset_email.txt").render(context),
        html=env.get_template("accounts/reset_email.html").render(context), now=now)
    queued = queue_email(message, recipient_id=user.id, kind=DeliveryKind.PASSWORD_RESET,
                         day=now.astimezone(UK).date(), topic=f"password reset {reset.id}",
                         now=now)
    assert queued is not None  # its key is the link's own
    return SentReset(reset, address)


def ask_for_reset(email: str, *, address: str, now: datetime,
                  rules: SignInRules) -> SentReset | None:
    """"Forgotten your password?": email a reset link to the address if it is an active
    person's, at most MOST_RESETS_PER_HOUR an hour. The caller answers the same whatever this
    returns (None when nothing was sent). Every request is in the sign-in record and counts
    against the network's limit: SignInRefused (429) past it."""
    email = normalise_email(email)[:254]
    user = find_user_by_email(email)
    if network_limit_reached(address, now, rules):
        record(SignInOutcome.RATE_LIMITED, email=email, user=user, address=address, now=now)
        minutes = int(rules.address_window.total_seconds() // 60)
        raise SignInRefused(
            f"There have been too many attempts from your network. Wait {minutes} minutes, "
            f"then try again.", status=429)
    record(SignInOutcome.RESET_ASKED, email=email, user=user, address=address, now=now)
    if user is None or not user.active or _resets_sent_lately(user, now) >= MOST_RESETS_PER_HOUR:
        return None
    return _email_reset(user, sent_by=None, now=now)


def send_reset_link(user: User, *, actor: User, now: datetime) -> SentReset:
    """An administrator emails `user` a reset link (any earlier one stops working)."""
    if not user.active:
        raise RuleBroken(f"{user.name}'s account is deactivated: reactivate it first")
    return _email_reset(user, sent_by=actor, now=now)


class ResetLinkRefused(Exception):
    """A reset link that does not open its page: `status` 404 for one never made, 410 for one
    used, replaced, expired or withdrawn."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def open_reset_link(secret: str, *, now: datetime) -> PasswordReset:
    """The reset a link's secret opens, while it works (unused, within the hour, the person
    active); else ResetLinkRefused."""
    reset = None
    if secret and len(secret) <= 100:
        reset = db.session.scalars(
            select(PasswordReset).where(PasswordReset.secret_sha256 == fingerprint(secret))
        ).first()
    if reset is None:
        raise ResetLinkRefused(404)
    if not reset.usable_at(now) or not reset.user.active:
        raise ResetLinkRefused(410)
    return reset


def reset_password(reset: PasswordReset, *, new: str, now: datetime, address: str) -> User:
    """Set the password a reset link was opened for, and use the link up: every session and
    every other link of the person ends. RuleBroken for a weak password, or when the link was
    used meanwhile (a second tab, a second click): the database decides which use wins."""
    user = reset.user
    try:
        check_password_rules(new, user_inputs=[user.name, user.email, user.council.name])
    except RuleBroken as broken:
        raise RuleBroken(broken.message, field="password") from broken
    used = db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.ended_at.is_(None),
               PasswordReset.expires_at > now)
        .values(used_at=now, ended_at=now).execution_options(synchronize_session=False))
    if used.rowcount != 1:
        raise RuleBroken("This link has been used already or has stopped working: ask for "
                         "a new one")
    _set_password(user, new, now=now, keep=None)
    record(SignInOutcome.PASSWORD_RESET, email=user.email, user=user, address=address, now=now)
    return user
