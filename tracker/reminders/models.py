"""The delivery log: one row per email, claimed in the database before the email is sent."""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.accounts.models import User
from tracker.db import UTCDateTime, enum_type, utcnow
from tracker.extensions import db


class DeliveryStatus(enum.Enum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class DeliveryKind(enum.Enum):
    """A daily digest to an action's owner, the weekly escalation to an item's lead, the
    note to a committee's report owner that its scheduled progress report is ready, or a
    partner's link to update an action."""

    DIGEST = "digest"
    ESCALATION = "escalation"
    REPORT = "report"
    PARTNER_LINK = "partner link"

    @property
    def label(self) -> str:
        return {"digest": "Daily reminder", "escalation": "Weekly escalation",
                "report": "Progress report ready",
                "partner link": "Partner update link"}[self.value]


class Delivery(db.Model):
    """One email to one person. The unique key (recipient, kind, day, topic) is what stops a
    second copy: a run inserts the row (and commits) before it sends, so a second run, a
    restart or a second scheduler finds the row and sends nothing. The topic tells apart two
    emails of one kind on one day (a report owner of two committees); reminders leave it
    empty."""

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[DeliveryKind] = mapped_column(enum_type(DeliveryKind))
    # The day of a digest; the Monday of the week of an escalation.
    day: Mapped[date] = mapped_column(Date, index=True)
    topic: Mapped[str] = mapped_column(String(60), default="", server_default="")
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_type(DeliveryStatus), default=DeliveryStatus.PENDING, index=True
    )
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    # The whole message as built when the row was claimed: a retry sends exactly this.
    message: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # When the row may next be tried. While a run holds it, a lease: a run that dies
    # mid-send leaves a pending row that becomes due again once the lease runs out.
    # None once sent, or once given up after the last attempt.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    recipient: Mapped[User] = relationship()

    __table_args__ = (
        UniqueConstraint("recipient_id", "kind", "day", "topic",
                         name="uq_delivery_recipient_kind_day_topic"),
    )

    @property
    def given_up(self) -> bool:
        return self.status is DeliveryStatus.FAILED and self.next_attempt_at is None

    def record_attempt(
        self, *, now: datetime, error: str | None, max_attempts: int, retry_wait: timedelta
    ) -> None:
        """Note one try at sending: sent, or failed with the reason and when to try again.

        Waits double after each failure; after the last attempt the row stays failed, with
        no next attempt, on the admin page.
        """
        self.attempts += 1
        if error is None:
            self.status, self.sent_at, self.next_attempt_at, self.last_error = (
                DeliveryStatus.SENT, now, None, "")
            return
        self.status, self.last_error = DeliveryStatus.FAILED, error[:2000]
        self.next_attempt_at = next_try_after(now, self.attempts, max_attempts=max_attempts,
                                              retry_wait=retry_wait)


def next_try_after(now: datetime, attempts: int, *, max_attempts: int,
                   retry_wait: timedelta) -> datetime | None:
    """When a delivery that has failed `attempts` times is tried again: doubling waits, and
    None after the last attempt (the row then stays failed, on the admin page)."""
    return now + retry_wait * 2 ** (attempts - 1) if attempts < max_attempts else None
