"""Reading inspections for screens, without a query per inspection or per finding."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.inspections.models import (
    TRACKED_CATEGORIES,
    Finding,
    FindingCategory,
    Inspection,
)
from tracker.items.models import Item
from tracker.pagination import Page, fetch_page


def inspections_page(council_id: int, *, page: int = 1, per_page: int = 50) -> Page[Inspection]:
    """The council's inspections, the latest letter first, a page at a time."""
    return fetch_page(
        select(Inspection)
        .where(Inspection.council_id == council_id)
        .order_by(Inspection.letter_date.desc().nulls_last(), Inspection.id.desc()),
        page=page, per_page=per_page,
    )


def inspection_titles(council_id: int) -> list[tuple[int, str]]:
    """Each inspection's id and title, the latest letter first, for a list to choose from."""
    return [(row.id, row.title) for row in db.session.execute(
        _inspection_titles(), {"council_id": council_id})]


@cache
def _inspection_titles() -> Select[tuple[int, str]]:
    """`inspection_titles`' statement, built once (`council_id` bound): the items list's
    filter reads it on every request."""
    return (select(Inspection.id, Inspection.title)
            .where(Inspection.council_id == bindparam("council_id"))
            .order_by(Inspection.letter_date.desc().nulls_last(), Inspection.id.desc()))


def tracked_counts(inspections: list[Inspection]) -> dict[int, int]:
    """How many of each inspection's findings are tracked, in one statement."""
    if not inspections:
        return {}
    rows = db.session.execute(
        select(Finding.inspection_id, func.count())
        .where(Finding.inspection_id.in_([i.id for i in inspections]),
               Finding.category.in_(TRACKED_CATEGORIES))
        .group_by(Finding.inspection_id)
    )
    return {inspection_id: count for inspection_id, count in rows}


def inspection_for_page(council_id: int, inspection_id: int) -> Inspection | None:
    """One inspection of the council with everything its page shows: the previous
    inspection, the visit days, each finding with its tracked item, and the earlier items it
    found still open with their inspections (four statements)."""
    return db.session.scalars(
        select(Inspection)
        .where(Inspection.council_id == council_id, Inspection.id == inspection_id)
        .options(
            joinedload(Inspection.previous_inspection),
            selectinload(Inspection.visit_days),
            selectinload(Inspection.findings).joinedload(Finding.item),
            selectinload(Inspection.still_open_items)
            .joinedload(Item.finding)
            .joinedload(Finding.inspection),
        )
    ).first()


@dataclass(frozen=True)
class RunningClock:
    """An inspection whose statutory clock still runs, as the dashboard names it: plain
    values, all `tracker.inspections.service.deadlines_of_letter` needs."""

    id: int
    title: str
    letter_date: date
    has_priority_action: bool


def inspections_with_running_clock(council_id: int) -> list[RunningClock]:
    """Inspections whose statutory clock still runs (a letter date, no plan submitted yet),
    the latest letter first, each with whether it has areas for priority action (one
    statement)."""
    return [RunningClock(*row) for row in db.session.execute(
        _running_clock_statement(), {"council_id": council_id})]


@cache
def _running_clock_statement() -> Select[Any]:
    """`inspections_with_running_clock`'s statement, built once (it runs on every staff
    dashboard): the council is a bound parameter."""
    priority = (select(Finding.id)
                .where(Finding.inspection_id == Inspection.id,
                       Finding.category == FindingCategory.PRIORITY_ACTION)
                .exists())
    return (select(Inspection.id, Inspection.title, Inspection.letter_date, priority)
            .where(Inspection.council_id == bindparam("council_id"),
                   Inspection.letter_date.is_not(None), Inspection.plan_submitted_on.is_(None))
            .order_by(Inspection.letter_date.desc(), Inspection.id.desc()))
