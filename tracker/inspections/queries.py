"""Reading inspections for screens, without a query per inspection or per finding."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import Row, Select, bindparam, func, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from tracker.extensions import db
from tracker.inspections.models import (
    TRACKED_CATEGORIES,
    Finding,
    FindingCategory,
    Inspection,
    InspectionDay,
    StillOpenItem,
)
from tracker.items.models import Item
from tracker.items.queries import FACT_SOURCES
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
class InspectionPage:
    """What an inspection's page shows, as plain rows (no ORM objects): it is read on every
    visit and a letter can have fifty findings."""

    # The inspection's own columns under their names, and `previous_id` and
    # `previous_title` of the previous inspection where one is linked.
    inspection: Row[Any]
    visit_dates: list[date]
    # Each finding in the letter's order: `category`, `body`, `group`, `text`, `is_repeat`,
    # and its tracked item's `item_id` and `item_title` with the columns the status rule
    # reads (`FACT_SOURCES`, under their own names), all None for a finding not tracked.
    findings: list[Row[Any]]
    # The earlier items this inspection found still open: `item_id`, `item_title`, and the
    # `inspection_id` and `inspection_title` of the inspection that raised each.
    still_open: list[Row[Any]]


def inspection_page(council_id: int, inspection_id: int) -> InspectionPage | None:
    """One inspection of the council as its page shows it, or None (four statements, each
    built once and run with the ids bound)."""
    ids = {"council_id": council_id, "inspection_id": inspection_id}
    inspection = db.session.execute(_inspection_statement(), ids).first()
    if inspection is None:
        return None
    return InspectionPage(
        inspection=inspection,
        visit_dates=list(db.session.scalars(_visit_days_statement(), ids)),
        findings=list(db.session.execute(_findings_statement(), ids)),
        still_open=list(db.session.execute(_still_open_statement(), ids)),
    )


@cache
def _inspection_statement() -> Select[Any]:
    """`inspection_page`'s inspection with its previous one's id and title (the council's id
    and the inspection's bound)."""
    previous = aliased(Inspection)
    return (
        select(Inspection.id, Inspection.inspectorate, Inspection.title, Inspection.letter_date,
               Inspection.inspector, Inspection.inspector_role, Inspection.recipient,
               Inspection.previous_inspection_text, Inspection.overall_judgement,
               Inspection.plan_submitted_on, Inspection.note, Inspection.source_text,
               previous.id.label("previous_id"), previous.title.label("previous_title"))
        .outerjoin(previous, previous.id == Inspection.previous_inspection_id)
        .where(Inspection.council_id == bindparam("council_id"),
               Inspection.id == bindparam("inspection_id"))
    )


@cache
def _visit_days_statement() -> Select[tuple[date]]:
    """The days of the inspection's visit, in order (its id bound)."""
    return (select(InspectionDay.day)
            .where(InspectionDay.inspection_id == bindparam("inspection_id"))
            .order_by(InspectionDay.day))


@cache
def _findings_statement() -> Select[Any]:
    """The inspection's findings in the letter's order, each with its tracked item's id,
    title and status facts where it has one (the inspection's id bound)."""
    return (
        select(Finding.category, Finding.body, Finding.group, Finding.text,
               Finding.is_repeat.label("is_repeat"),
               Item.id.label("item_id"), Item.title.label("item_title"), *FACT_SOURCES)
        .outerjoin(Item, Item.finding_id == Finding.id)
        .where(Finding.inspection_id == bindparam("inspection_id"))
        .order_by(Finding.position, Finding.id)
    )


@cache
def _still_open_statement() -> Select[Any]:
    """The earlier items the inspection found still open, each with the inspection that
    raised it, in the order of their ids (the inspection's id bound)."""
    raised_by = aliased(Inspection)
    return (
        select(Item.id.label("item_id"), Item.title.label("item_title"),
               raised_by.id.label("inspection_id"), raised_by.title.label("inspection_title"))
        .join(StillOpenItem, StillOpenItem.item_id == Item.id)
        .join(Finding, Finding.id == Item.finding_id)
        .join(raised_by, raised_by.id == Finding.inspection_id)
        .where(StillOpenItem.inspection_id == bindparam("inspection_id"))
        .order_by(Item.id)
    )


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
