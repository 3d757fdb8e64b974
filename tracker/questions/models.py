"""A question a committee member asked at a meeting, and the officer's answer."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import UTCDateTime, utcnow
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.accounts.models import User
    from tracker.committees.models import CommitteeMeeting
    from tracker.items.models import Item


class MemberQuestion(db.Model):
    """A member's question at a committee meeting, recorded by an administrator (as clerk)
    and answered in the tracker by the officer assigned to it.

    It is waiting for its answer while `answered_at` is None. Who asked is the name as the
    minutes give it (councillors often do not use the tracker), and their account when they
    do. The answer's first writer and moment are kept when it is corrected; the correction's
    are in `corrected_by` and `corrected_at`.
    """

    __tablename__ = "member_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("committee_meeting.id"), index=True)
    # The tracked item the question is about, if it is about one.
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    asked_by_name: Mapped[str] = mapped_column(String(120))
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The officer who is to report back, and since when (reassigning moves it on).
    officer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The last save of any kind: who made it and when (what an edit conflict names).
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    meeting: Mapped[CommitteeMeeting] = relationship()
    item: Mapped[Item | None] = relationship()
    asked_by: Mapped[User | None] = relationship(foreign_keys=[asked_by_id])
    officer: Mapped[User] = relationship(foreign_keys=[officer_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    corrected_by: Mapped[User | None] = relationship(foreign_keys=[corrected_by_id])
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
    changed_by: Mapped[User] = relationship(foreign_keys=[changed_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def answer_changed_at(self) -> datetime | None:
        """When the answer as it stands was written: its correction, or its first writing."""
        return self.corrected_at or self.answered_at
