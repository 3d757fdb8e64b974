"""The real inspection PDFs in ../shared/documents, read through `read_document` (PDFium)
and `parse_text`.

- Each labelled PDF (one with an expected file) gives exactly its expected file.
- Every other PDF imports without error, with the counts and details checked by hand once
  against the documents' README table and the PDF itself, and pinned here.

Each PDF is read once per test session (reading is the slow part: up to about 0.3 s each).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from tests.inspections.importer.expected import NOT_HERE, SHARED, differences, labelled
from tracker.inspections.importer import FINDING_LISTS, Extraction, parse_text, read_document

DOCUMENTS = SHARED / "documents"
EXPECTED = DOCUMENTS / "expected"
# Four more reports and letters of the families the importer once half-read; their expected
# files hold the finding lists only (see its README).
MORE = DOCUMENTS / "more"

# Checked by hand against the README's table ("lists of findings in the document", overall
# grade) and the PDFs (council, visit days): (council, kind, overall judgement, first and
# last visit day, {list: count}). Lists not named have no findings; no document here has a
# repeat finding.
PINNED = {
    "01_kent_lac-inspection_2013-08-23": (
        "Kent County Council", "ofsted_report", "adequate", "2013-07-15", "2013-07-19",
        {"areas_for_improvement": 12},
    ),
    "03_wiltshire_sif-inspection_2015-09-01": (
        "Wiltshire Council", "ofsted_report", "requires improvement", "2015-06-22",
        "2015-07-16", {"areas_for_improvement": 15},
    ),
    "05_sutton_sif-inspection_2017-02-13": (
        "London Borough of Sutton", "ofsted_report", "good", "2016-11-14", "2016-12-08",
        {"areas_for_improvement": 11},
    ),
    "07_rochdale_ilacs-inspection_2018-03-12": (
        "Rochdale Borough Council", "ofsted_report", "requires improvement to be good",
        "2018-01-29", "2018-02-09", {"areas_for_improvement": 4},
    ),
    "08_north-east-lincolnshire_focused-visit_2019-05-08": (
        "North East Lincolnshire Council", "ofsted_letter", None, "2019-03-14", "2019-03-14",
        {"priority_actions": 3, "areas_for_improvement": 8},
    ),
    "09_kingston-upon-hull_ilacs-inspection_2019-05-17": (
        "Kingston Upon Hull City Council", "ofsted_report", "inadequate", "2019-01-14",
        "2019-01-25", {"areas_for_improvement": 10},
    ),
    "10_gloucestershire_focused-visit_2020-11-20": (
        "Gloucestershire County Council", "ofsted_letter", None, "2020-10-06", "2020-10-08",
        {"areas_for_improvement": 4},
    ),
    "11_darlington_focused-visit_2021-11-30": (
        "Darlington Borough Council", "ofsted_letter", None, "2021-10-26", "2021-10-27", {},
    ),
    "12_manchester_ilacs-inspection_2022-05-19": (
        "Manchester City Council", "ofsted_report", "good", "2022-03-21", "2022-04-01",
        {"areas_for_improvement": 4},
    ),
    "16_suffolk_focused-visit_2025-10-16": (
        "Suffolk County Council", "ofsted_letter", None, "2025-09-16", "2025-09-17",
        {"areas_for_improvement": 4},
    ),
}  # fmt: skip


@cache
def read(path: Path) -> tuple[str, Extraction]:
    """The PDF's text and extraction, read once per session."""
    text = read_document(path.read_bytes(), path.name)
    return text, parse_text(text)


def unlabelled() -> list[object]:
    if not DOCUMENTS.is_dir():
        return [
            pytest.param(None, marks=pytest.mark.skip(reason=f"{DOCUMENTS} not found: {NOT_HERE}"))
        ]
    return [
        pytest.param(path, id=path.stem)
        for path in sorted(DOCUMENTS.glob("*.pdf"))
        if not (EXPECTED / f"{path.stem}.json").exists()
    ]


def squashed(text: str) -> str:
    """Letters and digits only: the text with whitespace, punctuation and markers gone."""
    return "".join(char for char in text if char.isalnum())


@pytest.mark.parametrize("expected_file", labelled(EXPECTED) + labelled(MORE / "expected"))
def test_labelled_pdf_is_read_exactly_as_its_expected_file(expected_file: Path):
    expected = json.loads(expected_file.read_text(encoding="utf-8"))

    _text, extraction = read(expected_file.parent.parent / expected["source_file"])

    problems = differences(extraction.to_json(), expected)
    assert not problems, f"{expected_file.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("pdf", unlabelled())
def test_other_pdf_imports_with_the_counts_checked_by_hand(pdf: Path):
    _text, extraction = read(pdf)

    got = extraction.to_json()
    counts = {name: len(got[name]) for name in FINDING_LISTS if got[name]}
    observed = (
        got["council"],
        got["document_kind"],
        got["overall_judgement"],
        got["inspection_dates"][0] if got["inspection_dates"] else None,
        got["inspection_dates"][-1] if got["inspection_dates"] else None,
        counts,
    )
    assert pdf.stem in PINNED, (
        f"{pdf.name} is new: check its extraction by hand against the README and the PDF, "
        f"then pin it in PINNED. It reads {observed!r}"
    )
    assert observed == PINNED[pdf.stem]
    assert got["repeat_findings"] == []
    assert got["actions"] == []


def test_every_pinned_pdf_is_in_the_documents_folder():
    if not DOCUMENTS.is_dir():
        pytest.skip(f"{DOCUMENTS} not found: {NOT_HERE}")
    missing = [stem for stem in PINNED if not (DOCUMENTS / f"{stem}.pdf").exists()]
    assert not missing


def test_timescale_groups_of_a_looked_after_children_report_are_kept_with_each_finding():
    pdf = DOCUMENTS / "02_medway_lac-inspection_2013-08-23.pdf"
    if not pdf.exists():
        pytest.skip(f"{pdf} not found: {NOT_HERE}")

    _text, extraction = read(pdf)

    # The expected file's notes: indexes 0-3 immediately, 4-11 within three months, 12-14
    # within six months.
    groups = [finding.group for finding in extraction.in_list("areas_for_improvement")]
    assert groups == ["Immediately"] * 4 + ["Within three months"] * 8 + ["Within six months"] * 3


def test_kents_timescale_groups_hold_three_six_and_three_findings():
    pdf = DOCUMENTS / "01_kent_lac-inspection_2013-08-23.pdf"
    if not pdf.exists():
        pytest.skip(f"{pdf} not found: {NOT_HERE}")

    _text, extraction = read(pdf)

    groups = Counter(f.group for f in extraction.in_list("areas_for_improvement"))
    assert groups == {"Immediately": 3, "Within three months": 6, "Within six months": 3}


def every_pdf() -> list[object]:
    if not DOCUMENTS.is_dir():
        return [
            pytest.param(None, marks=pytest.mark.skip(reason=f"{DOCUMENTS} not found: {NOT_HERE}"))
        ]
    return [pytest.param(path, id=path.stem) for path in sorted(DOCUMENTS.glob("*.pdf"))]


@pytest.mark.parametrize("pdf", every_pdf())
def test_every_finding_of_a_pdf_is_in_its_text_and_free_of_running_headers(pdf: Path):
    text, extraction = read(pdf)

    whole = squashed(text)
    for finding in extraction.findings:
        assert squashed(finding.text) in whole
        # No running header ("Inspection of Halton local authority children's services",
        # "Medway Council Inspection of safeguarding and looked after children 8") is left
        # inside a finding.
        assert not re.search(r"Inspection of \w+ local authority children", finding.text)
        assert not re.search(r"Council Inspection of", finding.text)


# Which body each finding of the SIF reports is addressed to, checked by reading each report:
# the local authority's recommendations, then the LSCB's (README: Wiltshire 1-11 and
# 113-116, Bromley 1-18 and 114-118, Sutton 1-10 and 81; the more/ README and notes: Halton
# 2015 and Slough 2014 have both bodies' priority actions and areas for improvement).
BODIES = {
    "03_wiltshire_sif-inspection_2015-09-01.pdf": {
        ("areas_for_improvement", "local_authority"): 11, ("areas_for_improvement", "lscb"): 4,
    },
    "04_bromley_sif-inspection_2016-06-27.pdf": {
        ("areas_for_improvement", "local_authority"): 18, ("areas_for_improvement", "lscb"): 5,
    },
    "05_sutton_sif-inspection_2017-02-13.pdf": {
        ("areas_for_improvement", "local_authority"): 10, ("areas_for_improvement", "lscb"): 1,
    },
    "more/17_halton-2015-sif.pdf": {
        ("priority_actions", "local_authority"): 3,
        ("areas_for_improvement", "local_authority"): 16, ("strengths", "local_authority"): 11,
        ("priority_actions", "lscb"): 2, ("areas_for_improvement", "lscb"): 7,
    },
    "more/18_slough-2014-sif.pdf": {
        ("strengths", "local_authority"): 4, ("priority_actions", "local_authority"): 9,
        ("areas_for_improvement", "local_authority"): 12, ("priority_actions", "lscb"): 2,
        ("areas_for_improvement", "lscb"): 4,
    },
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(BODIES))
def test_the_lscbs_findings_are_kept_apart_from_the_local_authoritys(name: str):
    pdf = DOCUMENTS / name
    if not pdf.exists():
        pytest.skip(f"{pdf} not found: {NOT_HERE}")

    _text, extraction = read(pdf)

    assert Counter((f.category, f.body) for f in extraction.findings) == BODIES[name]


def test_the_thematic_sub_headings_of_a_2015_report_are_its_findings_groups():
    pdf = MORE / "17_halton-2015-sif.pdf"
    if not pdf.exists():
        pytest.skip(f"{pdf} not found: {NOT_HERE}")

    _text, extraction = read(pdf)

    # The expected file's notes: paragraphs 4-19 under four sub-headings, 138-144 under three.
    groups = Counter(f.group for f in extraction.in_list("areas_for_improvement"))
    assert groups == {
        "Consistency of practice": 4, "Management capacity and oversight": 8,
        "Educational outcomes": 1,
        "Children and young people’s participation and access to information": 3,
        "Partnership Working": 3, "Awareness raising and learning": 3, "Participation": 1,
    }  # fmt: skip


def test_a_letter_that_sets_no_new_findings_keeps_its_pointer_back_as_the_note():
    pdf = MORE / "20_nottingham-2021-focused-visit.pdf"
    if not pdf.exists():
        pytest.skip(f"{pdf} not found: {NOT_HERE}")

    _text, extraction = read(pdf)

    assert extraction.findings == []
    assert extraction.note is not None
    assert extraction.note.startswith(
        "The areas for priority action set at the last focused visit in February 2020 remain."
    )
    assert extraction.refers_back_to == "February 2020"
