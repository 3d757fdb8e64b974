"""An uploaded action-plan spreadsheet, read once, waiting for its columns to be mapped."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import UTCDateTime, utcnow
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.accounts.models import Council, User
    from tracker.inspections.models import Inspection


class PlanImport(db.Model):
    """A spreadsheet's cells as text, the inspection its rows go to, and the column mapping.

    Confirming creates the items and actions in one transaction and deletes this row;
    cancelling deletes it. The cells are kept here so that the mapping and preview pages never
    read the file again.
    """

    __tablename__ = "plan_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    filename: Mapped[str] = mapped_column(String(255), default="")
    sheet_name: Mapped[str] = mapped_column(String(100), default="")
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"))
    # The header row and the data rows, every cell as the text it showed.
    headers: Mapped[list[str]] = mapped_column(JSON)
    rows: Mapped[list[list[str]]] = mapped_column(JSON)
    # Field name to column number, as the user mapped them; empty until mapped.
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(default=1)

    council: Mapped[Council] = relationship()
    uploaded_by: Mapped[User | None] = relationship()
    inspection: Mapped[Inspection | None] = relationship()

    # A second confirmation of the same import (a double submit) finds it gone and fails.
    __mapper_args__ = {"version_id_col": version}
