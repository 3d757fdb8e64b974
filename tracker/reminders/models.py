"""The delivery log: one row per email, claimed in the database before the email is sent."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.accounts.models import User
from tracker.db import UTCDateTime, enum_type, utcnow
from tracker.extensions import db
from tracker.jobs.models import Leased, RunState


class DeliveryKind(enum.Enum):
    """A daily digest to an action's owner, the weekly escalation to an item's lead, the
    weekly planning reminder (to lead officers of items that are not planned, and to
    administrators of items with no lead officer), the note to a committee's report owner
    that its scheduled progress report is ready, or a partner's link to update an action."""

    DIGEST = "digest"
    ESCALATION = "escalation"
    PLANNING = "planning"
    REPORT = "report"
    PARTNER_LINK = "partner link"
    PASSWORD_RESET = "password reset"  # noqa: S105 - a kind of email, not a password

    @property
    def label(self) -> str:
        return {"digest": "Daily reminder", "escalation": "Weekly escalation",
                "planning": "Weekly planning reminder",
                "report": "Progress report ready",
                "partner link": "Partner update link",
                "password reset": "Password reset link"}[self.value]


class Delivery(Leased, db.Model):
    """One email to one person, on the one queue (tracker.jobs.queue).

    The unique key (recipient, kind, day, topic) is what stops a second copy: the row is
    written (and committed) before anything is sent, so a second run, a restart or a second
    scheduler finds it and adds nothing. The topic tells apart two emails of one kind on one
    day (a report owner of two committees); reminders leave it empty.

    Its state: queued (waiting to be sent; after a failure, `lease_until` is when the next
    try may be), running (being sent, `lease_until` the sender's lease), done (sent,
    `sent_at`) or failed (given up after REMINDER_MAX_ATTEMPTS, `last_error` says why).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[DeliveryKind] = mapped_column(enum_type(DeliveryKind, length=22))
    # The day of a digest; the Monday of the week of an escalation.
    day: Mapped[date] = mapped_column(Date, index=True)
    topic: Mapped[str] = mapped_column(String(60), default="", server_default="")
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    # The whole message as built when the row was written: a retry sends exactly this.
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    recipient: Mapped[User] = relationship()

    __table_args__ = (
        UniqueConstraint("recipient_id", "kind", "day", "topic",
                         name="uq_delivery_recipient_kind_day_topic"),
    )

    @property
    def will_retry(self) -> bool:
        """Failed at least once, and waiting for its next try."""
        return self.state is RunState.QUEUED and bool(self.last_error)
