"""The report as plain data: numbered sections of worded blocks, ready for any renderer.

`tracker.reports.snapshot` decides every word, number and date once; the HTML, PDF and Word
renderers only lay these blocks out. A snapshot is plain data (strings, numbers and dates in
dataclasses) and survives a round trip through JSON unchanged, which is how an issued report
keeps the data it was rendered from.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

SCHEMA_VERSION = 1

# Characters XML 1.0 cannot carry (Word and the PDF's HTML would refuse them): control
# characters other than tab and newline, lone surrogates and the two non-characters.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(value: str | None) -> str:
    """User text made safe to carry into any format: invalid characters dropped, line ends
    made plain. Everything else, markup and field codes included, stays literal."""
    if not value:
        return ""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_XML.sub("", text).strip()


@dataclass
class Para:
    """A paragraph, numbered ("5.1") in the body or unnumbered; `label` is shown in bold first."""

    text: str
    number: str = ""
    label: str = ""
    kind: str = "para"


@dataclass
class Heading:
    """A numbered sub-heading inside a section (an item in section 5), with its markers."""

    text: str
    number: str = ""
    flags: list[str] = field(default_factory=list)
    kind: str = "heading"


@dataclass
class Bullet:
    text: str
    # A short marker shown in bold before the text ("Repeat finding").
    flag: str = ""


@dataclass
class Bullets:
    """A bulleted list, with an optional lead-in line ("Action taken:")."""

    items: list[Bullet]
    label: str = ""
    kind: str = "bullets"


@dataclass
class Column:
    title: str
    # What the column holds; renderers turn it into a width: ref, text, person, date,
    # status, count or label.
    role: str = "text"


@dataclass
class Table:
    caption: str
    columns: list[Column]
    rows: list[list[str]]
    kind: str = "table"
    # A small table that may sit beside the next one (section 3's table of each inspection):
    # the PDF and the Word file set such tables two to a row.
    paired: bool = False


@dataclass
class Chart:
    """A chart's numbers and its text alternative; `tracker.reports.charts` draws it."""

    # "percent" (a share at each month end); "rag" and "trend" in reports issued before it.
    chart: str
    title: str
    alt: str
    labels: list[str]
    series: dict[str, list[int]]
    kind: str = "chart"


Block = Para | Heading | Bullets | Table | Chart

_BLOCK_TYPES: dict[str, type] = {
    "para": Para, "heading": Heading, "bullets": Bullets, "table": Table, "chart": Chart,
}


@dataclass
class Section:
    """A numbered section ("5", "How we are addressing them") or an appendix (number "A")."""

    number: str
    title: str
    blocks: list[Block] = field(default_factory=list)

    @property
    def heading(self) -> str:
        if self.number.isdigit():
            return f"{self.number}. {self.title}"
        return f"Appendix {self.number}: {self.title}"


@dataclass
class Contact:
    name: str
    job_title: str = ""
    telephone: str = ""
    email: str = ""


@dataclass
class Snapshot:
    """Everything a progress report says, as at one moment."""

    council_name: str
    committee_id: int
    committee_name: str
    title: str
    report_of: str
    meeting_date: date | None
    # The meeting at which the next progress report is due (the one after `meeting_date`).
    next_report_date: date | None
    as_at: date
    generated_at: datetime
    # None for a draft; the version number once issued.
    version: int | None
    sections: list[Section]
    appendices: list[Section]
    contact: Contact | None
    # Each item's RAG when this snapshot was taken, keyed by item id: the next report
    # compares with it to say which items changed status.
    item_rags: dict[str, str] = field(default_factory=dict)
    # The figures of section 3 as numbers, for the next paper to compare with (see
    # `tracker.reports.snapshot.figures`): each inspection's items by state and its actions,
    # now ("inspections") and as the earlier issued papers told members ("papers").
    figures: dict[str, Any] = field(default_factory=dict)
    schema: int = SCHEMA_VERSION

    @property
    def is_draft(self) -> bool:
        return self.version is None

    def to_json(self) -> str:
        """Canonical JSON: the same snapshot always gives the same text."""
        return json.dumps(asdict(self), default=_encode, sort_keys=True, ensure_ascii=False,
                          separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Snapshot:
        """The snapshot `to_json` wrote."""
        data = json.loads(text)
        return cls(
            council_name=data["council_name"],
            committee_id=data["committee_id"],
            committee_name=data["committee_name"],
            title=data["title"],
            report_of=data["report_of"],
            meeting_date=_date(data["meeting_date"]),
            next_report_date=_date(data["next_report_date"]),
            as_at=date.fromisoformat(data["as_at"]),
            generated_at=datetime.fromisoformat(data["generated_at"]),
            version=data["version"],
            sections=[_section(s) for s in data["sections"]],
            appendices=[_section(s) for s in data["appendices"]],
            contact=Contact(**data["contact"]) if data["contact"] else None,
            item_rags=data["item_rags"],
            figures=data.get("figures", {}),
            schema=data["schema"],
        )


def _encode(value: Any) -> str:
    if isinstance(value, date):  # datetime is a date too
        return value.isoformat()
    raise TypeError(f"cannot put {type(value).__name__} in a snapshot")


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _block(data: dict[str, Any]) -> Block:
    block_type = _BLOCK_TYPES[data["kind"]]
    if block_type is Bullets:
        return Bullets(items=[Bullet(**b) for b in data["items"]], label=data["label"])
    if block_type is Table:
        return Table(caption=data["caption"], columns=[Column(**c) for c in data["columns"]],
                     rows=data["rows"], paired=data.get("paired", False))
    return block_type(**data)


def _section(data: dict[str, Any]) -> Section:
    return Section(number=data["number"], title=data["title"],
                   blocks=[_block(b) for b in data["blocks"]])
