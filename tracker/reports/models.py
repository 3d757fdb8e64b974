"""Issued progress reports: what went to the committee, frozen byte for byte."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import UTCDateTime, enum_type, utcnow
from tracker.extensions import db
from tracker.jobs.models import Leased, RunState

__all__ = ["IssuedReport", "ReportRun", "RunKind", "RunState", "WordTemplate"]

if TYPE_CHECKING:
    from tracker.accounts.models import User
    from tracker.committees.models import Committee


class IssuedReport(db.Model):
    """One issued version of a committee's progress report.

    It keeps the snapshot the report was rendered from (JSON), the three files exactly as
    they were issued and the full action plan as its Excel background paper, each with its
    SHA-256, so a download returns what the committee got
    whatever happens to the actions later. Rows are never changed or deleted: reissuing adds
    the next version.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    version: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(300))
    meeting_date: Mapped[date | None] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Empty when issued from the command line without --by.
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The files are large: loaded only when a download or the report page asks for them.
    snapshot_json: Mapped[str] = mapped_column(Text, deferred=True)
    html: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    html_sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    docx: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    docx_sha256: Mapped[str] = mapped_column(String(64))
    # The background paper: the full action plan of the committee's inspections as Excel,
    # frozen with the paper. Empty for reports issued before it was kept (migration 0016).
    xlsx: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    xlsx_sha256: Mapped[str | None] = mapped_column(String(64))

    committee: Mapped[Committee] = relationship()
    issued_by: Mapped[User | None] = relationship()

    __table_args__ = (db.UniqueConstraint("committee_id", "version"),)


class IssuedReportIsFrozen(Exception):
    """Raised when code tries to change or remove an issued report."""


@event.listens_for(IssuedReport, "before_update")
def _refuse_edit(mapper: Any, connection: Any, target: IssuedReport) -> None:
    raise IssuedReportIsFrozen("an issued report is never changed: issue a new version")


@event.listens_for(IssuedReport, "before_delete")
def _refuse_delete(mapper: Any, connection: Any, target: IssuedReport) -> None:
    raise IssuedReportIsFrozen("an issued report is never deleted")


class RunKind(enum.Enum):
    """A run produces the draft's three files, issues the next version, or prepares the draft
    page of a large committee (its HTML, shown on the page: tracker.reports.prepared)."""

    DRAFT = "draft"
    ISSUE = "issue"
    PAGE = "page"


class ReportRun(Leased, db.Model):
    """A progress report asked for, produced by the scheduler process rather than in a web
    request (a long PDF takes many seconds).

    Asked for from the app (an administrator issuing, someone wanting the draft as a PDF) or
    due on the committee's schedule. A draft run keeps its three files here; an issue run
    points at the IssuedReport it made. A scheduled run has `scheduled_for`, unique per
    committee, so the same due moment never makes two reports.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    kind: Mapped[RunKind] = mapped_column(enum_type(RunKind))
    # None for a scheduled run.
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Scheduled runs tell the committee's report owner by email when they are ready.
    email_owner: Mapped[bool] = mapped_column(Boolean, default=False)
    # State, lease, attempts and why it failed (in words for the person who asked): Leased.
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    issued_report_id: Mapped[int | None] = mapped_column(ForeignKey("issued_report.id"))
    html: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    docx: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    # A page run: the data stamp of what it was worked out from (tracker.reports.prepared):
    # the stamp when it was asked for, replaced by the one read as it starts.
    data_stamp: Mapped[str | None] = mapped_column(String(64))

    committee: Mapped[Committee] = relationship()
    requested_by: Mapped[User | None] = relationship()
    issued_report: Mapped[IssuedReport | None] = relationship()

    __table_args__ = (
        db.UniqueConstraint("committee_id", "scheduled_for"),
        # At most one preparation of a committee's draft page waits at once: of two requests
        # that queue one together, the database lets one in.
        Index("ix_report_run_one_page_waiting", "committee_id", unique=True,
              sqlite_where=text("kind = 'page' AND state = 'queued'"),
              postgresql_where=text("kind = 'page' AND state = 'queued'")),
    )


class WordTemplate(db.Model):
    """A council's own Word template for its progress reports: at most one per council.

    The file exactly as uploaded (.docx or .dotx; downloaded back as it came), its SHA-256,
    and what checking it found: for each part of the paper, the template's style it is
    written in, or None where the tracker's own is used (`tracker.reports.word_template`).
    Kept in the database, with the council's other data: a backup and a restore carry it,
    every web process sees the same one, and replacing it is one transaction.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(4))  # "docx" or "dotx"
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    styles: Mapped[dict[str, str | None]] = mapped_column(JSON)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    uploaded_by: Mapped[User | None] = relationship()
