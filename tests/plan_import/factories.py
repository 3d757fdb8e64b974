"""Spreadsheets of a fictional council's action plan, built in the test (never copies of real
documents), and a waiting import for the access matrix."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook

from tracker.extensions import db
from tracker.plan_import.models import PlanImport

HEADINGS = ["Area for development", "Action", "Responsible officer", "Timescale", "Progress",
            "Lead officer", "Priority", "Theme"]
TITLE = "Northshire County Council: action plan following the unannounced inspection"


def xlsx(rows: Sequence[Sequence[Any]], *, title: str = "Action plan",
         more_sheets: dict[str, Sequence[Sequence[Any]]] | None = None,
         hidden: dict[str, Sequence[Sequence[Any]]] | None = None) -> bytes:
    """A workbook whose first sheet holds `rows` from row 1 (None is an empty cell); text is
    written as text, so "=SUM(A1)" stays words."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    _fill(sheet, rows)
    for name, sheet_rows in (more_sheets or {}).items():
        _fill(workbook.create_sheet(name), sheet_rows)
    for name, sheet_rows in (hidden or {}).items():
        extra = workbook.create_sheet(name)
        _fill(extra, sheet_rows)
        extra.sheet_state = "hidden"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _fill(sheet, rows: Sequence[Sequence[Any]]) -> None:
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = sheet.cell(row=number, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # set after the value: openpyxl reads "=" as a formula
            elif isinstance(value, (date, datetime)):
                cell.number_format = "dd/mm/yyyy"


def csv_bytes(rows: Sequence[Sequence[Any]], *, encoding: str = "utf-8",
              delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue().encode(encoding)


def waiting_import(council_id: int, inspection_id: int, *, uploaded_by_id: int | None = None,
                   rows: list[list[str]] | None = None, sheet_name: str = "Action plan",
                   created_at: datetime | None = None, filename: str = "plan.xlsx") -> PlanImport:
    """A spreadsheet read and waiting for its columns to be confirmed."""
    plan = PlanImport(
        council_id=council_id, inspection_id=inspection_id, uploaded_by_id=uploaded_by_id,
        filename=filename, sheet_name=sheet_name,
        headers=["Area for development", "Action", "Due date"],
        rows=rows if rows is not None else [
            ["2", "Case records do not show the child's views", "Themed audit", "31/03/2027"]],
        mapping={"finding": 0, "action": 1, "due_date": 2},
    )
    if created_at is not None:
        plan.created_at = created_at
    db.session.add(plan)
    db.session.commit()
    return plan


def plan_import_for_world(world) -> int:
    """For the access matrix: an import waiting on the world's inspection."""
    return waiting_import(world.council.id, world.item.finding.inspection.id).id
