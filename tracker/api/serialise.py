"""Records as the API's JSON: plain dicts, dates in ISO 8601, enums as their text values.

Each function here has a schema of the same name in `tracker.api.openapi`; the schemathesis
test holds every response to it, so a field added here and not there (or the other way
round) fails the tests.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from flask import url_for

from tracker.accounts.models import User
from tracker.inspections.models import Finding, Inspection
from tracker.items.models import Action, Item, ItemStatus
from tracker.items.queries import ItemRow, ListedItem
from tracker.items.status import StatusResult, days_overdue, is_overdue
from tracker.reports.models import IssuedReport
from tracker.reports.service import FORMATS, ISSUED_FORMATS

if TYPE_CHECKING:
    from tracker.questions.queries import Listed


def link(endpoint: str, **values: Any) -> str:
    """An absolute address of the API (or of any page), for a program to follow."""
    return url_for(endpoint, _external=True, **values)


def day(value: date | None) -> str | None:
    """2026-11-22."""
    return value.isoformat() if value is not None else None


def moment(value: datetime | None) -> str | None:
    """2026-11-22T12:00:00Z: UTC, to the second."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def person(user: User | None) -> dict[str, Any] | None:
    """Who leads, owns or issued something: the name the pages show, not the email address."""
    if user is None:
        return None
    return {"id": user.id, "name": user.name, "organisation": user.organisation}


class Paged(Protocol):
    """What a page of any list query says about the whole list."""

    total: int
    per_page: int

    @property
    def pages(self) -> int: ...


def paged(page: Paged, rows: list[dict[str, Any]], endpoint: str, asked_for: int,
          **values: Any) -> dict[str, Any]:
    """A page of a list with its place in the whole: the total, and links to the first, last,
    previous and next pages (null where there is none). A page past the end is empty."""
    pages = page.pages
    number = asked_for

    def at(n: int) -> str:
        return link(endpoint, **values, page=n, per_page=page.per_page)

    return {
        "data": rows,
        "meta": {"page": number, "per_page": page.per_page, "total": page.total,
                 "pages": pages},
        "links": {
            "self": at(number),
            "first": at(1),
            "last": at(pages),
            "prev": at(min(number - 1, pages)) if number > 1 else None,
            "next": at(number + 1) if number < pages else None,
        },
    }


def state(result: StatusResult) -> dict[str, Any]:
    """An item's state (complete, awaiting sign-off, delivered, not planned or in delivery),
    its name in words and the reason for it."""
    return {"value": result.state.value, "label": result.shown.label, "reason": result.reason}


def rag(result: StatusResult) -> dict[str, Any] | None:
    """An item's RAG, the reason for it, and whether a person set it by hand; None unless the
    item is in delivery."""
    if result.rag is None:
        return None
    return {"value": result.rag.value, "reason": result.reason,
            "set_by_hand": result.overridden}


def inspection(record: Inspection, *, visit_dates: list[date],
               tracked_findings: int) -> dict[str, Any]:
    """An inspection and its letter's details, without the letter's text."""
    return {
        "id": record.id,
        "title": record.title,
        "inspectorate": record.inspectorate,
        "letter_date": day(record.letter_date),
        "visit_dates": [day(visit) for visit in visit_dates],
        "inspector": record.inspector,
        "inspector_role": record.inspector_role,
        "recipient": record.recipient,
        "overall_judgement": record.overall_judgement,
        "previous_inspection_id": record.previous_inspection_id,
        "previous_inspection_text": record.previous_inspection_text,
        "plan_submitted_on": day(record.plan_submitted_on),
        "tracked_findings": tracked_findings,
        "created_at": moment(record.created_at),
        "links": {
            "self": link("api.v1.get_inspection", inspection_id=record.id),
            "findings": link("api.v1.list_findings", inspection_id=record.id),
            "items": link("api.v1.list_items", inspection=record.id),
        },
    }


def finding(record: Finding) -> dict[str, Any]:
    """A finding in the letter's words, with the item that tracks it (loaded with it)."""
    item = record.item
    return {
        "id": record.id,
        "inspection_id": record.inspection_id,
        "category": record.category.value,
        "text": record.text,
        "position": record.position,
        "group": record.group,
        "is_repeat": record.is_repeat,
        "repeat_of_id": record.repeat_of_id,
        "repeat_evidence": record.repeat_evidence,
        "item_id": item.id if item is not None else None,
        "links": {
            "self": link("api.v1.get_finding", finding_id=record.id),
            "inspection": link("api.v1.get_inspection", inspection_id=record.inspection_id),
            "item": link("api.v1.get_item", item_id=item.id) if item is not None else None,
        },
    }


def item(record: ListedItem, *, result: StatusResult, open_actions: int, overdue_actions: int,
         not_updated: bool) -> dict[str, Any]:
    """An item as the items list shows it (`ListedItem.of` makes one of a loaded item)."""
    lead = record.lead_officer
    return {
        "id": record.id,
        "title": record.title,
        "theme": record.theme,
        "priority": record.priority.value,
        "status": record.status.value,
        "state": state(result),
        "rag": rag(result),
        "target_date": day(record.target_date),
        "lead_officer": {"id": lead.id, "name": lead.name, "organisation": lead.organisation}
        if lead is not None else None,
        "category": record.category.value,
        "is_repeat": record.is_repeat,
        "finding_id": record.finding_id,
        "inspection_id": record.inspection_id,
        "open_actions": open_actions,
        "overdue_actions": overdue_actions,
        "not_updated": not_updated,
        "created_at": moment(record.created_at),
        "last_updated_at": moment(record.last_updated_at),
        "links": {
            "self": link("api.v1.get_item", item_id=record.id),
            "actions": link("api.v1.list_actions", item=record.id),
            "finding": link("api.v1.get_finding", finding_id=record.finding_id),
            "inspection": link("api.v1.get_inspection",
                               inspection_id=record.inspection_id),
        },
    }


def item_row(row: ItemRow) -> dict[str, Any]:
    """A line of the items list (`tracker.items.queries.find_items`)."""
    return item(row.item, result=row.status, open_actions=row.open_actions,
                overdue_actions=row.overdue_actions, not_updated=row.stale)


def item_in_full(record: Item, *, result: StatusResult, today: date, not_updated: bool
                 ) -> dict[str, Any]:
    """One item with everything its page shows: the finding's words, the measure of success,
    the outcome evidence and every action."""
    actions = list(record.actions)
    data = item(
        ListedItem.of(record), result=result,
        open_actions=sum(1 for a in actions if a.is_open),
        overdue_actions=sum(1 for a in actions if is_overdue(a.status, a.due_date, today)),
        not_updated=not_updated,
    )
    data.update({
        "finding_text": record.finding.text,
        "measure_of_success": record.measure_of_success,
        "outcome_evidence": record.outcome_evidence,
        "signed_off_at": moment(record.signed_off_at),
        "actions": [action(a, today=today) for a in actions],
    })
    return data


def action(record: Action, *, today: date) -> dict[str, Any]:
    """An action, with whether (and by how many days) it is overdue today."""
    return {
        "id": record.id,
        "item_id": record.item_id,
        "description": record.description,
        "owner": person(record.owner),
        "status": record.status.value,
        "due_date": day(record.due_date),
        "original_due_date": day(record.original_due_date),
        "date_moved": record.date_moved,
        "completed_on": day(record.completed_on),
        "overdue": is_overdue(record.status, record.due_date, today),
        "days_overdue": days_overdue(record.status, record.due_date, today),
        "evidence_link": record.evidence_link,
        "created_at": moment(record.created_at),
        "last_updated_at": moment(record.last_updated_at),
        "links": {
            "self": link("api.v1.get_action", action_id=record.id),
            "item": link("api.v1.get_item", item_id=record.item_id),
        },
    }


def report(record: IssuedReport) -> dict[str, Any]:
    """An issued report's details, with where to download each of its files."""
    return {
        "id": record.id,
        "committee": {"id": record.committee.id, "name": record.committee.name},
        "version": record.version,
        "title": record.title,
        "meeting_date": day(record.meeting_date),
        "issued_at": moment(record.issued_at),
        "issued_by": person(record.issued_by),
        "links": {
            "self": link("api.v1.get_report", report_id=record.id),
            **{fmt: link("api.v1.report_file", report_id=record.id, file_format=fmt)
               for fmt in FORMATS},
        },
    }


def report_in_full(record: IssuedReport, *, sizes: dict[str, int],
                   hashes: dict[str, str]) -> dict[str, Any]:
    """An issued report with each stored file's size and SHA-256, its background paper (the
    full action plan as Excel) among them when it has one."""
    data = report(record)
    has_paper = "xlsx" in hashes
    data["links"]["xlsx"] = link("api.v1.report_file", report_id=record.id,
                                 file_format="xlsx") if has_paper else None
    data["files"] = [
        {
            "format": fmt,
            "media_type": spec.mimetype,
            "size": sizes[fmt],
            "sha256": hashes[fmt],
            "links": {"download": link("api.v1.report_file", report_id=record.id,
                                       file_format=fmt)},
        }
        for fmt, spec in ISSUED_FORMATS.items() if fmt in hashes
    ]
    return data


def not_updated(record: Item, *, stale: bool) -> bool:
    """The "not updated" flag as the pages show it: never on a complete item."""
    return record.status is not ItemStatus.COMPLETE and stale


def question(listed: Listed) -> dict[str, Any]:
    """A member's question, with the answer once it is written (`answer_due` while it
    waits: the committee's next meeting that has not passed, if one is set)."""
    record = listed.question
    meeting = record.meeting
    return {
        "id": record.id,
        "committee": {"id": meeting.committee.id, "name": meeting.committee.name},
        "meeting_date": day(meeting.meeting_date),
        "item_id": record.item_id,
        "question": record.question,
        "asked_by": record.asked_by_name,
        "asked_by_person": person(record.asked_by),
        "officer": person(record.officer),
        "answered": record.is_answered,
        "answer_due": day(listed.answer_due),
        "answer": record.answer if record.is_answered else None,
        "answered_by": person(record.answered_by),
        "answered_at": moment(record.answered_at),
        "corrected_at": moment(record.corrected_at),
        "recorded_at": moment(record.recorded_at),
        "links": {
            "self": link("api.v1.get_question", question_id=record.id),
            "committee_questions": link("api.v1.list_questions", committee=meeting.committee.id),
            "item": link("api.v1.get_item", item_id=record.item_id)
            if record.item_id is not None else None,
        },
    }
