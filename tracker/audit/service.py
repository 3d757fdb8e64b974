"""Writing and reading the history. Every change is recorded in the same transaction as the
change itself, by the service that makes it (which also moves the item's and action's "last
updated": tracker.items.service.note_updated)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, Integer, Select, bindparam, func, select
from sqlalchemy.orm.attributes import set_committed_value

from tracker.accounts.models import User
from tracker.audit.models import HistoryEntry, HistoryField, HistoryKind
from tracker.audit.values import to_json, user_id_in
from tracker.audit.words import (
    Named,
    People,
    ShownEntry,
    StoredEntry,
    shown_entries,
    shown_stored_entries,
)
from tracker.extensions import db
from tracker.items.models import Action
from tracker.pagination import PER_PAGE, Page, clamp

if TYPE_CHECKING:
    from tracker.items.models import Item
    from tracker.partners.models import PartnerLink


def record_history(
    *,
    item: Item,
    author: User | None,
    now: datetime,
    kind: HistoryKind,
    action: Action | None = None,
    field: HistoryField | None = None,
    old_value: Any = None,
    new_value: Any = None,
    text: str = "",
    partner_link: PartnerLink | None = None,
) -> HistoryEntry:
    """Append one history entry. `old_value` and `new_value` are Python values of `field`'s
    type (an enum, a date, a User, text: tracker.audit.values), stored as typed JSON; a
    value of another type is refused (NotAValueOfTheField).

    `partner_link` is the link a partner posted the change through, which marks it as a
    partner update."""
    entry = HistoryEntry(
        item=item,
        action=action,
        author=author,
        created_at=now,
        kind=kind,
        field=field,
        old_value=to_json(field, old_value),
        new_value=to_json(field, new_value),
        text=text,
        partner_link_id=partner_link.id if partner_link is not None else None,
    )
    db.session.add(entry)
    return entry


def _item_history(item: Item) -> Select[tuple[HistoryEntry]]:
    return (select(HistoryEntry).where(HistoryEntry.item_id == item.id)
            .order_by(HistoryEntry.created_at.desc(), HistoryEntry.id.desc()))


def history_of_item(item: Item) -> list[HistoryEntry]:
    """The item's whole history, its actions' included, newest first."""
    return list(db.session.scalars(_item_history(item)))


def _stored_entries(query: Select[Any]) -> list[StoredEntry]:
    """The entries `query` narrows `_STORED` to, as plain values."""
    return [StoredEntry(*row) for row in db.session.execute(
        query.order_by(HistoryEntry.created_at.desc(), HistoryEntry.id.desc()))]


# An entry's columns as `StoredEntry` holds them, with its action's description.
_STORED = (
    select(HistoryEntry.kind, HistoryEntry.field, HistoryEntry.old_value,
           HistoryEntry.new_value, HistoryEntry.text, HistoryEntry.author_id,
           HistoryEntry.created_at, HistoryEntry.action_id, Action.description,
           HistoryEntry.partner_link_id)
    .outerjoin(Action, Action.id == HistoryEntry.action_id)
)


def item_history_in_words(item_id: int, page: int, per_page: int = PER_PAGE
                          ) -> Page[ShownEntry]:
    """One page of the item's history in words, its actions' entries included, newest first
    (50 entries a page: a busy item gathers hundreds over the years). Read as plain values,
    not `HistoryEntry` objects, with each entry's action description and everyone the page
    names: three statements, whatever the length of the history."""
    total = db.session.scalar(_item_history_count(), {"item_id": item_id}) or 0
    page = clamp(page, total, per_page)
    entries = [StoredEntry(*row) for row in db.session.execute(
        _item_history_page(), {"item_id": item_id, "per_page": per_page,
                               "offset": (page - 1) * per_page})]
    return Page(rows=shown_stored_entries(entries, named_people(entries)), total=total,
                page=page, per_page=per_page)


# The item page's statements are built once and run with the item's id as a bound parameter:
# building them took as long as running them.
@cache
def _item_history_count() -> Select[tuple[int]]:
    return (select(func.count()).select_from(HistoryEntry)
            .where(HistoryEntry.item_id == bindparam("item_id")))


@cache
def _item_history_page() -> Select[Any]:
    # The index of the history by item and time (migration 0023) gives the newest first
    # without sorting the item's whole history.
    return (_STORED.where(HistoryEntry.item_id == bindparam("item_id"))
            .order_by(HistoryEntry.created_at.desc(), HistoryEntry.id.desc())
            .limit(bindparam("per_page", type_=Integer))
            # A page number of nine digits makes an offset past PostgreSQL's integer.
            .offset(bindparam("offset", type_=BigInteger)))


def action_history_in_words(action_id: int) -> list[ShownEntry]:
    """One action's whole history in words, newest first, read as plain values with everyone
    it names (two statements)."""
    entries = _stored_entries(_STORED.where(HistoryEntry.action_id == action_id))
    return shown_stored_entries(entries, named_people(entries))


def _named_ids(entries: list[HistoryEntry] | list[StoredEntry]) -> set[int]:
    """The ids of everyone the entries name: their authors and the people their values
    name."""
    ids: set[int] = set()
    for entry in entries:
        if entry.author_id is not None:
            ids.add(entry.author_id)
        for stored in (entry.old_value, entry.new_value):
            user_id = user_id_in(stored)
            if user_id is not None:
                ids.add(user_id)
    return ids


def named_people(entries: list[StoredEntry]) -> People:
    """Everyone the entries name, as plain names (`Named`), in one statement."""
    # Always one statement, however many people (or none): a page's count never depends on it.
    return People({row.id: Named(row.name, row.organisation) for row in db.session.execute(
        _people_named(), {"ids": sorted(_named_ids(entries))})})


@cache
def _people_named() -> Select[Any]:
    return (select(User.id, User.name, User.organisation)
            .where(User.id.in_(bindparam("ids", expanding=True))))


def _action_history(action: Action) -> Select[tuple[HistoryEntry]]:
    return (select(HistoryEntry).where(HistoryEntry.action_id == action.id)
            .order_by(HistoryEntry.created_at.desc(), HistoryEntry.id.desc()))


def last_entry_of_action(action: Action) -> HistoryEntry | None:
    """The latest history entry of an action: who changed it last, and when."""
    return db.session.scalars(_action_history(action).limit(1)).first()


# The entries one progress update writes: a status, commentary, evidence.
PROGRESS_KINDS = (HistoryKind.STATUS_CHANGE, HistoryKind.COMMENTARY, HistoryKind.EVIDENCE)


def last_update_of_action(action: Action) -> list[ShownEntry]:
    """The action's latest progress update, in words: the status, commentary and evidence
    entries its author saved together (one author, one moment), oldest first; [] when nobody
    has updated it yet."""
    progress = _action_history(action).where(HistoryEntry.kind.in_(PROGRESS_KINDS))
    latest = db.session.scalars(progress.limit(1)).first()
    if latest is None:
        return []
    together = list(db.session.scalars(
        progress.where(HistoryEntry.created_at == latest.created_at,
                       HistoryEntry.author_id.is_(latest.author_id)
                       if latest.author_id is None
                       else HistoryEntry.author_id == latest.author_id)))
    return history_in_words(list(reversed(together)))


def load_people(entries: list[HistoryEntry]) -> People:
    """Load everyone the entries name in one statement, and give each entry its author, so
    that showing them asks the database nothing more."""
    # Always one statement, however many people (or none): a page's count never depends on it.
    users = {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_(sorted(_named_ids(entries)))))}
    for entry in entries:
        # As if loaded with the entry: nothing to save, and no lazy load later.
        set_committed_value(entry, "author", users.get(entry.author_id)
                            if entry.author_id is not None else None)
    return People(users)


def history_in_words(entries: list[HistoryEntry]) -> list[ShownEntry]:
    """The entries as a page shows them, in words made now from their values: one statement
    loads everyone they name."""
    return shown_entries(entries, load_people(entries))


@dataclass(frozen=True)
class LoadedHistory:
    """History entries with everyone they name loaded (`load_history`)."""

    entries: list[HistoryEntry]
    people: People


def load_history(entries: list[HistoryEntry]) -> LoadedHistory:
    """The entries with everyone they name, loaded in one statement."""
    return LoadedHistory(entries, load_people(entries))
