"""Evidence packs asked for in the app and produced by the scheduler process."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import UTCDateTime, utcnow
from tracker.extensions import db
from tracker.jobs.models import Leased

if TYPE_CHECKING:
    from tracker.accounts.models import Council, User
    from tracker.inspections.models import Inspection


class EvidencePack(Leased, db.Model):
    """One zip of the council's items (or one inspection's) as they stood at the end of
    `as_of`: a PDF per item and an index. Printing many PDFs takes long, so the scheduler
    makes it and the page shows its progress (`items_done` of `items_total`)."""

    __tablename__ = "evidence_pack"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    # None: every tracked item of the council.
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"))
    as_of: Mapped[date] = mapped_column(Date)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # State, lease, attempts and why it failed (in words for the person who asked): Leased.
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    items_total: Mapped[int] = mapped_column(default=0)
    items_done: Mapped[int] = mapped_column(default=0)
    zip_sha256: Mapped[str] = mapped_column(String(64), default="")
    zip_file: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)

    council: Mapped[Council] = relationship()
    inspection: Mapped[Inspection | None] = relationship()
    requested_by: Mapped[User | None] = relationship()
