"""An uploaded file kept until the scheduler has read it: the request stores the bytes and
shows a progress page; the scheduler reads them in a bounded child process
(tracker.untrusted) and writes the outcome."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import UTCDateTime, enum_type, utcnow
from tracker.extensions import db
from tracker.jobs.models import Leased

if TYPE_CHECKING:
    from tracker.accounts.models import User


class UploadKind(enum.Enum):
    """What was uploaded, which says how it is read and where its next step is."""

    LETTER = "letter"
    ACTION_PLAN = "action_plan"
    WORD_TEMPLATE = "word_template"


class UploadReading(Leased, db.Model):
    """One uploaded file waiting to be read, being read, read (`result_id`: the letter's
    draft, the plan's first sheet, the council's Word template) or refused (`last_error`:
    the message for people, shown against the form's file field).

    State, lease, attempts and the refusal: `Leased` (queued, running, done, failed). The
    bytes (`data`) are deleted once read; the row stays for the progress page until the
    hourly job removes it with unconfirmed imports."""

    __tablename__ = "upload_reading"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    kind: Mapped[UploadKind] = mapped_column(enum_type(UploadKind))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The inspection an action plan is for; None for the other kinds.
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    # The uploaded bytes until they are read; None afterwards.
    data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int] = mapped_column(default=0)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # What the reading made: an import draft's, a plan import's or a Word template's id.
    result_id: Mapped[int | None] = mapped_column()
    # Notes for people about a read file (an action plan's sheets that were not read).
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)

    uploaded_by: Mapped[User | None] = relationship()
