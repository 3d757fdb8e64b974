"""The paper's length (issue 16's bar): its body, up to the first appendix, is at most eight
A4 pages in the PDF and in the Word file as LibreOffice lays it out, and the whole PDF at most
40 pages. Held here on the demo council's paper; at 200 items (bench data's board following
every inspection) in tests/reports/test_writing.py, which builds that data once for its
checks of the words and of both formats' pages (benchmarks/reports.py prints them too)."""

from __future__ import annotations

from sqlalchemy import select

from tests.reports.helpers import pdf_pages
from tests.reports.libreoffice import lay_out
from tracker import clock
from tracker.committees.models import Committee
from tracker.demo.data import load_demo_data
from tracker.extensions import db
from tracker.reports.render_docx import render_docx
from tracker.reports.render_pdf import render_pdf
from tracker.reports.service import draft_snapshot
from tracker.settings import settings

BODY_PAGES = 8
ALL_PAGES = 40
FIRST_APPENDIX = "Appendix A: Open items in brief"


def body_pages(page_texts: list[str]) -> int:
    """The pages before the one on which appendix A starts (it starts a page)."""
    starts = [n for n, text in enumerate(page_texts) if FIRST_APPENDIX in " ".join(text.split())]
    assert starts, "appendix A not found"
    return starts[0]


def test_the_demo_papers_body_is_within_eight_pages_in_pdf_and_word(app, tmp_path):
    load_demo_data(clock.today(), clock.now())
    db.session.commit()
    committee = db.session.scalars(select(Committee).order_by(Committee.id)).first()
    snapshot = draft_snapshot(committee, today=clock.today(), now=clock.now(),
                              rules=settings().status_rules)
    pages = pdf_pages(render_pdf(snapshot))
    assert body_pages(pages) <= BODY_PAGES
    assert len(pages) <= ALL_PAGES
    laid = lay_out(render_docx(snapshot), tmp_path)
    assert body_pages(laid.page_texts()) <= BODY_PAGES
