"""The facts of an item's actions that its status needs, kept on the item.

How many of an item's actions are open (not started or in progress), complete and
cancelled, and the earliest due dates of its open and of its not-started actions
(`FACT_COLUMNS`, with how many had their due date moved, which the dashboard counts) say
what the actions are, not what day it is: they change only when an
action is added, removed, or changed in its status, its due date or the item it belongs to.
So the item keeps them in columns of its own, and lists, counts and filters over thousands of
items read them without aggregating a single action. The status itself is still worked out
whenever it is shown, from these columns and today's date (`tracker.items.status`), so it is
right on any day with no nightly job.

`recompute_item_facts` is the one thing that writes them: it works them out again from the
actions, for the items named. `keep_item_facts` makes every session call it after each flush
for the items whose actions the flush added, changed or deleted (before and after an action
moves to another item), so no service has to remember to. Code that writes actions without
the ORM (the bench data's bulk inserts) calls it itself.

Like "last updated", these are values the tracker works out, not edits: a Core UPDATE of
their own writes them, which never moves the item's version, so saving an action never
conflicts with someone editing its item.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import ColumnElement, event, func, inspect, or_, select, update
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.orm.util import identity_key

from tracker.items.models import OPEN_ACTION_STATUSES, Action, ActionStatus, Item

# The item's columns this module keeps.
FACT_COLUMNS = ("open_actions", "complete_actions", "cancelled_actions", "earliest_open_due",
                "earliest_not_started_due", "moved_actions")
# What of an action its item's facts depend on.
_COUNTED_ATTRIBUTES = ("status", "due_date", "original_due_date", "item_id", "item")
# Items named in one UPDATE at most (databases limit bound values per statement).
_CHUNK = 500
_NOTED = "tracker.items.facts: items whose actions changed"


def facts_from_actions_in_sql() -> dict[str, ColumnElement[Any]]:
    """Each fact as a scalar subquery over the actions of the item row it is correlated to:
    the same counting for the UPDATE that keeps them and for tests that check them."""
    item, action = Item.__table__, Action.__table__
    is_open = action.c.status.in_(OPEN_ACTION_STATUSES)

    def over_actions(value: ColumnElement[Any], *where: ColumnElement[bool]) -> Any:
        return (select(value).where(action.c.item_id == item.c.id, *where)
                .correlate(item).scalar_subquery())

    return {
        "open_actions": over_actions(func.count(), is_open),
        "complete_actions": over_actions(func.count(), action.c.status == ActionStatus.COMPLETE),
        "cancelled_actions": over_actions(func.count(),
                                          action.c.status == ActionStatus.CANCELLED),
        "earliest_open_due": over_actions(func.min(action.c.due_date), is_open),
        "earliest_not_started_due": over_actions(func.min(action.c.due_date),
                                                 action.c.status == ActionStatus.NOT_STARTED),
        "moved_actions": over_actions(func.count(),
                                      action.c.due_date != action.c.original_due_date),
    }


def recompute_item_facts(session: Session | scoped_session[Any],
                         item_ids: Iterable[int]) -> None:
    """Work out again the kept facts of these items from their actions (one UPDATE with
    correlated subqueries per 500 items), and expire them on the session's copies of the
    items so that the next read sees the new values. Moves no item's version."""
    ids = sorted(set(item_ids))
    if not ids:
        return
    item = Item.__table__
    connection = session.connection()
    for start in range(0, len(ids), _CHUNK):
        connection.execute(update(item).where(item.c.id.in_(ids[start:start + _CHUNK]))
                           .values(facts_from_actions_in_sql()))
    for item_id in ids:
        kept = session.identity_map.get(identity_key(Item, item_id))
        if kept is not None:
            session.expire(kept, FACT_COLUMNS)


def _items_of(action: Action) -> set[int]:
    """The items an action belongs to now and belonged to before this flush."""
    attributes = inspect(action).attrs
    ids = set()
    for value in attributes.item_id.history.sum():
        if value is not None:
            ids.add(value)
    for item in attributes.item.history.sum():
        if item is not None and item.id is not None:
            ids.add(item.id)
    return ids


def _counts_for_facts(action: Action) -> bool:
    attributes = inspect(action).attrs
    return any(attributes[name].history.has_changes() for name in _COUNTED_ATTRIBUTES)


def _note_items_left(session: Session, flush_context: Any, instances: Any) -> None:
    """Before a flush: note the items of the actions it will delete (reading their item if it
    was not read) and the items that changed actions leave (`Action.item` and `item_id` keep
    their old value when set)."""
    noted: set[int] = session.info.setdefault(_NOTED, set())
    for action in session.deleted:
        if isinstance(action, Action):
            noted.add(action.item_id)
    for action in session.dirty:
        if isinstance(action, Action) and _counts_for_facts(action):
            noted |= _items_of(action)


def _note_changed_actions(session: Session, flush_context: Any) -> None:
    """After a flush's statements, while the session still knows what it flushed: note the
    items of every action added, or changed in what its item's facts count (the item it
    belongs to now, whose id an added one has only now)."""
    noted: set[int] = session.info.setdefault(_NOTED, set())
    for action in session.new:
        if isinstance(action, Action):
            noted |= _items_of(action)
    for action in session.dirty:
        if isinstance(action, Action) and _counts_for_facts(action):
            noted |= _items_of(action)


def _recompute_noted(session: Session, flush_context: Any) -> None:
    """Once the flush is done: recompute the noted items' facts, in the same transaction."""
    noted = session.info.pop(_NOTED, None)
    if noted:
        recompute_item_facts(session, noted)


def _forget_noted(session: Session, *args: Any) -> None:
    session.info.pop(_NOTED, None)


def keep_item_facts(sessions: Any) -> None:
    """Keep every item's facts right on the sessions `sessions` makes (a session, a
    sessionmaker or Flask-SQLAlchemy's scoped session): after each flush, the items whose
    actions it touched are recomputed. Listening twice is harmless (one app per test)."""
    for name, listener in (("before_flush", _note_items_left),
                           ("after_flush", _note_changed_actions),
                           ("after_flush_postexec", _recompute_noted),
                           ("after_soft_rollback", _forget_noted)):
        if not event.contains(sessions, name, listener):
            event.listen(sessions, name, listener)


def stored_facts_differ(session: Session | scoped_session[Any],
                        item_ids: Collection[int] | None = None) -> list[int]:
    """The items (of these, or of all) whose kept facts are not what their actions say now:
    none, when everything is kept right. For tests and for a check after bulk writes."""
    item = Item.__table__
    counted = facts_from_actions_in_sql()
    differs = [item.c[name].is_distinct_from(counted[name]) for name in FACT_COLUMNS]
    query = select(item.c.id).where(or_(*differs)).order_by(item.c.id)
    if item_ids is not None:
        query = query.where(item.c.id.in_(list(item_ids)))
    return list(session.scalars(query))
