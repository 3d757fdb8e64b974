"""A PDF's text, in reading order, as paragraphs: one per line, a blank line between.

pdfchars.py gives each character with its position, size and font (read with PDFium, as
pdfminer would measure them). From those:

- lines are rebuilt from characters (spaces from the gaps), superscript footnote markers
  ("Board¹") dropped, and ligatures spelled out;
- running headers and footers (lines in the top or bottom margin repeated on three or more
  pages, digits aside), bare page numbers and "Page N of M" are removed; footnotes move to
  the end under a "Notes" heading, so they never fall inside a paragraph;
- lines join into paragraphs; a new paragraph starts at a bullet glyph, a paragraph number
  ("7."), a change between heading and body type, a gap wider than half a line, a line
  that starts left of the paragraph's text, or after a line that ends short of the margin
  although the next word would have fitted (a deliberate line break, as in an address);
- a paragraph indented under a bullet or numbered item (a sub-list) belongs to that item;
- across a page break, a paragraph continues when the new page starts at its text's left
  edge and the last line on the page ran to the margin;
- a line-end hyphen joins the next line without a space ("multi-" + "agency"), except
  before "and", "or" or "to", where it is a suspended hyphen ("16- and 17-year-olds").

Bullets are written "• ", headings (bold, or larger than body text) "## ", so that
`text.to_blocks` reads them as it reads the seed documents' markup.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

from tracker.inspections.importer import pdfchars
from tracker.inspections.importer.model import ImportProblem, too_much_text
from tracker.inspections.importer.pdfchars import (
    BLANK,
    BOTTOM,
    FONTNAME,
    SIZE,
    TEXT,
    TOP,
    X0,
    X1,
    Char,
)

MAX_PAGES = 200
# A real 41-page report reads in a third of a second; a PDF still reading after this long is
# built to be slow (or broken), and the person uploading it should not wait on.
READ_SECONDS = 10
# Glyphs that start a list item; U+F0A7 and U+F06E are Wingdings bullets as PDFs carry them.
BULLETS = "•▪◼■●\uf0a7\uf06e\uf0b7"
_NUMBERED_RE = re.compile(r"\d{1,3}\.\s")
_PAGE_NUMBER_RE = re.compile(r"(?:page\s+)?\d{1,4}(?:\s+of\s+\d{1,4})?|[-–]\s*\d{1,4}\s*[-–]", re.I)
_BOLD_RE = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
_SUSPENDED_RE = re.compile(r"(?:and|or|to|nor)\b")
_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"}
_LINE_TOLERANCE = 3.0
_MARGIN = 0.1  # top and bottom tenths of the page, where headers and footers sit
_MIN_TEXT_CHARACTERS = 40


@dataclass
class Line:
    page: int
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    first_word_width: float
    bullet: bool = False
    numbered: bool = False
    text_x0: float = 0.0  # where the text starts, after a bullet or number
    footnote_mark: str = ""  # the superscript number a footnote starts with


@dataclass
class Paragraph:
    lines: list[Line] = field(default_factory=list)
    heading: bool = False
    nested_x0: float | None = None  # left edge of a nested sub-list's text, if any

    @property
    def first(self) -> Line:
        return self.lines[0]

    @property
    def last(self) -> Line:
        return self.lines[-1]

    @property
    def text_x0(self) -> float:
        """The left edge of the paragraph's text after its first line."""
        if self.nested_x0 is not None:
            return self.nested_x0
        if len(self.lines) > 1:
            return self.lines[1].x0
        return self.first.text_x0


def pdf_text(
    data: bytes, *, max_pages: int = MAX_PAGES, max_characters: int | None = None
) -> str:
    """The text of a PDF: paragraphs separated by blank lines, bullets as "• ", headings as
    "## ". Reads at most `max_pages` pages, so that reading is bounded in time, and stops
    with ImportProblem (`too_much_text`) once its pages hold more than `max_characters`
    characters, counted page by page before each page's characters are read."""
    pages: list[list[Line]] = []
    left = max_characters
    heights: list[float] = []
    give_up_at = time.monotonic() + READ_SECONDS
    try:
        with pdfchars.open_pdf(data) as document:
            for number in range(min(pdfchars.page_count(document), max_pages)):
                if time.monotonic() > give_up_at:
                    raise ImportProblem(_TOO_SLOW)
                chars, height = pdfchars.page_chars(document, number, limit=left)
                if left is not None:
                    left -= len(chars)
                pages.append(_page_lines(chars, number))
                heights.append(height)
    except pdfchars.TooManyCharacters as error:
        raise too_much_text(max_characters or 0) from error
    except pdfchars.PdfError as error:
        if error.password:
            raise ImportProblem(
                "This PDF is protected by a password, so it cannot be read. Save a copy "
                "without the password and upload that."
            ) from error
        raise ImportProblem(DAMAGED) from error
    except ImportProblem:
        raise
    except Exception as error:
        raise ImportProblem(DAMAGED) from error
    characters = sum(len(line.text.replace(" ", "")) for lines in pages for line in lines)
    if characters < _MIN_TEXT_CHARACTERS:
        raise ImportProblem(
            "This PDF has no text in it, probably because it is a scan: the pages are "
            "pictures of text. Upload the original PDF or Word document from the "
            "inspectorate's website, or paste the letter's text instead."
        )
    return _layout(pages, heights)


_TOO_SLOW = (
    "This PDF takes too long to read, so it was stopped. Save the letter or report as a "
    "new PDF (Print to PDF), or upload it as a Word document, or paste its text."
)

DAMAGED = (
    "This PDF cannot be read: it may be damaged or incomplete. Download it again, or save "
    "the document as a new PDF, and upload that."
)


def _page_lines(chars: list[Char], number: int) -> list[Line]:
    """The page's lines, top to bottom, from its characters."""
    chars.sort(key=_BY_TOP)
    # Characters whose tops are within 3 points of the last one's share a line (so does a
    # superscript).
    tops = list(map(_BY_TOP, chars))
    starts = [0]
    starts += [n for n, (a, b) in enumerate(itertools.pairwise(tops), 1) if b - a > _LINE_TOLERANCE]
    ends = [*starts[1:], len(chars)]
    lines = [
        line
        for start, end in zip(starts, ends, strict=True)
        if (line := _line(chars[start:end], number)) is not None
    ]
    lines.sort(key=lambda line: (round(line.top), line.x0))
    return lines


_BY_TOP = operator.itemgetter(TOP)
_BY_X0 = operator.itemgetter(X0)
_X1S = operator.itemgetter(X1)
_BOTTOMS = operator.itemgetter(BOTTOM)
_SIZES = operator.itemgetter(SIZE)
_FONTNAMES = operator.itemgetter(FONTNAME)


@functools.lru_cache(maxsize=256)
def _is_bold(fontname: str) -> bool:
    return _BOLD_RE.search(fontname) is not None


def _line(chars: list[Char], page: int) -> Line | None:
    # Called for every line of every page, so written for speed: counting and the like in
    # C (Counter, map), sizes rounded once per distinct size, and steps most lines do not
    # need skipped.
    chars.sort(key=_BY_X0)
    visible = [c for c in chars if not c[BLANK]]
    if not visible:
        return None
    # The line's size: the rounded size most of its characters have (the first, if tied).
    rounded: dict[float, float] = {}
    counts: dict[float, int] = {}
    sizes = Counter(map(_SIZES, visible))
    for raw, count in sizes.items():
        key = rounded[raw] = round(raw, 1)
        counts[key] = counts.get(key, 0) + count
    size = max(counts, key=counts.__getitem__)
    if len(counts) == 1:
        bottoms = list(map(_BOTTOMS, visible))
    else:
        bottoms = [c[BOTTOM] for c in visible if rounded[c[SIZE]] == size]
    baseline = statistics.median(bottoms)
    small, raised = 0.8 * size, baseline - 0.15 * size
    footnote_mark = ""
    if min(sizes) < small:
        kept: list[Char] = []
        started = False
        for char in chars:
            if char[SIZE] < small and char[BOTTOM] < raised and char[TEXT].isdigit():
                # A footnote marker: dropped from the text; a footnote keeps its own number.
                if not started:
                    footnote_mark += char[TEXT]
                continue
            kept.append(char)
            started = started or not char[BLANK]
        shown = [c for c in kept if not c[BLANK]]
    else:
        kept, shown = chars, visible  # nothing small enough to be a footnote marker
    parts: list[str] = []
    add, spelled = parts.append, _LIGATURES.get
    previous: Char | None = None
    space = False
    gap = 0.2 * size
    for char in kept:
        if char[BLANK]:
            space = True
            continue
        if previous is not None and (
            space or char[X0] - previous[X1] > (gap if size <= char[SIZE] else 0.2 * char[SIZE])
        ):
            add(" ")
        add(spelled(char[TEXT], char[TEXT]))
        previous = char
        space = False
    text = "".join(parts).strip()
    if not text:
        return None
    fonts = Counter(map(_FONTNAMES, shown))
    bold = sum(n for name, n in fonts.items() if _is_bold(name)) >= 0.9 * len(shown)
    line = Line(
        page=page,
        text=text,
        x0=shown[0][X0],
        x1=max(map(_X1S, shown)),
        top=min(map(_BY_TOP, shown)),
        bottom=max(map(_BOTTOMS, shown)),
        size=size,
        bold=bold,
        first_word_width=_width(shown, len(text.split(" ", 1)[0])),
        text_x0=shown[0][X0],
        footnote_mark=footnote_mark,
    )
    if text[0] in BULLETS:
        line.bullet = True
        line.text = text[1:].strip()
        rest = shown[1:]
        if not line.text or not rest:
            return None
        line.text_x0 = rest[0][X0]
        line.first_word_width = _width(rest, len(line.text.split(" ", 1)[0]))
    elif _NUMBERED_RE.match(text):
        line.numbered = True
        after = shown[len(text.split(" ", 1)[0]) :]
        line.text_x0 = after[0][X0] if after else line.x0
    return line


def _width(chars: list[Char], count: int) -> float:
    if not chars or count <= 0:
        return 0.0
    word = chars[: min(count, len(chars))]
    return word[-1][X1] - word[0][X0]


def _layout(pages: list[list[Line]], heights: list[float]) -> str:
    # Body text is the size most characters are set in.
    sizes: Counter[int] = Counter()
    for line in (line for lines in pages for line in lines):
        sizes[round(line.size)] += len(line.text)
    body_size = sizes.most_common(1)[0][0]
    repeated = _repeated_margin_lines(pages, heights)
    pages = [_without_running_lines(lines, heights[n], repeated) for n, lines in enumerate(pages)]
    notes: list[Line] = []
    for number, lines in enumerate(pages):
        body, footnotes = _split_footnotes(lines, body_size)
        pages[number] = body
        notes += footnotes
    lines = [line for page in pages for line in page]
    right = _right_margin(lines, body_size)
    paragraphs = _paragraphs(lines, right, body_size)
    out = [_render(paragraph) for paragraph in paragraphs]
    if notes:
        out.append("## Notes")
        for note in _paragraphs(notes, right, body_size):
            mark = note.first.footnote_mark
            out.append(f"[{mark}] {_render(note)}" if mark else _render(note))
    return "\n\n".join(text for text in out if text) + "\n"


def _without_running_lines(lines: list[Line], height: float, repeated: set[str]) -> list[Line]:
    """The page without its running header, footer and page number."""
    kept = []
    for line in lines:
        in_margin = line.top < _MARGIN * height or line.bottom > (1 - _MARGIN) * height
        if in_margin and (_PAGE_NUMBER_RE.fullmatch(line.text) or _shape(line) in repeated):
            continue
        kept.append(line)
    return kept


def _repeated_margin_lines(pages: list[list[Line]], heights: list[float]) -> set[str]:
    seen: Counter[str] = Counter()
    for lines, height in zip(pages, heights, strict=True):
        shapes = {
            _shape(line)
            for line in lines
            if line.top < _MARGIN * height or line.bottom > (1 - _MARGIN) * height
        }
        seen.update(shapes)
    needed = 3 if len(pages) >= 4 else 2
    return {shape for shape, count in seen.items() if count >= needed}


def _shape(line: Line) -> str:
    return re.sub(r"\d+", "#", line.text.lower())


def _split_footnotes(lines: list[Line], body_size: int) -> tuple[list[Line], list[Line]]:
    """Footnotes: small print at the foot of the page that starts with its number."""
    end = len(lines)
    start = end
    while start > 0 and lines[start - 1].size < body_size - 0.5:
        start -= 1
    # From the first line of that small print that starts with a footnote's number.
    for index in range(start, end):
        if lines[index].footnote_mark or re.match(r"\d{1,2}\s", lines[index].text):
            return lines[:index], lines[index:]
    return lines, []


def _right_margin(lines: list[Line], body_size: int) -> float:
    full = sorted(
        line.x1 for line in lines if round(line.size) == body_size and len(line.text) > 40
    )
    if not full:
        return max((line.x1 for line in lines), default=0.0)
    return full[int(0.9 * (len(full) - 1))]


def _is_heading(line: Line, body_size: int) -> bool:
    return line.bold or line.size >= body_size + 1.5


def _paragraphs(lines: list[Line], right: float, body_size: int) -> list[Paragraph]:
    paragraphs: list[Paragraph] = []
    current: Paragraph | None = None
    for line in lines:
        heading = _is_heading(line, body_size) and not line.bullet
        if current is None:
            current = Paragraph([line], heading)
            paragraphs.append(current)
            continue
        if _starts_paragraph(current, line, heading, right):
            nested = _nests_in(current, line, heading)
            if nested is not None:
                nested.lines.append(line)
                nested.nested_x0 = line.x0
                current = nested
                continue
            current = Paragraph([line], heading)
            paragraphs.append(current)
        else:
            current.lines.append(line)
    return paragraphs


def _starts_paragraph(current: Paragraph, line: Line, heading: bool, right: float) -> bool:
    last = current.last
    if line.bullet or heading != current.heading or abs(line.size - last.size) > 1.5:
        return True
    if line.page != last.page:
        # Across a page break: the same paragraph if the text runs on at its left edge.
        misaligned = abs(line.x0 - current.text_x0) > 4
        if current.heading or misaligned or _deliberate_break(last, line, right):
            return True
        unfinished = not re.search(r"[.!?:;][)’”'\"]?$", last.text)
        hanging = current.text_x0 > current.first.x0 + 4
        return not (unfinished or hanging or line.text[:1].islower())
    gap = line.top - last.bottom
    if gap > 0.5 * line.size or _deliberate_break(last, line, right):
        return True
    if line.numbered and line.x0 < current.text_x0 - 4:
        return True
    return len(current.lines) > 1 and line.x0 < current.text_x0 - 4


def _deliberate_break(last: Line, line: Line, right: float) -> bool:
    """The last line stopped short although the next line's first word would have fitted."""
    if last.text.endswith("-"):
        return False
    room = right - last.x1
    return room > line.first_word_width + 0.5 * last.size + 2


def _nests_in(current: Paragraph, line: Line, heading: bool) -> Paragraph | None:
    """The item a sub-list paragraph belongs to: the bullet or numbered paragraph above it,
    when the new paragraph is indented past that item's marker."""
    if heading or line.bullet or line.numbered:
        return None
    first = current.first
    if not (first.bullet or first.numbered) or line.x0 <= first.x0 + 4:
        return None
    if line.page == current.last.page and line.top - current.last.bottom > 3 * line.size:
        return None
    return current


def _render(paragraph: Paragraph) -> str:
    text = ""
    for line in paragraph.lines:
        if not text:
            text = line.text
        elif text.endswith("-") and not text.endswith(" -") and not _SUSPENDED_RE.match(line.text):
            text += line.text
        else:
            text += " " + line.text
    text = " ".join(text.split())
    if paragraph.first.bullet:
        return "• " + text
    if paragraph.heading:
        return "## " + text
    return text
