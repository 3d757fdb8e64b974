"""The progress report tells the committee each item's real state: items imported with nobody
leading them and nothing planned are "Not planned" (never Green), an item whose actions are
all done is "Delivered, awaiting evidence of impact"; in the counts, the chart, each item's
status line and every format."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.conftest import TEST_NOW
from tests.factories import ActionFactory, ItemFactory, focused_visit_items
from tests.reports.conftest import RULES
from tests.reports.helpers import html_text, one_line, pdf_cell_texts, pdf_text, word_text
from tracker import clock
from tracker.extensions import db
from tracker.items.models import ActionStatus
from tracker.reports.document import Para, Table
from tracker.reports.service import draft_snapshot, issue_report

NOT_PLANNED = ("Not planned. No lead officer yet and no actions planned, 12 days after the "
               "finding was imported (10 November 2026).")


@pytest.fixture
def followed(known, council):
    """The known committee also follows a focused visit just imported, and one of the known
    plan's findings has every action done."""
    imported = focused_visit_items(council, imported_at=TEST_NOW - timedelta(days=12))
    known.committee.inspections.append(imported[0].finding.inspection)
    done = ItemFactory(finding__inspection=known.inspection, lead_officer=known.lead,
                       title="Strategy discussions recorded")
    ActionFactory(item=done, owner=known.lead, status=ActionStatus.COMPLETE,
                  completed_on=date(2026, 10, 30))
    db.session.commit()
    return imported


def _draft(known):
    return draft_snapshot(known.committee, today=clock.today(), now=clock.now(), rules=RULES)


def _section(snapshot, number):
    return next(s for s in snapshot.sections if s.number == number)


def test_imported_items_are_not_planned_in_the_report_and_its_counts(known, followed):
    snapshot = _draft(known)
    # Appendix A gives every open item's state and its reason.
    in_brief = next(b for b in snapshot.appendices[0].blocks if isinstance(b, Table))
    statuses = [row[2] for row in in_brief.rows]
    assert statuses.count(NOT_PLANNED) == 4
    assert ("Delivered, awaiting evidence of impact. Its one action is complete; the outcome "
            "is not yet evidenced and signed off.") in statuses
    assert not any(s.startswith("Green") and "imported" in s for s in statuses)

    position = _section(snapshot, "3")
    texts = [b.text for b in position.blocks if isinstance(b, Para)]
    assert texts[0].startswith("The Committee follows seven items with ")
    # One table for each inspection: the known plan's, and the focused visit's just imported.
    tables = [b for b in position.blocks if isinstance(b, Table)][:2]
    items_by_state = [{row[0]: row[1] for row in t.rows if row[0].startswith("Items ")}
                      for t in tables]
    assert items_by_state == [{"Items Red": "1", "Items Green": "1",
                               "Items awaiting evidence": "1"}, {"Items not planned": "4"}]

    conclusion = [b.text for b in _section(snapshot, "7").blocks if isinstance(b, Para)]
    assert conclusion[0].startswith(
        "Of the seven items the Committee follows, one is delivered and awaiting evidence of "
        "impact, one Green, one Red and four not planned.")


def test_an_issued_report_says_not_planned_in_every_format(known, followed):
    report = issue_report(known.committee, actor=known.admin, now=clock.now(), rules=RULES)
    db.session.commit()
    assert '"item_rags"' in report.snapshot_json and '"not planned"' in report.snapshot_json
    # In the PDF, a table cell's text reads on its own (its lines are not the page's).
    pdf = " ".join([pdf_text(report.pdf), *pdf_cell_texts(report.pdf)])
    for text in (html_text(report.html), pdf, word_text(report.docx)):
        text = one_line(text)
        assert "Not planned" in text
        assert "No lead officer yet and no actions planned" in text
        # In the PDF the state is in appendix A's narrow column, wrapped.
        assert "Delivered" in text
    for text in (html_text(report.html), word_text(report.docx)):
        assert "Delivered, awaiting evidence of impact" in one_line(text)
