"""Importing an existing action-plan spreadsheet into an inspection's tracked items.

`queue_plan_upload` keeps an uploaded file for the scheduler to read
(tracker.uploads.service), which calls `start_plan_import`: it reads the file once
(`tracker.plan_import.reading`) and keeps each readable sheet as a `PlanImport` with a column
mapping guessed from its headings. The mapping page shows the preview
(`tracker.plan_import.preview`): every item and action the import would create and every row
with a problem, each with its cell ("D7") and reason.
`save_mapping` keeps the columns the administrator chose. `confirm_plan_import` creates the
items and actions of the rows without problems through the items service, in the caller's one
transaction, and deletes the import; rows with problems are left out and returned, so the
page after the import can list them. `cancel_plan_import` deletes the import and nothing else.

A `PlanImport` keeps each data row as [its row number in the sheet, its cells...]: the row
number is what the spreadsheet shows, and the model has no column of its own for it.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import load_only, selectinload
from sqlalchemy.orm.exc import StaleDataError

from tracker import untrusted
from tracker.accounts.models import Role, User
from tracker.audit.models import HistoryKind
from tracker.audit.service import record_history
from tracker.errors import RuleBroken
from tracker.extensions import db
from tracker.inspections.imports import clean_filename, unconfirmed_kept
from tracker.inspections.models import Inspection
from tracker.items.models import Action, ActionStatus, Item
from tracker.items.service import (
    add_action,
    add_action_from_plan,
    create_item,
    local_day,
    note_updated,
    update_action,
)
from tracker.plan_import import cells, reading
from tracker.plan_import.cells import FIELD_KEYS, FIELDS_BY_KEY
from tracker.plan_import.models import PlanImport
from tracker.plan_import.preview import (
    PlannedAction,
    PlannedItem,
    RowProblem,
    current_mapping,
    plan_preview,
    sheet_rows,
)
from tracker.uploads.models import UploadKind, UploadReading
from tracker.uploads.service import queue_upload

logger = logging.getLogger(__name__)

SHEET_NAME_MAX = 100


class ImportGone(RuleBroken):
    """The import was confirmed or cancelled by another request in the meantime."""

    def __init__(self) -> None:
        super().__init__("This import has already been confirmed or cancelled")


# --- Reading the file -----------------------------------------------------------------------


def _check_administrator(actor: User, council_id: int) -> None:
    if actor.role is not Role.ADMIN or actor.council_id != council_id or not actor.active:
        raise RuleBroken("Only an administrator of the council can import an action plan")


# What to do with a workbook over one of the reader's limits (tracker.untrusted).
OVER_A_LIMIT = ("Copy the action plan's rows into a new workbook, save it as “Excel Workbook "
                "(.xlsx)” or “CSV UTF-8”, and upload that")


def read_uploaded_spreadsheet(data: bytes, filename: str, *, max_bytes: int
                              ) -> reading.Spreadsheet:
    """An uploaded spreadsheet's sheets, read in a fresh child process within the limits of
    `tracker.untrusted` (memory, time), never in this one.

    Raises `RuleBroken` on the `spreadsheet` field: the reader's own refusal (not a
    spreadsheet, a password, a cell over Excel's limit …), or which limit the file passed and
    what to do."""
    try:
        answer = untrusted.read_untrusted("plan-spreadsheet", data, filename=filename,
                                          max_bytes=max_bytes)
    except untrusted.Refused as refused:
        raise RuleBroken(refused.message, field="spreadsheet") from refused
    except untrusted.LimitReached as reached:
        raise RuleBroken(reached.limit.words("This spreadsheet", OVER_A_LIMIT),
                         field="spreadsheet") from reached
    except untrusted.ReaderFailed as error:
        # Uploaded files are untrusted: a library tripping over one is a message, not a 500.
        logger.error("Reading the action plan %r failed: %s", filename, error)
        raise RuleBroken(reading.DAMAGED, field="spreadsheet") from error
    return reading.spreadsheet_from_data(answer)


def queue_plan_upload(
    inspection: Inspection,
    *,
    actor: User,
    now: datetime,
    data: bytes,
    filename: str,
    max_bytes: int,
) -> UploadReading:
    """Keep an uploaded spreadsheet to be read by the scheduler (`start_plan_import`, which
    keeps its sheets), after the checks that need no reading: the person, an empty file, its
    size, an older Excel file, a PDF.

    Raises `RuleBroken` on the `spreadsheet` field for those; nothing is kept then."""
    _check_administrator(actor, inspection.council_id)
    try:
        reading.check_before_reading(data, max_bytes=max_bytes)
    except reading.SpreadsheetProblem as problem:
        raise RuleBroken(problem.message, field="spreadsheet") from problem
    return queue_upload(UploadKind.ACTION_PLAN, council_id=inspection.council_id, actor=actor,
                        now=now, data=data, filename=clean_filename(filename),
                        inspection_id=inspection.id)


def start_plan_import(
    inspection: Inspection,
    *,
    actor: User,
    now: datetime,
    data: bytes,
    filename: str,
    max_bytes: int,
) -> tuple[list[PlanImport], list[str]]:
    """Read an uploaded spreadsheet once and keep each sheet it can import, with the columns
    guessed from the headings; the first is the one to map. Also returns notes on the sheets
    that were not read.

    A file that cannot be imported (empty, too large, not a spreadsheet, protected with a
    password, no header row, too many rows or columns) is refused with `RuleBroken` on the
    `spreadsheet` field, saying what to fix; nothing is kept."""
    _check_administrator(actor, inspection.council_id)
    spreadsheet = read_uploaded_spreadsheet(data, filename, max_bytes=max_bytes)
    imports = []
    for sheet in spreadsheet.sheets:
        plan = PlanImport(
            council_id=inspection.council_id,
            uploaded_by_id=actor.id,
            created_at=now,
            filename=clean_filename(filename),
            sheet_name=sheet.name[:SHEET_NAME_MAX],
            inspection_id=inspection.id,
            headers=sheet.headers,
            rows=[[str(number), *row] for number, row in sheet.rows],
            mapping=cells.guess_mapping(sheet.headers),
        )
        db.session.add(plan)
        imports.append(plan)
    db.session.flush()
    return imports, spreadsheet.notes


# --- Reading imports --------------------------------------------------------------------


def get_plan_import(council_id: int, plan_import_id: int) -> PlanImport | None:
    """One of the council's imports, or None."""
    return db.session.scalars(
        select(PlanImport).where(PlanImport.council_id == council_id,
                                 PlanImport.id == plan_import_id)
    ).first()


def _light(query: Any) -> Any:
    # Lists of imports show names and dates: never the rows, which can be large.
    return query.options(load_only(
        PlanImport.id, PlanImport.filename, PlanImport.sheet_name, PlanImport.created_at,
        PlanImport.uploaded_by_id, PlanImport.inspection_id, PlanImport.council_id,
        PlanImport.version,
    ), selectinload(PlanImport.uploaded_by))


def other_sheets(plan: PlanImport) -> list[PlanImport]:
    """The other sheets read from the same upload, in the workbook's order."""
    return list(db.session.scalars(_light(
        select(PlanImport).where(
            PlanImport.council_id == plan.council_id,
            PlanImport.uploaded_by_id == plan.uploaded_by_id,
            PlanImport.inspection_id == plan.inspection_id,
            PlanImport.filename == plan.filename,
            PlanImport.created_at == plan.created_at,
            PlanImport.id != plan.id,
        ).order_by(PlanImport.id)
    )))


def imports_waiting(inspection: Inspection) -> list[PlanImport]:
    """Spreadsheets read for this inspection but not yet confirmed or cancelled, newest first."""
    return list(db.session.scalars(_light(
        select(PlanImport).where(PlanImport.council_id == inspection.council_id,
                                 PlanImport.inspection_id == inspection.id)
        .order_by(PlanImport.created_at.desc(), PlanImport.id)
    )))


def column_choices(plan: PlanImport) -> list[tuple[int, str]]:
    """Each column that has a heading or any data: (column number, "C: Action")."""
    used = {n for n, heading in enumerate(plan.headers) if heading}
    for _number, row in sheet_rows(plan):
        used.update(n for n, cell in enumerate(row) if cell)
    return [
        (n, f"{reading.column_letter(n)}: {plan.headers[n] or '(no heading)'}")
        for n in sorted(used) if n < len(plan.headers)
    ]


def save_mapping(plan: PlanImport, *, actor: User, mapping: Mapping[str, int | None]) -> None:
    """Keep the columns the administrator chose for each field (None: not in the sheet)."""
    _check_administrator(actor, plan.council_id)
    chosen: dict[str, int] = {}
    for key, column in mapping.items():
        if key not in FIELDS_BY_KEY:
            raise RuleBroken(f"The tracker has no field called {key}")
        if column is None:
            continue
        if not 0 <= column < len(plan.headers):
            raise RuleBroken("Choose one of the spreadsheet's columns", field=key)
        chosen[key] = column
    for key in FIELD_KEYS:
        spec = FIELDS_BY_KEY[key]
        if spec.required and key not in chosen:
            raise RuleBroken(f"Choose the column that holds the {spec.label.lower()}", field=key)
    if chosen != current_mapping(plan):
        plan.mapping = chosen  # a new dict, so the change is noticed and the version moves
    db.session.flush()


# --- Confirming or cancelling -------------------------------------------------------------


@dataclass
class ImportOutcome:
    """What an import created, and the rows it left out."""

    inspection_id: int
    filename: str
    new_items: int
    existing_items: int
    actions: int
    left_out: list[RowProblem]
    headers: list[str]


def _source(plan: PlanImport) -> str:
    sheet = f", sheet “{plan.sheet_name}”" if plan.sheet_name else ""
    return f"the action plan “{plan.filename}”{sheet}"


def row_words(numbers: list[int]) -> str:
    """"row 7", "rows 7 to 9", "rows 7, 9 and 12", "14 rows from row 7"."""
    if len(numbers) == 1:
        return f"row {numbers[0]}"
    if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[0] + len(numbers))):
        return f"rows {numbers[0]} to {numbers[-1]}"
    if len(numbers) <= 5:
        return "rows " + ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"
    return f"{len(numbers)} rows from row {numbers[0]}"


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    # The thousands of new objects (and the session's references between them) set Python's
    # cycle collector off hundreds of times, scanning the whole heap: 40% of the time of a
    # 2,000-row import. They all stay in the session until the commit anyway, so nothing is
    # lost by collecting after the import rather than during it.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@_no_cycle_collection()
def confirm_plan_import(
    plan: PlanImport, *, actor: User, now: datetime, expected_version: int
) -> ImportOutcome:
    """Create the items and actions of every row without a problem, and delete the import
    (and the other sheets read from the same file).

    New items are created with `create_item` and actions with `add_action`, so their rules
    and history entries apply; an action whose due date has already passed, which
    `add_action` would refuse for an action planned today, is imported as it stands, overdue,
    with `add_action_from_plan`; a status other than Not started is then set with
    `update_action`, the history saying it came from the spreadsheet. Everything is checked
    before anything is written, and everything is written in the caller's transaction, in
    one flush at the end (`flush=False`): a few batched statements rather than thousands of
    round trips. `ImportGone` if another request confirmed or cancelled the import first."""
    _check_administrator(actor, plan.council_id)
    if plan.version != expected_version:
        raise RuleBroken("The columns were changed in another window after this page was shown: "
                         "check the preview again, then import")
    inspection = plan.inspection
    if inspection is None or inspection.council_id != plan.council_id:
        raise RuleBroken("The inspection this import was for no longer exists")
    today = local_day(now)
    preview = plan_preview(plan, actor=actor, today=today)
    if not preview.items:
        raise RuleBroken("No row can be imported: fix the problems listed in the spreadsheet "
                         "and upload it again, or choose other columns")
    source = _source(plan)
    outcome = ImportOutcome(
        inspection_id=inspection.id, filename=plan.filename, new_items=preview.new_items,
        existing_items=preview.existing_items, actions=preview.action_count,
        left_out=preview.problems, headers=list(plan.headers),
    )

    # The import goes first: a second confirmation of it (a double submit) then fails here.
    _remove(plan)

    _write(preview.items, inspection=inspection, source=source, actor=actor, now=now)
    return outcome


def _write(planned_items: list[PlannedItem], *, inspection: Inspection, source: str,
           actor: User, now: datetime) -> None:
    for planned in planned_items:
        item = planned.existing or create_item(
            inspection=inspection, category=planned.category,
            finding_text=planned.finding_text, title=planned.title,
            lead_officer=planned.lead_officer, theme=planned.theme,
            priority=planned.priority, target_date=planned.target_date,
            measure_of_success="", actor=actor, now=now, flush=False,
        )
        for action in planned.actions:
            _import_action(item, action, actor=actor, now=now,
                           note=f"Imported from {source}, row {action.row}")
        rows = row_words([action.row for action in planned.actions])
        note_updated(item, now)
        record_history(
            item=item, author=actor, now=now, kind=HistoryKind.COMMENTARY,
            text=(f"Created by importing {source} ({rows})" if planned.existing is None else
                  f"{len(planned.actions)} action{'s' if len(planned.actions) != 1 else ''} "
                  f"added by importing {source} ({rows})"),
        )
    db.session.flush()  # the only save: a few batched INSERTs for all the rows


def _import_action(item: Item, planned: PlannedAction, *, actor: User, now: datetime,
                   note: str) -> Action:
    # Not flushed: confirm_plan_import flushes once, after the last row.
    add = add_action if planned.due_date >= local_day(item.created_at) else add_action_from_plan
    action = add(item, actor=actor, now=now, description=planned.description,
                 owner=planned.owner, due_date=planned.due_date, flush=False)
    if planned.status is not ActionStatus.NOT_STARTED:
        update_action(action, actor=actor, now=now, expected_version=None,
                      status=planned.status, commentary=note, evidence_link="", flush=False)
        if planned.status is ActionStatus.COMPLETE:
            action.completed_on = planned.completed_on
    return action


def remove_unconfirmed_plan_imports(now: datetime) -> int:
    """Delete the spreadsheet imports uploaded more than `unconfirmed_kept()` (7 days) before
    `now` and never confirmed: the plan's cells are not kept for good in an import nobody
    finished. How many sheets were deleted."""
    result = db.session.execute(
        delete(PlanImport).where(PlanImport.created_at < now - unconfirmed_kept()))
    return result.rowcount or 0


def cancel_plan_import(plan: PlanImport, *, actor: User) -> None:
    """Throw an import away (with the other sheets of the same file): nothing of it is kept.
    `ImportGone` if it had already gone."""
    _check_administrator(actor, plan.council_id)
    _remove(plan)


def _remove(plan: PlanImport) -> None:
    """Delete the import and the other sheets of its file; `ImportGone` if already gone."""
    for done in [plan, *other_sheets(plan)]:
        db.session.delete(done)
    try:
        db.session.flush()
    except StaleDataError as error:
        raise ImportGone() from error
