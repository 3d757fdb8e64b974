"""Reading items and actions for screens: filters, counts and status, without a query per row."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cache
from types import SimpleNamespace
from typing import Any, TypeVar

from sqlalchemy import (
    BigInteger,
    BindParameter,
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    false,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import joinedload, selectinload

from tracker.accounts.models import User, shown_name
from tracker.extensions import db
from tracker.formatting import UK
from tracker.inspections.models import Finding, FindingCategory, Inspection
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
    status_parameters,
    work_out_status,
)
from tracker.pagination import Page, clamp, page_count
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


@dataclass(frozen=True)
class LeadOfficer:
    """Who leads an item, as a list shows them."""

    id: int
    name: str
    organisation: str


@dataclass(frozen=True)
class ListedItem:
    """An item as a line of the items list shows it (and the API's list gives it): plain
    values read as columns, no ORM object."""

    id: int
    title: str
    theme: str
    priority: Priority
    status: ItemStatus
    target_date: date | None
    lead_officer: LeadOfficer | None
    category: FindingCategory
    is_repeat: bool
    finding_id: int
    inspection_id: int
    rag_override_reason: str
    created_at: datetime
    last_updated_at: datetime

    @classmethod
    def of(cls, item: Item) -> ListedItem:
        """The same values of a loaded item (its finding and lead officer are read)."""
        lead = item.lead_officer
        return cls(
            id=item.id, title=item.title, theme=item.theme, priority=item.priority,
            status=item.status, target_date=item.target_date,
            lead_officer=LeadOfficer(lead.id, lead.name, lead.organisation) if lead else None,
            category=item.finding.category, is_repeat=item.finding.is_repeat,
            finding_id=item.finding_id, inspection_id=item.finding.inspection_id,
            rag_override_reason=item.rag_override_reason, created_at=item.created_at,
            last_updated_at=item.last_updated_at)


@dataclass
class ItemRow:
    """One line of the items list."""

    item: ListedItem
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


def items_of_council(council_id: int | BindParameter[Any]) -> Select[tuple[Item]]:
    """Items whose inspection belongs to the council: the start of every item query."""
    return (
        select(Item)
        .join(Item.finding)
        .join(Finding.inspection)
        .where(Inspection.council_id == council_id)
    )


def _item_of_council(council_id: int | BindParameter[Any]) -> ColumnElement[bool]:
    """Whether the item of the row is the council's, as a condition (a correlated EXISTS)
    rather than a join: a list that walks an index of items in its own order (the latest
    changed, by id) then checks each item it reads and stops at its limit, where a join
    would read every item of the council first and sort them. Not the council the item
    keeps: as `Item.council_id = ?` SQLite took the index of items by council instead and
    sorted all of them for each theme (0.02 -> 4.1 ms), and as `council_id + 0 = ?`
    PostgreSQL, guessing few rows, sorted every later theme's items (0.3 -> 2.1 ms)."""
    return (select(Finding.id)
            .join(Inspection, Inspection.id == Finding.inspection_id)
            .where(Finding.id == Item.finding_id, Inspection.council_id == council_id)
            .exists())


def _within_council(query: Select, council_id: int | BindParameter[Any]) -> Select:
    """Narrow a query that selects actions (or joins to them) to the council's actions: by
    the council each action keeps (its item's inspection's, `Action.council_id`), joined to
    its item for the item's columns callers read, with no finding or inspection read."""
    return query.join(Action.item).where(Action.council_id == council_id)


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
    (one statement). Its actions are read apart, as plain values (`actions_of_item`)."""
    return db.session.scalars(
        _item_for_page(), {"council_id": council_id, "item_id": item_id}).unique().first()


@cache
def _item_for_page() -> Select[tuple[Item]]:
    """`item_for_page`'s statement, built once (`council_id` and `item_id` bound)."""
    return (
        select(Item)
        .join(Item.finding)
        .join(Finding.inspection)
        .where(Inspection.council_id == bindparam("council_id"),
               Item.id == bindparam("item_id"))
        .options(
            joinedload(Item.finding).joinedload(Finding.inspection),
            joinedload(Item.lead_officer),
            joinedload(Item.signed_off_by),
            # Joined rather than read by a second statement: an item is found still open by
            # a few later inspections at most, and mostly by none.
            joinedload(Item.still_open_at),
        )
    )


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
    return [
        ActionLine(id=action_id, description=description,
                   owner=shown_name(name, organisation) if name is not None else None,
                   due_date=due, original_due_date=original, status=status,
                   extensions=moved, requested_due_date=asked,
                   cancellation_requested=bool(cancel))
        for (action_id, description, name, organisation, due, original, status, moved, asked,
             cancel) in db.session.execute(_actions_of_item(), {"item_id": item_id})
    ]


@cache
def _actions_of_item() -> Select[Any]:
    """`actions_of_item`'s statement, built once (the item's id bound as `item_id`)."""
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
    return (
        select(Action.id, Action.description, User.name, User.organisation, Action.due_date,
               Action.original_due_date, Action.status, moves, asked_date, cancelling)
        .outerjoin(User, User.id == Action.owner_id)
        .where(Action.item_id == bindparam("item_id"))
        .order_by(Action.due_date, Action.id)
    )


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


def facts_of(item: Any) -> ItemFacts:
    """The facts the status rule needs, from an item's own columns (an `Item`, or a row of
    its columns under their own names): the facts of its actions are kept on it
    (`tracker.items.facts`), so this reads no action and runs no statement."""
    return ItemFacts(
        status=item.status,
        target_date=item.target_date,
        has_lead_officer=item.lead_officer_id is not None,
        open_actions=item.open_actions,
        complete_actions=item.complete_actions,
        cancelled_actions=item.cancelled_actions,
        rag_override=item.rag_override,
        rag_override_reason=item.rag_override_reason,
        earliest_open_due=item.earliest_open_due,
        earliest_not_started_due=item.earliest_not_started_due,
        tracked_since=_day_of(item.created_at),
        sent_back_reason=item.sent_back_reason,
        sent_back_on=_day_of(item.sent_back_at),
    )


# The item's columns `facts_of` reads, for queries that give it rows instead of items.
FACT_SOURCES = (Item.status, Item.target_date, Item.lead_officer_id, Item.open_actions,
                Item.complete_actions, Item.cancelled_actions, Item.rag_override,
                Item.rag_override_reason, Item.earliest_open_due,
                Item.earliest_not_started_due, Item.created_at, Item.sent_back_reason,
                Item.sent_back_at)


def item_facts(items: list[Item]) -> dict[int, ItemFacts]:
    """The facts the status rule needs, for many items, from their own columns: no
    statement."""
    return {item.id: facts_of(item) for item in items}


def facts_from_actions(item: Item, actions: Sequence[Any]) -> ItemFacts:
    """The facts of `item` counted from its actions already read (each with `status` and
    `due_date`, an Action or a plain row of one), with no statement: what the item keeps,
    for a reader that has the actions at hand (the report, which reads them anyway)."""
    open_due = [a.due_date for a in actions if a.status in OPEN_ACTION_STATUSES]
    not_started_due = [a.due_date for a in actions if a.status is ActionStatus.NOT_STARTED]
    statuses = [a.status for a in actions]
    return replace(
        facts_of(item), open_actions=len(open_due),
        complete_actions=statuses.count(ActionStatus.COMPLETE),
        cancelled_actions=statuses.count(ActionStatus.CANCELLED),
        earliest_open_due=min(open_due, default=None),
        earliest_not_started_due=min(not_started_due, default=None))


def status_of(item: Item, today: date, rules: StatusRules) -> StatusResult:
    """One item's status and its reason (no statement)."""
    return work_out_status(facts_of(item), today, rules)


def shown_status() -> ColumnElement[str]:
    """The shown status of an item (a `ShownStatus` value), as SQL over the item's own
    columns: `status_in_sql` over its kept action facts, no join to its actions. Its days are
    bound parameters (their values: `tracker.items.status.status_parameters`), for statements
    built once."""
    return status_in_sql(
        status=Item.status, lead_officer_id=Item.lead_officer_id,
        target_date=Item.target_date, rag_override=Item.rag_override,
        earliest_open_due=Item.earliest_open_due,
        earliest_not_started_due=Item.earliest_not_started_due,
        complete_actions=Item.complete_actions)


# Most urgent first: the order of `ShownStatus` (not planned, Red, Amber, Green, delivered,
# awaiting sign-off, complete); then priority.
STATUS_ORDER = list(ShownStatus)
PRIORITY_ORDER = [Priority.HIGH, Priority.MEDIUM, Priority.LOW]


def _rank(column: ColumnElement[Any], order: list[Any]) -> ColumnElement[int]:
    """A column's place in `order`, for sorting."""
    return case({key: n for n, key in enumerate(order)}, value=column, else_=len(order))


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
    counts and "not updated" flag. The database works out every item's status from its own
    columns to sort and count them, and counts the overdue actions of the page's items alone;
    the page's rows are plain columns, no item is loaded (one statement, whatever the number
    of items; one more for a page past the end)."""
    wanted = _wanted(filters)
    statement = _items_list_statement(
        status=filters.status is not None, priority=filters.priority is not None,
        theme=bool(filters.theme), inspection=filters.inspection_id is not None,
        owner=filters.owner_id is not None, overdue=filters.overdue_only,
        text=bool(filters.text), wanted=wanted is not None, per_page=per_page)
    values: dict[str, Any] = {"council_id": council_id, **status_parameters(today, rules)}
    # The values of the filters that are set, under the names the statement binds.
    for name, value in (("status", filters.status), ("priority", filters.priority),
                        ("theme", filters.theme or None),
                        ("inspection_id", filters.inspection_id),
                        ("owner_id", filters.owner_id)):
        if value is not None:
            values[name] = value
    if wanted is not None:
        values["wanted"] = [STATUS_ORDER.index(status) for status in wanted]
    if filters.text:
        # The words are matched literally: % and _ are not wildcards to the person searching.
        words = filters.text.strip()
        for special in ("\\", "%", "_"):
            words = words.replace(special, "\\" + special)
        values["pattern"] = f"%{words}%"

    def rows_of(number: int) -> list[Any]:
        # Each row's columns as attributes of a plain object: a SQLAlchemy row looks each
        # name up on its own, and the thirty names a line reads cost more than making it.
        return [SimpleNamespace(**row._asdict()) for row in db.session.execute(
            statement, {**values, "offset": (number - 1) * per_page})]

    page = max(1, page)
    read = rows_of(page)
    counts = +Counter({status: getattr(read[0], f"count_{n}") or 0
                       for n, status in enumerate(ShownStatus)})
    found = [row for row in read if row.id is not None]
    total = (sum(counts[status] for status in wanted) if wanted is not None
             else sum(counts.values()))
    if not found and total:
        # Past the end of the list: its last page.
        page = clamp(page, total, per_page)
        found = rows_of(page)
    rows = [ItemRow(
        item=_listed(row),
        status=work_out_status(facts_of(row), today, rules),
        open_actions=row.open_actions,
        overdue_actions=row.overdue_actions,
        stale=row.status is not ItemStatus.COMPLETE
        and is_stale(row.last_updated_at, now, rules),
    ) for row in found]
    return ItemPage(rows=rows, total=total, page=page, per_page=per_page, counts=counts)


@cache
def _items_list_statement(*, status: bool, priority: bool, theme: bool, inspection: bool,
                          owner: bool, overdue: bool, text: bool, wanted: bool,
                          per_page: int) -> Select[Any]:
    """The items list's statement for the filters that are set (each flag says whether one
    is), built once for each such shape and run with the request's values as bound
    parameters: building it (and SQLAlchemy's key for its compiled form) took longer than
    running it. Binds `council_id`, `today`, `red_before`, `amber_until` (`status_parameters`),
    `offset`, and for the filters set: `status`, `priority`, `theme`, `inspection_id`,
    `owner_id`, `pattern` (a LIKE pattern, its wildcards escaped with a backslash) and
    `wanted` (the places in `STATUS_ORDER` of the statuses the state and RAG filters let
    through)."""
    today = bindparam("today", type_=Date)
    # The council's items by the council each keeps (`Item.council_id`, its inspection's):
    # the index of items by council and status holds every column the status and the order
    # read, so with no filter on the finding no finding or inspection is read to choose them.
    # The finding is joined for the filters that read it alone (inspection, words).
    query = select(Item.id).where(Item.council_id == bindparam("council_id"))
    if inspection or text:
        query = query.join(Item.finding)
    if status:
        query = query.where(Item.status == bindparam("status"))
    if priority:
        query = query.where(Item.priority == bindparam("priority"))
    if theme:
        query = query.where(Item.theme == bindparam("theme"))
    if inspection:
        query = query.where(Finding.inspection_id == bindparam("inspection_id"))
    if owner:
        owner_id = bindparam("owner_id", type_=Integer)
        owns_an_action = select(Action.id).where(
            Action.item_id == Item.id, Action.owner_id == owner_id
        ).exists()
        query = query.where(or_(Item.lead_officer_id == owner_id, owns_an_action))
    if overdue:
        # An item has an overdue action exactly when its earliest open due date has passed.
        query = query.where(Item.earliest_open_due < today)
    if text:
        pattern = bindparam("pattern", type_=String)
        query = query.where(
            or_(
                Item.title.ilike(pattern, escape="\\"),
                Finding.text.ilike(pattern, escape="\\"),
                Item.theme.ilike(pattern, escape="\\"),
            )
        )
    # The status of every matching item is worked out once (a materialised CTE) for both the
    # page and the counts of each status (before the state and RAG filters), which come with
    # every row of the page: one statement gives both. The status and the priority are kept
    # as their places in the list's order (`STATUS_ORDER`, `PRIORITY_ORDER`), numbers that
    # sort and count faster than their words.
    status_rank = status_in_sql(
        order=STATUS_ORDER, status=Item.status, lead_officer_id=Item.lead_officer_id,
        target_date=Item.target_date, rag_override=Item.rag_override,
        earliest_open_due=Item.earliest_open_due,
        earliest_not_started_due=Item.earliest_not_started_due,
        complete_actions=Item.complete_actions)
    statuses = query.with_only_columns(
        Item.id.label("id"), status_rank.label("status_rank"),
        _rank(Item.priority, [p.value for p in PRIORITY_ORDER]).label("priority_rank"),
    ).cte("item_statuses").prefix_with("MATERIALIZED")
    # count_n: how many are of the n-th status of `ShownStatus` (`STATUS_ORDER` is its order).
    counts_row = select(
        *(func.count(case((statuses.c.status_rank == n, 1))).label(f"count_{n}")
          for n in range(len(STATUS_ORDER)))
    ).subquery("counts")

    def urgent_first(rows: Any) -> list[ColumnElement[Any]]:
        return [rows.c.status_rank, rows.c.priority_rank, rows.c.id]

    chosen = (select(statuses).order_by(*urgent_first(statuses)).limit(per_page)
              # A page number of nine digits makes an offset past PostgreSQL's integer.
              .offset(bindparam("offset", type_=BigInteger)))
    if wanted:
        chosen = chosen.where(
            statuses.c.status_rank.in_(bindparam("wanted", expanding=True)))
    page_rows = chosen.subquery("page_rows")
    # Overdue actions are counted for the page's items alone, and only for those whose
    # earliest open due date has passed (the others have none). "Open" is written as
    # "neither complete nor cancelled" here so that the database finds them by their
    # item (a handful) rather than by status and date (every overdue action).
    overdue_actions = select(func.count()).where(
        Action.item_id == page_rows.c.id,
        Action.status.not_in([ActionStatus.COMPLETE, ActionStatus.CANCELLED]),
        Action.due_date < today).scalar_subquery()
    return (
        select(page_rows.c.id, Item.priority, counts_row, Item.title, Item.theme,
               Item.finding_id, Item.last_updated_at,
               *FACT_SOURCES,
               Finding.category, Finding.inspection_id, Finding.repeat_of_id,
               Finding.repeat_evidence, User.name.label("lead_name"),
               User.organisation.label("lead_organisation"),
               case((Item.earliest_open_due < today, overdue_actions), else_=0)
               .label("overdue_actions"))
        # The counts come as a row of their own when the page is empty.
        .select_from(counts_row)
        .outerjoin(page_rows, true())
        .outerjoin(Item, Item.id == page_rows.c.id)
        .outerjoin(Finding, Finding.id == Item.finding_id)
        .outerjoin(User, User.id == Item.lead_officer_id)
        .order_by(*urgent_first(page_rows))
    )


def _listed(row: Any) -> ListedItem:
    """A line of the items list from its row of columns."""
    lead = (LeadOfficer(row.lead_officer_id, row.lead_name, row.lead_organisation)
            if row.lead_officer_id is not None else None)
    return ListedItem(
        id=row.id, title=row.title, theme=row.theme, priority=row.priority, status=row.status,
        target_date=row.target_date, lead_officer=lead, category=row.category,
        is_repeat=row.repeat_of_id is not None or bool(row.repeat_evidence),
        finding_id=row.finding_id, inspection_id=row.inspection_id,
        rag_override_reason=row.rag_override_reason, created_at=row.created_at,
        last_updated_at=row.last_updated_at)


def themes_in_use(council_id: int) -> list[str]:
    """The themes items have been given, for the filter list, in order, each once."""
    return list(db.session.scalars(_themes_in_use(), {"council_id": council_id}))


@cache
def _themes_in_use() -> Select[tuple[str]]:
    """`themes_in_use`'s statement, built once (the council's id bound as `council_id`): the
    items list reads it on every request. It walks the index of items by theme, reading one
    item of the council for each theme and skipping to the next (a recursive CTE: the first
    theme after the empty one, then the first after that, until none is left), where a
    DISTINCT read every item of the council."""
    council = bindparam("council_id")

    def first_theme_after(theme: ColumnElement[Any]) -> ColumnElement[Any]:
        return (select(Item.theme)
                .where(Item.theme > theme, _item_of_council(council))
                .order_by(Item.theme)
                .limit(1)
                .scalar_subquery())

    themes = select(first_theme_after(literal("")).label("theme")).cte("themes",
                                                                       recursive=True)
    themes = themes.union_all(
        select(first_theme_after(themes.c.theme)).where(themes.c.theme.is_not(None)))
    return select(themes.c.theme).where(themes.c.theme.is_not(None))


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


@dataclass(frozen=True)
class OverdueAction:
    """An open action past its due date, as the dashboard lists it: plain values."""

    id: int
    description: str
    due_date: date
    # The owner's name as lists show it (a partner's with their organisation); None for none.
    owner: str | None


def _overdue(query: Select[Any], council_id: int | BindParameter[Any],
             today: date | BindParameter[Any]) -> Select[Any]:
    """Narrow a query that selects actions to the council's open actions past their due date:
    by the council each action keeps, so that the index of actions by council, status and due
    date holds them all (no join to their items)."""
    return query.where(Action.council_id == council_id,
                       Action.status.in_(OPEN_ACTION_STATUSES), Action.due_date < today)


# Statements built once. The dashboard asks a dozen small questions on every request, and
# building each statement (and the key SQLAlchemy finds its compiled form by) took as long as
# the database took to answer most of them; so the dashboard's statements are built on first
# use with bound parameters for what changes between requests (the council, the person, the
# day: the names below), and only run after that.
_COUNCIL = bindparam("council_id")
_PERSON = bindparam("user_id")
_TODAY = bindparam("today", type_=Date)


@cache
def _overdue_statement(limit: int | None) -> Select[Any]:
    # The actions of each open status are chosen apart, each in the order of the index of
    # actions by council, status and due date (and id), so the database reads the first
    # `limit` of each and stops, rather than sorting every overdue action of the council
    # (about a thousand at ten times a large county); the two short lists are then merged.
    chosen = union_all(*(
        select(
            select(Action.id, Action.due_date)
            .where(Action.council_id == _COUNCIL, Action.status == status,
                   Action.due_date < _TODAY)
            .order_by(Action.due_date, Action.id).limit(limit).subquery())
        for status in OPEN_ACTION_STATUSES
    )).subquery("overdue")
    return (select(Action.id, Action.description, Action.due_date, User.name, User.organisation)
            .join(chosen, chosen.c.id == Action.id)
            .outerjoin(User, User.id == Action.owner_id)
            .order_by(Action.due_date, Action.id)
            .limit(limit))


def overdue_actions(council_id: int, today: date, limit: int | None = None
                    ) -> list[OverdueAction]:
    """Open actions past their due date, the longest overdue first, as plain values (one
    statement, which reads no more than `limit` actions of each open status)."""
    rows = db.session.execute(_overdue_statement(limit),
                              {"council_id": council_id, "today": today})
    return [OverdueAction(action_id, description, due,
                          shown_name(name, organisation) if name is not None else None)
            for action_id, description, due, name, organisation in rows]


@cache
def _owned_overdue_statement(limit: int) -> Select[Any]:
    # "Open" is written as "neither complete nor cancelled" so that the database finds the
    # actions by their owner (a few hundred at most) rather than by status and date (every
    # overdue action of the council); the council is the one each action keeps.
    return (select(Action.id, Action.description, Action.due_date,
                   func.count().over().label("total"))
            .where(Action.council_id == _COUNCIL, Action.owner_id == _PERSON,
                   Action.status.not_in([ActionStatus.COMPLETE, ActionStatus.CANCELLED]),
                   Action.due_date < _TODAY)
            .order_by(Action.due_date, Action.id)
            .limit(limit))


def overdue_actions_owned_by(user: User, today: date, *, limit: int) -> Page[OverdueAction]:
    """This person's open actions past their due date, the longest overdue first: the first
    `limit` of them as plain values, with how many there are in all (one statement)."""
    rows = db.session.execute(_owned_overdue_statement(limit), {
        "council_id": user.council_id, "user_id": user.id, "today": today}).all()
    return Page(rows=[OverdueAction(row.id, row.description, row.due_date, user.display_name)
                      for row in rows],
                total=rows[0].total if rows else 0, page=1, per_page=limit)


@dataclass(frozen=True)
class ItemLink:
    """An item as a list names it, linked to its page: plain values."""

    id: int
    title: str


@dataclass(frozen=True)
class UpdatedItem:
    """An item as "recently updated" lists it: plain values."""

    id: int
    title: str
    last_updated_at: datetime


@cache
def _recent_statement(limit: int) -> Select[Any]:
    return (select(Item.id, Item.title, Item.last_updated_at)
            .where(_item_of_council(_COUNCIL))
            .order_by(Item.last_updated_at.desc(), Item.id.desc())
            .limit(limit))


def recently_updated_items(council_id: int, limit: int = 8) -> list[UpdatedItem]:
    """The items changed most recently, as plain values (one statement)."""
    return [UpdatedItem(*row) for row in db.session.execute(
        _recent_statement(limit), {"council_id": council_id})]


def _requests_waiting_for(model: type[RequestModel], council_id: Any, decider_id: Any, *,
                          admin: bool, decides: bool = True) -> Select[Any]:
    """Requests of one kind that wait for the decision of this person (`decider_id`), as
    lead officer or, when `admin`, as administrator; none if they `decides` none of this
    kind."""
    query = select(model).where(model.state == RequestState.PENDING,
                                true() if decides else false())
    if admin:
        # Every request of the council, by the council its action keeps, looked up for each
        # waiting request (a few hundred at most): PostgreSQL joins a subquery written this
        # way row by row, where a join made it read every action of the council.
        return query.where(select(Action.council_id).where(Action.id == model.action_id)
                           .scalar_subquery() == council_id)
    # The requests on the actions of the items this person leads (the database starts from
    # their items).
    return (query.join(model.action).join(Action.item)
            .where(Action.council_id == council_id, Item.lead_officer_id == decider_id))


def _waiting_for(
    model: type[RequestModel], user: User, *, page: int, per_page: int, decides: bool = True
) -> Page[RequestModel]:
    """Requests of one kind that wait for this user's decision (`_requests_waiting_for`),
    the oldest first, a page at a time."""
    query = _requests_waiting_for(model, user.council_id, user.id, admin=is_admin(user),
                                  decides=decides)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = clamp(page, total, per_page)
    rows = _in_order(model, query, (model.requested_at, model.id), limit=per_page,
                     offset=(page - 1) * per_page,
                     options=[joinedload(model.action).joinedload(Action.item),
                              joinedload(model.requested_by)])
    return Page(rows=rows, total=total, page=page, per_page=per_page)


@dataclass(frozen=True)
class WaitingRequest:
    """A request that waits for someone's decision, as the dashboard lists it: plain values.
    `from_date` and `to_date` are a due-date change's; None for a request to cancel."""

    id: int
    action_description: str
    # The name of the person who asked.
    requested_by: str
    from_date: date | None = None
    to_date: date | None = None


@cache
def _waiting_lines_statement(model: type[RequestModel], *, admin: bool, decides: bool,
                             limit: int) -> Select[Any]:
    # The first requests are chosen, and all of them counted, before the action's
    # description and the asker's name are read for those few alone.
    dates = (DueDateChange.from_date, DueDateChange.to_date) if model is DueDateChange else ()
    first = (_requests_waiting_for(model, _COUNCIL, _PERSON, admin=admin, decides=decides)
             .with_only_columns(model.id, model.action_id, model.requested_by_id,
                                model.requested_at, *dates, func.count().over().label("total"))
             .order_by(model.requested_at, model.id)
             .limit(limit)
             .subquery("first_waiting"))
    return (select(first.c.id, Action.description, User.name,
                   *(first.c[column.key] for column in dates), first.c.total)
            .join(Action, Action.id == first.c.action_id)
            .join(User, User.id == first.c.requested_by_id)
            .order_by(first.c.requested_at, first.c.id))


def _waiting_lines(model: type[RequestModel], user: User, *, limit: int, decides: bool = True
                   ) -> Page[WaitingRequest]:
    """The first `limit` requests of one kind that wait for this user's decision, the oldest
    first, as plain values (a due-date change's with its dates), and how many wait in all:
    one statement."""
    rows = db.session.execute(
        _waiting_lines_statement(model, admin=is_admin(user), decides=decides, limit=limit),
        {"council_id": user.council_id, "user_id": user.id}).all()
    return Page(rows=[WaitingRequest(*row[:-1]) for row in rows],
                total=rows[0][-1] if rows else 0, page=1, per_page=limit)


def due_date_requests_waiting(user: User, *, limit: int) -> Page[WaitingRequest]:
    """The first requests to move a date that wait for this user's decision, the oldest
    first, as plain values, with how many wait in all (one statement)."""
    return _waiting_lines(DueDateChange, user, limit=limit)


def cancellations_waiting(user: User, *, limit: int) -> Page[WaitingRequest]:
    """The first requests to cancel an action that wait for this user's decision, the oldest
    first, as plain values, with how many wait in all (one statement). Partners decide none."""
    return _waiting_lines(CancellationRequest, user, limit=limit, decides=not user.is_partner)


def _in_order(model: type[Any], query: Select[Any], order: Sequence[ColumnElement[Any]], *,
              limit: int | None, offset: int = 0, options: Sequence[Any] = ()) -> list[Any]:
    """The rows of `model` that `query` selects, in `order`, `limit` of them from `offset`:
    chosen by their ids alone, then only those loaded with their `options` (one statement;
    sorting whole rows with all they load took longer than the rest of the page)."""
    chosen = query.with_only_columns(model.id).order_by(*order).limit(limit).offset(offset)
    return list(db.session.scalars(
        select(model).where(model.id.in_(chosen.scalar_subquery())).options(*options)
        .order_by(*order)).unique())


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


@cache
def _sign_off_statement(*, admin: bool, limit: int) -> Select[Any]:
    # The items waiting are chosen and counted in a subquery of their own, by the index of
    # items by council and status, before the first are taken in order: ordered at once,
    # PostgreSQL read every item of the council along the primary key instead.
    waiting = (
        select(Item.id, Item.title, func.count().over().label("total"))
        .where(Item.council_id == _COUNCIL, Item.status == ItemStatus.AWAITING_SIGN_OFF)
        .where(or_(Item.marked_complete_by_id.is_(None), Item.marked_complete_by_id != _PERSON))
    )
    if not admin:
        waiting = waiting.where(Item.lead_officer_id == _PERSON)
    chosen = waiting.subquery("waiting")
    return select(chosen.c.id, chosen.c.title, chosen.c.total).order_by(chosen.c.id).limit(limit)


def items_awaiting_sign_off_by(user: User, *, limit: int = 10) -> Page[ItemLink]:
    """Items marked complete that wait for this user's sign-off: an admin signs off any, a
    lead officer their own, and nobody an item they marked complete themselves (the rule of
    `can_sign_off_item`, as a query). The oldest first; the first `limit` of them as plain
    values, with how many wait in all (one statement)."""
    rows = db.session.execute(_sign_off_statement(admin=is_admin(user), limit=limit),
                              {"council_id": user.council_id, "user_id": user.id}).all()
    return Page(rows=[ItemLink(item_id, title) for item_id, title, _ in rows],
                total=rows[0][-1] if rows else 0, page=1, per_page=limit)


@dataclass
class Summary:
    """The dashboard's counts."""

    by_status: Counter[ShownStatus]
    by_priority_and_status: dict[Priority, Counter[ShownStatus]]
    open_actions: int
    overdue_actions: int
    complete_actions: int
    moved_actions: int


@cache
def _summary_statement() -> Select[Any]:
    # The council's items by the council each keeps: the index of items by council holds every
    # column read here, so no item row, finding or inspection is read.
    statuses = select(
        Item.priority.label("priority"), shown_status().label("status"),
        Item.open_actions, Item.complete_actions, Item.moved_actions,
    ).where(Item.council_id == _COUNCIL).subquery("item_statuses")
    overdue = _overdue(select(func.count()).select_from(Action), _COUNCIL,
                       _TODAY).scalar_subquery()
    return (select(statuses.c.priority, statuses.c.status, func.count().label("items"),
                   *(func.sum(statuses.c[name]).label(name)
                     for name in ("open_actions", "complete_actions", "moved_actions")),
                   overdue.label("overdue_actions"))
            .group_by(statuses.c.priority, statuses.c.status))


def council_summary(council_id: int, today: date, rules: StatusRules) -> Summary:
    """Counts of items by status and priority, and of actions by state: one statement, with
    the status worked out by the database from the items' own columns (no item or action is
    loaded). The open, complete and moved actions are summed from what each item keeps; the
    overdue ones, which the date alone changes, are counted in the same statement (a
    subquery that reads the index of actions by council, status and due date alone)."""
    by_status: Counter[ShownStatus] = Counter()
    by_priority: dict[Priority, Counter[ShownStatus]] = {p: Counter() for p in Priority}
    actions: Counter[str] = Counter()
    for row in db.session.execute(_summary_statement(), {
            "council_id": council_id, **status_parameters(today, rules)}):
        by_status[ShownStatus(row.status)] += row.items
        by_priority[row.priority][ShownStatus(row.status)] += row.items
        actions.update({"open": row.open_actions or 0, "complete": row.complete_actions or 0,
                        "moved": row.moved_actions or 0})
        # The same on every row; a council with no items has no actions either.
        actions["overdue"] = row.overdue_actions
    return Summary(
        by_status=by_status,
        by_priority_and_status=by_priority,
        open_actions=actions["open"],
        overdue_actions=actions["overdue"],
        complete_actions=actions["complete"],
        moved_actions=actions["moved"],
    )


@dataclass(frozen=True)
class ItemToPlan:
    """An item the weekly planning reminder names: not planned, or with no lead officer."""

    item_id: int
    title: str
    council_id: int
    lead_officer_id: int | None
    status: StatusResult


@cache
def _to_plan_statement(*, of_council: bool, led: bool) -> Select[Any]:
    query = (select(Item.id, Item.title, Inspection.council_id, *FACT_SOURCES)
             .join(Item.finding).join(Finding.inspection))
    if of_council:
        query = query.where(Inspection.council_id == _COUNCIL)
    if led:
        query = query.where(Item.lead_officer_id == _PERSON)
    return (query.where(or_(shown_status() == ShownStatus.NOT_PLANNED.value,
                            and_(Item.lead_officer_id.is_(None),
                                 Item.status != ItemStatus.COMPLETE)))
            .order_by(Inspection.council_id, Item.id))


def items_to_plan(council_id: int | None, today: date, rules: StatusRules, *,
                  led_by: int | None = None) -> list[ItemToPlan]:
    """Every item that is not planned, and every item not yet complete that has no lead
    officer (of one council, or of all of them): who leads it is told the first, the
    council's administrators the second. With `led_by`, only the items that person leads
    (the database then works out the status of their items alone). One statement, whatever
    the number."""
    rows = db.session.execute(
        _to_plan_statement(of_council=council_id is not None, led=led_by is not None),
        {"council_id": council_id, "user_id": led_by, **status_parameters(today, rules)}
    ).all()
    return [ItemToPlan(row.id, row.title, row.council_id, row.lead_officer_id,
                       work_out_status(facts_of(row), today, rules)) for row in rows]


def not_planned_items_led_by(user: User, today: date, rules: StatusRules) -> list[ItemToPlan]:
    """The items this person leads that are Not planned, each with why: one statement."""
    return [item for item in items_to_plan(user.council_id, today, rules, led_by=user.id)
            if item.status.state is ItemState.NOT_PLANNED]
