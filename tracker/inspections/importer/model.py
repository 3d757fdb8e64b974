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


@dataclass
class ProposedFinding:
    """One finding, in the document's words, under the heading it was found under."""

    category: str  # one of FINDING_LISTS
    text: str
    group: str = ""  # the sub-heading it sits under ("Within three months"), if any
    repeat_evidence: str = ""  # the sentence saying it was raised at the previous inspection


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

    def in_list(self, name: str) -> list[ProposedFinding]:
        """The findings of one list (for example "areas_for_development"), in order."""
        return [f for f in self.findings if f.category == name]

    def to_json(self) -> dict[str, Any]:
        """The extraction with the keys and value types of the expected files."""
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
