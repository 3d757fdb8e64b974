"""The report's PDF, as Typst typesets it: whatever people type is printed as the words it is
(never run as markup), and the paper is a tagged PDF/UA-1 document with a title and language,
real headings, tables with header rows, charts with their text alternative, and header and
footer kept out of what a screen reader reads."""

from __future__ import annotations

import io
import re
from datetime import date

import pdfplumber
import pytest

from tests.factories import UserFactory
from tests.reports.conftest import RULES, at
from tests.reports.helpers import pdf_cell_texts
from tests.typesetting.helpers import (
    pdfinfo,
    pdftotext,
    squeeze,
    structure,
    tagged_text,
    xmp,
)
from tracker import clock
from tracker.extensions import db
from tracker.inspections.models import FindingCategory
from tracker.items import service as items
from tracker.items.models import Priority
from tracker.reports.document import Chart, Table
from tracker.reports.render_pdf import document_title, pdf_data, render_pdf
from tracker.reports.service import draft_snapshot
from tracker.typesetting import TypesettingError, typeset

# Typst markup, a script, a Word field code, a tab and a backslash, in one line of text.
HOSTILE = [
    '#read("/etc/passwd")', "@label", "#for x in range(9999999) {}", "$x^2$", "<script>",
    "{ MERGEFIELD x }", "a\ttab", "back\\slash", "*bold*", "= heading",
]
TYPED = " ".join(HOSTILE)
LONG_WORD = "Supercalifragilistic" * 500  # 10,000 characters
# Each page's body, without the header and footer (points from the top of an A4 page), in
# the order it was typeset. The body may reach the bottom margin (2.4 cm, 774 pt) by a
# descender; the footer starts at 790 pt.
BODY = ("-raw", "-y", "57", "-H", "728", "-x", "0", "-W", "596")


@pytest.fixture
def snapshot(known):
    return draft_snapshot(known.committee, today=clock.today(), now=clock.now(), rules=RULES)


@pytest.fixture
def typed(known, council):
    """Every place of the report that shows what people typed, holding the hostile text."""
    lead = UserFactory(council=council, name=f"Lead {TYPED}"[:120],
                       job_title=f"Manager {TYPED}"[:120])
    item = items.create_item(
        inspection=known.inspection, category=FindingCategory.PRIORITY_ACTION,
        finding_text=f"Finding {TYPED} {LONG_WORD}", title=f"Item {TYPED}", lead_officer=lead,
        theme="", priority=Priority.HIGH, target_date=date(2027, 6, 30),
        measure_of_success=f"Measure {TYPED}", actor=known.admin, now=at(2026, 8, 2),
    )
    items.add_action(item, actor=known.admin, now=at(2026, 8, 2),
                     description=f"Action {TYPED} {LONG_WORD}", owner=lead,
                     due_date=date(2026, 12, 20))
    committee = known.committee
    committee.name = f"Committee {TYPED}"
    committee.report_title = f"Progress {TYPED}"
    committee.report_of = f"Report of {TYPED}"
    committee.contact_name = f"Officer {TYPED}"[:120]
    committee.contact_job_title = f"Head {TYPED}"[:120]
    committee.contact_telephone = "{ MERGEFIELD x } $x^2$"
    committee.contact_email = "*bold*@label.example"
    known.inspection.inspector = f"Inspector {TYPED}"
    db.session.commit()
    places = {
        "committee": committee.name, "title": committee.report_title,
        "report of": committee.report_of, "contact": committee.contact_name,
        "contact's job": committee.contact_job_title,
        "telephone": committee.contact_telephone, "email": committee.contact_email,
        # The measure of success and the inspector's name are in the Excel background
        # paper and the inspection's page, not in the paper's brief background.
        "item": item.title, "finding": item.finding.text,
        "action": item.actions[0].description, "lead officer": lead.name,
    }
    report = draft_snapshot(committee, today=clock.today(), now=clock.now(), rules=RULES)
    return report, places


def test_typed_text_in_every_place_is_printed_literally_and_never_run(typed):
    report, places = typed
    data = render_pdf(report)
    body = pdftotext(data, *BODY)
    # Text in a table cell reads on its own (its lines are not those of the page).
    cells = [squeeze(t) for t in pdf_cell_texts(data)]
    # A cell of 10,000 characters runs on over pages: its parts, one a page, read in order.
    long_cells = "".join(c for c in cells if "Supercalifragilistic" in c)
    texts = [squeeze(body), long_cells, *cells]
    for place, words in places.items():
        assert any(squeeze(words) in text for text in texts), place
    # Nothing was read, looped or made into a heading, maths or strong text.
    assert "root:x:0" not in pdftotext(data)
    assert re.search(r"a\s+tab", body)
    headings = [tagged_text(data, e) for e in structure(data) if e["type"][:1] == "H"]
    assert not [h for h in headings if squeeze(h) == "heading"]


def test_a_long_word_wraps_and_a_long_table_row_runs_on_to_the_next_page(typed):
    report, _places = typed
    with pdfplumber.open(io.BytesIO(render_pdf(report))) as pdf:
        for page in pdf.pages:
            assert all(char["x0"] > 0 and char["x1"] <= page.width - 50 for char in page.chars)
            # Nothing of the body runs into the footer (2.4 cm) or off the page.
            body = [char for char in page.chars if char["mcid"] is not None]
            assert all(char["bottom"] <= page.height - 2.4 / 2.54 * 72 + 2 for char in body)


def test_the_pdf_is_tagged_and_declares_pdf_ua_1_with_its_title_and_language(snapshot):
    data = render_pdf(snapshot)
    info = pdfinfo(data)
    assert info["Tagged"] == "yes"
    assert info["Title"] == document_title(snapshot)
    metadata = xmp(data)
    assert "<pdfuaid:part>1</pdfuaid:part>" in metadata
    assert "<dc:language><rdf:Bag><rdf:li>en-GB</rdf:li></rdf:Bag></dc:language>" in metadata
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        catalog = pdf.doc.catalog
        assert catalog["Lang"] == b"en-GB"
        assert catalog["ViewerPreferences"]["DisplayDocTitle"] is True
        assert {char["fontname"].split("+")[1] for page in pdf.pages
                for char in page.chars} <= {"LiberationSans", "LiberationSans-Bold"}


def test_headings_are_real_headings_in_the_papers_order(snapshot):
    data = render_pdf(snapshot)
    elements = structure(data)
    text = {level: [tagged_text(data, e) for e in elements if e["type"] == level]
            for level in ("H1", "H2", "H3")}
    assert text["H1"] == [snapshot.title]
    assert text["H2"] == ([section.heading for section in snapshot.sections]
                          + ["Contact officer"]
                          + [section.heading for section in snapshot.appendices])
    assert text["H3"] == ["What is off track, and why"]


def test_tables_have_a_caption_and_a_header_row_and_charts_their_text_alternative(snapshot):
    data = render_pdf(snapshot)
    elements = structure(data)
    blocks = [block for section in snapshot.sections + snapshot.appendices
              for block in section.blocks]
    tables = [block for block in blocks if isinstance(block, Table)]
    tagged = [e for e in elements if e["type"] == "Table"]
    assert len(tagged) == len(tables)
    for table, element in zip(tables, tagged, strict=True):
        assert element["child_types"] == ["Caption", "THead", "TBody"]
        (head,) = [c for c in element["children"] if c["type"] == "THead"]
        (row,) = head["children"]
        assert [c["type"] for c in row["children"]] == ["TH"] * len(table.columns)
        assert [tagged_text(data, c) for c in row["children"]] == [
            column.title for column in table.columns]
    charts = [block.alt for block in blocks if isinstance(block, Chart)]
    assert len(charts) == 1
    assert [e["alt_text"] for e in elements if e["type"] == "Figure"] == charts


def test_header_and_footer_are_artifacts_and_the_body_is_tagged(snapshot):
    # A table's header row, repeated on the pages it runs on to, is an artifact too: it is
    # tagged once, where the table starts.
    repeated_headers = {"".join(column.title for column in block.columns).replace(" ", "")
                        for section in snapshot.sections + snapshot.appendices
                        for block in section.blocks if isinstance(block, Table)}
    with pdfplumber.open(io.BytesIO(render_pdf(snapshot))) as pdf:
        assert len(pdf.pages) > 2
        for page in pdf.pages:
            top, bottom = 2 / 2.54 * 72, page.height - 2.4 / 2.54 * 72
            margins = [c for c in page.chars if c["bottom"] < top or c["top"] > bottom]
            body = [c for c in page.chars if c not in margins]
            assert margins and {c["tag"] for c in margins} == {"Artifact"}
            assert body
            untagged = squeeze("".join(c["text"] for c in body if c["mcid"] is None))
            assert untagged in repeated_headers | {""}, untagged


def test_a_kind_of_block_the_template_does_not_know_stops_the_pdf_with_a_clear_error(snapshot):
    data = pdf_data(snapshot)
    data["report"]["sections"][0]["blocks"].append({"kind": "quote", "text": "New"})
    with pytest.raises(TypesettingError, match="cannot lay out a block of kind \"quote\""):
        typeset("report.typ", data)
