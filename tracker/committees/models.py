"""Scrutiny committees: their members, meeting dates and the inspections they follow."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, Date, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import UTCDateTime, utcnow
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.accounts.models import User
    from tracker.inspections.models import Inspection

committee_member = Table(
    "committee_member",
    db.metadata,
    Column("committee_id", ForeignKey("committee.id"), primary_key=True),
    Column("user_id", ForeignKey("user.id"), primary_key=True),
)

committee_inspection = Table(
    "committee_inspection",
    db.metadata,
    Column("committee_id", ForeignKey("committee.id"), primary_key=True),
    Column("inspection_id", ForeignKey("inspection.id"), primary_key=True),
)


class Committee(db.Model):
    """A scrutiny committee of elected members that receives progress reports."""

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # Whose report it is, as the paper's title block says ("Report of the Executive Director…").
    report_of: Mapped[str] = mapped_column(String(200), default="")
    # The progress report's title; blank means one made from the inspections it follows.
    report_title: Mapped[str] = mapped_column(String(300), default="")
    # The contact officer named at the end of every progress report.
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_job_title: Mapped[str] = mapped_column(String(120), default="")
    contact_telephone: Mapped[str] = mapped_column(String(40), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    members: Mapped[list[User]] = relationship(secondary=committee_member, order_by="User.name")
    inspections: Mapped[list[Inspection]] = relationship(
        secondary=committee_inspection, order_by="Inspection.letter_date"
    )
    meetings: Mapped[list[CommitteeMeeting]] = relationship(
        back_populates="committee",
        order_by="CommitteeMeeting.meeting_date",
        cascade="all, delete-orphan",
    )

    __table_args__ = (db.UniqueConstraint("council_id", "name"),)
    __mapper_args__ = {"version_id_col": version}


class CommitteeMeeting(db.Model):
    """A date on which the committee meets."""

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    meeting_date: Mapped[date] = mapped_column(Date)

    committee: Mapped[Committee] = relationship(back_populates="meetings")

    __table_args__ = (db.UniqueConstraint("committee_id", "meeting_date"),)
