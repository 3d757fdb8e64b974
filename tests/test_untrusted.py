"""An uploaded document is read in a fresh child process limited to 256 MB and 10 seconds,
never in the web process: the hostile files of issue 18's probe are refused, each with a
message saying which limit it passed and what to do, within the time limit, and the memory of
the process that served the upload does not grow."""

from __future__ import annotations

import resource
import time

import pytest

from tests import hostile_files
from tests.conftest import sign_in_as
from tests.factories import AdminFactory
from tests.queued_uploads import after_reading
from tracker import untrusted
from tracker.errors import RuleBroken
from tracker.inspections import imports
from tracker.plan_import.service import read_uploaded_spreadsheet

MAX_BYTES = 10 * 1024 * 1024
MEMORY_MESSAGE = ("could not be read within the tracker's limits: reading it needs more than "
                  "256 MB of memory")
TEXT_MESSAGE = "has more than 500,000 characters of text"
CELL_MESSAGE = "Cell B2 on the sheet “Plan” holds more than 32,767 characters, Excel's own limit"

HOSTILE = {
    "a 17 KB PDF of 5 million glyphs": MEMORY_MESSAGE,
    "a 1 MB PDF whose stream inflates to 1 GB": MEMORY_MESSAGE,
    "a .docx of 95 MB of XML": TEXT_MESSAGE,
    "an .xlsx with a cell of 40 million characters": CELL_MESSAGE,
}


def peak_memory_mb() -> float:
    """The most memory this (test) process has held, in megabytes."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def refusal(data: bytes, filename: str) -> str:
    with pytest.raises(RuleBroken) as refused:
        if filename.endswith(".xlsx"):
            read_uploaded_spreadsheet(data, filename, max_bytes=MAX_BYTES)
        else:
            imports.read_uploaded_document(data, filename, max_bytes=MAX_BYTES)
    return refused.value.message


@pytest.mark.parametrize("what", list(HOSTILE))
def test_a_hostile_upload_is_refused_with_the_limit_it_passed_in_time_and_memory(app, what):
    make, filename = hostile_files.HOSTILE[what]
    data = make()
    assert len(data) < 1.1 * 1024 * 1024
    before = peak_memory_mb()
    started = time.monotonic()

    message = refusal(data, filename)

    assert time.monotonic() - started < untrusted.SECONDS + 2
    assert HOSTILE[what] in message
    # Read here, any of these takes gigabytes; in the child, the upload's few kilobytes.
    assert peak_memory_mb() - before < 40


def test_the_memory_limit_message_says_what_to_do(app):
    message = refusal(hostile_files.pdf_with_millions_of_glyphs(), "letter.pdf")

    assert message == (
        "This document could not be read within the tracker's limits: reading it needs more "
        "than 256 MB of memory, far more than any real document. Save the letter or report on "
        "its own as a new PDF (in its viewer, Print, then Save as PDF) or as a Word document, "
        "and upload that, or paste its text instead")


def test_characters_are_counted_page_by_page_and_reading_stops_at_the_limit(app):
    # Three pages of 200,000 characters each: the third would pass 500,000, so it is not read.
    data = hostile_files.pdf_with_millions_of_glyphs(200_000, pages=3)

    message = refusal(data, "letter.pdf")

    assert message.startswith("This document has more than 500,000 characters of text, far "
                              "more than any inspection letter or report, so reading it was "
                              "stopped there.")


def test_a_word_document_of_empty_paragraphs_is_stopped_at_the_size_of_its_xml(app):
    data = hostile_files._docx_with_body(  # noqa: SLF001 (the tests' own helper)
        [b"<w:p/>" * (1024 * 1024 // 6)] * 21)

    message = refusal(data, "letter.docx")

    assert "text and layout unpack to more than 20 MB" in message


def test_a_reader_still_busy_at_the_time_limit_is_stopped_and_the_message_says_so(
        app, monkeypatch):
    monkeypatch.setattr(untrusted, "SECONDS", 0.05)
    started = time.monotonic()

    message = refusal(hostile_files.pdf_with_millions_of_glyphs(), "letter.pdf")

    assert time.monotonic() - started < 2
    assert "could not be read within the tracker's limits: reading it took longer than 0.05 " \
           "seconds" in message


def test_a_spreadsheet_over_a_limit_is_told_what_to_do(app, monkeypatch):
    monkeypatch.setattr(untrusted, "SECONDS", 0.05)

    message = refusal(hostile_files.xlsx_with_a_cell_of(10), "plan.xlsx")

    assert message.startswith("This spreadsheet could not be read within the tracker's limits")
    assert message.endswith("Copy the action plan's rows into a new workbook, save it as “Excel "
                            "Workbook (.xlsx)” or “CSV UTF-8”, and upload that")


def test_an_ordinary_letter_is_read_in_the_child_as_before(app):
    letter = b"Areas for development\n\n- Records of visits are not kept up to date.\n"

    assert imports.read_uploaded_document(letter, "letter.txt", max_bytes=MAX_BYTES) == \
        letter.decode()


def test_only_the_named_readers_can_be_run():
    with pytest.raises(ValueError, match="no reader called"):
        untrusted.read_untrusted("tracker.backup:restore", b"")


def test_the_import_page_shows_the_limit_a_letter_passed(app, client):
    sign_in_as(client, AdminFactory())
    data = hostile_files.pdf_with_millions_of_glyphs()
    from io import BytesIO

    response = after_reading(client, client.post("/inspections/import", data={
        "document": (BytesIO(data), "letter.pdf")},
        content_type="multipart/form-data"))

    assert response.status_code == 400
    page = " ".join(response.get_data(as_text=True).split())
    assert "This document could not be read within the tracker&#39;s limits: reading it " \
           "needs more than 256 MB of memory" in page
