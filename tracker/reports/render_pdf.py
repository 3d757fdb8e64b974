"""The report as a PDF: the same HTML document, printed by WeasyPrint onto A4 pages.

The footer carries the report's title and "Page n of m" (`pdf.css`); the header says whether
it is a draft or which version was issued. The PDF's dates come from the snapshot (its
`generated_at`), so the same snapshot always prints the same bytes.
"""

from __future__ import annotations

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from tracker.formatting import date_and_time, long_date
from tracker.reports.document import Snapshot
from tracker.reports.render_html import render_document


def _css_string(text: str) -> str:
    """A CSS string literal of our own words (dates and numbers)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_header(snapshot: Snapshot) -> str:
    """The words at the top right of every page."""
    if snapshot.is_draft:
        return f"DRAFT, not issued: worked out on {date_and_time(snapshot.generated_at)}"
    return f"Version {snapshot.version}, issued on {long_date(snapshot.generated_at)}"


def render_pdf(snapshot: Snapshot) -> bytes:
    """The PDF file, as issued and downloaded."""
    header = (
        "@page { @top-right { content: " + _css_string(page_header(snapshot)) + "; "
        "font-family: arial, 'Liberation Sans', sans-serif; font-size: 8pt; "
        "color: #505a5f; } }"
    )
    # Nothing is fetched: the document is self-contained, and user text never becomes a URL.
    refuse_everything = URLFetcher(allowed_protocols=())
    document = HTML(string=render_document(snapshot, for_print=True),
                    url_fetcher=refuse_everything)
    return document.write_pdf(stylesheets=[CSS(string=header, url_fetcher=refuse_everything)])
