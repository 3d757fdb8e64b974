"""The history: every change to an item or action, with who made it and when. Append-only.

An entry stores facts, not words: the field that changed (`HistoryField`) and its old and new
values as typed JSON (an enum's value, an ISO date, `{"user_id": 5}` for a person, text).
`tracker.audit.values` turns Python values into that JSON and back; `tracker.audit.words`
makes the words people read, when an entry is shown. The database itself refuses to change
or remove an entry (triggers made by migration 0013), and so does the ORM (below).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.audit.values import HistoryField, from_json
from tracker.db import UTCDateTime, enum_type, utcnow
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.accounts.models import User
    from tracker.items.models import Action, Item

__all__ = ["HistoryEntry", "HistoryField", "HistoryIsAppendOnly", "HistoryKind"]


class HistoryKind(enum.Enum):
    """What sort of change an entry records."""

    CREATED = "created"
    EDITED = "edited"
    STATUS_CHANGE = "status change"
    COMMENTARY = "commentary"
    EVIDENCE = "evidence"
    # A file added as evidence: the entry's text is the file's name (tracker.evidence.files).
    EVIDENCE_FILE = "evidence file added"
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


class HistoryEntry(db.Model):
    """One entry in the history of an item (and, where set, one of its actions)."""

    __tablename__ = "history_entry"
    # An item's history newest first, a page at a time, read in order (migration 0023); it
    # serves every search by item as well. The entries of one kind of an item (its evidence
    # links, which its page lists) in order without reading the rest (migration 0027).
    __table_args__ = (Index("ix_history_entry_item_id_created_at", "item_id", "created_at"),
                      Index("ix_history_entry_item_id_kind_created_at", "item_id", "kind",
                            "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    kind: Mapped[HistoryKind] = mapped_column(enum_type(HistoryKind))
    # The field that changed, where one did; its values are typed JSON (tracker.audit.values).
    field: Mapped[HistoryField | None] = mapped_column(enum_type(HistoryField))
    old_value: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)
    new_value: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)
    # Commentary, the reason for a change, or the evidence described.
    text: Mapped[str] = mapped_column(Text, default="")
    # Set when a partner posted this through a partner link: shown as a partner update.
    partner_link_id: Mapped[int | None] = mapped_column(ForeignKey("partner_link.id"))

    item: Mapped[Item] = relationship()
    action: Mapped[Action | None] = relationship()
    author: Mapped[User | None] = relationship()

    @property
    def old(self) -> Any:
        """The value before the change, as a Python value of its field's type (or None)."""
        return from_json(self.field, self.old_value)

    @property
    def new(self) -> Any:
        """The value after the change, as a Python value of its field's type (or None)."""
        return from_json(self.field, self.new_value)


class HistoryIsAppendOnly(Exception):
    """Raised when code tries to change or remove a recorded history entry."""


@event.listens_for(HistoryEntry, "before_update")
def _refuse_edit(mapper: Any, connection: Any, target: HistoryEntry) -> None:
    raise HistoryIsAppendOnly("history entries are never edited")


@event.listens_for(HistoryEntry, "before_delete")
def _refuse_delete(mapper: Any, connection: Any, target: HistoryEntry) -> None:
    raise HistoryIsAppendOnly("history entries are never deleted")
