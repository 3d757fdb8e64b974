"""Whatever people type, markup, scripts, Word field codes or endless words, appears literally
and safely in all three formats."""

from __future__ import annotations

import io
import re
from datetime import date

import pdfplumber
import pytest

from tests.reports.conftest import RULES, at
from tests.reports.helpers import (
    html_text,
    pdf_cell_texts,
    pdf_text,
    squeeze,
    word_part,
    word_text,
)
from tracker import clock
from tracker.extensions import db
from tracker.inspections.models import FindingCategory
from tracker.items import service as items
from tracker.items.models import Priority
from tracker.reports.render_docx import render_docx
from tracker.reports.render_html import render_html
from tracker.reports.render_pdf import render_pdf
from tracker.reports.service import draft_snapshot

SCRIPT = '<script>alert("owned")</script>'
MARKUP = '<b>bold</b> & <a href="javascript:alert(1)">a link</a>'
FIELD = '{ HYPERLINK "http://evil.example/" }'
DDE = 'DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc.exe"'
LONG = "Supercalifragilistic" * 15
LITERALS = [SCRIPT, MARKUP, FIELD, DDE, LONG]


@pytest.fixture
def hostile(known):
    """The known report with hostile text wherever people type."""
    item = items.create_item(
        # A priority action: the paper sets those out in full, with their actions.
        inspection=known.inspection, category=FindingCategory.PRIORITY_ACTION,
        finding_text=f"Finding with a field code {FIELD} in it.",
        title=f"Item {SCRIPT}", lead_officer=known.lead, theme="", priority=Priority.LOW,
        target_date=date(2027, 6, 30),
        measure_of_success=f"Measure {DDE}", actor=known.admin, now=at(2026, 8, 2),
    )
    # The paper prints an item's outcome evidence (its measure of success is in the Excel
    # background paper).
    item.outcome_evidence = f"Evidence {DDE}"
    items.add_action(item, actor=known.lead, now=at(2026, 8, 2),
                     description=f"Action {MARKUP} then {LONG} and a\x0bcontrol character",
                     owner=known.lead, due_date=date(2026, 12, 20))
    known.committee.contact_name = f"Officer {SCRIPT}"
    db.session.commit()
    return draft_snapshot(known.committee, today=clock.today(), now=clock.now(), rules=RULES)


def test_html_shows_hostile_text_literally_and_runs_none_of_it(hostile):
    data = render_html(hostile)
    html = data.decode()
    assert "<script" not in html
    assert "<b>bold" not in html
    assert 'href="javascript' not in html
    assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;" in html
    text = html_text(data)
    for literal in LITERALS:
        assert literal in text
    assert "acontrol character" in text
    # Long words wrap rather than widen the page.
    assert "overflow-wrap: anywhere" in html


def test_pdf_shows_hostile_text_literally_and_long_words_stay_on_the_page(hostile):
    data = render_pdf(hostile)
    # Text in a table cell reads on its own (its lines are not those of the page).
    texts = [squeeze(pdf_text(data))] + [squeeze(t) for t in pdf_cell_texts(data)]
    for literal in LITERALS:
        assert any(squeeze(literal) in text for text in texts), literal
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert all(char["x1"] <= page.width - 30 for page in pdf.pages for char in page.chars)
        assert not any(page.annots for page in pdf.pages)  # no links were made


def test_word_file_shows_hostile_text_literally_and_makes_no_field_or_link(hostile):
    data = render_docx(hostile)
    body = word_part(data, "word/document.xml")
    for marker in ("<w:fldSimple", "<w:instrText", "<w:fldChar", "<w:hyperlink"):
        assert marker not in body
    footer = word_part(data, "word/footer1.xml")
    assert re.findall(r'w:instr="([^"]*)"', footer) == ["PAGE", "NUMPAGES"]
    text = word_text(data)
    for literal in LITERALS:
        assert literal in text
    assert "acontrol character" in text
