"""The importer's consistency check: a reviewer is told where a document may hold more
findings than were read, and never told so about a document read in full."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.inspections.importer.expected import NOT_HERE, SHARED, labelled
from tests.inspections.importer.test_documents import DOCUMENTS, EXPECTED, MORE, read
from tracker.inspections.importer import parse_text

SEEDS = SHARED / "seeds"


def source_text(expected_file: Path) -> str:
    source = expected_file.parent.parent / json.loads(expected_file.read_text())["source_file"]
    if source.suffix == ".txt":
        return source.read_text(encoding="utf-8")
    return read(source)[0]


@pytest.mark.parametrize(
    "expected_file",
    labelled(SEEDS / "expected") + labelled(EXPECTED) + labelled(MORE / "expected"),
)
def test_a_labelled_document_read_in_full_has_no_warning(expected_file: Path):
    extraction = parse_text(source_text(expected_file))

    assert extraction.warnings == []


def test_every_other_document_has_no_warning_either():
    if not DOCUMENTS.is_dir():
        pytest.skip(f"{DOCUMENTS} not found: {NOT_HERE}")
    warned = {pdf.name: read(pdf)[1].warnings for pdf in sorted(DOCUMENTS.glob("*.pdf"))}

    assert {name: w for name, w in warned.items() if w} == {}


def halton_2024() -> str:
    pdf = DOCUMENTS / "14_halton_ilacs-inspection_2024-07-12.pdf"
    if not pdf.exists():
        pytest.skip(f"{pdf} not found: {NOT_HERE}")
    return read(pdf)[0]


def test_a_report_whose_list_was_cut_out_warns_at_its_heading():
    text = halton_2024()
    lines = text.split("\n")
    heading = next(n for n, line in enumerate(lines) if "What needs to improve" in line)
    end = next(n for n in range(heading + 1, len(lines)) if lines[n].startswith("## "))
    # The twelve bullets under the heading are cut; the next heading follows it at once.
    cut = "\n".join(lines[: heading + 1] + [""] + lines[end:])

    extraction = parse_text(cut)

    assert extraction.in_list("areas_for_improvement") == []
    assert len(extraction.warnings) == 1
    warning = extraction.warnings[0]
    assert (warning.kind, warning.category) == ("empty", "areas_for_improvement")
    assert "What needs to improve" in warning.heading
    assert warning.line == heading


def test_a_numbered_list_whose_numbers_jump_warns_where_they_jump():
    pdf = MORE / "17_halton-2015-sif.pdf"
    if not pdf.exists():
        pytest.skip(f"{pdf} not found: {NOT_HERE}")
    lines = read(pdf)[0].split("\n")
    # Paragraphs 10 to 14 of the areas for improvement are cut: 9 is followed by 15.
    first = next(n for n, line in enumerate(lines) if line.startswith("10. "))
    after = next(n for n, line in enumerate(lines) if line.startswith("15. "))
    cut = lines[:first] + lines[after:]

    extraction = parse_text("\n".join(cut))

    assert [(w.kind, w.after, w.number) for w in extraction.warnings] == [("gap", "9", "15")]
    assert cut[extraction.warnings[0].line].startswith("15. ")
    assert extraction.warnings[0].heading == "Areas for improvement"


def test_a_heading_that_says_there_are_none_gives_no_warning():
    text = (
        "## Areas for priority action\n\n"
        "There are no priority actions following this focused visit.\n\n"
        "## What needs to improve\n\n• Plans.\n"
    )

    assert parse_text(text).warnings == []


def test_a_heading_with_nothing_under_it_warns():
    text = "## Areas for priority action\n\n## Main findings\n\nChildren are safe.\n"

    warnings = parse_text(text).warnings

    assert [(w.kind, w.category, w.line) for w in warnings] == [("empty", "priority_actions", 0)]
    assert re.fullmatch(r"Areas for priority action", warnings[0].heading)
