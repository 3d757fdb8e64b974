"""Files the importer must refuse with a message that says what was wrong and what to do,
and the formats it must read whatever their names: PDF, Word (.docx) and text."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from PIL import Image

from tracker.inspections.importer import ImportProblem, import_document, parse_text, read_document

MEGABYTE = 1024 * 1024


def refusal(data: bytes, filename: str, **options: int) -> str:
    with pytest.raises(ImportProblem) as problem:
        read_document(data, filename, **options)
    return str(problem.value)


@pytest.mark.parametrize("data", [b"", b"  \r\n\t\n"])
def test_an_empty_file_is_refused_as_empty(data: bytes):
    assert refusal(data, "letter.pdf").startswith("The file is empty.")


def test_binary_junk_renamed_pdf_is_refused_as_not_a_pdf():
    junk = bytes(range(256)) * 40

    message = refusal(junk, "letter.pdf")

    assert message.startswith("This file is named .pdf but is not a PDF")


def test_binary_junk_with_any_other_name_is_refused_as_not_a_document():
    junk = bytes(range(256)) * 40

    message = refusal(junk, "letter.txt")

    assert "is not a PDF, a Word document (.docx) or a text file" in message


def test_a_docx_that_is_not_a_zip_is_refused_as_not_a_word_document():
    message = refusal(b"Dear Ms Smith, this was typed into a file named .docx.", "letter.docx")

    assert message.startswith("This file is named .docx but is not a Word document")
    assert "zip" in message


def test_a_zip_without_a_word_document_inside_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("letter.txt", "Areas for development")

    message = refusal(buffer.getvalue(), "letter.docx")

    assert message.startswith("This is a .docx file but not a Word document")


def test_a_damaged_word_document_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document>not finished")

    message = refusal(buffer.getvalue(), "letter.docx")

    assert message.startswith("This Word document cannot be read")


def test_a_file_over_the_size_limit_is_refused_with_both_sizes():
    data = b"a" * int(12.3 * MEGABYTE)

    message = refusal(data, "letter.pdf")

    assert message.startswith("The file is 12.3 MB; the largest that can be imported is 10 MB")


def test_the_size_limit_can_be_set_by_the_caller():
    data = b"Areas for development\n" * 100_000  # 2.1 MB

    message = refusal(data, "letter.txt", max_bytes=2 * MEGABYTE)

    assert message.startswith("The file is 2.1 MB; the largest that can be imported is 2 MB")
    assert refusal(data[:600_000], "letter.txt", max_bytes=MEGABYTE // 2).startswith(
        "The file is 586 KB")
    assert read_document(data[:400_000], "letter.txt", max_bytes=MEGABYTE // 2)


def test_a_damaged_pdf_is_refused_as_unreadable():
    data = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R" + bytes(range(256)) * 4

    message = refusal(data, "letter.pdf")

    assert message.startswith("This PDF cannot be read")


def test_a_scanned_pdf_is_refused_as_having_no_text():
    buffer = io.BytesIO()
    Image.new("RGB", (595, 842), "white").save(buffer, "PDF")

    message = refusal(buffer.getvalue(), "scan.pdf")

    assert message.startswith("This PDF has no text in it, probably because it is a scan:")


def test_text_with_no_findings_gives_an_extraction_without_findings():
    data = "Dear Ms Smith\n\nThank you for your letter of 3 May 2024.\n\nYours sincerely\n"

    text, extraction = import_document(data.encode(), "letter.txt")

    assert text == data
    assert extraction.findings == []
    assert extraction.actions == []


def test_a_text_file_in_windows_1252_is_read():
    data = "Areas for development\n\n- Children’s views are not recorded.\n".encode("cp1252")

    _text, extraction = import_document(data, "letter.txt")

    assert [f.text for f in extraction.findings] == ["Children’s views are not recorded."]


def test_a_document_is_read_by_its_content_not_its_name():
    data = b"Areas for development\n\n- Plans are not reviewed.\n"

    _text, extraction = import_document(data, "letter.pdf")

    assert [f.text for f in extraction.findings] == ["Plans are not reviewed."]


def word_document() -> bytes:
    document = docx.Document()
    document.add_paragraph("Dear Ms Smith")
    document.add_paragraph("Before the table.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Strengths"
    table.cell(0, 1).text = "A cell beside the heading."
    table.cell(1, 0).text = "Areas for development"
    cell = table.cell(1, 1)
    cell.paragraphs[0].text = "Plans are not always reviewed on time."
    cell.paragraphs[0].style = document.styles["List Bullet"]
    cell.add_paragraph("Supervision is not recorded.", style="List Bullet")
    document.add_paragraph("After the table.")
    document.add_heading("Area for priority action", level=2)
    document.add_paragraph("Caseloads in one team are too high.", style="List Bullet")
    document.add_paragraph("Yours sincerely")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_word_document_is_read_in_document_order_with_its_table_cells():
    text = read_document(word_document(), "letter.docx")

    order = [
        "Dear Ms Smith",
        "Before the table.",
        "Strengths",
        "A cell beside the heading.",
        "Areas for development",
        "• Plans are not always reviewed on time.",
        "• Supervision is not recorded.",
        "After the table.",
        "## Area for priority action",
        "• Caseloads in one team are too high.",
    ]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)


def test_a_word_documents_findings_are_proposed_from_its_lists_and_table():
    _text, extraction = import_document(word_document(), "whatever.bin")

    assert [f.text for f in extraction.in_list("areas_for_development")] == [
        "Plans are not always reviewed on time.",
        "Supervision is not recorded.",
    ]
    assert [f.text for f in extraction.in_list("priority_actions")] == [
        "Caseloads in one team are too high."
    ]
    # "A cell beside the heading." is a paragraph under "Strengths", as a summary's are.
    assert [f.text for f in extraction.in_list("strengths")] == ["A cell beside the heading."]


LARGE_TEXTS = {
    "20,000 findings": ("Areas for development\n\n" + "- A finding that repeats.\n" * 200) * 100,
    "one line of capitalised words": "Abc Def, " * 25_000,
    "one line of council-like names": "London Borough of Abc City of Def " * 7_000,
    "repeated visit dates": "The visit took place on 1 on 2 on 3 " * 7_000,
    "repeated title words": "Dear Sir\n\n" + "Focused visit to " * 14_000,
    "a contact line with no end": "Contact Officer: " + "a" * 250_000,
    "repeat sentences and findings": (
        "Areas for development\n\n"
        + "- Plans are weak. This remains an area for development.\n" * 2_000
        + "Supervision remains an area for development. " * 2_000
    ),
    "numbered intros and sub-lists": ("Recommendations\n\n7. An intro:\n\n" + "- sub\n" * 3)
    * 3_000,
}


@pytest.mark.parametrize("text", LARGE_TEXTS.values(), ids=LARGE_TEXTS.keys())
def test_parsing_is_bounded_in_time_even_on_pathological_text(text: str):
    import time

    started = time.perf_counter()
    parse_text(text)

    # Linear work on a few hundred kilobytes takes well under a second; anything quadratic
    # would take minutes.
    assert time.perf_counter() - started < 5


def test_an_older_word_document_is_refused_with_what_to_do():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)

    message = refusal(data, "letter.doc")

    assert message.startswith("This is an older Word document (.doc)")
    assert "save it as a Word document (.docx) or as PDF" in message


def test_text_that_mentions_the_pdf_header_is_still_read_as_text():
    data = b"Notes on file formats: a PDF starts with %PDF-1.4 and ends with %%EOF.\n"

    assert read_document(data, "notes.txt") == data.decode()


def test_text_far_longer_than_any_letter_is_refused_before_it_is_parsed():
    text = ("Areas for development\n" + "The council should ensure records are kept. " * 12_000)

    message = refusal(text.encode(), "letter.txt")

    assert "far more than any inspection letter or report" in message
    assert "at most 500,000 are read" in message


def test_a_word_document_that_unpacks_to_a_huge_size_is_refused_unopened():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/document.xml", b"<w:document/>")
        # 120 MB of zeros packs into about 120 KB: a "zip bomb".
        package.writestr("word/media/padding.bin", bytes(120 * MEGABYTE))

    message = refusal(buffer.getvalue(), "letter.docx")

    assert "unpacks to more than 100 MB" in message


def test_a_pdf_that_reads_too_slowly_is_stopped(monkeypatch):
    from tests.inspections.importer.pdfs import Text, make_pdf
    from tracker.inspections.importer import pdf

    monkeypatch.setattr(pdf, "READ_SECONDS", -1)  # every page is over time
    letter = make_pdf([[Text(72, 100, "Areas for development"),
                        Text(72, 120, "Records of visits are not kept up to date.")]])

    message = refusal(letter, "letter.pdf")

    assert message.startswith("This PDF takes too long to read")
