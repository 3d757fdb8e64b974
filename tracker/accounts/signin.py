"""Signing in safely: a lock after repeated failures, a limit per network address, a record
of every attempt, and passwords that are hard to guess.

Rules (each configurable):
- SIGN_IN_MAX_FAILURES (5) failures for one email address within SIGN_IN_LOCK_MINUTES (15)
  lock that address for SIGN_IN_LOCK_MINUTES from the last failure; while locked even the
  right password is refused, and the refusals do not extend the lock.
- SIGN_IN_MAX_PER_ADDRESS (30) attempts from one network address within
  SIGN_IN_ADDRESS_WINDOW_MINUTES (10) are refused with "too many attempts" (HTTP 429).
- Every sign-in, failure, refusal and sign-out is a SignInEvent row.
- Passwords: see tracker.accounts.service.check_password_rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from tracker.accounts.models import SignInEvent, SignInOutcome, User
from tracker.accounts.service import authenticate, normalise_email
from tracker.extensions import db
from tracker.formatting import clock_time


@dataclass(frozen=True)
class SignInRules:
    """The limits above, as `tracker.settings` reads them from the SIGN_IN_* settings."""

    max_failures: int
    lock_for: timedelta
    max_per_address: int
    address_window: timedelta


class SignInRefused(Exception):
    """Sign-in did not happen; `message` says what to do, `status` is the HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def record(outcome: SignInOutcome, *, email: str, user: User | None, address: str,
           now: datetime, locked_until: datetime | None = None) -> None:
    """Add one row to the sign-in record."""
    db.session.add(SignInEvent(at=now, email=email[:254], user_id=user.id if user else None,
                               address=address[:45], outcome=outcome,
                               locked_until=locked_until))
    db.session.flush()


def locked_until(email: str, now: datetime) -> datetime | None:
    """When the address's lock ends, if it is locked now."""
    until = db.session.scalar(
        select(func.max(SignInEvent.locked_until))
        .where(SignInEvent.email == email, SignInEvent.locked_until > now)
    )
    return until


def _recent_failures(email: str, now: datetime, rules: SignInRules) -> int:
    # Failures after the last success or lock, within the lock period.
    since = db.session.scalar(
        select(func.max(SignInEvent.at)).where(
            SignInEvent.email == email,
            (SignInEvent.outcome == SignInOutcome.SIGNED_IN)
            | SignInEvent.locked_until.is_not(None),
        )
    )
    start = max(since, now - rules.lock_for) if since else now - rules.lock_for
    return db.session.scalar(
        select(func.count()).select_from(SignInEvent).where(
            SignInEvent.email == email, SignInEvent.outcome == SignInOutcome.FAILED,
            SignInEvent.at > start, SignInEvent.locked_until.is_(None),
        )
    ) or 0


def _attempts_from(address: str, now: datetime, rules: SignInRules) -> int:
    return db.session.scalar(
        select(func.count()).select_from(SignInEvent).where(
            SignInEvent.address == address, SignInEvent.at > now - rules.address_window,
            SignInEvent.outcome.in_((SignInOutcome.SIGNED_IN, SignInOutcome.FAILED,
                                     SignInOutcome.LOCKED, SignInOutcome.RATE_LIMITED)),
        )
    ) or 0


def sign_in(email: str, password: str, *, address: str, now: datetime,
            rules: SignInRules) -> User:
    """The user, if the pair is right and neither the address nor the network is locked out;
    otherwise SignInRefused with what to do. Every attempt is recorded (flushed, not
    committed: the caller commits, refusals included)."""
    email = normalise_email(email)[:254]
    if _attempts_from(address, now, rules) >= rules.max_per_address:
        record(SignInOutcome.RATE_LIMITED, email=email, user=None, address=address, now=now)
        minutes = int(rules.address_window.total_seconds() // 60)
        raise SignInRefused(
            f"There have been too many attempts to sign in from your network. Wait "
            f"{minutes} minutes, then try again.", status=429)
    until = locked_until(email, now)
    if until is not None:
        record(SignInOutcome.LOCKED, email=email, user=None, address=address, now=now)
        raise SignInRefused(_locked_message(until, rules))
    user = authenticate(email, password)
    if user is None:
        lock = (now + rules.lock_for
                if _recent_failures(email, now, rules) + 1 >= rules.max_failures else None)
        record(SignInOutcome.FAILED, email=email, user=None, address=address, now=now,
               locked_until=lock)
        if lock is not None:
            raise SignInRefused(_locked_message(lock, rules))
        raise SignInRefused("Enter a correct email address and password")
    record(SignInOutcome.SIGNED_IN, email=email, user=user, address=address, now=now)
    return user


def _locked_message(until: datetime, rules: SignInRules) -> str:
    return (f"There have been {rules.max_failures} failed attempts to sign in with this email "
            f"address, so it is locked until {clock_time(until)}. Try again then.")


def sign_in_record(council_id: int, limit: int = 200) -> list[SignInEvent]:
    """The latest sign-in record of the council's people, newest first."""
    return list(db.session.scalars(
        select(SignInEvent).join(SignInEvent.user).where(User.council_id == council_id)
        .order_by(SignInEvent.at.desc(), SignInEvent.id.desc()).limit(limit)
    ))
