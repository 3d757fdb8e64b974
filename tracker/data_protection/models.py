"""The record of what the tracker removed or anonymised, and the one way past the history's
guard.

- `ErasureRecord`: one row for each inspection removed at the end of its retention period,
  and for each person anonymised: what, when, by whom (None: the scheduler) and by which rule,
  stored as facts (ids, dates, a count of rows per table), put in words when shown.
- `HistoryRelease`: while an inspection is removed, one row per item whose history may be
  deleted. The database's guard on `history_entry` (triggers, migrations 0013 and 0019)
  refuses every UPDATE, and every DELETE but of an entry whose item has a row here. The rows
  are written and deleted again in the one transaction that removes the inspection
  (`tracker.data_protection.service.remove_inspection`), so outside it the guard is as tight
  as ever.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import UTCDateTime, enum_type, utcnow
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.accounts.models import User

# How long an inspection is kept after its plan is closed, unless a council or an inspection
# says otherwise.
DEFAULT_RETENTION_YEARS = 7
# Administrators are told this many days before an inspection is removed.
NOTICE_DAYS = 30


class ErasureKind(enum.Enum):
    INSPECTION_REMOVED = "inspection removed"
    PERSON_ANONYMISED = "person anonymised"

    @property
    def label(self) -> str:
        return {"inspection removed": "Inspection removed",
                "person anonymised": "Person anonymised"}[self.value]


class RetentionBasis(enum.Enum):
    """Where an inspection's retention period comes from."""

    COUNCIL = "council"  # the council's period for every inspection
    INSPECTION = "inspection"  # a period set for this inspection

    @property
    def label(self) -> str:
        return {"council": "The council's retention period",
                "inspection": "A retention period set for this inspection"}[self.value]


class ErasureRecord(db.Model):
    """One removal or anonymisation, kept after what it removed is gone."""

    __tablename__ = "erasure_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    kind: Mapped[ErasureKind] = mapped_column(enum_type(ErasureKind))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Who did it: None when the scheduler removed an inspection at the end of its period.
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The inspection's id (no longer in the database) or the person's.
    subject_id: Mapped[int] = mapped_column()
    # The inspection's title and letter date, so the record says what went.
    subject_title: Mapped[str] = mapped_column(String(500), default="")
    letter_date: Mapped[date | None] = mapped_column(Date)
    # The rule: the plan closed on this day, and was kept this many years, on this basis.
    plan_closed_on: Mapped[date | None] = mapped_column(Date)
    retention_years: Mapped[int | None] = mapped_column()
    basis: Mapped[RetentionBasis | None] = mapped_column(enum_type(RetentionBasis))
    # When the first administrator's notice was sent.
    notice_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Rows removed, by table: {"item": 4, "action": 11, "history_entry": 57, ...}.
    removed: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)

    by: Mapped[User | None] = relationship()


class HistoryRelease(db.Model):
    """An item whose history the removal under way may delete (see the module's text)."""

    __tablename__ = "history_release"

    # No foreign key: the item is deleted while its release stands.
    item_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    erasure_record_id: Mapped[int] = mapped_column(ForeignKey("erasure_record.id"))
