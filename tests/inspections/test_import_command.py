"""`flask --app tracker import PATH`: the importer from the command line."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import SHARED
from tests.factories import AdminFactory, CouncilFactory, UserFactory
from tracker.audit.models import HistoryEntry
from tracker.demo.letters import (
    NEWER_FINDINGS,
    OLDER_FINDINGS,
    letter_dates,
    newer_letter,
    older_letter,
)
from tracker.extensions import db
from tracker.inspections.models import Finding, ImportDraft, Inspection
from tracker.items.models import Action, ActionStatus, Item

SEEDS = SHARED / "seeds"
EXPECTED = SEEDS / "expected"
SEED_FILES = sorted(EXPECTED.glob("*.json")) if EXPECTED.is_dir() else []
needs_seeds = pytest.mark.skipif(
    not SEED_FILES, reason=f"the seed documents are not here ({SEEDS} is missing)"
)

LETTER_DATE, VISIT = letter_dates(date(2026, 11, 22), 30)
_, PREVIOUS_VISIT = letter_dates(date(2026, 11, 22), 400)
LETTER = newer_letter(LETTER_DATE, VISIT, PREVIOUS_VISIT)


def counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Inspection, Finding, Item, Action, HistoryEntry, ImportDraft)
    }


NOTHING = {"Inspection": 0, "Finding": 0, "Item": 0, "Action": 0, "HistoryEntry": 0,
           "ImportDraft": 0}


@pytest.fixture
def letter_file(tmp_path) -> Path:
    path = tmp_path / "northshire-letter.txt"
    path.write_text(LETTER.text, encoding="utf-8")
    return path


@pytest.fixture
def admin(council):
    return AdminFactory(council=council, email="alex.admin@northshire.example")


def run_import(runner, *args):
    return runner.invoke(args=["import", *[str(a) for a in args]])


def seed_of(expected: Path) -> Path:
    return SEEDS / json.loads(expected.read_text(encoding="utf-8"))["source_file"]


# --- --json ---------------------------------------------------------------------------------


@needs_seeds
@pytest.mark.parametrize("expected", SEED_FILES, ids=lambda path: path.stem)
def test_json_prints_one_object_with_the_expected_files_keys_and_types(runner, expected):
    wanted = json.loads(expected.read_text(encoding="utf-8"))
    result = run_import(runner, seed_of(expected), "--json")
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    # The expected file's keys, and ours beside them (issue 20: whom each finding is
    # addressed to, the note pointing back, the warnings of findings maybe missed).
    assert set(printed) == set(wanted) - {"source_file", "notes"} | {
        "bodies", "note", "refers_back_to", "warnings"}
    assert printed["warnings"] == []
    for key, value in printed.items():
        if key not in wanted:
            continue
        expected_value = wanted[key]
        if expected_value is None or value is None:
            assert isinstance(value, (str, dict, type(None))), key
        else:
            assert type(value) is type(expected_value), key
    assert counts() == NOTHING


@needs_seeds
def test_json_needs_no_council_or_user(runner):
    result = run_import(runner, seed_of(SEED_FILES[0]), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["inspection_title"]


def test_json_of_a_file_that_cannot_be_read_is_an_error(runner, tmp_path):
    junk = tmp_path / "letter.pdf"
    junk.write_bytes(bytes(range(256)) * 10)
    result = run_import(runner, junk, "--json")
    assert result.exit_code == 1
    assert "Error:" in result.output


# --- --dry-run ------------------------------------------------------------------------------


def test_dry_run_says_what_would_be_created_and_saves_nothing(runner, admin, letter_file):
    result = run_import(runner, letter_file, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run: nothing was saved" in result.output
    assert f"{len(NEWER_FINDINGS)} findings" in result.output
    assert LETTER.title in result.output
    assert counts() == NOTHING


# --- Creating the inspection ---------------------------------------------------------------


def test_import_creates_the_inspection_findings_and_items_as_the_review_page_would(
    runner, admin, letter_file
):
    result = run_import(runner, letter_file)
    assert result.exit_code == 0, result.output
    assert "Imported into" in result.output
    inspection = db.session.scalars(select(Inspection)).one()
    assert inspection.title == LETTER.title
    assert inspection.source_filename == "northshire-letter.txt"
    assert [f.text for f in inspection.findings] == [
        " ".join(f.text.split()) for f in sorted(
            NEWER_FINDINGS, key=lambda f: [
                "strength", "meets requirements", "area for development", "priority action",
            ].index(f.category.value)
        )
    ]
    tracked = [f for f in inspection.findings if f.category.is_tracked]
    assert counts()["Item"] == len(tracked) and all(f.item for f in tracked)
    assert {f.item.created_by_id for f in tracked} == {admin.id}
    assert counts()["ImportDraft"] == 0


def test_repeat_findings_are_linked_to_the_previous_inspection_in_the_tracker(
    runner, admin, letter_file, tmp_path
):
    older_date, older_visit = letter_dates(date(2026, 11, 22), 400)
    older_path = tmp_path / "older.txt"
    older_path.write_text(older_letter(older_date, older_visit).text, encoding="utf-8")
    assert run_import(runner, older_path).exit_code == 0
    older = db.session.scalars(select(Inspection)).one()

    result = run_import(runner, letter_file)
    assert result.exit_code == 0, result.output
    assert "2 repeat findings linked to it" in result.output
    newer = db.session.scalars(select(Inspection).where(Inspection.id != older.id)).one()
    assert newer.previous_inspection_id == older.id
    older_text = {f.key: f.text for f in OLDER_FINDINGS}
    assert sorted(f.repeat_of.text for f in newer.findings if f.repeat_of) == sorted(
        older_text[f.repeats] for f in NEWER_FINDINGS if f.repeats
    )


def test_the_same_file_twice_is_refused_unless_asked_for(runner, admin, letter_file):
    assert run_import(runner, letter_file).exit_code == 0
    before = counts()
    result = run_import(runner, letter_file)
    assert result.exit_code == 1
    assert "already imported" in result.output and "--allow-duplicate" in result.output
    assert counts() == before
    assert run_import(runner, letter_file, "--allow-duplicate").exit_code == 0
    assert counts()["Inspection"] == 2


@needs_seeds
def test_a_committee_reports_actions_are_imported_with_their_dates(runner, admin):
    report = SEEDS / "sunderland-2012-scrutiny-report.txt"
    printed = json.loads(run_import(runner, report, "--json").output)
    result = run_import(runner, report)
    assert result.exit_code == 0, result.output
    actions = db.session.scalars(select(Action)).all()
    assert len(actions) == len(printed["actions"])
    # Every action the report lists as taken is dated in the past: all complete.
    assert {a.status for a in actions} <= {ActionStatus.COMPLETE}
    dated = {a["text"]: a["date"] for a in printed["actions"] if a["date"]}
    for action in actions:
        if action.description in dated:
            assert action.completed_on.isoformat() == dated[action.description]
    assert {a.owner_id for a in actions} <= {admin.id}


# --- Errors --------------------------------------------------------------------------------


def test_a_file_that_cannot_be_read_is_an_error_and_nothing_is_saved(runner, admin, tmp_path):
    junk = tmp_path / "letter.pdf"
    junk.write_bytes(bytes(range(256)) * 10)
    result = run_import(runner, junk)
    assert result.exit_code == 1
    assert "Nothing was saved" in result.output
    assert counts() == NOTHING


def test_a_document_without_findings_is_an_error(runner, admin, tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("Dear Sir\n\nThank you for your letter.\n\nYours faithfully\n")
    result = run_import(runner, path)
    assert result.exit_code == 1
    assert "No findings were found in this document" in result.output
    assert counts() == NOTHING


def test_with_two_councils_the_council_must_be_named(runner, admin, council, letter_file):
    other = CouncilFactory(name="Southshire Council")
    AdminFactory(council=other, email="sam.admin@southshire.example")
    result = run_import(runner, letter_file)
    assert result.exit_code == 1 and "--council" in result.output
    result = run_import(runner, letter_file, "--council", "southshire council")
    assert result.exit_code == 0, result.output
    assert db.session.scalars(select(Inspection)).one().council_id == other.id


def test_with_two_admins_the_importer_must_be_named(runner, admin, council, letter_file):
    AdminFactory(council=council)
    result = run_import(runner, letter_file)
    assert result.exit_code == 1 and "--as EMAIL" in result.output
    result = run_import(runner, letter_file, "--as", "Alex.Admin@northshire.example")
    assert result.exit_code == 0, result.output


def test_only_an_administrator_can_import(runner, admin, council, letter_file):
    manager = UserFactory(council=council, email="sam.manager@northshire.example")
    result = run_import(runner, letter_file, "--as", manager.email)
    assert result.exit_code == 1
    assert "Only an administrator" in result.output
    assert counts() == NOTHING


def test_an_empty_database_is_told_how_to_start(runner, letter_file):
    result = run_import(runner, letter_file)
    assert result.exit_code == 1
    assert "create-user" in result.output
