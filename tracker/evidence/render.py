"""The evidence pack's files: a PDF per item and the index (PDF and CSV), in one zip.

PDFs are printed by WeasyPrint from templates/evidence/pdf_*.html with evidence.css. Every
piece of user text goes through the templates' escaping, and nothing is ever fetched (the
URL fetcher allows no protocol), so a pasted `<script>` or link is printed as the words it is.
The documents' dates are the pack's day, never the time of printing, and the zip's entries
are sorted with fixed timestamps: the same data gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from flask import current_app
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from tracker.evidence.asof import ItemRecord
from tracker.items.export import FORMULA_STARTS
from tracker.items.status import ShownStatus, StatusRules, status_rule_in_words

HERE = Path(__file__).resolve().parent
INDEX_PDF = "000-index.pdf"
INDEX_CSV = "000-index.csv"
SLUG_LENGTH = 60


@cache
def stylesheet() -> str:
    """The PDFs' stylesheet: our own file, no user text."""
    return (HERE / "evidence.css").read_text(encoding="utf-8")


def slug(text: str, length: int = SLUG_LENGTH) -> str:
    """Words made safe for a file name on any system: lower-case ASCII letters and digits
    joined by hyphens, cut at a word within `length` characters; "item" if nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(words) > length:
        cut = words[:length + 1]
        words = cut.rsplit("-", 1)[0] if "-" in cut else words[:length]
    return words.strip("-") or "item"


def item_file_name(number: int, title: str) -> str:
    """"007-ensure-case-records-are-up-to-date.pdf": the item's place in the pack, its title."""
    return f"{number:03d}-{slug(title)}.pdf"


@dataclass(frozen=True)
class IndexRow:
    """One item's line in the index: what is left of its record once printed."""

    number: int
    file_name: str
    title: str
    inspection: str
    letter_date: date | None
    category: str
    lead_officer: str
    priority: str
    target_date: date | None
    progress: str
    rag: str
    rag_value: ShownStatus
    rag_reason: str
    actions: int
    actions_complete: int
    actions_open: int
    actions_overdue: int
    entries: int
    partner_updates: int

    @classmethod
    def of(cls, record: ItemRecord, *, number: int, file_name: str) -> IndexRow:
        """The index line of an item's record."""
        return cls(
            number=number, file_name=file_name, title=record.title,
            inspection=record.inspection_title, letter_date=record.letter_date,
            category=record.category.label, lead_officer=record.lead_officer,
            priority=record.priority, target_date=record.target_date,
            progress=record.status.label, rag=record.rag.label, rag_value=record.rag.shown,
            rag_reason=record.rag.reason, actions=len(record.actions),
            actions_complete=record.actions_complete, actions_open=record.actions_open,
            actions_overdue=record.actions_overdue, entries=len(record.entries),
            partner_updates=record.partner_updates,
        )


class PackPrinter:
    """Prints one pack's PDFs, with the stylesheet and fonts set up once for all of them."""

    def __init__(self, *, as_of: date, council_name: str, scope: str,
                 rules: StatusRules) -> None:
        self.as_of = as_of
        self.council_name = council_name
        self.scope = scope
        self.rules = rules
        # Nothing is fetched: the documents are self-contained, and user text never becomes
        # a URL.
        self.fetcher = URLFetcher(allowed_protocols=())
        self.fonts = FontConfiguration()
        self.css = CSS(string=stylesheet(), url_fetcher=self.fetcher, font_config=self.fonts)

    def _print(self, template: str, **context: object) -> bytes:
        html = current_app.jinja_env.get_template(template).render(
            as_of=self.as_of, council_name=self.council_name, **context)
        document = HTML(string=html, url_fetcher=self.fetcher)
        # Tagged: headings, tables and lists reach screen readers as such.
        return document.write_pdf(stylesheets=[self.css], font_config=self.fonts,
                                  pdf_tags=True)

    def item_pdf(self, record: ItemRecord, *, number: int, total: int) -> bytes:
        """One item's PDF."""
        return self._print("evidence/pdf_item.html", record=record, number=number, total=total)

    def index_pdf(self, rows: list[IndexRow]) -> bytes:
        """The index: every item with its file name, kind, progress and RAG, and counts."""
        rags = Counter(row.rag_value for row in rows)
        totals = {
            "actions": sum(row.actions for row in rows),
            "complete": sum(row.actions_complete for row in rows),
            "overdue": sum(row.actions_overdue for row in rows),
            "entries": sum(row.entries for row in rows),
            "rags": [(shown.label, rags[shown]) for shown in ShownStatus if rags[shown]],
        }
        return self._print("evidence/pdf_index.html", rows=rows, totals=totals,
                           scope=self.scope, csv_name=INDEX_CSV,
                           several_inspections=len({(row.inspection, row.letter_date)
                                                    for row in rows}) > 1,
                           rag_rule=status_rule_in_words(self.rules))


CSV_COLUMNS = [
    "No.", "File", "Item", "Inspection", "Letter date", "Kind of finding", "Lead officer",
    "Priority", "Target date", "Progress", "Status", "Reason for status", "Actions",
    "Actions complete", "Actions open", "Actions overdue", "History entries",
    "Partner updates",
]


def _cell(value: object) -> str:
    text = "" if value is None else value.isoformat() if isinstance(value, date) else str(value)
    # Text a person typed is never a formula when the file is opened (CSV injection).
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def index_csv(rows: list[IndexRow]) -> bytes:
    """The index as CSV, UTF-8 with a byte order mark so Excel reads accents right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_cell(value) for value in (
            row.number, row.file_name, row.title, row.inspection, row.letter_date, row.category,
            row.lead_officer, row.priority, row.target_date, row.progress, row.rag,
            row.rag_reason, row.actions, row.actions_complete, row.actions_open,
            row.actions_overdue, row.entries, row.partner_updates,
        )])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def build_zip(files: dict[str, bytes], as_of: date) -> bytes:
    """The zip: entries in name order, each dated at the start of the pack's day, with fixed
    attributes and compression, so the same files always make the same bytes."""
    buffer = io.BytesIO()
    stamp = (max(as_of.year, 1980), as_of.month, as_of.day, 0, 0, 0)
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, wherever it is made
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name], compresslevel=6)
    return buffer.getvalue()
