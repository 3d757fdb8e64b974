"""What the API reads that the screens do not already have a query for, always within one
council: findings a page at a time, actions with filters, inspections' visit days, and the
API token a person asks to revoke."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, not_, select
from sqlalchemy.orm import joinedload

from tracker.access.models import AccessToken, TokenPurpose
from tracker.accounts.models import User
from tracker.extensions import db
from tracker.inspections.models import Finding, Inspection, InspectionDay
from tracker.items.models import OPEN_ACTION_STATUSES, Action, ActionStatus, Item
from tracker.items.queries import items_of_council
from tracker.pagination import Page, fetch_page


def inspection_exists(council_id: int, inspection_id: int) -> bool:
    """Whether the council has this inspection (one indexed lookup)."""
    return db.session.scalar(
        select(Inspection.id)
        .where(Inspection.council_id == council_id, Inspection.id == inspection_id)
    ) is not None


def visit_dates(inspection_ids: list[int]) -> dict[int, list[date]]:
    """The days of each inspection's visit, in order, for many inspections in one statement."""
    days: dict[int, list[date]] = {inspection_id: [] for inspection_id in inspection_ids}
    if inspection_ids:
        for inspection_id, day in db.session.execute(
            select(InspectionDay.inspection_id, InspectionDay.day)
            .where(InspectionDay.inspection_id.in_(inspection_ids))
            .order_by(InspectionDay.inspection_id, InspectionDay.day)
        ):
            days[inspection_id].append(day)
    return days


def findings_page(inspection_id: int, *, page: int, per_page: int) -> Page[Finding]:
    """An inspection's findings in the letter's order, each with its tracked item, a page at a
    time. The caller has checked that the inspection is the council's."""
    return fetch_page(
        select(Finding).where(Finding.inspection_id == inspection_id)
        .order_by(Finding.position, Finding.id),
        page=page, per_page=per_page, options=[joinedload(Finding.item)],
    )


def get_finding(council_id: int, finding_id: int) -> Finding | None:
    """One finding of the council, with its tracked item, or None."""
    return db.session.scalars(
        select(Finding).join(Finding.inspection)
        .where(Inspection.council_id == council_id, Finding.id == finding_id)
        .options(joinedload(Finding.item))
    ).first()


@dataclass(frozen=True)
class ActionFilters:
    """What the actions list can be narrowed by; every field is optional."""

    owner_id: int | None = None
    status: ActionStatus | None = None
    # True: only overdue actions; False: only those that are not overdue.
    overdue: bool | None = None
    item_id: int | None = None


def actions_page(council_id: int, filters: ActionFilters, *, today: date, page: int,
                 per_page: int) -> Page[Action]:
    """The council's actions, earliest due first, filtered, a page at a time (two statements).
    Overdue is the rule of `tracker.items.status.is_overdue`: open, and due before today."""
    query = (
        select(Action)
        .where(Action.item_id.in_(items_of_council(council_id).with_only_columns(Item.id)))
        .order_by(Action.due_date, Action.id)
    )
    if filters.owner_id is not None:
        query = query.where(Action.owner_id == filters.owner_id)
    if filters.status is not None:
        query = query.where(Action.status == filters.status)
    if filters.item_id is not None:
        query = query.where(Action.item_id == filters.item_id)
    if filters.overdue is not None:
        overdue = and_(Action.status.in_(OPEN_ACTION_STATUSES), Action.due_date < today)
        query = query.where(overdue if filters.overdue else not_(overdue))
    return fetch_page(query, page=page, per_page=per_page, options=[joinedload(Action.owner)])


def get_api_token(council_id: int, token_id: int) -> AccessToken | None:
    """An API token of someone in the council, or None (a calendar token is not one)."""
    return db.session.scalars(
        select(AccessToken).join(AccessToken.user)
        .where(AccessToken.id == token_id, AccessToken.purpose == TokenPurpose.API,
               User.council_id == council_id)
    ).first()
