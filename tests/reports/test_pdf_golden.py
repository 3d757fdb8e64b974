"""The text of every page of the demo council's progress report, as pdftotext lays it out,
held against tests/reports/golden/demo-report-pages.txt: an upgrade of Typst or of the fonts,
or a change of the template, that moves a line to another page or changes a word shows here.

When the change is meant, write the file again and read its diff before committing:

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/reports/test_pdf_golden.py

(The report's content comes from tracker/reports/snapshot.py: a change there changes the file
too, and is written again the same way.)
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select

from tests.typesetting.helpers import pdftotext
from tracker import clock
from tracker.committees.models import Committee
from tracker.demo.data import load_demo_data
from tracker.extensions import db
from tracker.reports.render_pdf import render_pdf
from tracker.reports.service import draft_snapshot
from tracker.settings import settings

GOLDEN = Path(__file__).resolve().parent / "golden" / "demo-report-pages.txt"


def page_texts(data: bytes) -> str:
    """Each page's text as laid out (pdftotext -layout), under a line naming the page."""
    pages = pdftotext(data, "-layout").split("\f")[:-1]
    return "".join(
        f"=== Page {number} of {len(pages)} ===\n"
        + "\n".join(line.rstrip() for line in page.strip("\n").splitlines()) + "\n"
        for number, page in enumerate(pages, start=1))


def test_every_page_of_the_demo_report_reads_as_it_did(app):
    load_demo_data(clock.today(), clock.now())
    db.session.commit()
    committee = db.session.scalars(select(Committee).order_by(Committee.id)).first()
    snapshot = draft_snapshot(committee, today=clock.today(), now=clock.now(),
                              rules=settings().status_rules)
    text = page_texts(render_pdf(snapshot))
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    expected = GOLDEN.read_text(encoding="utf-8")
    assert text.count("=== Page") == expected.count("=== Page"), "the page count changed"
    assert text == expected, (
        "The demo report's pages read differently: if that is meant, run UPDATE_GOLDEN=1 "
        ".venv/bin/pytest tests/reports/test_pdf_golden.py and read the file's diff")
