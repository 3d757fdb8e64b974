"""The importer: a pure pipeline from a document's bytes to proposed findings.

read_document (bytes → text) → parse_text (text → Extraction). No Flask and no database:
the review page, the `flask import` command and the demo data call these functions, and
the tests run them against the expected results of every labelled document.
"""

from __future__ import annotations

from tracker.inspections.importer.dates import parse_loose_date
from tracker.inspections.importer.extract import MAX_BYTES, check_text_length, read_document
from tracker.inspections.importer.model import (
    FINDING_LISTS,
    ContactOfficer,
    Extraction,
    ImportProblem,
    ProposedAction,
    ProposedFinding,
)
from tracker.inspections.importer.parse import parse_text

__all__ = [
    "FINDING_LISTS",
    "MAX_BYTES",
    "ContactOfficer",
    "Extraction",
    "ImportProblem",
    "ProposedAction",
    "ProposedFinding",
    "check_text_length",
    "import_document",
    "parse_loose_date",
    "parse_text",
    "read_document",
]


def import_document(
    data: bytes, filename: str, *, max_bytes: int = MAX_BYTES
) -> tuple[str, Extraction]:
    """The document's text and what it proposes: `read_document`, then `parse_text`."""
    text = read_document(data, filename, max_bytes=max_bytes)
    return text, parse_text(text)
