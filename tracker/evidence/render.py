"""The evidence pack's files: a PDF per item, the evidence files added to each item (in the
item's folder), and the index (PDF and CSV, and a CSV of every evidence file with its name,
size and SHA-256), in one zip, written entry by entry as the pack is made (`PackZip`).

PDFs are typeset by Typst (tracker.typesetting) from the fixed templates evidence-item.typ
and evidence-index.typ, which get the words worked out here as JSON data: text people typed
is only ever text, never markup, and nothing is fetched or linked, so a pasted `<script>` or
link is printed as the words it is. The documents' dates are the pack's day, never the time
of printing, and the zip's entries are sorted with fixed timestamps: the same data gives the
same bytes.
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
from typing import Any, Protocol

from tracker.evidence.asof import ItemRecord
from tracker.evidence.sniff import size_in_words as size_words
from tracker.formatting import date_and_time, long_date, plural, short_date
from tracker.items.export import FORMULA_STARTS
from tracker.items.models import ItemStatus
from tracker.items.status import ShownStatus, StatusRules, status_rule_in_words
from tracker.typesetting import typeset

INDEX_PDF = "000-index.pdf"
INDEX_CSV = "000-index.csv"
FILES_CSV = "000-evidence-files.csv"
SLUG_LENGTH = 60


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


def item_folder(file_name: str) -> str:
    """The folder an item's evidence files are in: its PDF's name without ".pdf"."""
    return file_name.removesuffix(".pdf")


def evidence_file_name(folder: str, number: int, name: str, extension: str) -> str:
    """"007-case-records/02-audit-summary.pdf": an evidence file's place in the pack, in the
    item's folder, numbered in the order the files were added, in safe characters only (the
    name it was uploaded under is in the index)."""
    stem = name.rpartition(".")[0] or name
    return f"{folder}/{number:02d}-{slug(stem, 40)}.{extension}"


@dataclass(frozen=True)
class PackFile:
    """An evidence file as the pack lists it."""

    item_number: int
    item_title: str
    path: str
    name: str
    kind: str
    size: int
    sha256: str
    action: str
    added_by: str
    added_at: Any  # a datetime


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
            priority=record.priority.label, target_date=record.target_date,
            progress=record.status.label, rag=record.rag.label, rag_value=record.rag.shown,
            rag_reason=record.rag.reason, actions=len(record.actions),
            actions_complete=record.actions_complete, actions_open=record.actions_open,
            actions_overdue=record.actions_overdue, entries=len(record.entries),
            partner_updates=record.partner_updates,
        )


def masthead(council_name: str, as_of: date) -> str:
    """The line at the top of every page: whose pack, and as of when."""
    return (f"{council_name} · Evidence pack · As of {long_date(as_of)} (the end of that day, "
            f"UK time)")


def _page(title: str, *, council_name: str, as_of: date) -> dict[str, Any]:
    return {"title": title, "council": council_name, "masthead": masthead(council_name, as_of),
            "date": [as_of.year, as_of.month, as_of.day]}


def item_data(record: ItemRecord, *, number: int, total: int, council_name: str,
              as_of: date, files: list[PackFile] | None = None) -> dict[str, Any]:
    """Everything evidence-item.typ prints about one item, in words."""
    end_of = f"the end of {long_date(as_of)}"
    facts = [["Inspection", record.inspection_title
              + (f" ({record.inspectorate})" if record.inspectorate else "")],
             ["Letter date", long_date(record.letter_date) if record.letter_date
              else "Not recorded"]]
    if record.visit_dates:
        facts.append(["Visit", ", ".join(long_date(day) for day in record.visit_dates)])
    facts.append(["Kind of finding", record.category.label])
    if record.is_repeat:
        facts.append(["Raised before", record.repeat_evidence
                      or "Yes: raised at the previous inspection"])
    facts.append(["Lead officer", record.lead_officer])
    if record.theme:
        facts.append(["Theme", record.theme])
    actions = record.actions
    open_words = f"{record.actions_open} open"
    if record.actions_overdue:
        open_words += f", {record.actions_overdue} overdue"
    facts += [
        ["Priority", record.priority.label],
        ["Target date", long_date(record.target_date) if record.target_date else "None set"],
        ["Measure of success", record.measure_of_success or "None recorded"],
        ["Progress", record.status.label],
        ["Status", f"{record.rag.label}: {record.rag.reason}"],
        ["Actions", f"{plural(len(actions), 'action')}: {record.actions_complete} complete, "
                    f"{open_words}"],
        ["Recorded in the tracker", date_and_time(record.created_at)],
    ]
    outcome = None
    if record.status is not ItemStatus.OPEN:
        marked = record.marked_complete_by + (
            f", {date_and_time(record.marked_complete_at)}" if record.marked_complete_at
            else "")
        if record.status is ItemStatus.COMPLETE:
            signed = record.signed_off_by + (
                f", {date_and_time(record.signed_off_at)}" if record.signed_off_at else "")
        else:
            signed = f"Not signed off by {end_of}"
        outcome = [["Outcome evidence", record.outcome_evidence or "None recorded"],
                   ["Marked complete by", marked], ["Signed off by", signed]]
    note = (f"Every entry recorded by {end_of}, oldest first: "
            f"{plural(len(record.entries), 'entry', 'entries')}")
    if record.partner_updates:
        note += (f", of which {record.partner_updates} posted by a partner through a "
                 f"partner link")
    return {
        **_page(record.title, council_name=council_name, as_of=as_of),
        "caption": f"Item {number} of {total} · {record.category.label}",
        "facts": facts,
        "finding": record.finding_text,
        "actions": [{
            "number": str(n), "description": action.description,
            "evidence": action.evidence_link, "owner": action.owner,
            "due": short_date(action.due_date), "first-due": short_date(action.original_due_date),
            "status": action.status.label, "overdue": action.overdue,
            "completed": short_date(action.completed_on),
        } for n, action in enumerate(actions, start=1)],
        "no-actions": f"No action had been planned by {end_of}.",
        "history-note": note + ".",
        "entries": [{
            "when": f"{date_and_time(entry.at)} · {entry.author}", "partner": entry.partner,
            "what": entry.what, "action": entry.action, "text": entry.text,
            "evidence": entry.evidence_link,
        } for entry in record.entries],
        "outcome": outcome,
        "not-complete": f"Not marked complete by {end_of}.",
        "files-note": (f"The files added as evidence by {end_of}, in this pack in the folder "
                       f"{item_folder(item_file_name(number, record.title))}:"
                       if files else f"No file had been added as evidence by {end_of}."),
        "files": [{
            "name": file.name, "path": file.path,
            "details": (f"{file.kind}, {size_words(file.size)} · added by {file.added_by}, "
                        f"{date_and_time(file.added_at)}"
                        + (f" · Action: {file.action}" if file.action else "")),
            "sha256": f"SHA-256: {file.sha256}",
        } for file in files or []],
    }


def index_data(rows: list[IndexRow], *, council_name: str, as_of: date, scope: str,
               rules: StatusRules) -> dict[str, Any]:
    """Everything evidence-index.typ prints, in words."""
    rags = Counter(row.rag_value for row in rows)
    actions = sum(row.actions for row in rows)
    complete = sum(row.actions_complete for row in rows)
    overdue = sum(row.actions_overdue for row in rows)
    entries = sum(row.entries for row in rows)
    several = len({(row.inspection, row.letter_date) for row in rows}) > 1
    day = long_date(as_of)
    return {
        **_page(f"Evidence pack: index, as of {day}", council_name=council_name, as_of=as_of),
        "heading": "Evidence pack: index",
        "facts": [
            ["Council", council_name],
            ["Items", scope],
            ["As of", f"The end of {day}"],
            ["In this pack", f"{plural(len(rows), 'item')}, {plural(actions, 'action')} "
                             f"({complete} complete, {overdue} overdue), "
                             f"{plural(entries, 'history entry', 'history entries')}"],
            ["Status", ", ".join(f"{shown.label} {rags[shown]}" for shown in ShownStatus
                                 if rags[shown])],
        ],
        "introduction": (
            f"One PDF for each item, named in this list, holds the finding, every action with "
            f"its dates, the full history of status changes and commentary, and the outcome "
            f"evidence and sign-off. Everything is shown as it stood at the end of {day}: "
            f"items, actions and history entries recorded later are left out, and each "
            f"action's status and dates are those its history gives for that day. The same "
            f"list is in the file {INDEX_CSV} for a spreadsheet. The files added to an item "
            f"or its actions as evidence by then are in a folder named as the item's PDF; "
            f"the file {FILES_CSV} lists every one with the name it was added under, its "
            f"size and its SHA-256 (a fingerprint that shows the file is unchanged)."),
        "rows": [{
            "number": str(row.number), "title": row.title,
            "inspection": (row.inspection + (f", letter of {long_date(row.letter_date)}"
                                             if row.letter_date else "")) if several else "",
            "category": row.category, "progress": row.progress, "rag": row.rag,
            "actions": f"{row.actions} ({row.actions_complete} complete"
                       + (f", {row.actions_overdue} overdue" if row.actions_overdue else "")
                       + ")",
            "entries": str(row.entries), "file": row.file_name,
        } for row in rows],
        "rule-introduction": (f"Each item's status is worked out for {day} by the tracker's "
                              f"rule, applied in this order:"),
        "rule": [[name, words] for name, words in status_rule_in_words(rules)],
    }


class PackPrinter:
    """Prints one pack's PDFs (tracker.typesetting)."""

    def __init__(self, *, as_of: date, council_name: str, scope: str,
                 rules: StatusRules) -> None:
        self.as_of = as_of
        self.council_name = council_name
        self.scope = scope
        self.rules = rules

    def item_pdf(self, record: ItemRecord, *, number: int, total: int,
                 files: list[PackFile] | None = None) -> bytes:
        """One item's PDF, listing its evidence files."""
        return typeset("evidence-item.typ",
                       item_data(record, number=number, total=total,
                                 council_name=self.council_name, as_of=self.as_of,
                                 files=files))

    def index_pdf(self, rows: list[IndexRow]) -> bytes:
        """The index: every item with its file, kind, progress and status, and counts."""
        return typeset("evidence-index.typ",
                       index_data(rows, council_name=self.council_name, as_of=self.as_of,
                                  scope=self.scope, rules=self.rules))


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


FILES_CSV_COLUMNS = [
    "No.", "Item", "Action", "File in this pack", "Name as added", "Kind", "Size in bytes",
    "SHA-256", "Added by", "Added at",
]


def files_csv(files: list[PackFile]) -> bytes:
    """Every evidence file in the pack, with its name, size and SHA-256, as CSV (UTF-8 with
    a byte order mark, as the index)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(FILES_CSV_COLUMNS)
    for file in files:
        writer.writerow([_cell(value) for value in (
            file.item_number, file.item_title, file.action, file.path, file.name, file.kind,
            file.size, file.sha256, file.added_by, file.added_at.isoformat(),
        )])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


class Sink(Protocol):
    """Where a zip is written: anything with `write` (a file, a buffer, the pack's pieces)."""

    def write(self, data: bytes, /) -> int: ...

    def flush(self) -> None: ...


class PackZip:
    """The pack's zip, written entry by entry into `sink` as each file is made, so no more
    than one entry is ever in memory. Each entry is dated at the start of the pack's day,
    with fixed attributes and compression, so the same files in the same order always make
    the same bytes. Files already compressed (PDFs, Office documents, images) are stored as
    they are."""

    def __init__(self, sink: Sink, as_of: date) -> None:
        self._stamp = (max(as_of.year, 1980), as_of.month, as_of.day, 0, 0, 0)
        self._archive = zipfile.ZipFile(sink, "w")  # type: ignore[arg-type]

    def add(self, name: str, data: bytes, *, compress: bool = True) -> None:
        info = zipfile.ZipInfo(name, date_time=self._stamp)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.create_system = 3  # Unix, wherever it is made
        info.external_attr = 0o644 << 16
        self._archive.writestr(info, data, compresslevel=6 if compress else None)

    def close(self) -> None:
        """Write the zip's directory: the zip is whole once this returns."""
        self._archive.close()


def build_zip(files: dict[str, bytes], as_of: date) -> bytes:
    """A zip of a few small files, in name order, made in memory (for tests and examples;
    a pack is written with `PackZip` into its pieces)."""
    buffer = io.BytesIO()
    archive = PackZip(buffer, as_of)
    for name in sorted(files):
        archive.add(name, files[name])
    archive.close()
    return buffer.getvalue()
