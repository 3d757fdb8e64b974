"""Reading items and actions for screens: filters, counts and status, without a query per row."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.accounts.models import User
from tracker.extensions import db
from tracker.inspections.models import Finding, Inspection
from tracker.items.models import (
    OPEN_ACTION_STATUSES,
    Action,
    ActionStatus,
    DueDateChange,
    DueDateChangeState,
    Item,
    ItemStatus,
    Priority,
    Rag,
)
from tracker.items.status import ItemFacts, RagResult, StatusRules, is_stale, work_out_rag
from tracker.permissions import is_admin


@dataclass
class ItemFilters:
    """What the items list can be narrowed by; every field is optional."""

    rag: Rag | None = None
    status: ItemStatus | None = None
    owner_id: int | None = None
    theme: str = ""
    inspection_id: int | None = None
    priority: Priority | None = None
    overdue_only: bool = False
    text: str = ""


@dataclass
class ItemRow:
    """One line of the items list."""

    item: Item
    rag: RagResult
    open_actions: int
    overdue_actions: int
    stale: bool


@dataclass
class ItemPage:
    rows: list[ItemRow]
    total: int
    page: int
    per_page: int
    rag_counts: Counter[Rag] = field(default_factory=Counter)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def items_of_council(council_id: int) -> Select[tuple[Item]]:
    """Items whose inspection belongs to the council: the start of every item query."""
    return (
        select(Item)
        .join(Item.finding)
        .join(Finding.inspection)
        .where(Inspection.council_id == council_id)
    )


def _within_council(query: Select, council_id: int) -> Select:
    """Narrow a query that selects actions (or joins to them) to the council's actions."""
    return (
        query.join(Action.item)
        .join(Item.finding)
        .join(Finding.inspection)
        .where(Inspection.council_id == council_id)
    )


def get_item(council_id: int, item_id: int) -> Item | None:
    """One item of the council, or None (another council's item is as good as missing)."""
    return db.session.scalars(
        items_of_council(council_id)
        .where(Item.id == item_id)
        .options(
            joinedload(Item.finding).joinedload(Finding.inspection),
            joinedload(Item.lead_officer),
            selectinload(Item.actions).joinedload(Action.owner),
            selectinload(Item.actions).selectinload(Action.due_date_changes),
        )
    ).first()


def get_action(council_id: int, action_id: int) -> Action | None:
    """One action of the council, or None."""
    return db.session.scalars(
        _within_council(select(Action), council_id)
        .where(Action.id == action_id)
        .options(
            joinedload(Action.item).joinedload(Item.finding).joinedload(Finding.inspection),
            joinedload(Action.owner),
            selectinload(Action.due_date_changes),
        )
    ).first()


def get_due_date_change(council_id: int, change_id: int) -> DueDateChange | None:
    """One due-date request of the council, or None."""
    return db.session.scalars(
        _within_council(select(DueDateChange).join(DueDateChange.action), council_id)
        .where(DueDateChange.id == change_id)
    ).first()


def item_facts(items: list[Item]) -> dict[int, ItemFacts]:
    """The facts the RAG rule needs, for many items in one query."""
    if not items:
        return {}
    open_due = func.min(case((Action.status.in_(OPEN_ACTION_STATUSES), Action.due_date)))
    not_started_due = func.min(
        case((Action.status == ActionStatus.NOT_STARTED, Action.due_date))
    )
    rows = db.session.execute(
        select(Action.item_id, open_due, not_started_due)
        .where(Action.item_id.in_([item.id for item in items]))
        .group_by(Action.item_id)
    ).all()
    by_item = {row[0]: (row[1], row[2]) for row in rows}
    facts = {}
    for item in items:
        earliest_open, earliest_not_started = by_item.get(item.id, (None, None))
        facts[item.id] = ItemFacts(
            status=item.status,
            target_date=item.target_date,
            rag_override=item.rag_override,
            rag_override_reason=item.rag_override_reason,
            earliest_open_due=earliest_open,
            earliest_not_started_due=earliest_not_started,
        )
    return facts


def rag_of(item: Item, today: date, rules: StatusRules) -> RagResult:
    """One item's RAG and its reason."""
    return work_out_rag(item_facts([item])[item.id], today, rules)


def _action_counts(item_ids: list[int], today: date) -> dict[int, tuple[int, int]]:
    if not item_ids:
        return {}
    is_open = Action.status.in_(OPEN_ACTION_STATUSES)
    rows = db.session.execute(
        select(
            Action.item_id,
            func.count(case((is_open, 1))),
            func.count(case((and_(is_open, Action.due_date < today), 1))),
        )
        .where(Action.item_id.in_(item_ids))
        .group_by(Action.item_id)
    ).all()
    return {row[0]: (row[1], row[2]) for row in rows}


def find_items(
    council_id: int,
    filters: ItemFilters,
    *,
    today: date,
    now: datetime,
    rules: StatusRules,
    page: int = 1,
    per_page: int = 50,
) -> ItemPage:
    """The items list: filtered, with each item's RAG, counts and "not updated" flag."""
    query = items_of_council(council_id).options(
        joinedload(Item.lead_officer), joinedload(Item.finding).joinedload(Finding.inspection)
    )
    if filters.status is not None:
        query = query.where(Item.status == filters.status)
    if filters.priority is not None:
        query = query.where(Item.priority == filters.priority)
    if filters.theme:
        query = query.where(Item.theme == filters.theme)
    if filters.inspection_id is not None:
        query = query.where(Finding.inspection_id == filters.inspection_id)
    if filters.owner_id is not None:
        owns_an_action = select(Action.id).where(
            Action.item_id == Item.id, Action.owner_id == filters.owner_id
        ).exists()
        query = query.where(or_(Item.lead_officer_id == filters.owner_id, owns_an_action))
    if filters.overdue_only:
        query = query.where(
            select(Action.id).where(
                Action.item_id == Item.id,
                Action.status.in_(OPEN_ACTION_STATUSES),
                Action.due_date < today,
            ).exists()
        )
    if filters.text:
        # The words are matched literally: % and _ are not wildcards to the person searching.
        words = filters.text.strip()
        for special in ("\\", "%", "_"):
            words = words.replace(special, "\\" + special)
        pattern = f"%{words}%"
        query = query.where(
            or_(
                Item.title.ilike(pattern, escape="\\"),
                Finding.text.ilike(pattern, escape="\\"),
                Item.theme.ilike(pattern, escape="\\"),
            )
        )
    query = query.order_by(Item.priority, Item.id)
    items = list(db.session.scalars(query).unique())
    facts = item_facts(items)
    rags = {item.id: work_out_rag(facts[item.id], today, rules) for item in items}
    rag_counts = Counter(result.rag for result in rags.values())
    if filters.rag is not None:
        items = [item for item in items if rags[item.id].rag is filters.rag]
    # Most urgent first: Red, Amber, Green, then Complete; then priority.
    rag_rank = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2, Rag.COMPLETE: 3}
    priority_rank = {Priority.HIGH: 0, Priority.MEDIUM: 1, Priority.LOW: 2}
    items.sort(key=lambda i: (rag_rank[rags[i.id].rag], priority_rank[i.priority], i.id))
    total = len(items)
    page = max(1, page)
    shown = items[(page - 1) * per_page : page * per_page]
    counts = _action_counts([item.id for item in shown], today)
    rows = [
        ItemRow(
            item=item,
            rag=rags[item.id],
            open_actions=counts.get(item.id, (0, 0))[0],
            overdue_actions=counts.get(item.id, (0, 0))[1],
            stale=item.status is not ItemStatus.COMPLETE
            and is_stale(item.last_updated_at, now, rules),
        )
        for item in shown
    ]
    return ItemPage(rows=rows, total=total, page=page, per_page=per_page, rag_counts=rag_counts)


def themes_in_use(council_id: int) -> list[str]:
    """The themes items have been given, for the filter list."""
    query = (
        items_of_council(council_id)
        .with_only_columns(Item.theme)
        .where(Item.theme != "")
        .distinct()
        .order_by(Item.theme)
    )
    return list(db.session.scalars(query))


def _actions_of_council(council_id: int) -> Select[tuple[Action]]:
    return (
        _within_council(select(Action), council_id)
        .options(
            joinedload(Action.owner),
            joinedload(Action.item).joinedload(Item.lead_officer),
        )
    )


def actions_for_owner(user: User, today: date) -> dict[str, list[Action]]:
    """My actions: overdue first, then due, then recently finished (the last 30 days)."""
    actions = list(
        db.session.scalars(
            _actions_of_council(user.council_id)
            .where(Action.owner_id == user.id)
            .where(
                or_(
                    Action.status.in_(OPEN_ACTION_STATUSES),
                    Action.completed_on >= today - timedelta(days=30),
                )
            )
            .order_by(Action.due_date, Action.id)
        )
    )
    overdue = [a for a in actions if a.is_open and a.due_date < today]
    upcoming = [a for a in actions if a.is_open and a.due_date >= today]
    finished = [a for a in actions if not a.is_open]
    return {"overdue": overdue, "upcoming": upcoming, "finished": finished}


def overdue_actions(council_id: int, today: date, limit: int | None = None) -> list[Action]:
    """Open actions past their due date, the longest overdue first."""
    query = (
        _actions_of_council(council_id)
        .where(Action.status.in_(OPEN_ACTION_STATUSES), Action.due_date < today)
        .order_by(Action.due_date, Action.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def count_overdue_actions(council_id: int, today: date) -> int:
    """How many open actions are past their due date."""
    query = (
        _within_council(select(func.count(Action.id)), council_id)
        .where(
            Action.status.in_(OPEN_ACTION_STATUSES),
            Action.due_date < today,
        )
    )
    return db.session.scalar(query) or 0


def recently_updated_items(council_id: int, limit: int = 8) -> list[Item]:
    """The items changed most recently."""
    return list(
        db.session.scalars(
            items_of_council(council_id)
            .options(joinedload(Item.lead_officer))
            .order_by(Item.last_updated_at.desc(), Item.id.desc())
            .limit(limit)
        )
    )


def pending_due_date_requests_for(user: User) -> list[DueDateChange]:
    """Requests to move a date that wait for this user's decision (as lead officer or admin)."""
    query = (
        _within_council(select(DueDateChange).join(DueDateChange.action), user.council_id)
        .where(
            DueDateChange.state == DueDateChangeState.PENDING,
        )
        .options(
            joinedload(DueDateChange.action).joinedload(Action.item),
            joinedload(DueDateChange.requested_by),
        )
        .order_by(DueDateChange.requested_at)
    )
    if not is_admin(user):
        query = query.where(Item.lead_officer_id == user.id)
    return list(db.session.scalars(query))


def items_awaiting_sign_off(council_id: int) -> list[Item]:
    """Items marked complete that wait for a second person's sign-off."""
    return list(
        db.session.scalars(
            items_of_council(council_id)
            .where(Item.status == ItemStatus.AWAITING_SIGN_OFF)
            .options(joinedload(Item.lead_officer))
            .order_by(Item.id)
        )
    )


@dataclass
class Summary:
    """The dashboard's counts."""

    by_rag: Counter[Rag]
    by_priority_and_rag: dict[Priority, Counter[Rag]]
    open_actions: int
    overdue_actions: int
    complete_actions: int
    moved_actions: int


def council_summary(council_id: int, today: date, rules: StatusRules) -> Summary:
    """Counts of items by RAG and priority, and of actions by state."""
    items = list(db.session.scalars(items_of_council(council_id)))
    facts = item_facts(items)
    by_rag: Counter[Rag] = Counter()
    by_priority: dict[Priority, Counter[Rag]] = {p: Counter() for p in Priority}
    for item in items:
        rag = work_out_rag(facts[item.id], today, rules).rag
        by_rag[rag] += 1
        by_priority[item.priority][rag] += 1
    is_open = Action.status.in_(OPEN_ACTION_STATUSES)
    row = db.session.execute(_within_council(
        select(
            func.count(case((is_open, 1))),
            func.count(case((and_(is_open, Action.due_date < today), 1))),
            func.count(case((Action.status == ActionStatus.COMPLETE, 1))),
            func.count(case((Action.due_date != Action.original_due_date, 1))),
        ),
        council_id,
    )).one()
    return Summary(
        by_rag=by_rag,
        by_priority_and_rag=by_priority,
        open_actions=row[0],
        overdue_actions=row[1],
        complete_actions=row[2],
        moved_actions=row[3],
    )
