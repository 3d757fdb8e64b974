"""The report as a PDF: the snapshot typeset by Typst (tracker/typesetting/templates/report.typ).

The template gets the snapshot itself as data, with the few sentences about the document
(its header, the meeting and status lines) and the charts as SVG; every word of the body is
the snapshot's, as in the HTML and Word files. The footer carries the report's title and
"Page n of m"; the header says whether it is a draft or which version was issued. The PDF is
dated from the snapshot (its `generated_at`), so the same snapshot always prints the same
bytes. Tagged, PDF/UA-1.
"""

from __future__ import annotations

import json
from typing import Any

from tracker.formatting import date_and_time, long_date
from tracker.reports import charts
from tracker.reports.document import Chart, Snapshot
from tracker.typesetting import typeset

TEMPLATE = "report.typ"


def page_header(snapshot: Snapshot) -> str:
    """The words at the top right of every page."""
    if snapshot.is_draft:
        return f"DRAFT, not issued: worked out on {date_and_time(snapshot.generated_at)}"
    return f"Version {snapshot.version}, issued on {long_date(snapshot.generated_at)}"


def document_title(snapshot: Snapshot) -> str:
    """The PDF's title (its metadata, what a reader's window shows)."""
    return f"{snapshot.title} – {snapshot.committee_name}"


def pdf_data(snapshot: Snapshot) -> dict[str, Any]:
    """What report.typ reads: the snapshot as plain JSON data, sentences about the document,
    and each chart as SVG keyed by its place, as the HTML names it."""
    meeting = long_date(snapshot.meeting_date) if snapshot.meeting_date else "not yet set"
    if snapshot.is_draft:
        status = (f"Draft, worked out from the tracker on "
                  f"{date_and_time(snapshot.generated_at)}. It has not been issued.")
    else:
        status = (f"Version {snapshot.version}, issued on "
                  f"{long_date(snapshot.generated_at)}.")
    svgs = {}
    for section in snapshot.sections + snapshot.appendices:
        for n, block in enumerate(section.blocks, start=1):
            if isinstance(block, Chart):
                ident = f"report-chart-{section.number}-{n}"
                svgs[ident] = str(charts.to_svg(charts.figure_for(block), ident))
    return {
        "report": json.loads(snapshot.to_json()),
        "words": {
            "document-title": document_title(snapshot),
            "page-header": page_header(snapshot),
            "meeting": f"Meeting date: {meeting}",
            "status": status,
        },
        "charts": svgs,
    }


def render_pdf(snapshot: Snapshot) -> bytes:
    """The PDF file, as issued and downloaded."""
    return typeset(TEMPLATE, pdf_data(snapshot), created=snapshot.generated_at)
