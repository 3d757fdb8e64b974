"""Reading items and actions for screens: filters, counts and status, without a query per row."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, and_, case, func, or_, select
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
from tracker.items.status import (
    ItemFacts,
    RagResult,
    StatusRules,
    is_stale,
    rag_in_sql,
    work_out_rag,
)
from tracker.pagination import Page, clamp, fetch_page, page_count
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
        return page_count(self.total, self.per_page)


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


# Most urgent first: Red, Amber, Green, then Complete; then priority.
RAG_ORDER = [Rag.RED, Rag.AMBER, Rag.GREEN, Rag.COMPLETE]
PRIORITY_ORDER = [Priority.HIGH, Priority.MEDIUM, Priority.LOW]


def _rank(column: ColumnElement[Any], order: list[Any]) -> ColumnElement[int]:
    """A column's place in `order`, for sorting."""
    return case({key: n for n, key in enumerate(order)}, value=column, else_=len(order))


def _earliest_due(*statuses: ActionStatus) -> Any:
    """The earliest due date of the item's actions in these states (a correlated subquery)."""
    return (
        select(func.min(Action.due_date))
        .where(Action.item_id == Item.id, Action.status.in_(statuses))
        .correlate(Item)
        .scalar_subquery()
    )


def _with_rags(query: Select[Any], today: date, rules: StatusRules) -> Subquery:
    """The items `query` selects, one row each: id, priority, the facts the RAG rule needs and
    the RAG itself, worked out by the database (`rag_in_sql`), so no item is loaded."""
    facts = query.with_only_columns(
        Item.id.label("id"),
        Item.priority.label("priority"),
        Item.status.label("status"),
        Item.target_date.label("target_date"),
        Item.rag_override.label("rag_override"),
        _earliest_due(*OPEN_ACTION_STATUSES).label("earliest_open_due"),
        _earliest_due(ActionStatus.NOT_STARTED).label("earliest_not_started_due"),
        # Worked out once per item: left to itself the database may copy the subqueries
        # into every place the RAG is used (SQLite did, which made it five times slower).
    ).cte("item_facts").prefix_with("MATERIALIZED")
    rag = rag_in_sql(
        status=facts.c.status, target_date=facts.c.target_date,
        rag_override=facts.c.rag_override, earliest_open_due=facts.c.earliest_open_due,
        earliest_not_started_due=facts.c.earliest_not_started_due, today=today, rules=rules,
    )
    return select(
        facts.c.id, facts.c.priority, facts.c.earliest_open_due,
        facts.c.earliest_not_started_due, rag.label("rag"),
    ).subquery("item_rags")


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
    """The items list, one page of it: filtered, most urgent first, with each item's RAG,
    counts and "not updated" flag. The database works out every item's RAG to sort and count
    them; only the page's items are loaded (two statements, whatever the number of items;
    two more for a page past the end)."""
    query = items_of_council(council_id)
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
    rags = _with_rags(query, today, rules)
    # Each row also carries how many of all the matching items are of each RAG (window
    # counts, before the RAG filter), so one statement gives the page and the counts.
    counted = select(
        rags, *(func.count(case((rags.c.rag == rag.value, 1))).over().label(rag.value)
                for rag in Rag)
    ).subquery("counted")

    def rows_of(number: int) -> list[Any]:
        shown = (
            select(Item, counted.c.earliest_open_due, counted.c.earliest_not_started_due,
                   *(counted.c[rag.value] for rag in Rag))
            .join(counted, counted.c.id == Item.id)
            .options(joinedload(Item.lead_officer),
                     joinedload(Item.finding).joinedload(Finding.inspection))
            .order_by(_rank(counted.c.rag, [rag.value for rag in RAG_ORDER]),
                      _rank(counted.c.priority, [p.value for p in PRIORITY_ORDER]), Item.id)
            .limit(per_page)
            .offset((number - 1) * per_page)
        )
        if filters.rag is not None:
            shown = shown.where(counted.c.rag == filters.rag.value)
        return list(db.session.execute(shown).unique())

    page = max(1, page)
    found = rows_of(page)
    if found:
        rag_counts = Counter({rag: n for rag, n in zip(Rag, found[0][3:], strict=True) if n})
    else:
        # Nothing on this page: nothing matches, or the page is past the end.
        rag_counts = Counter({Rag(rag): n for rag, n in db.session.execute(
            select(rags.c.rag, func.count()).group_by(rags.c.rag))})
    total = rag_counts[filters.rag] if filters.rag is not None else sum(rag_counts.values())
    if not found and total:
        page = clamp(page, total, per_page)
        found = rows_of(page)
    counts = _action_counts([item.id for item, *_ in found], today)
    rows = []
    for item, earliest_open, earliest_not_started, *_ in found:
        facts = ItemFacts(
            status=item.status, target_date=item.target_date, rag_override=item.rag_override,
            rag_override_reason=item.rag_override_reason, earliest_open_due=earliest_open,
            earliest_not_started_due=earliest_not_started,
        )
        rows.append(ItemRow(
            item=item,
            rag=work_out_rag(facts, today, rules),
            open_actions=counts.get(item.id, (0, 0))[0],
            overdue_actions=counts.get(item.id, (0, 0))[1],
            stale=item.status is not ItemStatus.COMPLETE
            and is_stale(item.last_updated_at, now, rules),
        ))
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


# The groups of My actions, in the order they are listed.
OWNER_GROUPS = ("overdue", "upcoming", "finished")


@dataclass
class OwnerActions:
    """A page of someone's actions, overdue first, then coming up, then finished lately; with
    how many each group holds in all."""

    actions: list[Action]
    groups: dict[str, list[Action]]
    counts: dict[str, int]
    page: int
    per_page: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)


def actions_for_owner(
    user: User, today: date, *, page: int = 1, per_page: int = 50
) -> OwnerActions:
    """My actions: overdue first, then due, then recently finished (the last 30 days), a page
    at a time (two statements)."""
    is_open = Action.status.in_(OPEN_ACTION_STATUSES)
    group = case((and_(is_open, Action.due_date < today), 0), (is_open, 1), else_=2)
    mine = _within_council(select(Action), user.council_id).where(
        Action.owner_id == user.id,
        or_(is_open, Action.completed_on >= today - timedelta(days=30)),
    )
    row = db.session.execute(mine.with_only_columns(
        *(func.count(case((group == n, 1))) for n in range(len(OWNER_GROUPS)))
    )).one()
    counts = dict(zip(OWNER_GROUPS, row, strict=True))
    page = clamp(page, sum(counts.values()), per_page)
    actions = list(db.session.scalars(
        mine.options(
            joinedload(Action.owner),
            joinedload(Action.item).joinedload(Item.lead_officer),
        )
        .order_by(group, Action.due_date, Action.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ))
    groups: dict[str, list[Action]] = {name: [] for name in OWNER_GROUPS}
    for action in actions:
        if action.is_open:
            groups["overdue" if action.due_date < today else "upcoming"].append(action)
        else:
            groups["finished"].append(action)
    return OwnerActions(actions, groups, counts, page, per_page)


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


def pending_due_date_requests_for(
    user: User, *, page: int = 1, per_page: int = 50
) -> Page[DueDateChange]:
    """Requests to move a date that wait for this user's decision (as lead officer or admin),
    the oldest first, a page at a time."""
    query = (
        _within_council(select(DueDateChange).join(DueDateChange.action), user.council_id)
        .where(DueDateChange.state == DueDateChangeState.PENDING)
        .order_by(DueDateChange.requested_at, DueDateChange.id)
    )
    if not is_admin(user):
        query = query.where(Item.lead_officer_id == user.id)
    return fetch_page(query, page=page, per_page=per_page, options=[
        joinedload(DueDateChange.action).joinedload(Action.item),
        joinedload(DueDateChange.requested_by),
    ])


def items_awaiting_sign_off_by(user: User, *, limit: int = 10) -> Page[Item]:
    """Items marked complete that wait for this user's sign-off: an admin signs off any, a
    lead officer their own, and nobody an item they marked complete themselves (the rule of
    `can_sign_off_item`, as a query). The oldest first; the first `limit` of them."""
    query = (
        items_of_council(user.council_id)
        .where(Item.status == ItemStatus.AWAITING_SIGN_OFF)
        .where(or_(Item.marked_complete_by_id.is_(None), Item.marked_complete_by_id != user.id))
        .order_by(Item.id)
    )
    if not is_admin(user):
        query = query.where(Item.lead_officer_id == user.id)
    return fetch_page(query, page=1, per_page=limit, options=[joinedload(Item.lead_officer)])


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
    """Counts of items by RAG and priority, and of actions by state: two statements, with
    the RAG worked out by the database (no item or action is loaded)."""
    rags = _with_rags(items_of_council(council_id), today, rules)
    by_rag: Counter[Rag] = Counter()
    by_priority: dict[Priority, Counter[Rag]] = {p: Counter() for p in Priority}
    for priority, rag, count in db.session.execute(
        select(rags.c.priority, rags.c.rag, func.count()).group_by(rags.c.priority, rags.c.rag)
    ):
        by_rag[Rag(rag)] += count
        by_priority[priority][Rag(rag)] += count
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
