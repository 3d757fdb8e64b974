"""The same progress report in Word, PDF and HTML: numbered like the council's paper, with each
item's actions and dates, the recommendation and the contact officer."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import docx
import pdfplumber
import pytest
import time_machine
from docx.oxml.ns import qn

from tests.reports.conftest import RULES
from tests.reports.helpers import (
    html_text,
    one_line,
    pdf_cell_texts,
    pdf_text,
    word_paragraphs,
    word_text,
)
from tracker import clock
from tracker.reports.render_docx import render_docx
from tracker.reports.render_html import render_html
from tracker.reports.render_pdf import render_pdf
from tracker.reports.service import draft_snapshot

# What any reader of the known report must find, in every format.
EXPECTED = [
    "Report of the Executive Director of Children's Services",
    "Meeting date: 10 December 2026",
    "1. Why has this report come to the Committee?",
    "2. Background: the inspection",
    "which took place on 16 and 17 June 2026",
    "The previous inspection was the annual unannounced inspection of contact, referral and "
    "assessment arrangements, on 14 and 15 July 2025.",
    "The council's continuing commitment to safeguarding.",
    "3. Current position",
    "4. Areas for priority action and areas for development",
    "5. How we are addressing them",
    "6. Next steps",
    "7. Conclusion",
    "Recommendation: The Committee is asked to note progress; to ask the lead officer for item "
    "5.1, which is off track, to attend the next meeting; and to receive a further progress "
    "report on 11 February 2027.",
    "Contact officer",
    "Meg Boustead, Head of Safeguarding",
    "Telephone: 0191 561 2356",
    "Email: meg.boustead@sunderham.example",
    "Appendix A: Open items in brief",
    "Appendix B: Overdue actions",
    "Appendix C: Changes since the last report",
]
# And in the tables' cells (in the PDF each cell read on its own).
EXPECTED_IN_CELLS = [
    "% of actions complete",
    "Repeat finding: Contacts are not always screened within one working day.",
    "Timeliness of contact screening. Meg Lead. Red. Area for priority action and repeat "
    "finding.",
    "Analysis workshop held, September 2026.",
    "Daily screening rota in place, due 1 November 2026 (overdue); Themed case file audit of "
    "children's views, due 15 January 2027.",
    "Date change granted for “Themed case file audit of children's views”: 15 January 2027 "
    "(was 1 December 2026).",
    "Red. An action is 21 days overdue (more than 14 days).",
]


@pytest.fixture
def snapshot(known):
    return draft_snapshot(known.committee, today=clock.today(), now=clock.now(), rules=RULES)


def _numbered(paragraphs: list[tuple[str, str]], number: str) -> list[str]:
    return [text for _style, text in paragraphs if text.startswith(number + "\t")]


def test_word_file_has_heading_styles_numbered_paragraphs_and_bullets(snapshot):
    paragraphs = word_paragraphs(render_docx(snapshot))
    headings = [text for style, text in paragraphs if style == "Heading 1"]
    assert headings[:7] == [
        "1. Why has this report come to the Committee?",
        "2. Background: the inspection",
        "3. Current position",
        "4. Areas for priority action and areas for development",
        "5. How we are addressing them",
        "6. Next steps",
        "7. Conclusion",
    ]
    assert headings[7:] == ["Contact officer", "Appendix A: Open items in brief",
                            "Appendix B: Overdue actions",
                            "Appendix C: Changes since the last report"]
    items = [text for style, text in paragraphs if style == "Heading 2"]
    assert items == ["What is off track, and why"]
    assert ("Title", snapshot.title) in paragraphs
    assert _numbered(paragraphs, "1.1")[0].startswith("1.1\tThis report is presented to the "
                                                      "Children, Young People and Learning")
    bullets = [text for style, text in paragraphs if style == "List Bullet"]
    assert "The council's continuing commitment to safeguarding." in bullets


def test_word_file_carries_every_expected_line(snapshot):
    text = one_line(word_text(render_docx(snapshot)).replace("\t", " "))
    missing = [line for line in EXPECTED + EXPECTED_IN_CELLS if line not in text]
    assert not missing
    assert text.startswith("CHILDREN, YOUNG PEOPLE AND LEARNING SCRUTINY COMMITTEE")


def test_word_file_has_the_recommendation_and_the_contact_officer(snapshot):
    paragraphs = word_paragraphs(render_docx(snapshot))
    recommendation = _numbered(paragraphs, "7.2")
    assert recommendation == [
        "7.2\tRecommendation: The Committee is asked to note progress; to ask the lead officer "
        "for item 5.1, which is off track, to attend the next meeting; and to receive a further "
        "progress report on 11 February 2027."
    ]
    contact = [text for _s, text in paragraphs[paragraphs.index(("Heading 1", "Contact officer")):]]
    assert contact[1:4] == ["Meg Boustead, Head of Safeguarding", "Telephone: 0191 561 2356",
                            "Email: meg.boustead@sunderham.example"]


def test_word_tables_have_a_width_on_every_column_and_every_cell(snapshot):
    document = docx.Document(io.BytesIO(render_docx(snapshot)))
    actions = next(t for t in document.tables if t.rows[0].cells[1].text == "Action")
    # Appendix B: the overdue actions (the full plan is the Excel background paper).
    assert [c.text for c in actions.rows[0].cells] == ["Item", "Action", "Owner", "Due date",
                                                      "Days overdue", "Latest update"]
    assert len(actions.rows) == 1 + 1
    assert all(column.width for column in actions.columns)
    for tc in actions._tbl.iter(qn("w:tc")):
        width = tc.find(qn("w:tcPr")).find(qn("w:tcW"))
        assert width is not None and int(width.get(qn("w:w"))) > 0
    late = [row for row in actions.rows if row.cells[1].text.startswith("Daily screening rota")]
    assert [c.text for c in late[0].cells[2:5]] == ["Meg Lead", "1 November 2026", "21"]
    assert late[0].cells[5].text.startswith("“Rota drafted” (Meg Lead, ")


def test_word_charts_are_pictures_with_their_text_alternative(snapshot):
    data = render_docx(snapshot)
    document = docx.Document(io.BytesIO(data))
    # One chart: no chart of items by status repeats section 3's table.
    assert len(document.inline_shapes) == 1
    descriptions = [shape._inline.docPr.get("descr") for shape in document.inline_shapes]
    assert descriptions[0].startswith(
        "A bar chart of the percentage of actions complete at the end of each month from "
        "August 2026")
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        pictures = [name for name in package.namelist() if name.startswith("word/media/")]
        assert pictures == ["word/media/image1.png"]
        assert package.read(pictures[0]).startswith(b"\x89PNG")


def test_word_file_is_dated_from_the_report_not_the_clock(snapshot):
    first = render_docx(snapshot)
    with time_machine.travel(datetime(2027, 1, 5, 9, 0, tzinfo=UTC), tick=False):
        again = render_docx(snapshot)
    assert first == again
    properties = docx.Document(io.BytesIO(first)).core_properties
    assert properties.created == datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    assert properties.modified == datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    assert properties.title == snapshot.title


def test_pdf_reads_as_the_numbered_report_with_actions_recommendation_and_contact(snapshot):
    data = render_pdf(snapshot)
    text = one_line(pdf_text(data))
    missing = [line for line in EXPECTED if line not in text]
    assert not missing
    cells = [one_line(cell) for cell in pdf_cell_texts(data)]
    missing = [line for line in EXPECTED_IN_CELLS if not any(line in cell for cell in cells)]
    assert not missing


def test_pdf_pages_have_the_title_and_page_numbers_in_the_footer(snapshot):
    footer_height = 2.4 / 2.54 * 72  # the bottom margin, in points
    with pdfplumber.open(io.BytesIO(render_pdf(snapshot))) as pdf:
        assert len(pdf.pages) > 2
        for number, page in enumerate(pdf.pages, start=1):
            top = page.height - footer_height
            left = page.crop((0, top, page.width * 0.75, page.height)).extract_text()
            right = page.crop((page.width * 0.75, top, page.width, page.height)).extract_text()
            assert one_line(left) == snapshot.title
            assert right == f"Page {number} of {len(pdf.pages)}"
        assert pdf.pages[0].extract_text().startswith("DRAFT, not issued")


def test_pdf_metadata_dates_are_the_reports_and_rendering_is_repeatable(snapshot):
    data = render_pdf(snapshot)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert pdf.metadata["Title"].startswith(snapshot.title)
        assert pdf.metadata["CreationDate"].startswith("D:20261122120000")
        assert pdf.metadata["ModDate"].startswith("D:20261122120000")
    with time_machine.travel(datetime(2027, 1, 5, 9, 0, tzinfo=UTC), tick=False):
        assert render_pdf(snapshot) == data


def test_html_file_reads_as_the_same_report(snapshot):
    data = render_html(snapshot)
    text = one_line(html_text(data))
    missing = [line for line in EXPECTED + EXPECTED_IN_CELLS if line not in text]
    assert not missing
    html = data.decode()
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en-GB">' in html
    assert html.count("<h1") == 1
    # Charts are inline SVG with a caption that says what they show.
    assert html.count("<svg") == 1
    assert ("A bar chart of the percentage of actions complete at the end of each month from "
            "August 2026") in text
    # Self-contained: its stylesheet is inside, nothing is fetched.
    assert "<link" not in html and "src=" not in html
    with time_machine.travel(datetime(2027, 1, 5, 9, 0, tzinfo=UTC), tick=False):
        assert render_html(snapshot) == data
