"""How dates and times are written for readers: "9 January 2012", UK style; and a
document's extracted text shown without its markdown."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def long_date(value: date | datetime | None) -> str:
    """9 January 2012."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(UK).date()
    return f"{value.day} {value:%B %Y}"


def short_date(value: date | None) -> str:
    """9 Jan 2012, for tables."""
    if value is None:
        return ""
    return f"{value.day} {value:%b %Y}"


def clock_time(value: datetime | time) -> str:
    """3:05pm; a datetime in UK time."""
    if isinstance(value, datetime):
        value = value.astimezone(UK).time()
    return f"{value.hour % 12 or 12}:{value.minute:02d}{'am' if value.hour < 12 else 'pm'}"


def date_and_time(value: datetime | None) -> str:
    """9 January 2012 at 3:05pm, in UK time."""
    if value is None:
        return ""
    return f"{long_date(value)} at {clock_time(value)}"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """1 action, 2 actions."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"


_MARKDOWN_HEADING = re.compile(r"\s{0,3}#{1,6}\s+(.*?)\s*#*\s*")


def marked_text_blocks(text: str, anchors: dict[int, str]) -> list[tuple[str, str, str | None]]:
    """A document's extracted text as blocks to show, (kind, words, anchor): ("heading", …)
    for a line the extractor marked as a heading with markdown ("## Areas for development"),
    ("text", …) for the lines between, as they are; no markdown reaches the reader. Each line
    numbered in `anchors` (from 0) is a block of its own carrying its anchor, so that a
    warning can point at it."""
    blocks: list[tuple[str, str, str | None]] = []
    lines: list[str] = []

    def end_of_run() -> None:
        if "".join(lines).strip():
            blocks.append(("text", "\n".join(lines).strip("\n"), None))
        lines.clear()

    # Numbered as the importer numbers lines (split at "\n" only), so anchors land right.
    for number, line in enumerate(text.split("\n")):
        heading = _MARKDOWN_HEADING.fullmatch(line)
        if heading or number in anchors:
            end_of_run()
            blocks.append(("heading" if heading else "text", heading[1] if heading else line,
                           anchors.get(number)))
        else:
            lines.append(line)
    end_of_run()
    return blocks
