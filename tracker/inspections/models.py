"""Inspections and the findings their letters contain."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ColumnElement, Date, ForeignKey, String, Text, or_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import UTCDateTime, enum_type, utcnow
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.accounts.models import Council, User
    from tracker.items.models import Item


class FindingCategory(enum.Enum):
    """The headings an inspection letter sorts its findings under."""

    STRENGTH = "strength"
    MEETS_REQUIREMENTS = "meets requirements"
    AREA_FOR_DEVELOPMENT = "area for development"
    PRIORITY_ACTION = "priority action"
    AREA_FOR_IMPROVEMENT = "area for improvement"

    @property
    def label(self) -> str:
        return {
            "strength": "Strength",
            "meets requirements": "Meets the requirements of statutory guidance",
            "area for development": "Area for development",
            "priority action": "Area for priority action",
            "area for improvement": "Area for improvement",
        }[self.value]

    @property
    def plural_label(self) -> str:
        return {
            "strength": "Strengths",
            "meets requirements": "Meets the requirements of statutory guidance",
            "area for development": "Areas for development",
            "priority action": "Areas for priority action",
            "area for improvement": "Areas for improvement",
        }[self.value]

    @property
    def is_tracked(self) -> bool:
        """Whether a finding of this kind becomes a tracked item."""
        return self in TRACKED_CATEGORIES


class FindingBody(enum.Enum):
    """Whom a finding is addressed to. Single inspection framework reports (2013-2018) also
    reviewed the Local Safeguarding Children Board, now the safeguarding partners: its
    findings are a partner's to lead, not the council's alone."""

    LOCAL_AUTHORITY = "local authority"
    LSCB = "lscb"

    @property
    def label(self) -> str:
        return {
            "local authority": "The local authority",
            "lscb": "The Local Safeguarding Children Board (now the safeguarding partners)",
        }[self.value]

    @property
    def short_label(self) -> str:
        return {"local authority": "Local authority", "lscb": "LSCB"}[self.value]


TRACKED_CATEGORIES = frozenset(
    {
        FindingCategory.PRIORITY_ACTION,
        FindingCategory.AREA_FOR_DEVELOPMENT,
        FindingCategory.AREA_FOR_IMPROVEMENT,
    }
)

# The order a reader expects: the most urgent first.
CATEGORY_ORDER = [
    FindingCategory.PRIORITY_ACTION,
    FindingCategory.AREA_FOR_DEVELOPMENT,
    FindingCategory.AREA_FOR_IMPROVEMENT,
    FindingCategory.STRENGTH,
    FindingCategory.MEETS_REQUIREMENTS,
]


class Inspection(db.Model):
    """One visit by an inspectorate, and the letter that followed it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    inspectorate: Mapped[str] = mapped_column(String(120), default="Ofsted")
    title: Mapped[str] = mapped_column(String(500))
    letter_date: Mapped[date | None] = mapped_column(Date)
    inspector: Mapped[str] = mapped_column(String(200), default="")
    inspector_role: Mapped[str] = mapped_column(String(200), default="")
    recipient: Mapped[str] = mapped_column(String(200), default="")
    previous_inspection_id: Mapped[int | None] = mapped_column(
        ForeignKey("inspection.id"), index=True
    )
    # The previous inspection as the letter words it ("August 2010").
    previous_inspection_text: Mapped[str] = mapped_column(String(200), default="")
    overall_judgement: Mapped[str] = mapped_column(String(60), default="")
    source_filename: Mapped[str] = mapped_column(String(255), default="")
    source_text: Mapped[str] = mapped_column(Text, default="")
    # The SHA-256 of the imported document's bytes: how importing it twice is noticed.
    source_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    plan_submitted_on: Mapped[date | None] = mapped_column(Date)
    # The letter's own words where it sets no new findings and points back to an earlier
    # inspection's ("The areas for improvement set at the last focused visit … remain.").
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Years it is kept after its plan is closed; None: the council's period.
    retention_years: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    council: Mapped[Council] = relationship()
    previous_inspection: Mapped[Inspection | None] = relationship(remote_side=[id])
    visit_days: Mapped[list[InspectionDay]] = relationship(
        order_by="InspectionDay.day", cascade="all, delete-orphan"
    )
    findings: Mapped[list[Finding]] = relationship(
        back_populates="inspection", order_by="Finding.position", cascade="all, delete-orphan"
    )
    # Items of an earlier inspection that this one found still open, as its letter says: they
    # stay that inspection's items (nothing new is created, nothing is counted twice).
    still_open_items: Mapped[list[Item]] = relationship(
        secondary="still_open_item", order_by="Item.id", viewonly=True
    )

    @property
    def visit_dates(self) -> list[date]:
        return [visit.day for visit in self.visit_days]


class InspectionDay(db.Model):
    """One day of an inspection visit (visits are not always consecutive days)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    day: Mapped[date] = mapped_column(Date)

    __table_args__ = (db.UniqueConstraint("inspection_id", "day"),)


class Finding(db.Model):
    """One finding of an inspection, in the letter's own words."""

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    category: Mapped[FindingCategory] = mapped_column(enum_type(FindingCategory))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)
    # The sub-heading the finding sits under ("Within three months"), where there is one.
    group: Mapped[str] = mapped_column(String(200), default="")
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("finding.id"), index=True)
    # The sentence that says this was raised before ("This was an area for development…").
    repeat_evidence: Mapped[str] = mapped_column(Text, default="")
    # Whom it is addressed to: the local authority unless the document says otherwise.
    body: Mapped[FindingBody] = mapped_column(
        enum_type(FindingBody), default=FindingBody.LOCAL_AUTHORITY,
        server_default=FindingBody.LOCAL_AUTHORITY.value,
    )

    inspection: Mapped[Inspection] = relationship(back_populates="findings")
    repeat_of: Mapped[Finding | None] = relationship(remote_side=[id])
    item: Mapped[Item | None] = relationship(back_populates="finding")

    @hybrid_property
    def is_repeat(self) -> bool:
        """Raised at the previous inspection too: scrutiny members look for these first."""
        return self.repeat_of_id is not None or bool(self.repeat_evidence)

    @is_repeat.inplace.expression
    @classmethod
    def _is_repeat_in_sql(cls) -> ColumnElement[bool]:
        """The same, as SQL, for a statement that reads plain columns."""
        return or_(cls.repeat_of_id.is_not(None), cls.repeat_evidence != "")


class StillOpenItem(db.Model):
    """An earlier inspection's item that a later inspection's letter found still open."""

    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), primary_key=True, index=True)


class ImportDraft(db.Model):
    """An uploaded letter, read once, waiting for an administrator to review and confirm it.

    Confirming turns it into an inspection and deletes it; cancelling deletes it. The
    proposal is the importer's extraction as JSON (`Extraction.to_json()` plus each finding's
    group), so the review page never reads the document again.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    filename: Mapped[str] = mapped_column(String(255), default="")
    sha256: Mapped[str] = mapped_column(String(64))
    source_text: Mapped[str] = mapped_column(Text, default="")
    proposal: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(default=1)

    council: Mapped[Council] = relationship()
    uploaded_by: Mapped[User | None] = relationship()

    # A second confirmation of the same draft (a double submit) finds it gone and fails.
    __mapper_args__ = {"version_id_col": version}
