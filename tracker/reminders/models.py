"""The delivery log: one row per email, claimed in the database before the email is sent."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.accounts.models import User
from tracker.audit.models import HistoryEntry
from tracker.db import UTCDateTime, enum_type, utcnow
from tracker.extensions import db
from tracker.jobs.models import Leased, RunState


class DeliveryKind(enum.Enum):
    """A daily digest to an action's owner, the weekly escalation to an item's lead, the
    weekly planning reminder (to lead officers of items that are not planned, and to
    administrators of items with no lead officer), the note to a committee's report owner
    that its scheduled progress report is ready, a partner's link to update an action, or
    administrators' notice that an inspection is to be removed at the end of its retention
    period (tracker.data_protection.retention), or a person's password reset link."""

    DIGEST = "digest"
    ESCALATION = "escalation"
    PLANNING = "planning"
    REPORT = "report"
    PARTNER_LINK = "partner link"
    RETENTION_NOTICE = "retention notice"
    PASSWORD_RESET = "password reset"  # noqa: S105 - a kind of email, not a password

    @property
    def label(self) -> str:
        return {"digest": "Daily reminder", "escalation": "Weekly escalation",
                "planning": "Weekly planning reminder",
                "report": "Progress report ready",
                "partner link": "Partner update link",
                "retention notice": "Inspection to be removed",
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
    # As wide as migration 0010 made it (22): every kind's value fits.
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
    # The message carries partner links (a partner link's email, a partner's daily reminder):
    # once sent, the stored copy is blanked (tracker.partners.service.forget_sent_link_messages).
    holds_partner_links: Mapped[bool] = mapped_column(Boolean, default=False,
                                                      server_default=false())

    recipient: Mapped[User] = relationship()

    __table_args__ = (
        UniqueConstraint("recipient_id", "kind", "day", "topic",
                         name="uq_delivery_recipient_kind_day_topic"),
    )

    @property
    def will_retry(self) -> bool:
        """Failed at least once, and waiting for its next try."""
        return self.state is RunState.QUEUED and bool(self.last_error)


class NoticeKind(enum.Enum):
    """Why a person is told of a change: something now waits for their decision (a request,
    an item marked complete), a decision was made on what they asked, or they were given an
    action. The change itself is the notice's history entry."""

    DATE_CHANGE_ASKED = "date change asked"
    CANCELLATION_ASKED = "cancellation asked"
    SIGN_OFF_ASKED = "sign-off asked"
    DATE_CHANGE_APPROVED = "date change approved"
    DATE_CHANGE_REFUSED = "date change refused"
    CANCELLATION_APPROVED = "cancellation approved"
    CANCELLATION_REFUSED = "cancellation refused"
    SIGNED_OFF = "signed off"
    SENT_BACK = "sent back"
    ACTION_OWNED = "action owned"

    @property
    def waits_for_decision(self) -> bool:
        """Told to whoever decides: shown from what waits now, not from the notice."""
        return self in (NoticeKind.DATE_CHANGE_ASKED, NoticeKind.CANCELLATION_ASKED,
                        NoticeKind.SIGN_OFF_ASKED)

    @property
    def approved(self) -> bool:
        return self in (NoticeKind.DATE_CHANGE_APPROVED, NoticeKind.CANCELLATION_APPROVED,
                        NoticeKind.SIGNED_OFF)


class Notice(db.Model):
    """One person to be told of one change (a history entry), in their next daily email and
    on their dashboard at once.

    Written by the service that makes the change, in its transaction. `delivery_id` is set,
    in the transaction that writes the daily email into the delivery log, to that email's
    row: a notice goes into one email only (nothing twice), and stays waiting while its
    person gets no email (paused, or no email that day: nothing lost)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[NoticeKind] = mapped_column(enum_type(NoticeKind))
    history_entry_id: Mapped[int] = mapped_column(ForeignKey("history_entry.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("delivery.id"), index=True)

    recipient: Mapped[User] = relationship()
    history_entry: Mapped[HistoryEntry] = relationship()

    __table_args__ = (
        UniqueConstraint("recipient_id", "history_entry_id",
                         name="uq_notice_recipient_history_entry"),
    )
