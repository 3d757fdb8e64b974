"""What the columns of an action plan mean: the tracker's fields, guessing which column holds
which from the headings, and reading a cell's words as a date, a status, a kind of finding or
a priority. Pure: no Flask and no database.

Each reader returns the value or raises `CellProblem` with the reason in plain words; the
caller adds the cell reference ("D7").
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from tracker.inspections.importer.dates import month_number
from tracker.inspections.models import FindingCategory
from tracker.items.models import ActionStatus, Priority


class CellProblem(ValueError):
    """A cell whose words the tracker cannot use, and why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PlanField:
    """One thing the tracker records that a column of the spreadsheet may hold."""

    key: str
    label: str
    hint: str
    required: bool = False
    # Said once per tracked item, not per action: taken from the item's first row that has it.
    of_item: bool = False


FIELDS: tuple[PlanField, ...] = (
    PlanField("finding", "Finding or area for development",
              "The finding's text. Rows with the same text (ignoring capitals and spaces) are "
              "one tracked item with several actions; a row where it is blank belongs to the "
              "item above it, as with merged cells.", required=True),
    PlanField("finding_type", "Kind of finding",
              "Area for priority action or area for development. Blank means area for "
              "development.", of_item=True),
    PlanField("action", "Action", "What will be done.", required=True),
    PlanField("owner", "Action owner",
              "An administrator's or manager's full name or email address. Not in this "
              "spreadsheet: you own every action."),
    PlanField("due_date", "Due date",
              "For example 31/03/2013, 2013-03-31 or 31 March 2013; “March 2013” means the end "
              "of March.", required=True),
    PlanField("status", "Action status",
              "Not started, in progress, complete or cancelled, or words like “Done” or "
              "“On track”. Blank means not started."),
    PlanField("completed_on", "Completed on", "The day a complete action was done."),
    PlanField("lead_officer", "Lead officer",
              "The item's lead: an administrator's or manager's full name or email address.",
              of_item=True),
    PlanField("priority", "Priority", "High, medium or low.", of_item=True),
    PlanField("theme", "Theme", "The item's theme, such as “Voice of the child”.", of_item=True),
    PlanField("target_date", "Item target date", "The date the item's outcome is due.",
              of_item=True),
)
FIELD_KEYS = tuple(f.key for f in FIELDS)
FIELDS_BY_KEY = {f.key: f for f in FIELDS}


# --- Guessing the columns from their headings -------------------------------------------

# For each field, headings that name it, the most telling first. A heading equal to one of
# them counts most; one that starts or ends with it less; one that contains it least.
HEADING_WORDS: dict[str, tuple[str, ...]] = {
    "finding": (
        "area for development", "areas for development", "finding", "findings",
        "recommendation", "recommendations", "area for improvement", "areas for improvement",
        "area for priority action", "areas for priority action", "inspection finding",
        "issue", "issues", "area", "tracked item", "item", "improvement area",
        "development area", "weakness", "what inspectors said", "concern",
    ),
    "finding_type": ("finding type", "kind of finding", "type of finding", "type", "category"),
    "action": (
        "action", "actions", "action to be taken", "actions to be taken", "what we will do",
        "planned action", "planned actions", "action required", "task", "tasks", "activity",
        "steps",
    ),
    "owner": (
        "action owner", "owner", "responsible officer", "responsible", "responsibility",
        "person responsible", "officer responsible", "by whom", "who", "assigned to",
        "owned by", "accountable officer",
    ),
    "due_date": (
        "due date", "due", "target date", "timescale", "timescales", "deadline", "by when",
        "date due", "target completion date", "completion date", "timeframe", "when",
        "target",
    ),
    "status": ("action status", "status", "progress", "current status", "state"),
    "completed_on": (
        "completed on", "date completed", "completed date", "actual completion date",
        "date achieved", "completed", "date done",
    ),
    "lead_officer": (
        "lead officer", "lead", "lead manager", "strategic lead", "lead responsible officer",
        "accountable",
    ),
    "priority": ("priority",),
    "theme": ("theme", "themes", "workstream", "work stream", "strand", "area of work"),
    "target_date": (
        "item target date", "outcome date", "outcome target date", "overall target date",
        "target date",
    ),
}


def heading_key(text: str) -> str:
    """A heading or cell as compared: lower case, words only, single spaces."""
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def _heading_score(heading: str, words: tuple[str, ...]) -> tuple[int, int] | None:
    """How well a heading names a field: (strength, -rank of the words it matched)."""
    best: tuple[int, int] | None = None
    padded = f" {heading} "
    for rank, word in enumerate(words):
        if heading == word:
            score = (3, -rank)
        elif heading.startswith(word + " ") or heading.endswith(" " + word):
            score = (2, -rank)
        elif f" {word} " in padded:
            score = (1, -rank)
        else:
            continue
        if best is None or score > best:
            best = score
    return best


def guess_mapping(headers: list[str]) -> dict[str, int]:
    """Which column holds which field, guessed from the headings: the best-named pairs first,
    each column given to one field at most."""
    keys = [heading_key(h) for h in headers]
    candidates = []
    for field_number, (name, words) in enumerate(HEADING_WORDS.items()):
        for column, heading in enumerate(keys):
            if not heading:
                continue
            score = _heading_score(heading, words)
            if score is not None:
                candidates.append((score, -field_number, -column, name, column))
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for _score, _field, _column, name, column in sorted(candidates, reverse=True):
        if name not in mapping and column not in used:
            mapping[name] = column
            used.add(column)
    return {key: mapping[key] for key in FIELD_KEYS if key in mapping}


# --- Reading a cell's words ----------------------------------------------------------------

def words_of(text: str) -> str:
    """A cell's words as compared: lower case, letters and digits only, single spaces."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.casefold()).split())


def _reading(table: dict[str, object], text: str) -> object | None:
    """The value whose words the cell says, or says before a dash, colon, comma or bracket
    ("Completed - see the audit report", "On track (50%)")."""
    said = words_of(text)
    if said in table:
        return table[said]
    first = re.split(r"\s*[-–—:;,(/]", " ".join(text.casefold().split()), maxsplit=1)[0]
    return table.get(words_of(first))


STATUS_WORDS: dict[str, object] = {
    **dict.fromkeys(
        ("not started", "not yet started", "yet to start", "to start", "planned", "to do",
         "todo", "pending", "not due", "not yet due", "scheduled", "new", "open"),
        ActionStatus.NOT_STARTED),
    **dict.fromkeys(
        ("in progress", "in hand", "ongoing", "on going", "on track", "started", "underway",
         "under way", "progressing", "partially complete", "partly complete",
         "part complete", "partially completed", "partly completed", "delayed", "behind",
         "behind schedule", "at risk", "off track", "slipped", "overdue", "wip"),
        ActionStatus.IN_PROGRESS),
    **dict.fromkeys(
        ("complete", "completed", "done", "finished", "closed", "achieved", "met",
         "fully complete", "fully completed", "complete and evidenced", "implemented",
         "delivered", "embedded"),
        ActionStatus.COMPLETE),
    **dict.fromkeys(
        ("cancelled", "canceled", "withdrawn", "no longer required", "not required",
         "superseded", "dropped", "deleted", "removed", "stopped"),
        ActionStatus.CANCELLED),
}
RAG_WORDS = {"red", "amber", "green", "blue", "r", "a", "g", "b", "rag"}


def read_status(text: str) -> ActionStatus:
    """The action's status from a cell: blank is not started."""
    if not text.strip():
        return ActionStatus.NOT_STARTED
    status = _reading(STATUS_WORDS, text)
    if isinstance(status, ActionStatus):
        return status
    if words_of(text) in RAG_WORDS:
        raise CellProblem(
            f"“{shorten(text)}” is a RAG rating, not a status: the tracker works RAG out "
            "itself. Use Not started, In progress, Complete or Cancelled"
        )
    raise CellProblem(
        f"“{shorten(text)}” is not a status the tracker knows: use Not started, In progress, "
        "Complete or Cancelled"
    )


CATEGORY_WORDS: dict[str, object] = {
    **dict.fromkeys(
        ("area for priority action", "areas for priority action", "priority action",
         "priority actions", "area of priority action", "priority", "apa", "pa", "urgent"),
        FindingCategory.PRIORITY_ACTION),
    **dict.fromkeys(
        ("area for development", "areas for development", "development area",
         "development", "afd", "ad", "area of development"),
        FindingCategory.AREA_FOR_DEVELOPMENT),
    **dict.fromkeys(
        ("area for improvement", "areas for improvement", "improvement", "afi",
         "recommendation", "recommendations"),
        FindingCategory.AREA_FOR_IMPROVEMENT),
}


def read_category(text: str) -> FindingCategory:
    """The kind of finding from a cell: blank is an area for development."""
    if not text.strip():
        return FindingCategory.AREA_FOR_DEVELOPMENT
    category = _reading(CATEGORY_WORDS, text)
    if isinstance(category, FindingCategory):
        return category
    raise CellProblem(
        f"“{shorten(text)}” is not a kind of finding the tracker knows: use Area for priority "
        "action or Area for development"
    )


PRIORITY_WORDS: dict[str, object] = {
    "high": Priority.HIGH, "h": Priority.HIGH, "1": Priority.HIGH,
    "medium": Priority.MEDIUM, "med": Priority.MEDIUM, "m": Priority.MEDIUM,
    "2": Priority.MEDIUM,
    "low": Priority.LOW, "l": Priority.LOW, "3": Priority.LOW,
}


def read_priority(text: str) -> Priority | None:
    """The item's priority from a cell; None when blank (the kind of finding decides)."""
    if not text.strip():
        return None
    priority = PRIORITY_WORDS.get(words_of(text))
    if isinstance(priority, Priority):
        return priority
    raise CellProblem(f"“{shorten(text)}” is not a priority: use High, Medium or Low")


# --- Dates ---------------------------------------------------------------------------------

_MONTH_WORD = r"([A-Za-z]{3,9})\.?"
_YEAR = r"(\d{4}|\d{2})"
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_NUMERIC = re.compile(rf"(\d{{1,2}})[/.\-](\d{{1,2}})[/.\-]{_YEAR}")
_DAY_MONTH_YEAR = re.compile(rf"(\d{{1,2}})(?:st|nd|rd|th)?[\s\-/]+{_MONTH_WORD},?[\s\-/]+{_YEAR}")
_MONTH_DAY_YEAR = re.compile(rf"{_MONTH_WORD}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})")
_MONTH_YEAR = re.compile(rf"{_MONTH_WORD},?[\s\-/]+{_YEAR}")
_LEADING_WORDS = re.compile(
    r"(?:due by|by the end of|by end of|the end of|end of|by|due|before)\s+", re.IGNORECASE
)
EARLIEST_YEAR = 1990
LATEST_YEAR = 2100
DATE_EXAMPLES = "like 31/03/2013, 2013-03-31, 31 March 2013 or March 2013"


def read_date(text: str) -> date:
    """A date as a spreadsheet cell holds it: 31/03/2013, 31.3.13, 2013-03-31, 31-Mar-13,
    "31 March 2013", "March 31, 2013"; "March 2013" and "Mar-13" mean the end of that month.
    Days come before months, as in the UK. Raises `CellProblem` for anything else."""
    words = " ".join(text.split()).strip(" .,")
    if not words:
        raise CellProblem("The date is blank")
    if found := _LEADING_WORDS.match(words):
        words = words[found.end():]
    year = month = day = None
    month_only = False
    if found := _ISO.fullmatch(words):
        year, month, day = (int(part) for part in found.groups())
    elif found := _NUMERIC.fullmatch(words):
        day, month, year = int(found[1]), int(found[2]), _full_year(found[3])
        if month > 12 and day <= 12:
            raise CellProblem(
                f"“{shorten(text)}” is not a real date: dates are read day first, as in "
                "31/03/2013"
            )
    elif (found := _DAY_MONTH_YEAR.fullmatch(words)) and _is_month(found[2]):
        day, month, year = int(found[1]), month_number(found[2]), _full_year(found[3])
    elif (found := _MONTH_DAY_YEAR.fullmatch(words)) and _is_month(found[1]):
        month, day, year = month_number(found[1]), int(found[2]), int(found[3])
    elif (found := _MONTH_YEAR.fullmatch(words)) and _is_month(found[1]):
        month, year, month_only = month_number(found[1]), _full_year(found[2]), True
    if year is None or month is None:
        raise CellProblem(f"“{shorten(text)}” is not a date: give a date {DATE_EXAMPLES}")
    if not EARLIEST_YEAR <= year <= LATEST_YEAR or not 1 <= month <= 12:
        raise CellProblem(f"“{shorten(text)}” is not a real date: give a date {DATE_EXAMPLES}")
    if month_only:
        day = calendar.monthrange(year, month)[1]
    try:
        return date(year, month, day or 1)
    except ValueError as error:
        raise CellProblem(
            f"“{shorten(text)}” is not a real date: give a date {DATE_EXAMPLES}"
        ) from error


def _is_month(word: str) -> bool:
    try:
        month_number(word)
    except KeyError:
        return False
    return True


def _full_year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def shorten(text: str, limit: int = 60) -> str:
    """A cell's words as a message quotes them: on one line, cut short."""
    words = " ".join(text.split())
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"
