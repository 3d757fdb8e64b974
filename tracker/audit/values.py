"""The values a history entry holds, as typed JSON, and the Python values they stand for.

Each field that can change has one type of value (`FIELD_TYPES`), stored as JSON:

| Python value | JSON |
|---|---|
| an enum (`ActionStatus.IN_PROGRESS`, `Rag.RED`, `Priority.HIGH`) | its value: `"in progress"` |
| a date | ISO 8601: `"2027-01-09"` |
| a person (a `User`) | `{"user_id": 5}` |
| a person named only by a name (see `Person`) | `{"name": "Sam Smith"}` |
| text (a title, an evidence link) | the text |
| a number | the number |
| no value (no lead officer yet; the RAG worked out by the rule) | `null` |

Words for people are never stored: `tracker.audit.words` makes them when an entry is shown, so
renaming a label or changing how dates are written changes no entry, and code that reads the
history (tracker.evidence.asof, tracker.reports.snapshot) reads values, never words.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tracker.accounts.models import User
from tracker.items.models import ActionStatus, ItemStatus, Priority, Rag


class HistoryField(enum.Enum):
    """The field an entry's values are of. Each has one type of value (`FIELD_TYPES`)."""

    # An item's
    TITLE = "title"
    THEME = "theme"
    PRIORITY = "priority"
    TARGET_DATE = "target date"
    MEASURE_OF_SUCCESS = "measure of success"
    LEAD_OFFICER = "lead officer"
    # Its progress: open, awaiting sign-off, complete.
    ITEM_STATUS = "item status"
    # The RAG set by hand; no value is the rule's own.
    RAG = "RAG"
    # An action's
    DESCRIPTION = "description"
    OWNER = "owner"
    STATUS = "status"
    DUE_DATE = "due date"
    EVIDENCE_LINK = "evidence link"
    # A partner link's: the person it was sent to (no field of the action changes).
    RECIPIENT = "recipient"

    @property
    def label(self) -> str:
        """The field as a sentence names it: "target date", "status"."""
        return "status" if self is HistoryField.ITEM_STATUS else self.value


@dataclass(frozen=True)
class Person:
    """Someone a history value names: a user of the tracker (`user_id`), or, only in entries
    recorded before the history kept ids, a name that matched no one person of the council
    (`name`, kept as it was written)."""

    user_id: int | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        if (self.user_id is None) == (self.name is None):
            raise ValueError("a person is a user id or a name kept as text, not both")


FIELD_TYPES: dict[HistoryField, type] = {
    HistoryField.TITLE: str,
    HistoryField.THEME: str,
    HistoryField.PRIORITY: Priority,
    HistoryField.TARGET_DATE: date,
    HistoryField.MEASURE_OF_SUCCESS: str,
    HistoryField.LEAD_OFFICER: Person,
    HistoryField.ITEM_STATUS: ItemStatus,
    HistoryField.RAG: Rag,
    HistoryField.DESCRIPTION: str,
    HistoryField.OWNER: Person,
    HistoryField.STATUS: ActionStatus,
    HistoryField.DUE_DATE: date,
    HistoryField.EVIDENCE_LINK: str,
    HistoryField.RECIPIENT: Person,
}


class NotAValueOfTheField(TypeError):
    """Raised when code records a value of the wrong type for its field."""


def person(value: User | Person) -> Person:
    """A user (or a person already) as a history value."""
    return value if isinstance(value, Person) else Person(user_id=value.id)


def to_json(field: HistoryField | None, value: Any) -> Any:
    """A Python value of `field`'s type as the JSON the entry stores. Refuses a value of
    another type, so a caller cannot store words where a value belongs."""
    if value is None:
        return None
    if field is None:
        raise NotAValueOfTheField(f"a value ({value!r}) needs a field")
    wanted = FIELD_TYPES[field]
    if wanted is Person and isinstance(value, User):
        if value.id is None:
            raise NotAValueOfTheField("a person must be saved before the history names them")
        value = person(value)
    if wanted is date and isinstance(value, datetime):
        raise NotAValueOfTheField(f"{field.value} is a date, not a moment")
    if not isinstance(value, wanted):
        raise NotAValueOfTheField(
            f"{field.value} takes a {wanted.__name__}, not {type(value).__name__}: {value!r}")
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Person):
        return {"user_id": value.user_id} if value.user_id is not None else {"name": value.name}
    return value


def from_json(field: HistoryField | None, stored: Any) -> Any:
    """The Python value an entry's JSON stands for, of its field's type; None for none."""
    if stored is None or field is None:
        return None
    wanted = FIELD_TYPES[field]
    if wanted is Person:
        if "user_id" in stored:
            return Person(user_id=int(stored["user_id"]))
        return Person(name=str(stored["name"]))
    if wanted is date:
        return date.fromisoformat(stored)
    if issubclass(wanted, enum.Enum):
        return wanted(stored)
    return stored


def user_id_in(stored: Any) -> int | None:
    """The user id a stored person value holds, else None."""
    if isinstance(stored, dict) and isinstance(stored.get("user_id"), int):
        return stored["user_id"]
    return None
