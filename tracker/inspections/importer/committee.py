"""What a council's committee report adds to the findings: the "Action taken:" lists under
each numbered area heading, with their loose dates, and the contact officer."""

from __future__ import annotations

import re
from datetime import date

from tracker.inspections.importer.dates import find_loose_date
from tracker.inspections.importer.lists import is_end
from tracker.inspections.importer.model import ContactOfficer, ProposedAction
from tracker.inspections.importer.text import Block, collapse

_ACTIONS_LABEL_RE = re.compile(r"actions?\s+(?:taken|to date|planned|agreed)\s*:?", re.IGNORECASE)
_CONTACT_RE = re.compile(r"contact\s+officers?\s*:\s*(.+)", re.IGNORECASE)
_MAX_CONTACT_CHARACTERS = 400
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE_RE = re.compile(
    r"(?:tel(?:ephone)?(?:\s+(?:number|no\.?))?\s*:?\s*)?((?:\+44\s?|0)\d[\d ]{8,12}\d)",
    re.IGNORECASE,
)
_PHONE_LABEL_RE = re.compile(
    r"\s*(?:tel(?:ephone)?(?:\s+(?:number|no\.?))?|phone)\s*:?\s*$", re.IGNORECASE
)
# Words that start a job title, for a contact line that runs name and title together.
_TITLE_WORDS = frozenset(
    [
        "head", "director", "assistant", "deputy", "executive", "chief", "manager", "officer",
        "lead", "principal", "senior", "service", "services", "strategic", "corporate",
        "interim", "team", "safeguarding", "group",
    ]
)  # fmt: skip


def find_actions(
    blocks: list[Block], areas: list[str], context: date | None
) -> list[ProposedAction]:
    """The bullets under each "Action taken:" label, with the area heading above it.

    An area heading numbered "5.3" addresses the third area for development; a heading
    without such a number, the area in the order the headings come. A date without a year
    ("from 9th January") takes the year of the nearest dated action under the same heading,
    else of `context` (the inspection); and is moved a year on if it would fall before the
    inspection, since these are actions taken after it."""
    actions: list[ProposedAction] = []
    sections = 0
    for index, block in enumerate(blocks):
        if not _ACTIONS_LABEL_RE.fullmatch(block.text):
            continue
        heading = _heading_before(blocks, index)
        if heading is None:
            continue
        area_index = _area_index(heading, sections, len(areas))
        sections += 1
        bullets = []
        for item in blocks[index + 1 :]:
            if item.kind != "bullet" or is_end(item):
                break
            bullets.append(item.text)
        actions += _dated(bullets, area_index, heading.text, context)
    return actions


def find_contact_officer(blocks: list[Block]) -> ContactOfficer | None:
    """The report's contact officer: name, title, telephone and email."""
    for index, block in enumerate(blocks):
        match = _CONTACT_RE.search(block.text)
        if not match:
            continue
        # The details may run on over the next few lines of the block's paragraph.
        rest = " ".join(
            [match.group(1)]
            + [
                b.text
                for b in blocks[index + 1 : index + 4]
                if b.kind == "para" and len(b.text) < 80
            ]
        )
        rest = rest[:_MAX_CONTACT_CHARACTERS]
        email = _EMAIL_RE.search(rest)
        phone = _PHONE_RE.search(rest)
        cut = min(m.start() for m in (email, phone) if m) if (email or phone) else len(rest)
        who = _PHONE_LABEL_RE.sub("", rest[:cut]).strip(" ,;-–")
        name, title = _name_and_title(who)
        if not name:
            return None
        return ContactOfficer(
            name=name,
            title=title,
            phone=collapse(phone.group(1)) if phone else "",
            email=email.group() if email else "",
        )
    return None


def _heading_before(blocks: list[Block], index: int) -> Block | None:
    for block in reversed(blocks[max(0, index - 3) : index]):
        if block.kind in ("heading", "numbered"):
            return block
    return None


def _area_index(heading: Block, ordinal: int, count: int) -> int:
    number = heading.number.split(".")
    if len(number) == 2 and number[1].isdigit() and 0 < int(number[1]) <= max(count, 1):
        return int(number[1]) - 1
    return ordinal


def _dated(
    texts: list[str], area_index: int, heading: str, context: date | None
) -> list[ProposedAction]:
    found = [find_loose_date(text) for text in texts]
    years = [f.year if f else None for f in found]
    actions = []
    for position, (text, loose) in enumerate(zip(texts, found, strict=True)):
        when = None
        if loose:
            year = (
                loose.year or _nearest_year(years, position) or (context.year if context else None)
            )
            when = loose.resolve(year)
            if when and loose.year is None and context and when < context:
                when = loose.resolve(year + 1) if year else None
        actions.append(
            ProposedAction(
                area_index=area_index,
                area_heading=heading,
                text=text,
                date_text=loose.text if loose else None,
                date=when,
            )
        )
    return actions


def _nearest_year(years: list[int | None], position: int) -> int | None:
    for distance in range(1, len(years)):
        for other in (position + distance, position - distance):
            if 0 <= other < len(years) and years[other] is not None:
                return years[other]
    return None


def _name_and_title(who: str) -> tuple[str, str]:
    if "," in who:
        name, title = (part.strip() for part in who.split(",", 1))
        return name, title
    words = who.split()
    for position, word in enumerate(words[1:], start=1):
        if word.lower().strip(",") in _TITLE_WORDS:
            return " ".join(words[:position]), " ".join(words[position:])
    return " ".join(words[:2]), " ".join(words[2:])
