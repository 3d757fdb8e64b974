"""The inspection's details: kind of document, council, title, dates, inspector, recipient,
previous inspection and overall judgement, each read from the wording documents use."""

from __future__ import annotations

import re
from datetime import date

from tracker.inspections.importer import councils
from tracker.inspections.importer.dates import MONTH, YEAR, find_span, month_number
from tracker.inspections.importer.text import Block, collapse

_DATE_LINE_RE = re.compile(rf"[0-3]?\d(?:st|nd|rd|th)?\s+{MONTH}\s+{YEAR}")
_SALUTATION_RE = re.compile(r"dear\s+\S", re.IGNORECASE)
_SIGN_OFF_RE = re.compile(r"(?:yours?\s+(?:sincerely|faithfully)|kind regards)\b", re.IGNORECASE)
_DATES_LABEL_RE = re.compile(r"inspection dates?\s*:", re.IGNORECASE)
_INSPECTOR_LABEL_RE = re.compile(
    r"(lead inspector|reporting inspector|lead social care inspector)\s*:?\s+(.+)", re.IGNORECASE
)
_ROLE_RE = re.compile(r"(?:(?:her|his) majesty['’]s inspector|hmi|[\w ]*inspector)$", re.IGNORECASE)
_NAME_HMI_RE = re.compile(r"(.+?)\s+(HMI|(?:Her|His) Majesty['’]s Inspector)$")
_COMMITTEE_RE = re.compile(r"\bcommittee\b|\breport of the\b", re.IGNORECASE)
_SUMMARY_RE = re.compile(r"summary (?:report )?for children and young people", re.IGNORECASE)
_RECEIVED_LETTER_RE = re.compile(
    r"received the (?:ofsted )?letter|letter (?:was|is) dated|letter dated", re.IGNORECASE
)
_VISIT_WORDS_RE = re.compile(
    r"inspect|visit|conducted|took place|carried out|on site", re.IGNORECASE
)
_PUBLISHED_RE = re.compile(r"\bpublish", re.IGNORECASE)
_ON_SPAN_RE = re.compile(r"\b(?:on|between|from)\s+(?:the\s+)?[0-3]?\d(?:st|nd|rd|th)?\b")
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z‘“'\"(])")

_WHEN = rf"((?:{MONTH}\s+)?{YEAR})"
# The previous inspection, strongest wording first; each pattern's group 1 is its date.
_PREVIOUS_RES = [
    re.compile(
        r"\b(?:last|previous|most recent)\s+(?:full\s+)?inspection"
        rf"(?:\s+of\s+[^.;]{{0,120}}?)?\s+(?:was\s+)?in\s+{_WHEN}",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:(?:were|was)\s+(?:last|previously|first)|last time \w+ (?:were|was))"
        rf"\s+inspected\s+in\s+{_WHEN}",
        re.IGNORECASE,
    ),
    re.compile(rf"\bprevious\s+inspection\s+of\s+{_WHEN}", re.IGNORECASE),
]
# Weaker: "The inspection of … arrangements in August 2011 judged …".
# "The adoption service … was judged to be adequate at the last inspection in March 2013":
# the last inspection of that service, not of the council's children's services.
_GRADED_AT_RE = re.compile(r"\bjudged\s+(?:to\s+be\s+|as\s+)?\w+\s+at\s+the\s+\w*\s*$", re.I)
_PREVIOUS_JUDGED_RE = re.compile(
    rf"\binspection\s+of\s+[^.,;]{{0,120}}?\s+in\s+{_WHEN}\s+judged", re.IGNORECASE
)

_GRADE = (
    r"(outstanding|good|requires improvement to be good|requires? improvement|adequate"
    r"|inadequate)"
)
_JUDGEMENT_RES = [
    re.compile(
        rf"\boverall effectiveness\s*(?:is|was)?\s*[:\-–]?\s*(?:grade \d\s*)?\(?{_GRADE}\b",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\bchildren['’]s services in [A-Z][\w ’'-]{{0,60}}? (?:(?:are|is) )?{_GRADE}\b",
        re.IGNORECASE,
    ),
    re.compile(rf"\boverall,? we (?:rated|judged) [^.]{{0,100}}? as {_GRADE}\b", re.IGNORECASE),
]

# A council's name; at most eight words before "Council", so that matching stays linear
# however long a line of capitalised words is.
_COUNCIL_NAME_RE = re.compile(
    r"(?:(?:the\s+)?(?:London|Royal)\s+Borough\s+of\s+[A-Z][\w’'-]*"
    r"(?:\s+(?:and|upon|on)\s+[A-Z][\w’'-]*|\s+[A-Z][\w’'-]*){0,4}"
    r"|City\s+of\s+[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*){0,4}\s+Council"
    r"|Council\s+of\s+the\s+Isles\s+of\s+Scilly"
    r"|\b[A-Z][\w’'-]*(?:,?\s+(?:[A-Z][\w’'-]*|upon|on|and|with|of|the)){0,8}"
    r"\s+(?:(?:County|City|Borough|Metropolitan\s+Borough|Metropolitan\s+District|District)\s+)?"
    r"Council)\b"
)
_COUNCIL_KIND = r"\b(?:County|City|Borough|District)\b"
_TITLE_PLACE_RE = re.compile(
    r"(?:visit to|inspection of|within)\s+(.{1,80}?)\s+(?:local authority\s+)?children['’]s\s+"
    r"(?:social care\s+)?services",
    re.IGNORECASE,
)
_POSTCODE_RE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
_FRONT_BLOCKS = 40


def sentences(text: str) -> list[str]:
    """The text split into sentences."""
    return [s for s in _SENTENCE_RE.split(text) if s]


def document_kind(blocks: list[Block], flat: str) -> str | None:
    """ "ofsted_letter", "committee_report", "ofsted_report" or "ofsted_summary_for_children"."""
    texts = [b.text for b in blocks]
    if any(_SALUTATION_RE.match(t) for t in texts[:_FRONT_BLOCKS]) and any(
        _SIGN_OFF_RE.match(t) for t in texts
    ):
        return "ofsted_letter"
    headings = [b.text for b in blocks[:5] if b.kind == "heading"]
    if any(_COMMITTEE_RE.search(t) for t in headings) or re.search(
        r"contact officer\s*:|action taken\s*:", flat, re.IGNORECASE
    ):
        return "committee_report"
    front = texts[:_FRONT_BLOCKS]
    if any(_DATES_LABEL_RE.match(t) or _INSPECTOR_LABEL_RE.match(t) for t in front):
        return "ofsted_report"
    if any(_SUMMARY_RE.search(t) for t in texts[:10]):
        return "ofsted_summary_for_children"
    return None


def visit_dates(blocks: list[Block], flat: str) -> list[date]:
    """Every day of the visit, from "Inspection dates: …", "conducted on …" or a span of
    dates near the top of the document."""
    for block in blocks[:_FRONT_BLOCKS]:
        if _DATES_LABEL_RE.match(block.text):
            days = find_span(block.text)
            if days:
                return days
    for block in blocks[:12]:
        days = find_span(block.text)
        if len(days) > 1:
            return days
    for sentence in sentences(flat):
        if not _VISIT_WORDS_RE.search(sentence) or _PUBLISHED_RE.search(sentence):
            continue
        for match in _ON_SPAN_RE.finditer(sentence):
            # A visit's dates follow "on" closely: "on 31 January and 1 February 2018".
            days = find_span(sentence[match.start() : match.start() + 60])
            if days:
                return days
    return []


def letter_date(blocks: list[Block], flat: str, kind: str | None) -> date | None:
    """The date a letter was written, or that a report says the letter was received."""
    if kind == "ofsted_letter":
        for block in blocks[:_FRONT_BLOCKS]:
            if _SALUTATION_RE.match(block.text):
                break
            if _DATE_LINE_RE.fullmatch(block.text):
                days = find_span(block.text)
                if days:
                    return days[0]
    for sentence in sentences(flat):
        if _RECEIVED_LETTER_RE.search(sentence):
            match = _DATE_LINE_RE.search(sentence)
            if match:
                days = find_span(match.group())
                if days:
                    return days[0]
    return None


def recipient(blocks: list[Block], kind: str | None) -> str | None:
    """The addressee as the address block names them (the line after the letter's date)."""
    if kind != "ofsted_letter":
        return None
    for index, block in enumerate(blocks[:_FRONT_BLOCKS]):
        if _SALUTATION_RE.match(block.text):
            return None
        if _DATE_LINE_RE.fullmatch(block.text) and index + 1 < len(blocks):
            name = blocks[index + 1].text
            if not _SALUTATION_RE.match(name) and len(name.split()) <= 8:
                return name
            return None
    return None


def title(blocks: list[Block], kind: str | None) -> str | None:
    """A letter's subject line, or the title heading of a report or summary."""
    if kind == "ofsted_letter":
        for index, block in enumerate(blocks[:_FRONT_BLOCKS]):
            if _SALUTATION_RE.match(block.text) and index + 1 < len(blocks):
                return blocks[index + 1].text
        return None
    if kind == "committee_report":
        for block in blocks[:10]:
            if block.kind == "heading" and not _COMMITTEE_RE.search(block.text):
                return block.text
        return None
    front = blocks[:_FRONT_BLOCKS]
    label = next((i for i, b in enumerate(front) if _DATES_LABEL_RE.match(b.text)), None)
    if label is not None:
        parts = [
            b.text for b in front[:label] if b.kind == "heading" and not _is_council_name(b.text)
        ]
        if parts:
            return collapse(" ".join(parts))
    for block in front:
        if block.kind == "heading":
            return block.text
    return None


def inspector(blocks: list[Block], kind: str | None) -> tuple[str | None, str | None]:
    """The signatory of a letter, or the lead inspector of a report, and their role."""
    if kind == "ofsted_letter":
        for index, block in enumerate(blocks):
            if _SIGN_OFF_RE.match(block.text) and index + 1 < len(blocks):
                name = _without_brackets(blocks[index + 1].text)
                role = blocks[index + 2].text if index + 2 < len(blocks) else None
                if role and (len(role.split()) > 10 or re.search(r"\d|@|:", role)):
                    role = None
                return name or None, role
        return None, None
    for index, block in enumerate(blocks):
        match = _INSPECTOR_LABEL_RE.match(block.text)
        if not match:
            continue
        label, rest = match.group(1), match.group(2).strip()
        if "," in rest:
            name, role = (part.strip() for part in rest.split(",", 1))
            return name, role
        hmi = _NAME_HMI_RE.match(rest)
        if hmi:
            return hmi.group(1), hmi.group(2)
        following = blocks[index + 1].text if index + 1 < len(blocks) else ""
        if following and _ROLE_RE.fullmatch(following) and ":" not in following:
            return rest, following
        return rest, label[:1].upper() + label[1:].lower()
    return None, None


def previous_inspection(flat: str, visit: list[date]) -> str | None:
    """The previous inspection as the document words it ("August 2010", "2018")."""
    for patterns in (_PREVIOUS_RES, [_PREVIOUS_JUDGED_RE]):
        found = []
        for pattern in patterns:
            for match in pattern.finditer(flat):
                if _GRADED_AT_RE.search(flat[max(0, match.start() - 60) : match.start() + 5]):
                    continue  # another service's own last inspection
                words = collapse(match.group(1))
                when = _when(words)
                if when and (not visit or when < visit[0]):
                    found.append((when, words))
        if found:
            # The latest; of two in the same month or year, the one that names the month.
            return max(found, key=lambda f: (f[0], len(f[1])))[1]
    return None


def overall_judgement(flat: str) -> str | None:
    """The overall grade, in lower case, for a graded inspection."""
    for pattern in _JUDGEMENT_RES:
        match = pattern.search(flat)
        if match:
            grade = collapse(match.group(1)).lower()
            return "requires improvement" if grade == "require improvement" else grade
    return None


def council(blocks: list[Block], flat: str, title_text: str | None, year: int | None) -> str | None:
    """The council, as the document names it, or from the place it names.

    In order: a council the table knows named near the top (cover, address block, subject
    line); the place in the title ("Focused visit to Warrington children's services"); a
    council the table does not know, named in full in the title or as a line of the address
    block; a known council named anywhere; the place the document names most often."""
    front = blocks[:_FRONT_BLOCKS]
    for block in front:
        found = _council_in(block.text)
        if found:
            return found
    named = _TITLE_PLACE_RE.search(title_text or "")
    if named:
        place = named.group(1)
        found = _council_in(place) or councils.council_for_place(place, year)
        if found:
            return found
        if _COUNCIL_NAME_RE.fullmatch(place):
            return place
    for block in front:
        if _COUNCIL_NAME_RE.fullmatch(block.text) and re.search(_COUNCIL_KIND, block.text):
            return block.text
    for block in blocks[_FRONT_BLOCKS:]:
        found = _council_in(block.text)
        if found:
            return found
    counts: dict[str, int] = {}
    for block in blocks:
        if _POSTCODE_RE.search(block.text):
            continue  # an address: the inspectorate's own office is named in every letterhead
        for match in councils.place_pattern().finditer(block.text):
            counts[match.group(1)] = counts.get(match.group(1), 0) + 1
    if counts:
        place = max(counts, key=lambda p: counts[p])
        return councils.council_for_place(place, year)
    return None


def _council_in(text: str) -> str | None:
    for match in _COUNCIL_NAME_RE.finditer(text):
        words = match.group().replace(",", " ").split()
        # Trim words from the front ("Services Hampshire County Council") until the place
        # is one the table knows.
        for start in range(len(words)):
            if councils.is_known_place(councils.place_of(" ".join(words[start:]))):
                return _as_written(text, words[start:])
    return None


def _as_written(text: str, words: list[str]) -> str:
    pattern = r",?\s+".join(re.escape(w) for w in words)
    match = re.search(pattern, text)
    return collapse(match.group()) if match else " ".join(words)


def _is_council_name(text: str) -> bool:
    found = _council_in(text)
    return bool(found) and collapse(found) == collapse(text)


def _without_brackets(text: str) -> str:
    return collapse(re.sub(r"\([^)]*\)", "", text))


def _when(words: str) -> date | None:
    parts = words.split()
    try:
        if len(parts) == 2:
            return date(int(parts[1]), month_number(parts[0]), 1)
        return date(int(parts[0]), 1, 1)
    except (ValueError, KeyError):
        return None


_WORDED_PERIOD_RE = re.compile(rf"\b(?:in|of)\s+{_WHEN}", re.IGNORECASE)


def worded_period(text: str) -> str | None:
    """The first period a sentence names after "in" or "of" ("February 2020", "2018")."""
    match = _WORDED_PERIOD_RE.search(text)
    return collapse(match.group(1)) if match else None
