"""Tracked items, their dated actions, and the requests an action's owner makes of the item's lead
officer: to move its due date, or to cancel it."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Date, ForeignKey, Index, String, Text, event, select
from sqlalchemy.orm import Mapped, Mapper, declared_attr, mapped_column, relationship

from tracker.db import UTCDateTime, enum_type, utcnow
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.accounts.models import User
    from tracker.inspections.models import Finding, Inspection


class Priority(enum.Enum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ItemStatus(enum.Enum):
    """An item is open until its outcome is evidenced, marked complete and signed off."""

    OPEN = "open"
    AWAITING_SIGN_OFF = "awaiting sign-off"
    COMPLETE = "complete"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ActionStatus(enum.Enum):
    NOT_STARTED = "not started"
    IN_PROGRESS = "in progress"
    COMPLETE = "complete"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def is_open(self) -> bool:
        return self in (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)


OPEN_ACTION_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)


class Rag(enum.Enum):
    """Red / Amber / Green: the RAG of an item in delivery, worked out or set by hand. The
    other states an item can be in (complete, not planned, ...) are in
    `tracker.items.status.ItemState`."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Item(db.Model):
    """A tracked item: one area for development, priority action or area for improvement."""

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), unique=True)
    # The council of its finding's inspection, kept on the item when it is made (it never
    # changes), so the dashboard's counts read the council's items without joining the
    # finding and the inspection. A copy, so no foreign key (SQLite adds a column with one
    # only by rebuilding the table, which the tables referring to items refuse); nullable for
    # the same reason (migration 0026 fills it for every item).
    council_id: Mapped[int | None] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    lead_officer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    # Indexed for the items list's theme filter, which reads the themes in use one by one
    # along it (`tracker.items.queries.themes_in_use`).
    theme: Mapped[str] = mapped_column(String(100), default="", index=True)
    priority: Mapped[Priority] = mapped_column(enum_type(Priority), default=Priority.MEDIUM)
    target_date: Mapped[date | None] = mapped_column(Date)
    measure_of_success: Mapped[str] = mapped_column(Text, default="")
    outcome_evidence: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ItemStatus] = mapped_column(enum_type(ItemStatus), default=ItemStatus.OPEN)
    # As wide as when "complete" was a RAG: narrowing it would rebuild the table on SQLite.
    rag_override: Mapped[Rag | None] = mapped_column(enum_type(Rag, length=18))
    rag_override_reason: Mapped[str] = mapped_column(Text, default="")
    marked_complete_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Why and when it was last sent back at sign-off (also in its history): the status shows
    # the reason without reading the history.
    sent_back_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    sent_back_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Moved forward by every recorded update; drives the "not updated" flag.
    last_updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    version: Mapped[int] = mapped_column(default=1)
    # What the status rule needs of the item's actions, kept by `tracker.items.facts` from
    # them whenever an action is added, changed or removed (never by hand, and never moving
    # the version): how many are open (not started or in progress), complete and cancelled,
    # and the earliest due dates of the open and of the not-started ones; and how many had
    # their due date moved (for the dashboard's count).
    open_actions: Mapped[int] = mapped_column(default=0, server_default="0")
    complete_actions: Mapped[int] = mapped_column(default=0, server_default="0")
    cancelled_actions: Mapped[int] = mapped_column(default=0, server_default="0")
    earliest_open_due: Mapped[date | None] = mapped_column(Date)
    earliest_not_started_due: Mapped[date | None] = mapped_column(Date)
    moved_actions: Mapped[int] = mapped_column(default=0, server_default="0")

    finding: Mapped[Finding] = relationship(back_populates="item")
    lead_officer: Mapped[User | None] = relationship(foreign_keys=[lead_officer_id])
    marked_complete_by: Mapped[User | None] = relationship(foreign_keys=[marked_complete_by_id])
    signed_off_by: Mapped[User | None] = relationship(foreign_keys=[signed_off_by_id])
    actions: Mapped[list[Action]] = relationship(
        back_populates="item", order_by=lambda: (Action.due_date, Action.id)
    )
    # Later inspections whose letters found it still open (`StillOpenItem`).
    still_open_at: Mapped[list[Inspection]] = relationship(
        secondary="still_open_item", order_by="Inspection.id", viewonly=True
    )

    __mapper_args__ = {"version_id_col": version}
    # The council's items with all the status rule and the dashboard's counts read of them:
    # the counts read this index alone. Its leading columns find the items awaiting sign-off.
    __table_args__ = (Index("ix_item_council_status", "council_id", "status", "priority",
                            "lead_officer_id", "target_date", "rag_override",
                            "earliest_open_due", "earliest_not_started_due",
                            "open_actions", "complete_actions", "moved_actions"),)


class Action(db.Model):
    """A dated step against an item, with its own owner."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # Setting either reads the old value first (active history), so the item an action leaves
    # has its kept facts worked out again too (`tracker.items.facts`).
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True, active_history=True)
    # Its item's council, kept when it is made (an action never leaves its item's council), so
    # the council's overdue actions are one range of an index, with no join to the item. A
    # copy, as the item's is (no foreign key; nullable only for SQLite's sake).
    council_id: Mapped[int | None] = mapped_column()
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    # The date first agreed; kept however often the due date moves.
    original_due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(
        enum_type(ActionStatus), default=ActionStatus.NOT_STARTED, index=True
    )
    completed_on: Mapped[date | None] = mapped_column(Date)
    evidence_link: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    item: Mapped[Item] = relationship(back_populates="actions", active_history=True)
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    due_date_changes: Mapped[list[DueDateChange]] = relationship(
        back_populates="action", order_by="DueDateChange.requested_at"
    )
    cancellation_requests: Mapped[list[CancellationRequest]] = relationship(
        back_populates="action", order_by="CancellationRequest.requested_at"
    )

    __mapper_args__ = {"version_id_col": version}
    # Overdue actions (open, due before today), the longest overdue first: one range of it;
    # and the same within one council, which counts them from the index alone.
    __table_args__ = (Index("ix_action_status_due_date", "status", "due_date"),
                      Index("ix_action_council_status_due_date", "council_id", "status",
                            "due_date"))

    @property
    def is_open(self) -> bool:
        return self.status.is_open

    @property
    def date_moved(self) -> bool:
        return self.due_date != self.original_due_date


@event.listens_for(Item, "before_insert")
def _item_keeps_its_council(mapper: Mapper[Any], connection: Connection, item: Item) -> None:
    """An item made without its council (the services set it) takes its inspection's."""
    if item.council_id is None:
        finding, inspection = (db.metadata.tables[name] for name in ("finding", "inspection"))
        item.council_id = connection.scalar(
            select(inspection.c.council_id)
            .join(finding, finding.c.inspection_id == inspection.c.id)
            .where(finding.c.id == item.finding_id))


@event.listens_for(Action, "before_insert")
def _action_keeps_its_council(mapper: Mapper[Any], connection: Connection,
                              action: Action) -> None:
    """An action made without its council (the services set it) takes its item's."""
    if action.council_id is None:
        item = Item.__table__
        action.council_id = connection.scalar(
            select(item.c.council_id).where(item.c.id == action.item_id))


class RequestState(enum.Enum):
    """Where a request to the lead officer stands: waiting, decided either way, or withdrawn by
    the person who asked (replacing a waiting request withdraws it too)."""

    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return self.value.capitalize()


# The name the due-date code has always used.
DueDateChangeState = RequestState


class LeadDecision:
    """What every request that waits for an item's lead officer holds: why it was made, who
    asked and when, and the decision (or the withdrawal): what, by whom, when and why.

    Mixed into `DueDateChange` and `CancellationRequest`; `tracker.items.service` asks, decides
    and withdraws both with the same functions."""

    reason: Mapped[str] = mapped_column(Text)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    state: Mapped[RequestState] = mapped_column(
        enum_type(RequestState), default=RequestState.PENDING, index=True
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str] = mapped_column(Text, default="")

    @declared_attr
    def requested_by(cls) -> Mapped[User]:  # noqa: N805 (SQLAlchemy's declared_attr)
        return relationship(foreign_keys=f"[{cls.__name__}.requested_by_id]")

    @declared_attr
    def decided_by(cls) -> Mapped[User | None]:  # noqa: N805
        return relationship(foreign_keys=f"[{cls.__name__}.decided_by_id]")

    @property
    def is_waiting(self) -> bool:
        return self.state is RequestState.PENDING


class DueDateChange(LeadDecision, db.Model):
    """A request to move an action's due date, with its reason and the lead officer's decision.
    The lead officer's own moves are recorded the same way, approved at once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    from_date: Mapped[date] = mapped_column(Date)
    to_date: Mapped[date] = mapped_column(Date)

    action: Mapped[Action] = relationship(back_populates="due_date_changes")


class CancellationRequest(LeadDecision, db.Model):
    """An action owner's request that the lead officer cancel the action, with its reason and
    the decision. (The lead officer and administrators cancel at once, without one.)"""

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)

    action: Mapped[Action] = relationship(back_populates="cancellation_requests")
