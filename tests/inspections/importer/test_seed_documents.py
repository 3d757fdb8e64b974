"""Each seed document, read by the importer, gives exactly its expected file: every list
with exactly the expected texts and counts, the dates, inspector, repeats, actions and
contact officer (all fields but `source_file` and `notes`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.inspections.importer.expected import SHARED, differences, labelled
from tracker.inspections.importer import import_document, parse_text

SEEDS = SHARED / "seeds"


@pytest.mark.parametrize("expected_file", labelled(SEEDS / "expected"))
def test_seed_document_is_read_exactly_as_its_expected_file(expected_file: Path):
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    text = (SEEDS / expected["source_file"]).read_text(encoding="utf-8")

    got = parse_text(text).to_json()

    problems = differences(got, expected)
    assert not problems, f"{expected_file.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("expected_file", labelled(SEEDS / "expected"))
def test_seed_document_uploaded_as_a_file_reads_the_same_as_its_text(expected_file: Path):
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    source = SEEDS / expected["source_file"]

    text, extraction = import_document(source.read_bytes(), source.name)

    assert text == source.read_text(encoding="utf-8")
    assert extraction.to_json() == parse_text(text).to_json()
