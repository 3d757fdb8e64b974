"""Inspections: the statutory clock and recording that the action plan was submitted."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.errors import RuleBroken
from tracker.extensions import db
from tracker.formatting import long_date
from tracker.inspections.models import (
    CATEGORY_ORDER,
    Finding,
    FindingBody,
    FindingCategory,
    Inspection,
    InspectionDay,
)
from tracker.workingdays import add_working_days, working_days_between

F = TypeVar("F")

# The inspectorate's deadlines, counted in working days from the letter's date.
ACTION_PLAN_WORKING_DAYS = 70
PRIORITY_DRAFT_WORKING_DAYS = 20


@dataclass(frozen=True)
class Deadline:
    """One statutory deadline and how far away it is."""

    what: str
    due: date
    working_days_left: int

    @property
    def passed(self) -> bool:
        return self.working_days_left < 0


def statutory_clock(inspection: Inspection, today: date) -> list[Deadline]:
    """The deadlines still running for an inspection: none once its plan is marked submitted
    (`deadlines_of_letter`)."""
    return running_deadlines(inspection.letter_date, inspection.plan_submitted_on,
                             [f.category for f in inspection.findings], today)


def running_deadlines(letter_date: date | None, plan_submitted_on: date | None,
                      categories: Iterable[FindingCategory], today: date) -> list[Deadline]:
    """`statutory_clock` from plain values: the letter's date, the day the plan was marked
    submitted, and the categories of the letter's findings."""
    if letter_date is None or plan_submitted_on is not None:
        return []
    return deadlines_of_letter(
        letter_date, FindingCategory.PRIORITY_ACTION in set(categories), today)


def deadlines_of_letter(letter_date: date, has_priority_action: bool,
                        today: date) -> list[Deadline]:
    """The deadlines that a letter of this date sets, while its plan is not yet submitted.

    The action plan is due 70 working days after the letter; where the letter has areas for
    priority action, a draft is due after 20 working days. Bank holidays in England and Wales
    are not working days.
    """
    deadlines = []
    if has_priority_action:
        due = add_working_days(letter_date, PRIORITY_DRAFT_WORKING_DAYS)
        deadlines.append(
            Deadline("Draft action plan for the areas for priority action", due,
                     working_days_between(today, due))
        )
    due = add_working_days(letter_date, ACTION_PLAN_WORKING_DAYS)
    deadlines.append(Deadline("Action plan", due, working_days_between(today, due)))
    return deadlines


def mark_plan_submitted(inspection: Inspection, *, submitted_on: date, today: date) -> None:
    """Record the day the action plan went to the inspectorate; the clock then stops."""
    if inspection.letter_date and submitted_on < inspection.letter_date:
        raise RuleBroken(
            f"The plan cannot have been submitted before the letter, "
            f"{long_date(inspection.letter_date)}",
            field="submitted_on",
        )
    if submitted_on > today:
        raise RuleBroken("The submission date cannot be in the future", field="submitted_on")
    inspection.plan_submitted_on = submitted_on
    db.session.flush()


def inspections_of_council(council_id: int) -> list[Inspection]:
    """The council's inspections, the latest letter first."""
    return list(
        db.session.scalars(
            select(Inspection)
            .where(Inspection.council_id == council_id)
            .options(selectinload(Inspection.findings), selectinload(Inspection.visit_days))
            .order_by(Inspection.letter_date.desc().nulls_last(), Inspection.id.desc())
        )
    )


def get_inspection(council_id: int, inspection_id: int) -> Inspection | None:
    """One inspection of the council, or None."""
    return db.session.scalars(
        select(Inspection)
        .where(Inspection.council_id == council_id, Inspection.id == inspection_id)
        .options(
            selectinload(Inspection.findings).selectinload(Finding.item),
            selectinload(Inspection.visit_days),
        )
    ).first()


def findings_by_category(findings: Sequence[F]) -> list[tuple[FindingCategory, list[F]]]:
    """An inspection's findings (each a `Finding`, or a row with its `category`) grouped
    under their headings, most urgent first, in their order within each."""
    grouped = []
    for category in CATEGORY_ORDER:
        found = [f for f in findings if f.category is category]
        if found:
            grouped.append((category, found))
    return grouped


def create_inspection(
    *,
    council_id: int,
    title: str,
    letter_date: date | None,
    visit_dates: list[date],
    inspectorate: str = "Ofsted",
    inspector: str = "",
    inspector_role: str = "",
    recipient: str = "",
    previous_inspection: Inspection | None = None,
    previous_inspection_text: str = "",
    overall_judgement: str = "",
    source_filename: str = "",
    source_text: str = "",
) -> Inspection:
    """Record an inspection and the days of its visit."""
    if previous_inspection is not None and previous_inspection.council_id != council_id:
        raise RuleBroken("The previous inspection must be one of this council's",
                         field="previous_inspection")
    inspection = Inspection(
        council_id=council_id,
        title=title.strip(),
        letter_date=letter_date,
        inspectorate=inspectorate,
        inspector=inspector,
        inspector_role=inspector_role,
        recipient=recipient,
        previous_inspection=previous_inspection,
        previous_inspection_text=previous_inspection_text,
        overall_judgement=overall_judgement,
        source_filename=source_filename,
        source_text=source_text,
        visit_days=[InspectionDay(day=d) for d in sorted(set(visit_dates))],
    )
    db.session.add(inspection)
    db.session.flush()
    return inspection


def add_finding(
    inspection: Inspection,
    *,
    category: FindingCategory,
    text: str,
    group: str = "",
    repeat_evidence: str = "",
    repeat_of: Finding | None = None,
    body: FindingBody = FindingBody.LOCAL_AUTHORITY,
    flush: bool = True,
) -> Finding:
    """Add a finding at the end of the inspection's list.

    `flush=False` leaves the save to the caller, which flushes once after adding many (an
    import): the finding's place is counted from the inspection's list in memory."""
    finding = Finding(
        inspection=inspection,
        category=category,
        text=text.strip(),
        position=len(inspection.findings),
        group=group,
        repeat_evidence=repeat_evidence,
        repeat_of=repeat_of,
        body=body,
    )
    db.session.add(finding)
    if flush:
        db.session.flush()
    return finding
