"""What the importer proposes from a document: plain data, no database, no Flask.

The field names and JSON shape follow `../shared/seeds/expected/*.json`, so an extraction can
be compared with the expected file of each labelled document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

# The five lists a finding can sit in, as the expected files name them.
FINDING_LISTS = (
    "strengths",
    "meets_requirements",
    "areas_for_development",
    "priority_actions",
    "areas_for_improvement",
)


# Whom a finding is addressed to: the local authority, or the Local Safeguarding Children
# Board (now the safeguarding partners), which SIF reports reviewed beside the council.
BODIES = ("local_authority", "lscb")


@dataclass
class ShortfallWarning:
    """A place where the document may hold findings the importer did not read.

    `kind` is "empty" (a finding heading with nothing read under it) or "gap" (a numbered
    list whose numbers jump, from `after` to `number`); `line` is the line of the document's
    text where it is (counted from 0), `heading` the finding heading's words."""

    kind: str
    category: str
    heading: str
    line: int
    after: str = ""
    number: str = ""
    body: str = "local_authority"  # whom the heading's list is addressed to

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "category": self.category,
            "heading": self.heading,
            "line": self.line,
            "after": self.after,
            "number": self.number,
            "body": self.body,
        }


@dataclass
class ProposedFinding:
    """One finding, in the document's words, under the heading it was found under."""

    category: str  # one of FINDING_LISTS
    text: str
    group: str = ""  # the sub-heading it sits under ("Within three months"), if any
    repeat_evidence: str = ""  # the sentence saying it was raised at the previous inspection
    body: str = "local_authority"  # one of BODIES: whom the finding is addressed to


@dataclass
class ProposedAction:
    """An "Action taken" bullet of a council's committee report, with its loose date read."""

    area_index: int
    area_heading: str
    text: str
    date_text: str | None = None
    date: date | None = None


@dataclass
class ContactOfficer:
    name: str
    title: str = ""
    phone: str = ""
    email: str = ""


@dataclass
class Extraction:
    """Everything read from one document, for a person to review before it is saved."""

    council: str | None = None
    document_kind: str | None = None
    inspection_title: str | None = None
    letter_date: date | None = None
    inspection_dates: list[date] = field(default_factory=list)
    inspector: str | None = None
    inspector_role: str | None = None
    recipient: str | None = None
    previous_inspection: str | None = None
    overall_judgement: str | None = None
    findings: list[ProposedFinding] = field(default_factory=list)
    actions: list[ProposedAction] = field(default_factory=list)
    contact_officer: ContactOfficer | None = None
    # The document's own words pointing back to an earlier inspection's findings ("The areas
    # for improvement set at the last focused visit in February 2020 remain."), and that
    # inspection as worded there ("February 2020").
    note: str | None = None
    refers_back_to: str | None = None
    warnings: list[ShortfallWarning] = field(default_factory=list)

    def in_list(self, name: str) -> list[ProposedFinding]:
        """The findings of one list (for example "areas_for_development"), in order."""
        return [f for f in self.findings if f.category == name]

    def to_json(self) -> dict[str, Any]:
        """The extraction with the keys and value types of the expected files, and ours
        beside them (`bodies`, `note`, `refers_back_to`, `warnings`)."""
        result: dict[str, Any] = {
            "council": self.council,
            "document_kind": self.document_kind,
            "inspection_title": self.inspection_title,
            "letter_date": self.letter_date.isoformat() if self.letter_date else None,
            "inspection_dates": [d.isoformat() for d in self.inspection_dates],
            "inspector": self.inspector,
            "inspector_role": self.inspector_role,
            "recipient": self.recipient,
            "previous_inspection": self.previous_inspection,
            "overall_judgement": self.overall_judgement,
        }
        repeats = []
        for name in FINDING_LISTS:
            found = self.in_list(name)
            result[name] = [f.text for f in found]
            repeats += [
                {"category": name, "index": index, "evidence": f.repeat_evidence}
                for index, f in enumerate(found)
                if f.repeat_evidence
            ]
        result["repeat_findings"] = repeats
        result["bodies"] = {name: [f.body for f in self.in_list(name)] for name in FINDING_LISTS}
        result["note"] = self.note
        result["refers_back_to"] = self.refers_back_to
        result["warnings"] = [warning.to_json() for warning in self.warnings]
        result["actions"] = [
            {
                "area_index": a.area_index,
                "area_heading": a.area_heading,
                "text": a.text,
                "date_text": a.date_text,
                "date": a.date.isoformat() if a.date else None,
            }
            for a in self.actions
        ]
        result["contact_officer"] = (
            {
                "name": self.contact_officer.name,
                "title": self.contact_officer.title,
                "phone": self.contact_officer.phone,
                "email": self.contact_officer.email,
            }
            if self.contact_officer
            else None
        )
        return result


class ImportProblem(ValueError):
    """A document that cannot be read, with a message that says what to do about it."""


def too_much_text(limit: int) -> ImportProblem:
    """The refusal of a document whose text, counted as it is read, passes `limit`
    characters: reading stops there."""
    return ImportProblem(
        f"This document has more than {limit:,} characters of text, far more than any "
        "inspection letter or report, so reading it was stopped there. Upload the letter "
        "or report on its own, without other documents joined to it."
    )
