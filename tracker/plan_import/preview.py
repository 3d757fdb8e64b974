"""The preview of an import: what confirming would create with the saved mapping, and every
row left out with the cell ("D7") and reason of each problem.

Rows with the same finding text, ignoring case and spacing, make one item; a row whose finding
is blank belongs to the item above it, as merged cells do. An item's details (kind, lead
officer, priority, theme, target date) are taken from the first of its rows that gives each;
a problem with them leaves out all the item's rows. A finding that matches the title or
finding text of an existing item of the inspection adds actions to that item, whose details
stay as they are. An action already on the item (same words, same due date) or repeated in the
sheet is left out, so importing a corrected spreadsheet again adds only what is new.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.accounts.models import Role, User
from tracker.extensions import db
from tracker.formatting import long_date
from tracker.inspections.imports import FINDING_TEXT_MAX, short_title
from tracker.inspections.models import Finding, FindingCategory, Inspection
from tracker.items.models import ActionStatus, Item, ItemStatus, Priority
from tracker.plan_import import cells, reading
from tracker.plan_import.cells import FIELD_KEYS, FIELDS_BY_KEY, CellProblem
from tracker.plan_import.models import PlanImport

# The limits of the items and actions pages, so an import keeps the same rules.
ACTION_MAX = 1000
THEME_MAX = 100
STAFF_ROLES = (Role.ADMIN, Role.MANAGER)


def sheet_rows(plan: PlanImport) -> list[tuple[int, list[str]]]:
    """The import's data rows: (row number in the sheet, cells)."""
    return [(int(row[0]), list(row[1:])) for row in plan.rows]


def current_mapping(plan: PlanImport) -> dict[str, int]:
    """The saved mapping, keeping only fields the tracker knows and columns the sheet has."""
    mapping = {}
    for key, column in (plan.mapping or {}).items():
        if key in FIELD_KEYS and isinstance(column, int) and 0 <= column < len(plan.headers):
            mapping[key] = column
    return mapping


@dataclass(frozen=True)
class CellIssue:
    """Why a row cannot be imported; `cell` is the reference the spreadsheet shows ("D7"),
    empty when the reason is about no one cell."""

    cell: str
    reason: str


@dataclass
class RowProblem:
    """A row left out of the import, with every reason and the row's cells as text."""

    row: int
    issues: list[CellIssue]
    cells: list[str]


@dataclass
class PlannedAction:
    row: int
    description: str
    owner: User
    due_date: date
    status: ActionStatus
    completed_on: date | None
    overdue: bool


@dataclass
class PlannedItem:
    """A tracked item the import creates, or an existing one it adds actions to."""

    finding_text: str
    title: str
    category: FindingCategory
    existing: Item | None
    lead_officer: User | None
    priority: Priority
    theme: str
    target_date: date | None
    actions: list[PlannedAction]


@dataclass
class Preview:
    items: list[PlannedItem]
    problems: list[RowProblem]
    row_count: int
    owner_mapped: bool
    # The required fields with no column chosen: until they have one there is no preview.
    missing: list[str] = field(default_factory=list)

    @property
    def new_items(self) -> int:
        return sum(1 for item in self.items if item.existing is None)

    @property
    def existing_items(self) -> int:
        return sum(1 for item in self.items if item.existing is not None)

    @property
    def action_count(self) -> int:
        return sum(len(item.actions) for item in self.items)


def text_key(text: str) -> str:
    """How finding texts and titles are compared: ignoring case and spacing."""
    return " ".join(text.casefold().split())


class People:
    """The council's active administrators and managers, found by email or full name."""

    def __init__(self, users: Iterable[User]) -> None:
        self.by_email: dict[str, User] = {}
        self.by_name: dict[str, list[User]] = {}
        for user in users:
            self.by_email[user.email.casefold()] = user
            for name in {text_key(user.name), text_key(user.display_name)}:
                self.by_name.setdefault(name, []).append(user)

    def find(self, text: str) -> User:
        """The one person the cell names; `CellProblem` for nobody or several."""
        words = text.strip()
        if words.casefold().startswith("mailto:"):
            words = words[7:]
        if "@" in words:
            user = self.by_email.get(words.casefold())
            if user is None:
                raise CellProblem(
                    f"No active administrator or manager of the council has the email address "
                    f"“{cells.shorten(words)}”: check it, or add them as a user first"
                )
            return user
        found = self.by_name.get(text_key(words), [])
        if not found:
            raise CellProblem(
                f"“{cells.shorten(words)}” is not the name of an active administrator or "
                "manager of the council: check the spelling, use their email address, or add "
                "them as a user first"
            )
        if len(found) > 1:
            raise CellProblem(
                f"{len(found)} people are called “{cells.shorten(words)}”: give the email "
                "address of the one you mean"
            )
        return found[0]


def council_staff(council_id: int) -> People:
    """Who may own actions and lead items: the council's active administrators and managers."""
    return People(db.session.scalars(
        select(User).where(User.council_id == council_id, User.active.is_(True),
                           User.role.in_(STAFF_ROLES))
    ))


def _inspection_items(inspection_id: int) -> list[Item]:
    return list(db.session.scalars(
        select(Item).join(Finding, Item.finding_id == Finding.id)
        .where(Finding.inspection_id == inspection_id)
        .options(selectinload(Item.actions), selectinload(Item.finding))
        .order_by(Item.id)
    ))


@dataclass
class _Group:
    """The rows that make one item, and what they say about the item."""

    key: str
    finding_text: str
    finding_cell: str
    rows: list[_Row] = field(default_factory=list)
    # Field: (value, the text it was read from, its cell).
    values: dict[str, tuple[Any, str, str]] = field(default_factory=dict)
    # Problems with the item itself: (row, issue).
    issues: list[tuple[int, CellIssue]] = field(default_factory=list)
    existing: Item | None = None


@dataclass
class _Row:
    number: int
    cells: list[str]
    issues: list[CellIssue] = field(default_factory=list)
    group: _Group | None = None
    action: PlannedAction | None = None


ITEM_READERS: dict[str, Callable[..., Any]] = {
    "finding_type": cells.read_category,
    "priority": cells.read_priority,
    "theme": lambda text: text,
    "target_date": cells.read_date,
}


def plan_preview(plan: PlanImport, *, actor: User, today: date) -> Preview:
    """What confirming would create with the saved mapping: the items (new, or existing items
    of the inspection matched by title or finding text) with their actions, and every row
    left out with the cell and reason of each problem. Three statements, whatever the size."""
    inspection = plan.inspection
    mapping = current_mapping(plan)
    missing = [spec.label for spec in cells.FIELDS if spec.required and spec.key not in mapping]
    if missing:
        return Preview(items=[], problems=[], row_count=len(plan.rows),
                       owner_mapped="owner" in mapping, missing=missing)
    people = council_staff(plan.council_id)
    existing_by_key: dict[str, list[Item]] = {}
    for item in _inspection_items(plan.inspection_id) if plan.inspection_id else []:
        for text in {text_key(item.title), text_key(item.finding.text)}:
            existing_by_key.setdefault(text, []).append(item)

    groups: dict[str, _Group] = {}
    rows: list[_Row] = []
    above: _Group | None = None
    for number, row_cells in sheet_rows(plan):
        row = _Row(number, row_cells)
        rows.append(row)

        def text(key: str, row_cells: list[str] = row_cells) -> str:
            column = mapping.get(key)
            return row_cells[column] if column is not None and column < len(row_cells) else ""

        def ref(key: str, number: int = number) -> str:
            return f"{reading.column_letter(mapping[key])}{number}"

        finding = " ".join(text("finding").split())
        if finding:
            key = text_key(finding)
            group = groups.get(key)
            if group is None:
                group = groups[key] = _Group(key, finding, ref("finding"))
                if len(finding) > FINDING_TEXT_MAX:
                    group.issues.append((number, CellIssue(ref("finding"), (
                        f"The finding is {len(finding):,} characters long: the tracker takes "
                        f"up to {FINDING_TEXT_MAX:,}. Shorten it"))))
            above = group
        elif above is not None:
            group = above  # a blank finding belongs to the item above, as merged cells do
        else:
            row.issues.append(CellIssue(ref("finding"), (
                "The finding or area is blank, and there is no row above it to take it from")))
            group = None
        row.group = group
        if group is not None:
            group.rows.append(row)
            _read_item_values(group, number, text, ref, mapping, people)
        row.action = _read_action(row, text, ref, mapping, people, actor, today)

    for group in groups.values():
        _match_existing(group, existing_by_key, inspection)
        _leave_out_with_item(group)
    _mark_repeats(groups.values())

    items = []
    for group in groups.values():
        actions = [row.action for row in group.rows if not row.issues and row.action]
        if actions:
            items.append(_planned_item(group, actions))
    problems = [RowProblem(row.number, row.issues, row.cells) for row in rows if row.issues]
    return Preview(items=items, problems=problems, row_count=len(rows),
                   owner_mapped="owner" in mapping)


def _read_item_values(group: _Group, number: int, text: Any, ref: Any,
                      mapping: Mapping[str, int], people: People) -> None:
    readers = {**ITEM_READERS, "lead_officer": people.find}
    for key, read in readers.items():
        if key not in mapping:
            continue
        said = text(key).strip()
        if not said:
            continue
        label = FIELDS_BY_KEY[key].label
        try:
            value = read(said)
        except CellProblem as problem:
            group.issues.append((number, CellIssue(ref(key), problem.reason)))
            continue
        if key == "theme" and len(value) > THEME_MAX:
            group.issues.append((number, CellIssue(ref(key), (
                f"The theme is {len(value)} characters long: the tracker takes up to "
                f"{THEME_MAX}"))))
            continue
        if key not in group.values:
            group.values[key] = (value, said, ref(key))
        elif not _same(group.values[key][0], value):
            first, first_cell = group.values[key][1], group.values[key][2]
            group.issues.append((number, CellIssue(ref(key), (
                f"The {label.lower()} “{cells.shorten(said)}” differs from “{cells.shorten(first)}”"
                f", given for the same item in {first_cell}: give one {label.lower()} per "
                "item"))))


def _same(first: Any, second: Any) -> bool:
    if isinstance(first, str) and isinstance(second, str):
        return text_key(first) == text_key(second)
    return bool(first == second)


def _read_action(row: _Row, text: Any, ref: Any, mapping: Mapping[str, int], people: People,
                 actor: User, today: date) -> PlannedAction | None:
    issues = row.issues
    description = text("action").strip()
    if not description:
        issues.append(CellIssue(ref("action"), "The action is blank"))
    elif len(description) > ACTION_MAX:
        issues.append(CellIssue(ref("action"), (
            f"The action is {len(description):,} characters long: the tracker takes up to "
            f"{ACTION_MAX:,}. Shorten it, or split it into several actions")))
    owner: User | None = actor
    if "owner" in mapping:
        owner = None
        said = text("owner").strip()
        if not said:
            issues.append(CellIssue(ref("owner"), (
                "The action owner is blank: give an administrator's or manager's name or "
                "email address")))
        else:
            try:
                owner = people.find(said)
            except CellProblem as problem:
                issues.append(CellIssue(ref("owner"), problem.reason))
    due_date = None
    said = text("due_date").strip()
    if not said:
        issues.append(CellIssue(ref("due_date"), "The due date is blank"))
    else:
        try:
            due_date = cells.read_date(said)
        except CellProblem as problem:
            issues.append(CellIssue(ref("due_date"), problem.reason))
    status = ActionStatus.NOT_STARTED
    status_said = text("status").strip()
    if status_said:
        try:
            status = cells.read_status(status_said)
        except CellProblem as problem:
            issues.append(CellIssue(ref("status"), problem.reason))
    completed_on = None
    said = text("completed_on").strip()
    if said:
        try:
            completed_on = cells.read_date(said)
        except CellProblem as problem:
            issues.append(CellIssue(ref("completed_on"), problem.reason))
        else:
            if not status_said:
                status = ActionStatus.COMPLETE  # a completion date and no status: it is done
            if completed_on > today:
                issues.append(CellIssue(ref("completed_on"), (
                    f"The completion date, {long_date(completed_on)}, is in the future")))
            elif status is not ActionStatus.COMPLETE:
                issues.append(CellIssue(ref("completed_on"), (
                    f"The action has a completion date but its status is "
                    f"“{cells.shorten(status_said)}”: make it Complete, or clear the date")))
    if issues or owner is None or due_date is None:
        return None
    if status is ActionStatus.COMPLETE and completed_on is None:
        # Not said when: the due date if it has passed, otherwise today.
        completed_on = min(due_date, today)
    return PlannedAction(
        row=row.number, description=description, owner=owner, due_date=due_date,
        status=status, completed_on=completed_on if status is ActionStatus.COMPLETE else None,
        overdue=status.is_open and due_date < today,
    )


def _match_existing(group: _Group, existing_by_key: Mapping[str, list[Item]],
                    inspection: Inspection | None) -> None:
    found = existing_by_key.get(group.key, [])
    first_row = group.rows[0].number if group.rows else 0
    if len(found) > 1:
        group.issues.append((first_row, CellIssue(group.finding_cell, (
            f"{len(found)} items of this inspection have this title or finding: change the "
            "finding's words here to match one of them exactly"))))
        return
    if found:
        group.existing = found[0]
        # An existing item keeps its details: what the sheet says about them is not used.
        group.issues = [(row, issue) for row, issue in group.issues
                        if issue.cell == group.finding_cell]
        if found[0].status is ItemStatus.COMPLETE:
            group.issues.append((first_row, CellIssue(group.finding_cell, (
                f"The item “{cells.shorten(found[0].title)}” is complete and signed off: "
                "actions cannot be added to it"))))
        return
    target = group.values.get("target_date")
    if target and inspection is not None and inspection.letter_date and (
            target[0] < inspection.letter_date):
        group.issues.append((first_row, CellIssue(target[2], (
            f"The item's target date, {long_date(target[0])}, is before the letter's date, "
            f"{long_date(inspection.letter_date)}"))))


def _leave_out_with_item(group: _Group) -> None:
    """A problem with the item leaves out all its rows: each says where the problem is."""
    if not group.issues:
        return
    for number, issue in group.issues:
        for row in group.rows:
            if row.number == number:
                row.issues.append(issue)
    cells_named = ", ".join(dict.fromkeys(issue.cell for _, issue in group.issues))
    for row in group.rows:
        if not any(number == row.number for number, _ in group.issues):
            row.issues.append(CellIssue("", f"Left out with its item, which has a problem in "
                                            f"{cells_named}"))


def _mark_repeats(groups: Iterable[_Group]) -> None:
    """Leave out actions already in the tracker, and a sheet's second copy of an action."""
    for group in groups:
        known: dict[tuple[str, date], str] = {}
        if group.existing is not None:
            for action in group.existing.actions:
                known[(text_key(action.description), action.due_date)] = ""
        for row in group.rows:
            action = row.action
            if row.issues or action is None:
                continue
            key = (text_key(action.description), action.due_date)
            if key in known:
                where = known[key]
                row.issues.append(CellIssue("", (
                    f"The same action, due the same day, as row {where}" if where else
                    "This action, due the same day, is already in the tracker: it was "
                    "imported or added before")))
                continue
            known[key] = str(row.number)


def _planned_item(group: _Group, actions: list[PlannedAction]) -> PlannedItem:
    existing = group.existing
    if existing is not None:
        return PlannedItem(
            finding_text=existing.finding.text, title=existing.title,
            category=existing.finding.category, existing=existing,
            lead_officer=existing.lead_officer, priority=existing.priority,
            theme=existing.theme, target_date=existing.target_date, actions=actions,
        )

    def value(key: str, default: Any = None) -> Any:
        return group.values[key][0] if key in group.values else default

    category = value("finding_type", FindingCategory.AREA_FOR_DEVELOPMENT)
    priority = value("priority") or (
        Priority.HIGH if category is FindingCategory.PRIORITY_ACTION else Priority.MEDIUM)
    return PlannedItem(
        finding_text=group.finding_text, title=short_title(group.finding_text),
        category=category, existing=None, lead_officer=value("lead_officer"),
        priority=priority, theme=value("theme", ""), target_date=value("target_date"),
        actions=actions,
    )
