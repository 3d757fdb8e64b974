"""Scrutiny committees: their members, meeting dates and the inspections they follow."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Column, Date, ForeignKey, String, Table, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import UTCDateTime, enum_type, utcnow
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


class ReportCadence(enum.Enum):
    """When the scheduler produces the committee's progress report."""

    NONE = "none"
    RULE = "rule"
    BEFORE_MEETING = "before meeting"

    @property
    def label(self) -> str:
        return {
            "none": "Not on a schedule (produced by hand)",
            "rule": "On a regular rule, such as the first Monday of each quarter",
            "before meeting": "A number of working days before each meeting",
        }[self.value]


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
    # The scheduled report: when it is produced, who is told, and whether it is issued at once.
    report_cadence: Mapped[ReportCadence] = mapped_column(
        enum_type(ReportCadence), default=ReportCadence.NONE, server_default="none"
    )
    # A RULE cadence, in the scheduler's terms: months ("1,4,7,10") and day ("1st mon").
    report_rule_months: Mapped[str] = mapped_column(String(60), default="", server_default="")
    report_rule_day: Mapped[str] = mapped_column(String(60), default="", server_default="")
    # A BEFORE_MEETING cadence: this many working days before each meeting date.
    report_days_before: Mapped[int | None] = mapped_column()
    # Local time of day (HH:MM, UK time) at which a scheduled report is produced.
    report_time: Mapped[str] = mapped_column(String(5), default="09:00", server_default="09:00")
    report_owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    auto_issue: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    report_owner: Mapped[User | None] = relationship(foreign_keys=[report_owner_id])
    members: Mapped[list[User]] = relationship(secondary=committee_member, order_by="User.name")
    inspections: Mapped[list[Inspection]] = relationship(
        secondary=committee_inspection,
        # Undated inspections first on every database (PostgreSQL puts nulls last by default).
        order_by="[Inspection.letter_date.asc().nulls_first(), Inspection.id]",
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
