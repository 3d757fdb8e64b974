"""The action plan as a spreadsheet: every tracked item and its actions, one row per action, as
Excel (.xlsx) or CSV, for councils that keep working in the tools they already have.

Text a person typed is written as text, never as a formula: a description beginning with `=`,
`+`, `-` or `@` would otherwise run when the file is opened (CSV injection). In Excel the cell
is given the string type; in CSV it is preceded by an apostrophe, which Excel and LibreOffice
hide and do not calculate.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from tracker.accounts.models import User
from tracker.audit.models import HistoryEntry
from tracker.extensions import db
from tracker.inspections.models import Finding
from tracker.items.models import (
    OPEN_ACTION_STATUSES,
    Action,
    DueDateChange,
    DueDateChangeState,
    Item,
)
from tracker.items.queries import item_facts, items_of_council
from tracker.items.status import StatusRules, work_out_status

# (heading, width in characters) of each column, in order.
COLUMNS: list[tuple[str, int]] = [
    ("Inspection", 40),
    ("Letter date", 12),
    ("Finding type", 24),
    ("Tracked item", 50),
    ("Theme", 20),
    ("Priority", 10),
    ("Lead officer", 22),
    ("Item progress", 14),
    ("Item status", 24),
    ("Reason for item status", 40),
    ("Target date", 12),
    ("Item history entries", 10),
    ("Action", 60),
    ("Action owner", 22),
    ("Due date", 12),
    ("Original due date", 12),
    ("Action status", 14),
    ("Completed on", 12),
    ("Days overdue", 10),
    ("Due date moves", 10),
    ("Action history entries", 10),
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class PlanRow:
    """One line of the spreadsheet: an action with its item, or an item with no action yet."""

    values: tuple[Any, ...]


def action_plan_rows(council_id: int, today: date, rules: StatusRules, *,
                     inspection_ids: Collection[int] | None = None) -> list[PlanRow]:
    """The council's action plan, item by item (newest inspection first, then the letter's
    order), each item's actions by due date. Six statements, whatever the size.

    `inspection_ids` limits it to those inspections (a committee's, for its paper's
    background paper)."""
    query = items_of_council(council_id)
    if inspection_ids is not None:
        query = query.where(Finding.inspection_id.in_(list(inspection_ids)))
    items = list(db.session.scalars(
        query
        .options(joinedload(Item.finding).joinedload(Finding.inspection),
                 joinedload(Item.lead_officer))
    ).unique())
    item_ids = [item.id for item in items]
    # Plain columns, not Action objects: a big plan has tens of thousands of actions, and
    # loading each as an ORM object (with its owner) cost seconds.
    actions_by_item: dict[int, list[Any]] = {}
    for action in db.session.execute(
        select(Action.item_id, Action.id, Action.description, User.name, Action.due_date,
               Action.original_due_date, Action.status, Action.completed_on)
        .outerjoin(User, User.id == Action.owner_id)
        .where(Action.item_id.in_(item_ids))
        .order_by(Action.due_date, Action.id)
    ):
        actions_by_item.setdefault(action.item_id, []).append(action)
    facts = item_facts(items)
    item_history = Counter(dict(db.session.execute(
        select(HistoryEntry.item_id, func.count()).where(HistoryEntry.item_id.in_(item_ids))
        .group_by(HistoryEntry.item_id)).all()))
    action_history = Counter(dict(db.session.execute(
        select(HistoryEntry.action_id, func.count())
        .join(Action, Action.id == HistoryEntry.action_id).where(Action.item_id.in_(item_ids))
        .group_by(HistoryEntry.action_id)).all()))
    moves = Counter(dict(db.session.execute(
        select(DueDateChange.action_id, func.count())
        .join(Action, Action.id == DueDateChange.action_id)
        .where(Action.item_id.in_(item_ids),
               DueDateChange.state == DueDateChangeState.APPROVED)
        .group_by(DueDateChange.action_id)).all()))

    def sort_key(item: Item) -> tuple[Any, ...]:
        inspection = item.finding.inspection
        return (-(inspection.letter_date or date.min).toordinal(), inspection.id,
                item.finding.position, item.id)

    rows = []
    for item in sorted(items, key=sort_key):
        inspection = item.finding.inspection
        status = work_out_status(facts[item.id], today, rules)
        item_part = (
            inspection.title, inspection.letter_date, item.finding.category.label, item.title,
            item.theme, item.priority.label,
            item.lead_officer.name if item.lead_officer else "", item.status.label,
            status.shown.label, status.reason, item.target_date, item_history[item.id],
        )
        for action in actions_by_item.get(item.id, []) or [None]:
            if action is None:
                rows.append(PlanRow(item_part + ("",) * 9))
                continue
            overdue = (today - action.due_date).days if (
                action.status in OPEN_ACTION_STATUSES and action.due_date < today) else ""
            rows.append(PlanRow(item_part + (
                action.description, action.name or "",
                action.due_date, action.original_due_date, action.status.label,
                action.completed_on, overdue, moves[action.id], action_history[action.id],
            )))
    return rows


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def plan_as_csv(rows: list[PlanRow]) -> bytes:
    """The plan as CSV in UTF-8 with a byte order mark, so Excel reads the accents right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([heading for heading, _ in COLUMNS])
    for row in rows:
        texts = [_as_text(value) for value in row.values]
        writer.writerow(["'" + text if text.startswith(FORMULA_STARTS) else text
                         for text in texts])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def plan_as_xlsx(rows: list[PlanRow], *, title: str) -> bytes:
    """The plan as an Excel workbook: a bold header row frozen above filters, set column widths,
    dates as dates, and every text as text."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Action plan")
    sheet.freeze_panes = "A2"
    for number, (_, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    last_column = get_column_letter(len(COLUMNS))
    sheet.auto_filter.ref = f"A1:{last_column}{len(rows) + 1}"
    bold = Font(bold=True)
    header = []
    for heading, _ in COLUMNS:
        cell = WriteOnlyCell(sheet, value=heading)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for value in row.values:
            if isinstance(value, str):
                # Set after the value: openpyxl would read a leading "=" as a formula.
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
            else:
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, date):
                    cell.number_format = "d mmm yyyy"
            cells.append(cell)
        sheet.append(cells)
    workbook.properties.title = title
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
