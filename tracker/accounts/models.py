"""Councils and the people who use the tracker."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.db import UTCDateTime, enum_type, utcnow
from tracker.extensions import db


class Role(enum.Enum):
    """What a user may do: see `tracker.permissions` for the rules."""

    ADMIN = "admin"
    MANAGER = "manager"
    COMMITTEE_MEMBER = "committee member"

    @property
    def label(self) -> str:
        return {"admin": "Administrator", "manager": "Safeguarding manager"}.get(
            self.value, "Committee member"
        )


class Council(db.Model):
    """The local authority whose children's services were inspected."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Years an inspection is kept after its plan is closed (tracker.data_protection).
    retention_years: Mapped[int] = mapped_column(default=7, server_default="7")

    users: Mapped[list[User]] = relationship(back_populates="council")


class User(UserMixin, db.Model):
    """A person who signs in: council staff, or a partner such as police or health."""

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # Stored lower-cased by the service layer, so one address is one account.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    job_title: Mapped[str] = mapped_column(String(120), default="")
    # Empty for council staff; the agency's name for partners ("Police", "Health").
    organisation: Mapped[str] = mapped_column(String(120), default="")
    telephone: Mapped[str] = mapped_column(String(40), default="")
    role: Mapped[Role] = mapped_column(enum_type(Role))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(String(256), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    # On leave: no reminders up to and including this day; they go to the lead officer.
    reminders_paused_until: Mapped[date | None] = mapped_column(Date)
    # Set when an administrator anonymised the person, who had left: for good.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    council: Mapped[Council] = relationship(back_populates="users")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sign-in to inactive users
        return self.active

    @property
    def is_partner(self) -> bool:
        return bool(self.organisation)

    @property
    def display_name(self) -> str:
        return shown_name(self.name, self.organisation)

    def reminders_paused_on(self, day: date) -> bool:
        """Whether this person has paused their reminders on `day`."""
        return self.reminders_paused_until is not None and day <= self.reminders_paused_until

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)


class SignInOutcome(enum.Enum):
    # An attempt claimed (and committed) before its password is checked; it becomes one of
    # the outcomes below. Claims count against the limits, so a burst cannot overtake them.
    CHECKING = "checking"
    SIGNED_IN = "signed in"
    FAILED = "failed"  # wrong email address or password, or a deactivated account
    LOCKED = "locked"  # refused: the address is locked after repeated failures
    RATE_LIMITED = "rate limited"  # refused: too many attempts from one network address
    SIGNED_OUT = "signed out"
    TIMED_OUT = "timed out"  # signed out after being idle
    RESET_ASKED = "reset asked for"  # "Forgotten your password?" with this address
    PASSWORD_CHANGED = "password changed"  # noqa: S105 - by the person, on Your account
    PASSWORD_RESET = "password reset"  # noqa: S105 - through an emailed reset link
    SESSIONS_ENDED = "sessions ended"  # by an administrator, or when deactivated

    @property
    def label(self) -> str:
        return self.value.capitalize()


class SignInEvent(db.Model):
    """One sign-in, failed sign-in or sign-out, kept as the record of who tried what.

    Rows are keyed by the email address as typed (lower-cased), so an address with no account
    is counted and locked like any other: the answers never reveal who has an account.
    """

    __tablename__ = "sign_in_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    address: Mapped[str] = mapped_column(String(45), default="", index=True)
    # The width the column was made with: every value fits it.
    outcome: Mapped[SignInOutcome] = mapped_column(enum_type(SignInOutcome, length=22))
    # Set on the failure that locks the address: refused until then.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User | None] = relationship()


class UserSession(db.Model):
    """One signed-in session, from sign-in until it is ended on the server.

    The session cookie carries a random secret; only its SHA-256 is stored. A request is
    signed in only while its row is not ended, so signing out ends the session wherever a
    copy of its cookie is used, and an administrator (or a password change) can end a
    person's sessions.
    """

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class PasswordReset(db.Model):
    """An emailed link that lets a person choose a new password: once, within an hour.

    Asked for by the person ("Forgotten your password?") or sent by an administrator
    (`sent_by`). Only a SHA-256 of the link's secret is stored. `ended_at` is set when the
    link is used, replaced by a newer one, or withdrawn (the password changed, the person
    deactivated); an ended link never works again.
    """

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    sent_by: Mapped[User | None] = relationship(foreign_keys=[sent_by_id])

    def usable_at(self, now: datetime) -> bool:
        """Whether the link still works at `now`: not used, not ended, not expired."""
        return self.ended_at is None and now < self.expires_at


def shown_name(name: str, organisation: str | None) -> str:
    """A person's name as lists show it: a partner's with their organisation."""
    return f"{name} ({organisation})" if organisation else name
