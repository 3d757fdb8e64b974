"""The history: every change to an item or action, with who made it and when. Append-only."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import UTCDateTime, enum_type, utcnow
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.accounts.models import User
    from tracker.items.models import Action, Item


class UpdateKind(enum.Enum):
    CREATED = "created"
    EDITED = "edited"
    STATUS_CHANGE = "status change"
    COMMENTARY = "commentary"
    EVIDENCE = "evidence"
    DUE_DATE_REQUESTED = "due date change requested"
    DUE_DATE_CHANGE = "due date change"
    DUE_DATE_REFUSED = "due date change refused"
    DUE_DATE_WITHDRAWN = "due date change withdrawn"
    CANCELLATION_REQUESTED = "cancellation requested"
    CANCELLATION_REFUSED = "cancellation refused"
    CANCELLATION_WITHDRAWN = "cancellation withdrawn"
    RAG_OVERRIDE = "RAG override"
    MARKED_COMPLETE = "marked complete"
    SIGN_OFF = "sign-off"
    SIGN_OFF_REFUSED = "sign-off refused"
    PARTNER_LINK_SENT = "partner link sent"
    PARTNER_LINK_REVOKED = "partner link revoked"

    @property
    def label(self) -> str:
        return self.value[0].upper() + self.value[1:]


class Update(db.Model):
    """One entry in the history of an item (and, where set, one of its actions)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    kind: Mapped[UpdateKind] = mapped_column(enum_type(UpdateKind))
    # The field that changed, where one did ("status", "due date", "owner").
    field: Mapped[str] = mapped_column(String(60), default="")
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")
    # Commentary, the reason for a change, or the evidence described.
    text: Mapped[str] = mapped_column(Text, default="")
    # Set when a partner posted this through a partner link: shown as a partner update.
    partner_link_id: Mapped[int | None] = mapped_column(ForeignKey("partner_link.id"))

    item: Mapped[Item] = relationship()
    action: Mapped[Action | None] = relationship()
    author: Mapped[User | None] = relationship()


class HistoryIsAppendOnly(Exception):
    """Raised when code tries to change or remove a recorded update."""


@event.listens_for(Update, "before_update")
def _refuse_edit(mapper: Any, connection: Any, target: Update) -> None:
    raise HistoryIsAppendOnly("history entries are never edited")


@event.listens_for(Update, "before_delete")
def _refuse_delete(mapper: Any, connection: Any, target: Update) -> None:
    raise HistoryIsAppendOnly("history entries are never deleted")
