"""The history in words, made when an entry is shown, from its typed values.

Nothing here is stored: a label renamed or a date written another way changes how every
entry, old or new, is shown (tracker.audit.values says why). Nothing here touches the
database: the people entries name come loaded (`People`, from tracker.audit.service).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from tracker.accounts.models import shown_name
from tracker.audit.models import HistoryKind
from tracker.audit.values import HistoryField, Person, from_json
from tracker.formatting import long_date

if TYPE_CHECKING:
    from tracker.accounts.models import User
    from tracker.audit.models import HistoryEntry

# The RAG set by hand has no value when the rule works it out.
RULE = "Worked out by the rule"
THE_TRACKER = "The tracker"


@dataclass(frozen=True)
class Named:
    """Someone the history names, read as plain values: their name, and a partner's
    organisation (what `People` needs of a `User`)."""

    name: str
    organisation: str | None = None

    @property
    def display_name(self) -> str:
        return shown_name(self.name, self.organisation)


@dataclass
class People:
    """Everyone a list of history entries names, loaded at once: who wrote each entry, and
    the people its values name (a lead officer or owner before and after). Each is a `User`,
    or a `Named` where a page read them as plain values."""

    users: dict[int, User | Named] = field(default_factory=dict)

    def name_of(self, person: Person | None, *, display: bool = False) -> str:
        """A person's name as the history shows it; a name kept as text (from before the
        history kept ids) as it was written. `display` adds a partner's organisation."""
        if person is None:
            return ""
        if person.user_id is None:
            return person.name or ""
        user = self.users.get(person.user_id)
        if user is None:
            return "Someone no longer on the tracker"
        return user.display_name if display else user.name


def value_in_words(field_: HistoryField | None, value: Any, people: People, *,
                   display: bool = False) -> str:
    """One value as people read it: a label, "9 January 2027", a name, the text."""
    if value is None:
        return RULE if field_ is HistoryField.RAG else ""
    if isinstance(value, Person):
        return people.name_of(value, display=display)
    if isinstance(value, date):
        return long_date(value)
    if isinstance(value, enum.Enum):
        return str(value.label)  # type: ignore[attr-defined]
    return str(value)


def change_in_words(entry: HistoryEntry | StoredEntry, people: People, *,
                    display: bool = False) -> str:
    """What an entry changed: "status from “In progress” to “Complete”"; for a planned action
    "due 9 January 2027"; "" when it changed no field."""
    if entry.field is None:
        return ""
    if entry.field is HistoryField.RECIPIENT:
        # A partner link's entry: who it went to, by their name as it is now.
        name = value_in_words(entry.field, entry.new, people, display=True)
        return f"{'to' if entry.kind is HistoryKind.PARTNER_LINK_SENT else 'sent to'} {name}"
    new = value_in_words(entry.field, entry.new, people, display=display)
    if entry.kind is HistoryKind.CREATED:
        return f"due {new}" if new and entry.field is HistoryField.DUE_DATE else ""
    old = value_in_words(entry.field, entry.old, people, display=display)
    if not (old or new):
        return ""
    words = entry.field.label
    words += f" from “{old}”" if old else ""
    words += f" to “{new}”" if new else ""
    return words


# A partner link's entries written before the recipient was kept as a value named them in
# their text; shown without the name, which may be of a person since anonymised.
_LEGACY_LINK_TEXTS = (
    (HistoryKind.PARTNER_LINK_SENT, re.compile(r"^To .+?\. (It works until )", re.DOTALL),
     r"\1"),
    (HistoryKind.PARTNER_LINK_REVOKED,
     re.compile(r"^The link sent to .+? on (\d{1,2} \w+ \d{4}) no longer works", re.DOTALL),
     r"The link sent on \1 no longer works"),
)


def entry_text(entry: HistoryEntry | StoredEntry) -> str:
    """An entry's text as shown: as written, but for the name in an old partner link entry."""
    if entry.field is None:
        for kind, pattern, replacement in _LEGACY_LINK_TEXTS:
            if entry.kind is kind:
                return pattern.sub(replacement, entry.text)
    return entry.text


@dataclass(frozen=True)
class ShownEntry:
    """One history entry as a page shows it."""

    kind: str
    partner: bool
    # What changed, in words ("status from “Not started” to “In progress”"), or "".
    change: str
    action_id: int | None
    # The action's description, for a history that lists several actions' entries.
    action: str
    text: str
    author: str
    at: datetime


@dataclass(frozen=True)
class StoredEntry:
    """A history entry read as plain values rather than as a `HistoryEntry` (a long history
    reads faster so), with its action's description: what showing it needs."""

    kind: HistoryKind
    field: HistoryField | None
    old_value: Any
    new_value: Any
    text: str
    author_id: int | None
    created_at: datetime
    action_id: int | None
    action_description: str | None
    partner_link_id: int | None

    @classmethod
    def of(cls, entry: HistoryEntry) -> StoredEntry:
        """The same values of a loaded entry (its action is read for its description)."""
        return cls(entry.kind, entry.field, entry.old_value, entry.new_value, entry.text,
                   entry.author_id, entry.created_at, entry.action_id,
                   entry.action.description if entry.action is not None else None,
                   entry.partner_link_id)

    @property
    def old(self) -> Any:
        return from_json(self.field, self.old_value)

    @property
    def new(self) -> Any:
        return from_json(self.field, self.new_value)


def shown_stored_entries(entries: list[StoredEntry], people: People) -> list[ShownEntry]:
    """Entries read as plain values, in words, as `shown_entries` makes them (`people` holds
    everyone they name, their authors included)."""
    shown = []
    for entry in entries:
        author = people.users.get(entry.author_id) if entry.author_id is not None else None
        shown.append(ShownEntry(
            kind=entry.kind.label,
            partner=entry.partner_link_id is not None,
            change=change_in_words(entry, people),
            action_id=entry.action_id,
            action=entry.action_description or "",
            text=entry_text(entry),
            author=author.name if author is not None else THE_TRACKER,
            at=entry.created_at,
        ))
    return shown


def shown_entries(entries: list[HistoryEntry], people: People) -> list[ShownEntry]:
    """Entries in words, with their authors' names (`people` loaded for these entries, their
    authors included): the same words as entries read as plain values."""
    return shown_stored_entries([StoredEntry.of(entry) for entry in entries], people)
