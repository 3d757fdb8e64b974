"""Text to an Extraction: details, findings by list, repeats, and a committee report's
actions and contact officer."""

from __future__ import annotations

from tracker.inspections.importer import committee, details
from tracker.inspections.importer.consistency import shortfalls
from tracker.inspections.importer.lists import find_lists
from tracker.inspections.importer.model import Extraction, ProposedFinding
from tracker.inspections.importer.repeats import mark_repeats
from tracker.inspections.importer.text import collapse, to_blocks


def parse_text(text: str) -> Extraction:
    """Everything the importer can read from a document's text, for review.

    Never raises: text with nothing recognisable gives an Extraction without findings, and
    the caller says so."""
    blocks = to_blocks(text)
    flat = collapse(" ".join(block.full_text for block in blocks))
    kind = details.document_kind(blocks, flat)
    visit = details.visit_dates(blocks, flat)
    title = details.title(blocks, kind)
    year = visit[0].year if visit else None
    lists = find_lists(blocks)
    items = lists.items
    evidence = mark_repeats(items, flat, " ".join(item.text for item in items))
    findings = [
        ProposedFinding(
            category=item.category,
            text=item.text,
            group=item.group,
            repeat_evidence=evidence.get(index, ""),
            body=item.body,
        )
        for index, item in enumerate(items)
        if item.text
    ]
    note = " ".join(lists.notes) or None
    inspector, role = details.inspector(blocks, kind)
    extraction = Extraction(
        council=details.council(blocks, flat, title, year),
        document_kind=kind,
        inspection_title=title,
        letter_date=details.letter_date(blocks, flat, kind),
        inspection_dates=visit,
        inspector=inspector,
        inspector_role=role,
        recipient=details.recipient(blocks, kind),
        previous_inspection=details.previous_inspection(flat, visit),
        overall_judgement=details.overall_judgement(flat),
        findings=findings,
        contact_officer=committee.find_contact_officer(blocks),
        note=note,
        refers_back_to=details.worded_period(note) if note else None,
        warnings=shortfalls(blocks, lists),
    )
    areas = [f.text for f in extraction.in_list("areas_for_development")]
    extraction.actions = committee.find_actions(blocks, areas, visit[0] if visit else None)
    return extraction
