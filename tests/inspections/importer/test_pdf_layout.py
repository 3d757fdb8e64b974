"""How a PDF's lines become paragraphs, checked on small PDFs made here (see pdfs.py)."""

from __future__ import annotations

from tests.inspections.importer.pdfs import LEFT, SIZE, Text, make_pdf, wrapped
from tracker.inspections.importer import parse_text, read_document
from tracker.inspections.importer.pdf import pdf_text

HEADER = "Inspection of Testshire children's services"
FIRST = (
    "The quality of plans is variable and some plans seen lack clarity about what needs "
    "to happen and by when for the child."
)
SECOND = (
    "Audits are mostly accurate and highlight relevant issues in relation to social work "
    "practice and this continues here. However, not all audits have clear action plans in "
    "place."
)


def page(number: int, count: int, lines: list[Text]) -> list[Text]:
    """A page with its running header, the given lines and "Page N of M" at the foot."""
    return [
        Text(LEFT, 40, HEADER, size=8),
        *lines,
        Text(LEFT, 800, f"Page {number} of {count}", size=8),
    ]


def moved_down(lines: list[Text], top: float) -> list[Text]:
    return [Text(line.x, top + n * SIZE * 1.3, line.text) for n, line in enumerate(lines)]


def letter() -> bytes:
    second = wrapped(SECOND, LEFT, 200, bullet=True)
    return make_pdf(
        [
            page(
                1,
                3,
                [
                    Text(LEFT, 100, "What needs to improve", size=13, bold=True),
                    *wrapped(FIRST, LEFT, 130, bullet=True),
                    *second[:3],  # the glyph and two lines; the rest is on page 2
                ],
            ),
            page(
                2,
                3,
                [
                    *moved_down(second[3:], 100),
                    *wrapped("Ofsted will take these findings into account.", LEFT, 160),
                ],
            ),
            page(3, 3, [Text(LEFT, 100, "Yours sincerely")]),
        ]
    )


def test_running_headers_and_page_numbers_are_removed():
    text = read_document(letter(), "letter.pdf")

    assert HEADER not in text
    assert "Page 1 of 3" not in text


def test_a_bullet_split_by_a_page_break_is_one_finding():
    extraction = parse_text(read_document(letter(), "letter.pdf"))

    assert [f.text for f in extraction.in_list("areas_for_improvement")] == [FIRST, SECOND]


def test_a_heading_is_marked_and_bullets_are_written_as_bullets():
    text = read_document(letter(), "letter.pdf")

    assert "## What needs to improve\n" in text
    assert f"• {FIRST}\n" in text


def test_line_end_hyphens_join_words_but_a_suspended_hyphen_keeps_its_space():
    lines = [
        Text(LEFT, 100, "Recommendations", size=13, bold=True),
        Text(LEFT, 130, "1. Improve the quality of multi-"),
        Text(LEFT + 25, 130 + SIZE * 1.3, "agency planning and of accommodation for 16-"),
        Text(LEFT + 25, 130 + 2 * SIZE * 1.3, "and 17-year-olds who are homeless."),
    ]

    text = pdf_text(make_pdf([lines, [Text(LEFT, 100, "Another page")]]))

    assert (
        "1. Improve the quality of multi-agency planning and of accommodation for 16- and "
        "17-year-olds who are homeless." in text
    )


def test_a_sub_list_indented_under_a_numbered_recommendation_belongs_to_it():
    lines = [
        Text(LEFT, 100, "Recommendations", size=13, bold=True),
        Text(LEFT, 130, "7. Improve the arrangements for children who go missing, by:"),
        Text(LEFT + 20, 160, "- ensuring that risks are assessed"),
        Text(LEFT + 20, 190, "- sharing information from return interviews."),
        Text(LEFT, 220, "8. Review the cases in care proceedings."),
        Text(LEFT, 260, "Summary for children", size=13, bold=True),
    ]

    extraction = parse_text(pdf_text(make_pdf([lines])))

    assert [f.text for f in extraction.in_list("areas_for_improvement")] == [
        "Improve the arrangements for children who go missing, by: - ensuring that risks "
        "are assessed - sharing information from return interviews.",
        "Review the cases in care proceedings.",
    ]


def test_an_address_block_keeps_its_lines_apart():
    lines = [
        Text(LEFT, 100, "23 February 2018"),
        Text(LEFT, 130, "Mr Steve Peddie"),
        Text(LEFT, 130 + SIZE * 1.3, "Director of Children's Services"),
        Text(LEFT, 130 + 2 * SIZE * 1.3, "Town Hall"),
        Text(LEFT, 190, "Dear Mr Peddie"),
        *wrapped(
            "This letter summarises the findings of a focused visit to Testshire children's "
            "services on 31 January and 1 February 2018.",
            LEFT,
            220,
        ),
        Text(LEFT, 300, "Yours sincerely"),
    ]

    extraction = parse_text(pdf_text(make_pdf([lines])))

    assert extraction.recipient == "Mr Steve Peddie"
    assert [d.isoformat() for d in extraction.inspection_dates] == ["2018-01-31", "2018-02-01"]


def test_reading_stops_at_the_page_limit():
    pages = [
        [Text(LEFT, 100, f"This is the text of page number {n} of the report.")] for n in range(5)
    ]

    text = pdf_text(make_pdf(pages), max_pages=3)

    assert "page number 2" in text
    assert "page number 3" not in text
