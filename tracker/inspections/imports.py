"""Importing an inspection letter: read it once into a draft, review it, then create it.

`queue_letter_upload` keeps an uploaded letter for the scheduler to read
(tracker.uploads.service), which calls `start_import`: it reads and parses the document (the
pure pipeline in `tracker.inspections.importer`) and keeps the proposal in an `ImportDraft`;
the review page shows the draft and never reads the document again. `confirm_import` then
creates, in the caller's one transaction, the inspection, its findings, one tracked item per
area for development, priority action and area for improvement, the actions a committee
report lists, and the links from repeat findings to the previous inspection's findings; and
deletes the draft. `cancel_import` deletes the draft and nothing else.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from tracker import untrusted
from tracker.accounts.models import Role
from tracker.errors import RuleBroken
from tracker.extensions import db
from tracker.formatting import plural
from tracker.inspections.importer.model import (
    FINDING_LISTS,
    ContactOfficer,
    Extraction,
    ImportProblem,
    ProposedAction,
    ProposedFinding,
    ShortfallWarning,
)
from tracker.inspections.matching import best_previous_match, falls_in_worded_period
from tracker.inspections.models import (
    Finding,
    FindingBody,
    FindingCategory,
    ImportDraft,
    Inspection,
    StillOpenItem,
)
from tracker.inspections.service import add_finding, create_inspection
from tracker.items.models import Item, ItemStatus
from tracker.items.service import add_action, local_day, record_action_taken, track_finding
from tracker.uploads.models import UploadKind, UploadReading
from tracker.uploads.service import queue_upload

if TYPE_CHECKING:
    from tracker.accounts.models import User

# The importer's list names and the categories they hold.
LIST_CATEGORIES: dict[str, FindingCategory] = {
    "strengths": FindingCategory.STRENGTH,
    "meets_requirements": FindingCategory.MEETS_REQUIREMENTS,
    "areas_for_development": FindingCategory.AREA_FOR_DEVELOPMENT,
    "priority_actions": FindingCategory.PRIORITY_ACTION,
    "areas_for_improvement": FindingCategory.AREA_FOR_IMPROVEMENT,
}

# Whom a finding is addressed to, as the importer names them.
BODY_VALUES: dict[str, FindingBody] = {
    "local_authority": FindingBody.LOCAL_AUTHORITY,
    "lscb": FindingBody.LSCB,
}

# A committee report's actions answer its areas for development, by position in that list.
ACTIONS_ANSWER = "areas_for_development"

logger = logging.getLogger(__name__)

# The most findings one letter may bring: the review page shows each as a row of its form.
# Real letters hold a handful to a few dozen.
MOST_FINDINGS = 400
TOO_MANY_FINDINGS = (
    "This document has {count} findings; the tracker takes at most {most} from one letter. "
    "Check it is an inspection letter or report, or paste the part that lists the findings"
)
NO_FINDINGS = (
    "No findings were found in this document: check it is an inspection letter or report, "
    "or paste its text"
)
UNREADABLE = (
    "The tracker could not read this document. Check it opens on your computer, or paste its "
    "text instead"
)
# What to do with a document over one of the reader's limits (tracker.untrusted).
OVER_A_LIMIT = (
    "Save the letter or report on its own as a new PDF (in its viewer, Print, then Save as "
    "PDF) or as a Word document, and upload that, or paste its text instead"
)
# An import waiting for review (a letter's draft, an action plan's sheets) that nobody
# confirms is removed by the scheduler after this many days (tracker.jobs.run).
UNCONFIRMED_KEPT_DAYS = 7
PASTED_TEXT_NAME = "Pasted text"
SHORT_TITLE_LENGTH = 80

# Column limits of the inspection and its findings, checked here too so that the command
# line, which has no form, gets the same messages as the review page.
DETAIL_LIMITS = {
    "title": ("Title", 500),
    "inspectorate": ("Inspectorate", 120),
    "inspector": ("Inspector", 200),
    "inspector_role": ("Inspector's role", 200),
    "recipient": ("Letter to", 200),
    "previous_inspection_text": ("Previous inspection, as the letter words it", 200),
    "overall_judgement": ("Overall judgement", 60),
}
GROUP_MAX = 200
NOTE_MAX = 2_000
FINDING_TEXT_MAX = 10_000
REPEAT_EVIDENCE_MAX = 2_000


class DraftGone(RuleBroken):
    """The draft was confirmed or cancelled by another request in the meantime."""

    def __init__(self) -> None:
        super().__init__("This import has already been confirmed or cancelled")


@dataclass
class ReviewedDetails:
    """The inspection's details as the reviewer confirmed them."""

    title: str
    letter_date: date | None = None
    visit_dates: list[date] = field(default_factory=list)
    inspectorate: str = "Ofsted"
    inspector: str = ""
    inspector_role: str = ""
    recipient: str = ""
    previous_inspection_text: str = ""
    overall_judgement: str = ""
    note: str = ""


@dataclass
class ReviewedFinding:
    """One finding as the reviewer confirmed it. `source` says where the proposal had it
    ("areas_for_development:2"), so the report's actions for it follow it; empty for a
    finding the reviewer added."""

    category: FindingCategory
    text: str
    group: str = ""
    repeat_evidence: str = ""
    source: str = ""
    body: FindingBody = FindingBody.LOCAL_AUTHORITY


# --- Reading a document into a draft -----------------------------------------------------


def sha256_of(data: bytes) -> str:
    """The document's fingerprint: the same file always gives the same one."""
    return hashlib.sha256(data).hexdigest()


def clean_filename(filename: str) -> str:
    """The file's own name, without any folders a browser sent with it."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name.strip()
    return name[:255]


def proposal_from_extraction(extraction: Extraction) -> dict[str, Any]:
    """What a draft keeps: `Extraction.to_json()` plus each finding's group, list by list."""
    proposal = extraction.to_json()
    proposal["groups"] = {
        name: [finding.group for finding in extraction.in_list(name)] for name in FINDING_LISTS
    }
    return proposal


def extraction_from_proposal(proposal: Mapping[str, Any]) -> Extraction:
    """The extraction a draft was made from, read back from its JSON."""
    findings = []
    repeats = {
        (entry["category"], entry["index"]): entry["evidence"]
        for entry in proposal.get("repeat_findings") or []
    }
    groups = proposal.get("groups") or {}
    bodies = proposal.get("bodies") or {}
    for name in FINDING_LISTS:
        names_groups = groups.get(name) or []
        names_bodies = bodies.get(name) or []
        for index, text in enumerate(proposal.get(name) or []):
            body = names_bodies[index] if index < len(names_bodies) else ""
            findings.append(
                ProposedFinding(
                    category=name,
                    text=text,
                    group=names_groups[index] if index < len(names_groups) else "",
                    repeat_evidence=repeats.get((name, index), ""),
                    body=body if body in BODY_VALUES else "local_authority",
                )
            )
    contact = proposal.get("contact_officer")
    return Extraction(
        council=proposal.get("council"),
        document_kind=proposal.get("document_kind"),
        inspection_title=proposal.get("inspection_title"),
        letter_date=_date_or_none(proposal.get("letter_date")),
        inspection_dates=[
            d for d in (_date_or_none(v) for v in proposal.get("inspection_dates") or []) if d
        ],
        inspector=proposal.get("inspector"),
        inspector_role=proposal.get("inspector_role"),
        recipient=proposal.get("recipient"),
        previous_inspection=proposal.get("previous_inspection"),
        overall_judgement=proposal.get("overall_judgement"),
        findings=findings,
        actions=[
            ProposedAction(
                area_index=action["area_index"],
                area_heading=action.get("area_heading") or "",
                text=action["text"],
                date_text=action.get("date_text"),
                date=_date_or_none(action.get("date")),
            )
            for action in proposal.get("actions") or []
        ],
        contact_officer=ContactOfficer(**contact) if contact else None,
        note=proposal.get("note"),
        refers_back_to=proposal.get("refers_back_to"),
        warnings=[ShortfallWarning(**warning) for warning in proposal.get("warnings") or []],
    )


def _date_or_none(value: object) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def record_draft(
    council_id: int,
    *,
    actor: User,
    now: datetime,
    filename: str,
    sha256: str,
    text: str,
    extraction: Extraction,
) -> ImportDraft:
    """Keep a document's extraction as a draft for review; refused if it has no findings,
    unless it points back to an earlier inspection's (a letter that sets no new ones)."""
    _check_importer(actor, council_id)
    if not extraction.findings and not extraction.note:
        raise RuleBroken(NO_FINDINGS)
    if len(extraction.findings) > MOST_FINDINGS:
        raise RuleBroken(TOO_MANY_FINDINGS.format(count=len(extraction.findings),
                                                  most=MOST_FINDINGS))
    draft = ImportDraft(
        council_id=council_id,
        uploaded_by_id=actor.id,
        created_at=now,
        filename=filename,
        sha256=sha256,
        source_text=text,
        proposal=proposal_from_extraction(extraction),
    )
    db.session.add(draft)
    db.session.flush()
    return draft


def start_import(
    council_id: int,
    *,
    actor: User,
    now: datetime,
    data: bytes,
    filename: str,
    max_bytes: int,
) -> ImportDraft:
    """Read and parse an uploaded document once, and keep what it proposes as a draft.

    A document that cannot be read, or in which no finding is found, is refused with a
    message that says what to do (`RuleBroken` on the `document` field); nothing is kept.
    """
    from tracker.inspections import importer

    _check_importer(actor, council_id)
    text = read_uploaded_document(data, filename, max_bytes=max_bytes)
    try:
        extraction = importer.parse_text(text)
    except ImportProblem as problem:
        raise RuleBroken(str(problem), field="document") from problem
    except Exception as error:
        # Uploaded files are untrusted: a PDF library tripping over one is a message, not a 500.
        logger.exception("Importer failed on %r", filename)
        raise RuleBroken(UNREADABLE, field="document") from error
    try:
        return record_draft(
            council_id, actor=actor, now=now, filename=clean_filename(filename),
            sha256=sha256_of(data), text=text, extraction=extraction,
        )
    except RuleBroken as error:
        raise RuleBroken(error.message, field="document") from error


def queue_letter_upload(
    council_id: int,
    *,
    actor: User,
    now: datetime,
    data: bytes,
    filename: str,
    max_bytes: int,
) -> UploadReading:
    """Keep an uploaded letter to be read by the scheduler (`start_import`, which makes the
    draft), after the checks that need no reading: the person, an empty file, its size.

    Raises `RuleBroken` on the `document` field for those; nothing is kept then."""
    from tracker.inspections.importer.extract import check_before_reading

    _check_importer(actor, council_id)
    try:
        check_before_reading(data, max_bytes=max_bytes)
    except ImportProblem as problem:
        raise RuleBroken(str(problem), field="document") from problem
    return queue_upload(UploadKind.LETTER, council_id=council_id, actor=actor, now=now,
                        data=data, filename=clean_filename(filename))


def read_uploaded_document(data: bytes, filename: str, *, max_bytes: int) -> str:
    """An uploaded document's text, read by the importer in a fresh child process within the
    limits of `tracker.untrusted` (memory, time), never in this one.

    Raises `RuleBroken` on the `document` field: the importer's own refusal (a scan, a
    password, too much text …), or which limit the document passed and what to do."""
    try:
        return str(untrusted.read_untrusted("inspection-document", data, filename=filename,
                                            max_bytes=max_bytes))
    except untrusted.Refused as refused:
        raise RuleBroken(refused.message, field="document") from refused
    except untrusted.LimitReached as reached:
        raise RuleBroken(reached.limit.words("This document", OVER_A_LIMIT),
                         field="document") from reached
    except untrusted.ReaderFailed as error:
        logger.error("Importer failed on %r: %s", filename, error)
        raise RuleBroken(UNREADABLE, field="document") from error


def start_import_from_text(
    council_id: int,
    *,
    actor: User,
    now: datetime,
    text: str,
    max_bytes: int,
    filename: str = PASTED_TEXT_NAME,
) -> ImportDraft:
    """The same as `start_import`, for a letter's text pasted in (refusals on `text`)."""
    from tracker.inspections import importer

    _check_importer(actor, council_id)
    text = text.replace("\r\n", "\n").replace("\x00", "")
    if not text.strip():
        raise RuleBroken("Paste the text of the letter or report", field="text")
    encoded = text.encode("utf-8")
    if len(encoded) > max_bytes:
        raise RuleBroken(
            f"The pasted text is too long: it must be {size_words(max_bytes)} or less", field="text"
        )
    try:
        extraction = importer.parse_text(importer.check_text_length(text))
    except ImportProblem as problem:
        raise RuleBroken(str(problem), field="text") from problem
    except Exception as error:
        logger.exception("Importer failed on pasted text")
        raise RuleBroken(UNREADABLE, field="text") from error
    try:
        return record_draft(
            council_id, actor=actor, now=now, filename=clean_filename(filename),
            sha256=sha256_of(encoded), text=text, extraction=extraction,
        )
    except RuleBroken as error:
        raise RuleBroken(error.message, field="text") from error


def size_words(max_bytes: int) -> str:
    """A size as people read it: "10 MB"."""
    if max_bytes >= 1024 * 1024:
        return f"{max_bytes / (1024 * 1024):g} MB"
    if max_bytes >= 1024:
        return f"{max_bytes / 1024:g} KB"
    return plural(max_bytes, "byte")


def _check_importer(actor: User, council_id: int) -> None:
    if actor.role is not Role.ADMIN or actor.council_id != council_id or not actor.active:
        raise RuleBroken("Only an administrator of the council can import its inspections")


# --- Reading a draft ---------------------------------------------------------------------


def get_draft(council_id: int, draft_id: int) -> ImportDraft | None:
    """One of the council's drafts, or None."""
    return db.session.scalars(
        select(ImportDraft).where(ImportDraft.council_id == council_id, ImportDraft.id == draft_id)
    ).first()


def drafts_of_council(council_id: int) -> list[ImportDraft]:
    """The council's imports waiting for review, the newest first."""
    return list(
        db.session.scalars(
            select(ImportDraft)
            .where(ImportDraft.council_id == council_id)
            .order_by(ImportDraft.created_at.desc(), ImportDraft.id.desc())
        )
    )


def proposed_details(draft: ImportDraft) -> ReviewedDetails:
    """The inspection's details as the document gives them, for the reviewer to check."""
    proposal = draft.proposal
    return ReviewedDetails(
        title=proposal.get("inspection_title") or "",
        letter_date=_date_or_none(proposal.get("letter_date")),
        visit_dates=[
            d for d in (_date_or_none(v) for v in proposal.get("inspection_dates") or []) if d
        ],
        inspector=proposal.get("inspector") or "",
        inspector_role=proposal.get("inspector_role") or "",
        recipient=proposal.get("recipient") or "",
        previous_inspection_text=proposal.get("previous_inspection") or "",
        overall_judgement=proposal.get("overall_judgement") or "",
        note=proposal.get("note") or "",
    )


def proposed_findings(draft: ImportDraft) -> list[ReviewedFinding]:
    """The document's findings, list by list, each marked with where it came from."""
    extraction = extraction_from_proposal(draft.proposal)
    counters: dict[str, int] = {}
    findings = []
    for found in extraction.findings:
        index = counters.get(found.category, 0)
        counters[found.category] = index + 1
        findings.append(
            ReviewedFinding(
                category=LIST_CATEGORIES[found.category],
                text=found.text,
                group=found.group,
                repeat_evidence=found.repeat_evidence,
                source=f"{found.category}:{index}",
                body=BODY_VALUES[found.body],
            )
        )
    return findings


def proposed_warnings(draft: ImportDraft) -> list[ShortfallWarning]:
    """The places where the document may hold more findings than were read, in order."""
    return extraction_from_proposal(draft.proposal).warnings


def inspection_referred_back_to(draft: ImportDraft) -> Inspection | None:
    """The earlier inspection whose findings the document says still stand, when it is in
    the tracker: the latest of the council's inspections before this letter whose visit or
    letter falls in the period the document names ("February 2020")."""
    worded = draft.proposal.get("refers_back_to") or ""
    if not worded:
        return None
    for inspection in earlier_inspections(draft.council_id, proposed_details(draft).letter_date):
        days = [*inspection.visit_dates]
        if inspection.letter_date:
            days.append(inspection.letter_date)
        if falls_in_worded_period(worded, days):
            return inspection
    return None


def still_open_items(inspection: Inspection | None) -> list[Item]:
    """The tracked items of an inspection that are not complete, in the letter's order."""
    if inspection is None:
        return []
    return [
        finding.item
        for finding in inspection.findings
        if finding.item is not None and finding.item.status is not ItemStatus.COMPLETE
    ]


def proposed_actions(draft: ImportDraft) -> dict[str, list[ProposedAction]]:
    """The report's actions, by the `source` of the finding they answer."""
    actions: dict[str, list[ProposedAction]] = {}
    for action in extraction_from_proposal(draft.proposal).actions:
        actions.setdefault(f"{ACTIONS_ANSWER}:{action.area_index}", []).append(action)
    return actions


def council_named_elsewhere(draft: ImportDraft) -> str | None:
    """The council the document names, when it is not the draft's own council."""
    named = (draft.proposal.get("council") or "").strip()
    if not named:
        return None
    return None if _same_words(named, draft.council.name) else named


def _same_words(first: str, second: str) -> bool:
    def words(text: str) -> list[str]:
        return re.findall(r"[a-z0-9]+", text.lower())

    return words(first) == words(second)


def duplicate_of(
    draft: ImportDraft, *, title: str | None = None, letter_date: date | None = None
) -> Inspection | None:
    """An inspection of the council already imported from this document: the same file, or
    the same title and letter date (the proposal's, unless the reviewer's are given)."""
    same_file = db.session.scalars(
        select(Inspection)
        .where(Inspection.council_id == draft.council_id,
               Inspection.source_sha256 == draft.sha256)
        .order_by(Inspection.id)
    ).first()
    if same_file is not None:
        return same_file
    if title is None:
        title = draft.proposal.get("inspection_title") or ""
        letter_date = _date_or_none(draft.proposal.get("letter_date"))
    # Every year's letter of one kind has the same title, so a title alone proves nothing.
    if not title.strip() or letter_date is None:
        return None
    return db.session.scalars(
        select(Inspection)
        .where(
            Inspection.council_id == draft.council_id,
            Inspection.title == title.strip(),
            Inspection.letter_date == letter_date,
        )
        .order_by(Inspection.id)
    ).first()


def earlier_inspections(council_id: int, before: date | None) -> list[Inspection]:
    """The council's inspections that could be the previous one, the latest first."""
    query = (
        select(Inspection)
        .where(Inspection.council_id == council_id)
        .options(selectinload(Inspection.findings), selectinload(Inspection.visit_days))
        .order_by(Inspection.letter_date.desc().nulls_last(), Inspection.id.desc())
    )
    if before is not None:
        query = query.where(
            (Inspection.letter_date < before) | Inspection.letter_date.is_(None)
        )
    return list(db.session.scalars(query))


def propose_previous_inspection(draft: ImportDraft) -> Inspection | None:
    """The inspection the document calls the previous one, if it is in the tracker.

    The one whose visit or letter falls in the period the document names ("August 2010");
    failing that, when the document names a previous inspection or has repeat findings, the
    latest inspection before this letter. Without the letter's date nothing is "before" it:
    no inspection is proposed by date alone (a later one would be wrong), and the reviewer
    chooses.
    """
    details = proposed_details(draft)
    candidates = earlier_inspections(draft.council_id, details.letter_date)
    worded = details.previous_inspection_text
    if worded:
        for inspection in candidates:
            days = [*inspection.visit_dates]
            if inspection.letter_date:
                days.append(inspection.letter_date)
            if falls_in_worded_period(worded, days):
                return inspection
    has_repeats = bool(draft.proposal.get("repeat_findings"))
    if (worded or has_repeats) and candidates and details.letter_date is not None:
        return candidates[0]
    return None


def proposed_repeat_link(text: str, previous: Inspection | None) -> tuple[Finding, float] | None:
    """The finding of the previous inspection whose words are most like `text`, and the
    score, if any is alike enough."""
    if previous is None:
        return None
    by_id = {finding.id: finding for finding in previous.findings}
    match = best_previous_match(text, [(f.id, f.text) for f in previous.findings])
    if match is None:
        return None
    return by_id[match[0]], match[1]


def short_title(text: str, limit: int = SHORT_TITLE_LENGTH) -> str:
    """A tracked item's first title: the finding's first sentence, cut at a word boundary."""
    text = " ".join(text.split())
    first = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"'‘“(])", text, maxsplit=1)[0]
    first = first.rstrip(" .;:,")
    if len(first) <= limit:
        return first
    cut = first[: limit + 1]
    cut = cut.rsplit(" ", 1)[0] if " " in cut else first[:limit]
    return cut.rstrip(" ,;:–-") + "…"


# --- Confirming or cancelling --------------------------------------------------------------


@dataclass(frozen=True)
class ImportSummary:
    """How much an import created: "16 findings, 9 tracked items"."""

    findings: int
    items: int
    actions: int
    still_open: int = 0

    @classmethod
    def of(cls, inspection: Inspection) -> ImportSummary:
        items = [f.item for f in inspection.findings if f.item is not None]
        return cls(len(inspection.findings), len(items), sum(len(i.actions) for i in items),
                   len(inspection.still_open_items))

    @property
    def counts(self) -> str:
        if not self.findings and self.still_open:
            return f"no new findings, {plural(self.still_open, 'earlier item')} still open"
        text = f"{plural(self.findings, 'finding')}, {plural(self.items, 'tracked item')}"
        if self.actions:
            text += f", {plural(self.actions, 'action')}"
        return text

    @property
    def message(self) -> str:
        return f"Inspection imported: {self.counts}"


def _check_details(details: ReviewedDetails, today: date) -> None:
    if not details.title.strip():
        raise RuleBroken("Enter the inspection's title", field="title")
    if not details.inspectorate.strip():
        raise RuleBroken("Enter the inspectorate", field="inspectorate")
    for name, (label, limit) in DETAIL_LIMITS.items():
        if len(getattr(details, name).strip()) > limit:
            raise RuleBroken(f"{label} must be {limit} characters or fewer", field=name)
    if details.letter_date and details.letter_date > today:
        raise RuleBroken("The letter date cannot be in the future", field="letter_date")
    if any(day > today for day in details.visit_dates):
        raise RuleBroken("The visit dates cannot be in the future", field="visit_dates")
    if details.letter_date and any(day > details.letter_date for day in details.visit_dates):
        raise RuleBroken("The visit must be on or before the letter's date", field="visit_dates")


def _check_findings(findings: Sequence[ReviewedFinding], note: str) -> None:
    if len(note.strip()) > NOTE_MAX:
        raise RuleBroken(f"The note must be {NOTE_MAX:,} characters or fewer", field="note")
    if not findings and not note.strip():
        raise RuleBroken("Keep at least one finding, or cancel the import")
    for number, finding in enumerate(findings, start=1):
        if not finding.text.strip():
            raise RuleBroken(f"Finding {number}: enter its text")
        if len(finding.text.strip()) > FINDING_TEXT_MAX:
            raise RuleBroken(
                f"Finding {number}: its text must be {FINDING_TEXT_MAX:,} characters or fewer"
            )
        if len(finding.group.strip()) > GROUP_MAX:
            raise RuleBroken(f"Finding {number}: its sub-heading must be {GROUP_MAX} characters "
                             "or fewer")
        if len(finding.repeat_evidence.strip()) > REPEAT_EVIDENCE_MAX:
            raise RuleBroken(f"Finding {number}: its repeat evidence must be "
                             f"{REPEAT_EVIDENCE_MAX:,} characters or fewer")


def _repeat_targets(
    findings: Sequence[ReviewedFinding],
    previous: Inspection | None,
    repeat_links: Mapping[int, int],
) -> dict[int, Finding]:
    if not repeat_links:
        return {}
    if previous is None:
        raise RuleBroken(
            "Choose the previous inspection before linking repeat findings to it",
            field="previous_inspection",
        )
    of_previous = {finding.id: finding for finding in previous.findings}
    targets = {}
    for index, finding_id in repeat_links.items():
        if not 0 <= index < len(findings):
            raise RuleBroken("A repeat link names a finding that is not in this import")
        target = of_previous.get(finding_id)
        if target is None:
            raise RuleBroken(
                f"Finding {index + 1}: link it to a finding of the previous inspection"
            )
        targets[index] = target
    return targets


def _add_report_actions(
    item: Item,
    actions: Sequence[ProposedAction],
    *,
    actor: User,
    now: datetime,
    letter_date: date | None,
) -> None:
    today = local_day(now)
    for proposed in actions:
        if proposed.date is not None and proposed.date > today:
            # Still to come: planned like any other action, owned by the importer for now.
            add_action(item, actor=actor, now=now, description=proposed.text, owner=actor,
                       due_date=proposed.date)
        elif proposed.date is not None:
            record_action_taken(
                item, actor=actor, now=now, description=proposed.text, done_on=proposed.date,
                note="Listed under “Action taken” in the imported report",
            )
        else:
            done_on = letter_date if letter_date and letter_date <= today else today
            record_action_taken(
                item, actor=actor, now=now, description=proposed.text, done_on=done_on,
                note="Listed under “Action taken” in the imported report, which gives no "
                     "date: dated as the letter",
            )


def confirm_import(
    draft: ImportDraft,
    *,
    actor: User,
    now: datetime,
    details: ReviewedDetails,
    findings: Sequence[ReviewedFinding],
    previous_inspection: Inspection | None,
    repeat_links: Mapping[int, int],
    allow_duplicate: bool,
) -> Inspection:
    """Create the reviewed inspection, its findings and tracked items, and delete the draft.

    Tracked items (one per area for development, priority action and area for improvement)
    get the finding's first words as their title and no lead officer yet. A committee
    report's actions go to the item of the finding they answer, owned by the importing
    administrator: those it dates in the past (or does not date) are recorded as complete,
    those still to come as planned. `repeat_links` maps a finding's position in `findings`
    to the id of the previous inspection's finding it repeats. A document that points back
    to an earlier inspection's findings keeps those words as the inspection's note, and may
    have no findings of its own; when that inspection is in the tracker, its items not yet
    complete are linked to the new inspection as still open (no item is made for them, so
    nothing is counted twice). Everything is checked before anything is written, and
    everything is written in the caller's transaction.
    """
    _check_importer(actor, draft.council_id)
    _check_details(details, local_day(now))
    _check_findings(findings, details.note)
    if previous_inspection is not None and previous_inspection.council_id != draft.council_id:
        raise RuleBroken("The previous inspection must be one of this council's",
                         field="previous_inspection")
    targets = _repeat_targets(findings, previous_inspection, repeat_links)
    if not allow_duplicate:
        existing = duplicate_of(draft, title=details.title.strip(),
                                letter_date=details.letter_date)
        if existing is not None:
            raise RuleBroken(
                f"This document looks already imported, as “{existing.title}”: tick “Import "
                "it again anyway” to import it again",
                field="allow_duplicate",
            )
    actions = proposed_actions(draft)
    still_open = still_open_items(inspection_referred_back_to(draft)) if details.note else []
    council_id = draft.council_id
    filename, sha256, source_text = draft.filename, draft.sha256, draft.source_text

    # The draft goes first: a second confirmation of it (a double submit) then fails here.
    db.session.delete(draft)
    try:
        db.session.flush()
    except StaleDataError as error:
        raise DraftGone() from error

    inspection = create_inspection(
        council_id=council_id,
        title=details.title,
        letter_date=details.letter_date,
        visit_dates=details.visit_dates,
        inspectorate=details.inspectorate.strip(),
        inspector=details.inspector.strip(),
        inspector_role=details.inspector_role.strip(),
        recipient=details.recipient.strip(),
        previous_inspection=previous_inspection,
        previous_inspection_text=details.previous_inspection_text.strip(),
        overall_judgement=details.overall_judgement.strip(),
        source_filename=filename,
        source_text=source_text,
    )
    inspection.source_sha256 = sha256
    inspection.note = " ".join(details.note.split())
    for item in still_open:
        db.session.add(StillOpenItem(inspection_id=inspection.id, item_id=item.id))
    for index, reviewed in enumerate(findings):
        finding = add_finding(
            inspection,
            category=reviewed.category,
            text=" ".join(reviewed.text.split()),
            group=reviewed.group.strip(),
            repeat_evidence=" ".join(reviewed.repeat_evidence.split()),
            repeat_of=targets.get(index),
            body=reviewed.body,
        )
        if not reviewed.category.is_tracked:
            continue
        item = track_finding(
            finding=finding, title=short_title(finding.text), lead_officer=None,
            actor=actor, now=now,
        )
        _add_report_actions(
            item, actions.get(reviewed.source, []), actor=actor, now=now,
            letter_date=details.letter_date,
        )
    db.session.flush()
    return inspection


def confirm_as_proposed(
    draft: ImportDraft, *, actor: User, now: datetime, allow_duplicate: bool = False
) -> Inspection:
    """Confirm a draft without changing anything, as if the review page were submitted as
    it first appears: the proposed previous inspection, and each repeat finding linked to
    its closest match there (for the command line and the demo data)."""
    previous = propose_previous_inspection(draft)
    findings = proposed_findings(draft)
    links = {}
    for index, finding in enumerate(findings):
        match = proposed_repeat_link(finding.text, previous) if finding.repeat_evidence else None
        if match is not None:
            links[index] = match[0].id
    return confirm_import(
        draft, actor=actor, now=now, details=proposed_details(draft), findings=findings,
        previous_inspection=previous, repeat_links=links, allow_duplicate=allow_duplicate,
    )


def remove_unconfirmed_drafts(now: datetime) -> int:
    """Delete the drafts uploaded more than UNCONFIRMED_KEPT_DAYS before `now` and never
    confirmed (a confirmed draft is deleted at once): the letter's text is not kept for
    good in a draft nobody finished. How many were deleted."""
    result = db.session.execute(
        delete(ImportDraft).where(ImportDraft.created_at < now - unconfirmed_kept()))
    return result.rowcount or 0


def unconfirmed_kept() -> timedelta:
    """How long an import waiting for review (a letter's draft, an action plan's sheets)
    is kept before the scheduler removes it."""
    return timedelta(days=UNCONFIRMED_KEPT_DAYS)


def cancel_import(draft: ImportDraft) -> None:
    """Throw a draft away: nothing of it is kept. `DraftGone` if it had already gone."""
    db.session.delete(draft)
    try:
        db.session.flush()
    except StaleDataError as error:
        raise DraftGone() from error
