"""The report as HTML: the body the app shows, and the self-contained file that is issued."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from flask import current_app
from markupsafe import Markup

from tracker.reports import charts
from tracker.reports.document import Chart, Snapshot

HERE = Path(__file__).resolve().parent
BODY_START = "<!-- report-body-start -->"
BODY_END = "<!-- report-body-end -->"
# Where a page shows a prepared body (`with_prepared_body`): written by the template only,
# never by user text (which is escaped, so "<!--" in it becomes "&lt;!--").
PREPARED_BODY = "<!-- prepared-report-body -->"


@cache
def stylesheet() -> str:
    """The report's stylesheet (screen, phone and print)."""
    return (HERE / "report.css").read_text(encoding="utf-8")


def chart_svg(chart: Chart, ident: str) -> Markup:
    """A snapshot's chart as inline SVG."""
    return charts.to_svg(charts.figure_for(chart), ident)


def body_context(snapshot: Snapshot) -> dict[str, Any]:
    """What `reports/_body.html` needs: the snapshot and the chart drawer, nothing else."""
    return {"report": snapshot, "chart_svg": chart_svg}


def render_document(snapshot: Snapshot) -> str:
    """The whole report as one HTML document with its stylesheet inline."""
    template = current_app.jinja_env.get_template("reports/document.html")
    # Our own stylesheet, not user text: it goes into the <style> element as it is.
    # Safe as markup: the package's own CSS file, no user text.
    css = Markup(stylesheet())  # noqa: S704 # nosec B704
    return template.render(stylesheet=css, **body_context(snapshot))


def render_html(snapshot: Snapshot) -> bytes:
    """The HTML file, as issued and downloaded (UTF-8)."""
    return render_document(snapshot).encode("utf-8")


def stored_body(html: bytes) -> Markup:
    """The report's body cut from an issued HTML file, to show it in the app as issued.

    The file was written by `render_html` (every piece of user text escaped), so its markup
    is trusted as it stands.
    """
    text = html.decode("utf-8")
    start = text.index(BODY_START) + len(BODY_START)
    # Safe as markup: written by render_html, which escaped every piece of user text.
    return Markup(text[start:text.index(BODY_END)])  # noqa: S704 # nosec B704


def body_of(html: bytes) -> bytes:
    """The report's body cut from an HTML file written by `render_html`, as UTF-8 bytes."""
    start = html.index(BODY_START.encode()) + len(BODY_START)
    return html[start:html.index(BODY_END.encode(), start)]


def with_prepared_body(page: str, body: bytes) -> list[bytes]:
    """The page (rendered with PREPARED_BODY where the report goes) as UTF-8 bytes, in pieces
    to send one after the other, with the prepared body in that place. The body is not decoded,
    escaped or copied: a large committee's paper is megabytes, and the request only sends the
    bytes it read. It was written by `render_html`, which escaped every piece of user text."""
    head, marker, tail = page.partition(PREPARED_BODY)
    if not marker:
        return [page.encode("utf-8")]
    return [head.encode("utf-8"), body, tail.encode("utf-8")]
