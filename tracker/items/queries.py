"""Reading items and actions for screens: filters, counts and status, without a query per row."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    and_,
    case,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import joinedload, selectinload

from tracker.accounts.models import User, shown_name
from tracker.extensions import db
from tracker.formatting import UK
from tracker.inspections.models import Finding, Inspection
from tracker.items.models import (
    OPEN_ACTION_STATUSES,
    Action,
    ActionStatus,
    CancellationRequest,
    DueDateChange,
    Item,
    ItemStatus,
    Priority,
    Rag,
    RequestState,
)
from tracker.items.status import (
    ItemFacts,
    ItemState,
    ShownStatus,
    StatusResult,
    StatusRules,
    is_stale,
    status_in_sql,
    work_out_status,
)
from tracker.pagination import Page, clamp, fetch_page, page_count
from tracker.permissions import is_admin

RequestModel = TypeVar("RequestModel", DueDateChange, CancellationRequest)


@dataclass
class ItemFilters:
    """What the items list can be narrowed by; every field is optional. `state` is the
    item's state (`ItemState`); `rag` narrows to items in delivery of that RAG."""

    state: ItemState | None = None
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
    status: StatusResult
    open_actions: int
    overdue_actions: int
    stale: bool


@dataclass
class ItemPage:
    rows: list[ItemRow]
    total: int
    page: int
    per_page: int
    # How many of the items matching every filter but the state and RAG are of each status.
    counts: Counter[ShownStatus] = field(default_factory=Counter)

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
            selectinload(Item.actions).selectinload(Action.cancellation_requests),
        )
    ).first()


def item_for_page(council_id: int, item_id: int) -> Item | None:
    """One item of the council with what its page shows of it: its finding and inspection,
    its lead officer, who signed it off and the later inspections that found it still open
    (two statements). Its actions are read apart, as plain values (`actions_of_item`)."""
    return db.session.scalars(
        items_of_council(council_id)
        .where(Item.id == item_id)
        .options(
            joinedload(Item.finding).joinedload(Finding.inspection),
            joinedload(Item.lead_officer),
            joinedload(Item.signed_off_by),
            selectinload(Item.still_open_at),
        )
    ).first()


@dataclass(frozen=True)
class ActionLine:
    """One action as its item's page lists it, read as plain values (`actions_of_item`)."""

    id: int
    description: str
    # The owner's name as lists show it (a partner's with their organisation); None for none.
    owner: str | None
    due_date: date
    original_due_date: date
    status: ActionStatus
    # How many times its due date has been moved (approved changes).
    extensions: int
    # The date asked for by a request to move it that waits for a decision, if any.
    requested_due_date: date | None
    # Whether a request to cancel it waits for a decision.
    cancellation_requested: bool

    @property
    def is_open(self) -> bool:
        return self.status.is_open

    @property
    def date_moved(self) -> bool:
        return self.due_date != self.original_due_date


def actions_of_item(item_id: int) -> list[ActionLine]:
    """The item's actions, soonest due first, each with its owner's name, how often its date
    was moved and the requests about it that wait for the lead officer: one statement,
    whatever the number of actions and requests."""
    moves = (
        select(func.count()).select_from(DueDateChange)
        .where(DueDateChange.action_id == Action.id,
               DueDateChange.state == RequestState.APPROVED)
        .scalar_subquery()
    )
    # At most one request of each kind waits at a time (a new one withdraws the last); the
    # earliest, as `tracker.items.service.pending_due_date_change` takes it, all the same.
    asked_date = (
        select(DueDateChange.to_date)
        .where(DueDateChange.action_id == Action.id,
               DueDateChange.state == RequestState.PENDING)
        .order_by(DueDateChange.requested_at, DueDateChange.id)
        .limit(1)
        .scalar_subquery()
    )
    cancelling = (
        select(CancellationRequest.id)
        .where(CancellationRequest.action_id == Action.id,
               CancellationRequest.state == RequestState.PENDING)
        .exists()
    )
    rows = db.session.execute(
        select(Action.id, Action.description, User.name, User.organisation, Action.due_date,
               Action.original_due_date, Action.status, moves, asked_date, cancelling)
        .outerjoin(User, User.id == Action.owner_id)
        .where(Action.item_id == item_id)
        .order_by(Action.due_date, Action.id)
    )
    return [
        ActionLine(id=action_id, description=description,
                   owner=shown_name(name, organisation) if name is not None else None,
                   due_date=due, original_due_date=original, status=status,
                   extensions=moved, requested_due_date=asked,
                   cancellation_requested=bool(cancel))
        for (action_id, description, name, organisation, due, original, status, moved, asked,
             cancel) in rows
    ]


def get_action(council_id: int, action_id: int) -> Action | None:
    """One action of the council, or None."""
    return db.session.scalars(
        _within_council(select(Action), council_id)
        .where(Action.id == action_id)
        .options(
            joinedload(Action.item).joinedload(Item.finding).joinedload(Finding.inspection),
            joinedload(Action.owner),
            selectinload(Action.due_date_changes),
            selectinload(Action.cancellation_requests),
        )
    ).first()


def _request_of_council(
    model: type[RequestModel], council_id: int, request_id: int
) -> RequestModel | None:
    return db.session.scalars(
        _within_council(select(model).join(model.action), council_id)
        .where(model.id == request_id)
    ).first()


def get_due_date_change(council_id: int, change_id: int) -> DueDateChange | None:
    """One due-date request of the council, or None."""
    return _request_of_council(DueDateChange, council_id, change_id)


def get_cancellation(council_id: int, request_id: int) -> CancellationRequest | None:
    """One request to cancel an action, of the council, or None."""
    return _request_of_council(CancellationRequest, council_id, request_id)


def _day_of(moment: datetime | None) -> date | None:
    return moment.astimezone(UK).date() if moment is not None else None


def _facts(item: Item, *, earliest_open_due: date | None, earliest_not_started_due: date | None,
           counts: ActionCounts) -> ItemFacts:
    return ItemFacts(
        status=item.status,
        target_date=item.target_date,
        has_lead_officer=item.lead_officer_id is not None,
        open_actions=counts.open,
        complete_actions=counts.complete,
        cancelled_actions=counts.cancelled,
        rag_override=item.rag_override,
        rag_override_reason=item.rag_override_reason,
        earliest_open_due=earliest_open_due,
        earliest_not_started_due=earliest_not_started_due,
        tracked_since=_day_of(item.created_at),
        sent_back_reason=item.sent_back_reason,
        sent_back_on=_day_of(item.sent_back_at),
    )


def item_facts(items: list[Item]) -> dict[int, ItemFacts]:
    """The facts the status rule needs, for many items in one query."""
    if not items:
        return {}
    open_due = func.min(case((Action.status.in_(OPEN_ACTION_STATUSES), Action.due_date)))
    not_started_due = func.min(
        case((Action.status == ActionStatus.NOT_STARTED, Action.due_date))
    )
    rows = db.session.execute(
        select(Action.item_id, open_due, not_started_due, *_counted_statuses())
        .where(Action.item_id.in_([item.id for item in items]))
        .group_by(Action.item_id)
    ).all()
    by_item = {row[0]: row[1:] for row in rows}
    facts = {}
    for item in items:
        earliest_open, earliest_not_started, *counts = by_item.get(item.id, (None, None, 0, 0, 0))
        facts[item.id] = _facts(item, earliest_open_due=earliest_open,
                                earliest_not_started_due=earliest_not_started,
                                counts=ActionCounts(*counts))
    return facts


def facts_from_actions(item: Item, actions: Sequence[Any]) -> ItemFacts:
    """The facts `item_facts` gives for `item`, counted from its actions already read (each
    with `status` and `due_date`, an Action or a plain row of one), with no statement."""
    open_due = [a.due_date for a in actions if a.status in OPEN_ACTION_STATUSES]
    not_started_due = [a.due_date for a in actions if a.status is ActionStatus.NOT_STARTED]
    statuses = [a.status for a in actions]
    return _facts(item, earliest_open_due=min(open_due, default=None),
                  earliest_not_started_due=min(not_started_due, default=None),
                  counts=ActionCounts(open=len(open_due),
                                      complete=statuses.count(ActionStatus.COMPLETE),
                                      cancelled=statuses.count(ActionStatus.CANCELLED)))


def status_of(item: Item, today: date, rules: StatusRules) -> StatusResult:
    """One item's status and its reason."""
    return work_out_status(item_facts([item])[item.id], today, rules)


@dataclass(frozen=True)
class ActionCounts:
    """How many of an item's actions are open, complete and cancelled, and how many of the
    open ones are overdue."""

    open: int = 0
    complete: int = 0
    cancelled: int = 0
    overdue: int = 0


def _counted_statuses() -> list[ColumnElement[int]]:
    """Counts of open, complete and cancelled actions, in that order, for a GROUP BY."""
    return [
        func.count(case((Action.status.in_(OPEN_ACTION_STATUSES), 1))),
        func.count(case((Action.status == ActionStatus.COMPLETE, 1))),
        func.count(case((Action.status == ActionStatus.CANCELLED, 1))),
    ]


def _action_counts(item_ids: list[int], today: date) -> dict[int, ActionCounts]:
    if not item_ids:
        return {}
    is_open = Action.status.in_(OPEN_ACTION_STATUSES)
    rows = db.session.execute(
        select(
            Action.item_id,
            *_counted_statuses(),
            func.count(case((and_(is_open, Action.due_date < today), 1))),
        )
        .where(Action.item_id.in_(item_ids))
        .group_by(Action.item_id)
    ).all()
    return {row[0]: ActionCounts(*row[1:]) for row in rows}


# Most urgent first: the order of `ShownStatus` (not planned, Red, Amber, Green, delivered,
# awaiting sign-off, complete); then priority.
STATUS_ORDER = list(ShownStatus)
PRIORITY_ORDER = [Priority.HIGH, Priority.MEDIUM, Priority.LOW]


def _rank(column: ColumnElement[Any], order: list[Any]) -> ColumnElement[int]:
    """A column's place in `order`, for sorting."""
    return case({key: n for n, key in enumerate(order)}, value=column, else_=len(order))


def _action_facts(query: Select[Any]) -> Subquery:
    """The facts of the actions of the items `query` selects, one row per item that has any:
    the earliest due dates of its open and of its not-started actions, and how many of its
    actions are open, complete and cancelled. One pass over the actions, grouped."""
    is_open = Action.status.in_(OPEN_ACTION_STATUSES)
    return (
        select(
            Action.item_id.label("item_id"),
            func.min(case((is_open, Action.due_date))).label("earliest_open_due"),
            func.min(case((Action.status == ActionStatus.NOT_STARTED, Action.due_date)))
            .label("earliest_not_started_due"),
            func.count(case((is_open, 1))).label("open_actions"),
            func.count(case((Action.status == ActionStatus.COMPLETE, 1)))
            .label("complete_actions"),
            func.count(case((Action.status == ActionStatus.CANCELLED, 1)))
            .label("cancelled_actions"),
        )
        .where(Action.item_id.in_(query.with_only_columns(Item.id)))
        .group_by(Action.item_id)
        .subquery("action_facts")
    )


def _with_status(query: Select[Any], today: date, rules: StatusRules) -> Subquery:
    """The items `query` selects, one row each: id, priority, the facts the status rule needs
    (the item's columns and its actions' aggregated facts) and the shown status itself
    ("status", a `ShownStatus` value), worked out by the database (`status_in_sql`), so no
    item is loaded."""
    actions = _action_facts(query)
    facts = query.outerjoin(actions, actions.c.item_id == Item.id).with_only_columns(
        Item.id.label("id"),
        Item.priority.label("priority"),
        Item.status.label("status"),
        Item.lead_officer_id.label("lead_officer_id"),
        Item.target_date.label("target_date"),
        Item.rag_override.label("rag_override"),
        actions.c.earliest_open_due,
        actions.c.earliest_not_started_due,
        *(func.coalesce(actions.c[name], 0).label(name)
          for name in ("open_actions", "complete_actions", "cancelled_actions")),
        # Worked out once per item: left to itself the database may copy the facts into
        # every place the status is used (SQLite did, which made it five times slower).
    ).cte("item_facts").prefix_with("MATERIALIZED")
    shown = status_in_sql(
        status=facts.c.status, lead_officer_id=facts.c.lead_officer_id,
        target_date=facts.c.target_date, rag_override=facts.c.rag_override,
        earliest_open_due=facts.c.earliest_open_due,
        earliest_not_started_due=facts.c.earliest_not_started_due,
        complete_actions=facts.c.complete_actions, today=today, rules=rules,
    )
    return select(
        facts.c.id, facts.c.priority, facts.c.earliest_open_due,
        facts.c.earliest_not_started_due, facts.c.open_actions, facts.c.complete_actions,
        facts.c.cancelled_actions, shown.label("status"),
    ).subquery("item_statuses")


def _wanted(filters: ItemFilters) -> list[ShownStatus] | None:
    """The shown statuses the state and RAG filters let through; None when neither is set."""
    if filters.state is None and filters.rag is None:
        return None
    return [shown for shown in ShownStatus
            if (filters.state is None or shown.state is filters.state)
            and (filters.rag is None or shown.rag is filters.rag)]


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
    """The items list, one page of it: filtered, most urgent first, with each item's status,
    counts and "not updated" flag. The database works out every item's status to sort and
    count them; only the page's items are loaded (two statements, whatever the number of items;
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
    statuses = _with_status(query, today, rules)
    # Each row also carries how many of all the matching items are of each status (window
    # counts, before the state and RAG filters), so one statement gives the page and the
    # counts.
    counted = select(
        statuses,
        *(func.count(case((statuses.c.status == shown.value, 1))).over().label(shown.value)
          for shown in ShownStatus)
    ).subquery("counted")
    wanted = _wanted(filters)

    def rows_of(number: int) -> list[Any]:
        shown = (
            select(Item, counted.c.earliest_open_due, counted.c.earliest_not_started_due,
                   *(counted.c[status.value] for status in ShownStatus))
            .join(counted, counted.c.id == Item.id)
            .options(joinedload(Item.lead_officer),
                     joinedload(Item.finding).joinedload(Finding.inspection))
            .order_by(_rank(counted.c.status, [status.value for status in STATUS_ORDER]),
                      _rank(counted.c.priority, [p.value for p in PRIORITY_ORDER]), Item.id)
            .limit(per_page)
            .offset((number - 1) * per_page)
        )
        if wanted is not None:
            shown = shown.where(counted.c.status.in_([status.value for status in wanted]))
        return list(db.session.execute(shown).unique())

    page = max(1, page)
    found = rows_of(page)
    if found:
        counts = Counter({status: n for status, n in
                          zip(ShownStatus, found[0][3:], strict=True) if n})
    else:
        # Nothing on this page: nothing matches, or the page is past the end.
        counts = Counter({ShownStatus(status): n for status, n in db.session.execute(
            select(statuses.c.status, func.count()).group_by(statuses.c.status))})
    total = (sum(counts[status] for status in wanted) if wanted is not None
             else sum(counts.values()))
    if not found and total:
        page = clamp(page, total, per_page)
        found = rows_of(page)
    action_counts = _action_counts([item.id for item, *_ in found], today)
    rows = []
    for item, earliest_open, earliest_not_started, *_ in found:
        of_item = action_counts.get(item.id, ActionCounts())
        facts = _facts(item, earliest_open_due=earliest_open,
                       earliest_not_started_due=earliest_not_started, counts=of_item)
        rows.append(ItemRow(
            item=item,
            status=work_out_status(facts, today, rules),
            open_actions=of_item.open,
            overdue_actions=of_item.overdue,
            stale=item.status is not ItemStatus.COMPLETE
            and is_stale(item.last_updated_at, now, rules),
        ))
    return ItemPage(rows=rows, total=total, page=page, per_page=per_page, counts=counts)


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


@dataclass(frozen=True)
class OwnedAction:
    """One of someone's actions as My actions lists it, read as plain values."""

    id: int
    description: str
    due_date: date
    status: ActionStatus
    item_id: int
    item_title: str

    @property
    def is_open(self) -> bool:
        return self.status.is_open


@dataclass
class OwnerActions:
    """A page of someone's actions, overdue first, then coming up, then finished lately; with
    how many each group holds in all."""

    actions: list[OwnedAction]
    groups: dict[str, list[OwnedAction]]
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
    at a time, as plain values (two statements)."""
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
    actions = [OwnedAction(*row) for row in db.session.execute(
        mine.with_only_columns(Action.id, Action.description, Action.due_date, Action.status,
                               Item.id, Item.title)
        .order_by(group, Action.due_date, Action.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )]
    groups: dict[str, list[OwnedAction]] = {name: [] for name in OWNER_GROUPS}
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


def _waiting_for(
    model: type[RequestModel], user: User, *, page: int, per_page: int, decides: bool = True
) -> Page[RequestModel]:
    """Requests of one kind that wait for this user's decision (as lead officer or admin),
    the oldest first, a page at a time; none if the user `decides` none of this kind."""
    query = (
        _within_council(select(model).join(model.action), user.council_id)
        .where(model.state == RequestState.PENDING, true() if decides else false())
        .order_by(model.requested_at, model.id)
    )
    if not is_admin(user):
        query = query.where(Item.lead_officer_id == user.id)
    return fetch_page(query, page=page, per_page=per_page, options=[
        joinedload(model.action).joinedload(Action.item),
        joinedload(model.requested_by),
    ])


def pending_due_date_requests_for(
    user: User, *, page: int = 1, per_page: int = 50
) -> Page[DueDateChange]:
    """Requests to move a date that wait for this user's decision, the oldest first."""
    return _waiting_for(DueDateChange, user, page=page, per_page=per_page)


def pending_cancellations_for(
    user: User, *, page: int = 1, per_page: int = 50
) -> Page[CancellationRequest]:
    """Requests to cancel an action that wait for this user's decision, the oldest first.
    Partners decide none (`tracker.permissions.can_decide_cancellation`)."""
    return _waiting_for(CancellationRequest, user, page=page, per_page=per_page,
                        decides=not user.is_partner)


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

    by_status: Counter[ShownStatus]
    by_priority_and_status: dict[Priority, Counter[ShownStatus]]
    open_actions: int
    overdue_actions: int
    complete_actions: int
    moved_actions: int


def council_summary(council_id: int, today: date, rules: StatusRules) -> Summary:
    """Counts of items by status and priority, and of actions by state: two statements, with
    the status worked out by the database (no item or action is loaded)."""
    statuses = _with_status(items_of_council(council_id), today, rules)
    by_status: Counter[ShownStatus] = Counter()
    by_priority: dict[Priority, Counter[ShownStatus]] = {p: Counter() for p in Priority}
    for priority, status, count in db.session.execute(
        select(statuses.c.priority, statuses.c.status, func.count())
        .group_by(statuses.c.priority, statuses.c.status)
    ):
        by_status[ShownStatus(status)] += count
        by_priority[priority][ShownStatus(status)] += count
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
        by_status=by_status,
        by_priority_and_status=by_priority,
        open_actions=row[0],
        overdue_actions=row[1],
        complete_actions=row[2],
        moved_actions=row[3],
    )


@dataclass(frozen=True)
class ItemToPlan:
    """An item the weekly planning reminder names: not planned, or with no lead officer."""

    item_id: int
    title: str
    council_id: int
    lead_officer_id: int | None
    status: StatusResult


def items_to_plan(council_id: int | None, today: date, rules: StatusRules, *,
                  led_by: int | None = None) -> list[ItemToPlan]:
    """Every item that is not planned, and every item not yet complete that has no lead
    officer (of one council, or of all of them): who leads it is told the first, the
    council's administrators the second. With `led_by`, only the items that person leads
    (the database then works out the status of their items alone). One statement, whatever
    the number."""
    query = select(Item).join(Item.finding).join(Finding.inspection)
    if council_id is not None:
        query = query.where(Inspection.council_id == council_id)
    if led_by is not None:
        query = query.where(Item.lead_officer_id == led_by)
    statuses = _with_status(query, today, rules)
    rows = db.session.execute(
        select(Item.id, Item.title, Inspection.council_id, Item.lead_officer_id, Item.status,
               Item.target_date, Item.created_at, Item.sent_back_reason, Item.sent_back_at,
               statuses.c.earliest_open_due, statuses.c.earliest_not_started_due,
               statuses.c.open_actions, statuses.c.complete_actions,
               statuses.c.cancelled_actions)
        .join(statuses, statuses.c.id == Item.id)
        .join(Item.finding).join(Finding.inspection)
        .where(or_(statuses.c.status == ShownStatus.NOT_PLANNED.value,
                   and_(Item.lead_officer_id.is_(None), Item.status != ItemStatus.COMPLETE)))
        .order_by(Inspection.council_id, Item.id)
    ).all()
    found = []
    for (item_id, title, of_council, lead_id, status, target_date, created_at, sent_back_reason,
         sent_back_at, earliest_open, earliest_not_started, open_actions, complete,
         cancelled) in rows:
        facts = ItemFacts(
            status=status, target_date=target_date, has_lead_officer=lead_id is not None,
            open_actions=open_actions, complete_actions=complete, cancelled_actions=cancelled,
            earliest_open_due=earliest_open, earliest_not_started_due=earliest_not_started,
            tracked_since=_day_of(created_at), sent_back_reason=sent_back_reason,
            sent_back_on=_day_of(sent_back_at),
        )
        found.append(ItemToPlan(item_id, title, of_council, lead_id,
                                work_out_status(facts, today, rules)))
    return found


def not_planned_items_led_by(user: User, today: date, rules: StatusRules) -> list[ItemToPlan]:
    """The items this person leads that are Not planned, each with why: one statement."""
    return [item for item in items_to_plan(user.council_id, today, rules, led_by=user.id)
            if item.status.state is ItemState.NOT_PLANNED]
