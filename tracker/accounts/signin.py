"""Signing in safely: a lock after repeated failures, a limit per network address, a record
of every attempt, and passwords that are hard to guess.

Rules (each configurable):
- SIGN_IN_MAX_FAILURES (5) failures for one email address within SIGN_IN_LOCK_MINUTES (15)
  lock that address for SIGN_IN_LOCK_MINUTES from the last failure; while locked even the
  right password is refused, and the refusals do not extend the lock.
- SIGN_IN_MAX_PER_ADDRESS (30) attempts from one network address within
  SIGN_IN_ADDRESS_WINDOW_MINUTES (10) are refused with "too many attempts" (HTTP 429).
- Every sign-in, failure, refusal and sign-out is a SignInEvent row, against the account when
  the address has one.
- An attempt is claimed (a committed "checking" row) before it is counted or its password
  checked, so the limits hold under a burst of simultaneous attempts.
- Passwords: see tracker.accounts.service.check_password_rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, contains_eager

from tracker.accounts.models import SignInEvent, SignInOutcome, User
from tracker.accounts.service import check_sign_in, find_user_by_email, normalise_email
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
    """Add one row to the sign-in record, in the request's transaction."""
    db.session.add(SignInEvent(at=now, email=email[:254], user_id=user.id if user else None,
                               address=address[:45], outcome=outcome,
                               locked_until=locked_until))
    db.session.flush()


def locked_until(email: str, now: datetime, session: Session | None = None) -> datetime | None:
    """When the address's lock ends, if it is locked now."""
    return (session or db.session).scalar(
        select(func.max(SignInEvent.locked_until))
        .where(SignInEvent.email == email, SignInEvent.locked_until > now)
    )


# Every attempt from a network counts against its limit, refusals and reset requests too.
_NETWORK_ATTEMPTS = (SignInOutcome.CHECKING, SignInOutcome.SIGNED_IN, SignInOutcome.FAILED,
                     SignInOutcome.LOCKED, SignInOutcome.RATE_LIMITED, SignInOutcome.RESET_ASKED)


def _attempts_from(session: Session, address: str, now: datetime, rules: SignInRules) -> int:
    return session.scalar(
        select(func.count()).select_from(SignInEvent).where(
            SignInEvent.address == address, SignInEvent.at > now - rules.address_window,
            SignInEvent.outcome.in_(_NETWORK_ATTEMPTS),
        )
    ) or 0


def network_limit_reached(address: str, now: datetime, rules: SignInRules) -> bool:
    """Whether the network has used up its attempts (for "Forgotten your password?")."""
    return _attempts_from(db.session, address, now, rules) >= rules.max_per_address


def _last_reset(session: Session, email: str) -> int:
    """The id of the address's last success or lock: failures before it no longer count."""
    return session.scalar(
        select(func.max(SignInEvent.id)).where(
            SignInEvent.email == email,
            (SignInEvent.outcome == SignInOutcome.SIGNED_IN)
            | SignInEvent.locked_until.is_not(None),
        )
    ) or 0


def _failures_counted(session: Session, email: str, since: int, now: datetime,
                      rules: SignInRules) -> int:
    """Failures after `since` (the last success or lock when the attempt was claimed), within
    the lock period, with the attempts still being checked, this one included: a burst counts
    in full at once, and a success in the middle of it does not free the attempts that
    arrived with it."""
    return session.scalar(
        select(func.count()).select_from(SignInEvent).where(
            SignInEvent.email == email, SignInEvent.at > now - rules.lock_for,
            SignInEvent.id > since,
            SignInEvent.outcome.in_((SignInOutcome.FAILED, SignInOutcome.CHECKING)),
        )
    ) or 0


def _claim(email: str, user: User | None, address: str, now: datetime) -> tuple[int, int]:
    """Write the attempt to the record and commit, before anything is checked: its id, and
    the id of the address's last success or lock at that moment."""
    since = _last_reset(db.session, email)
    event = SignInEvent(at=now, email=email, user_id=user.id if user else None,
                        address=address[:45], outcome=SignInOutcome.CHECKING)
    db.session.add(event)
    db.session.commit()
    return event.id, since


def _decide(event_id: int, outcome: SignInOutcome,
            locked_until: datetime | None = None) -> None:
    """Give a claimed attempt its outcome, and commit (a refusal's answer is an error status,
    which the request's commit point would roll back)."""
    db.session.execute(update(SignInEvent).where(SignInEvent.id == event_id)
                       .values(outcome=outcome, locked_until=locked_until))
    db.session.commit()


def sign_in(email: str, password: str, *, address: str, now: datetime,
            rules: SignInRules) -> User:
    """The user, if the pair is right and neither the address nor the network is locked out;
    otherwise SignInRefused with what to do.

    Unlike other services this one commits, three times, on the request's own session (one
    connection, so a busy pool cannot leave a request waiting for a second): the attempt is
    claimed first, in a committed transaction of its own; then the limits are counted, claims
    still being checked included; then the outcome is committed. However many attempts
    arrive at once, at most SIGN_IN_MAX_FAILURES passwords are checked and at most
    SIGN_IN_MAX_PER_ADDRESS attempts from a network get past the count, on SQLite and
    PostgreSQL alike. Every attempt, with its outcome, is in the record, against the account
    when the address has one. Call it before anything else in the request is written."""
    email = normalise_email(email)[:254]
    account = find_user_by_email(email)
    claim, since = _claim(email, account, address, now)
    too_many = _attempts_from(db.session, address, now, rules) > rules.max_per_address
    until = locked_until(email, now)
    failures = _failures_counted(db.session, email, since, now, rules)
    if too_many:
        _decide(claim, SignInOutcome.RATE_LIMITED)
        minutes = int(rules.address_window.total_seconds() // 60)
        raise SignInRefused(
            f"There have been too many attempts to sign in from your network. Wait "
            f"{minutes} minutes, then try again.", status=429)
    if until is not None or failures > rules.max_failures:
        # Locked, or other attempts already take up what is left before the lock.
        _decide(claim, SignInOutcome.LOCKED)
        raise SignInRefused(_locked_message(until or now + rules.lock_for, rules))
    user, signs_in = check_sign_in(email, password)
    if not signs_in:
        lock = now + rules.lock_for if failures >= rules.max_failures else None
        _decide(claim, SignInOutcome.FAILED, locked_until=lock)
        if lock is not None:
            raise SignInRefused(_locked_message(lock, rules))
        raise SignInRefused("Enter a correct email address and password")
    _decide(claim, SignInOutcome.SIGNED_IN)
    assert user is not None
    return user


def _locked_message(until: datetime, rules: SignInRules) -> str:
    return (f"There have been {rules.max_failures} failed attempts to sign in with this email "
            f"address, so it is locked until {clock_time(until)}. Try again then.")


def sign_in_record(council_id: int, limit: int = 200) -> list[SignInEvent]:
    """The latest sign-in record of the council's people, newest first: their sign-ins,
    failures, refusals, sign-outs and password changes."""
    return list(db.session.scalars(
        select(SignInEvent).join(SignInEvent.user).where(User.council_id == council_id)
        .options(contains_eager(SignInEvent.user))
        .order_by(SignInEvent.at.desc(), SignInEvent.id.desc()).limit(limit)
    ))
