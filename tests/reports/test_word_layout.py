"""The Word paper as LibreOffice lays it out: every section heading once and in order, the
footer's "Page 1 of N", and no word broken inside a table cell; on the standard template, on
a council's own, and for the demo council. The PDFs and their page counts are kept in
test-artifacts/word/."""

from __future__ import annotations

import io
import re
import unicodedata
from collections import Counter
from datetime import date, datetime, time

import docx
import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from tests.reports.conftest import RULES
from tests.reports.libreoffice import LaidOut, keep, lay_out
from tests.reports.word_templates import council_template
from tracker import clock
from tracker.committees.models import Committee
from tracker.demo.data import load_demo_data
from tracker.extensions import db
from tracker.formatting import UK
from tracker.reports.document import Snapshot
from tracker.reports.render_docx import render_docx
from tracker.reports.service import draft_snapshot


def _pieces(text: str) -> list[str]:
    """The words of a text, each also cut after a hyphen or slash: a line may end there
    without breaking a word."""
    text = unicodedata.normalize("NFKC", text)
    return [piece for word in text.split() for piece in re.split(r"(?<=[-/\u2010-\u2014])", word)
            if piece]


def headings_of(snapshot: Snapshot) -> list[str]:
    """Every heading of the paper's sections, as a reader sees it ("1. Why has …")."""
    return ([section.heading for section in snapshot.sections] + ["Contact officer"]
            + [appendix.heading for appendix in snapshot.appendices])


def assert_reads_as_the_paper(data: bytes, snapshot: Snapshot, laid: LaidOut) -> None:
    text = laid.text()
    # Every section heading once, in order.
    position = 0
    for heading in headings_of(snapshot):
        assert text.count(heading) == 1, heading
        found = text.find(heading)
        assert found > position, f"{heading!r} is out of order"
        position = found
    # The footer of page 1 counts the pages as LibreOffice laid them out.
    first = " ".join(laid.page_texts()[0].split())
    assert f"Page 1 of {laid.pages}" in first
    assert snapshot.title in first
    # No word of a table cell is broken across lines. A word LibreOffice had to break would
    # reach the PDF as two pieces, so it would be found fewer times there than the Word file
    # holds it (body text never breaks words: its lines are wide and nothing is hyphenated).
    # Headers and footers are left out of the count on both sides.
    document = docx.Document(io.BytesIO(data))
    cells = Counter(piece for table in document.tables for row in table.rows
                    for cell in row.cells for piece in _pieces(cell.text))
    assert cells, "the paper has tables"
    everywhere = Counter(piece for paragraph in document.paragraphs
                         for piece in _pieces(paragraph.text)) + cells
    printed = Counter(piece for word, count in laid.body_words().items()
                      for piece in _pieces(word) for _ in range(count))
    broken = {word: (printed[word], everywhere[word]) for word in cells
              if printed[word] < everywhere[word]}
    assert not broken, f"words broken in table cells (printed, in the file): {broken}"


@pytest.fixture
def snapshot(known):
    return draft_snapshot(known.committee, today=clock.today(), now=clock.now(), rules=RULES)


def test_the_paper_on_the_standard_template_reads_in_order_with_page_x_of_y(
        snapshot, tmp_path, record_property):
    data = render_docx(snapshot)
    laid = lay_out(data, tmp_path)
    keep(laid, "known-standard-template")
    record_property("pages", laid.pages)
    assert_reads_as_the_paper(data, snapshot, laid)


def test_the_paper_on_a_council_template_reads_the_same(snapshot, tmp_path, record_property):
    data = render_docx(snapshot, council_template())
    laid = lay_out(data, tmp_path)
    keep(laid, "known-council-template")
    record_property("pages", laid.pages)
    assert_reads_as_the_paper(data, snapshot, laid)


@pytest.fixture
def cheap_password_hashes(monkeypatch):
    # As in the factories: a cheap hash keeps the suite fast; production uses scrypt.
    monkeypatch.setattr(
        "tracker.accounts.models.generate_password_hash",
        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"),
    )


def test_the_demo_councils_paper_reads_in_order_with_page_x_of_y(
        app, cheap_password_hashes, tmp_path, record_property):
    today = date(2026, 11, 22)
    load_demo_data(today, datetime.combine(today, time(11, 30), tzinfo=UK))
    db.session.commit()
    committee = db.session.scalars(select(Committee).order_by(Committee.id)).first()
    snapshot = draft_snapshot(committee, today=today, now=clock.now(), rules=RULES)
    data = render_docx(snapshot)
    laid = lay_out(data, tmp_path)
    keep(laid, "demo-standard-template")
    record_property("pages", laid.pages)
    assert_reads_as_the_paper(data, snapshot, laid)
