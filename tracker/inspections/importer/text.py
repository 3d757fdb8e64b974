"""Plain text to blocks: one block per paragraph, list item, table cell or heading.

The text can come from a PDF or Word document (read by `extract`), a .txt file or a paste.
Markup that the seed documents carry is understood and removed here: markdown headings
(`## …`) and bold markers, HTML list fragments (`<ul …> ▪ a ▪ b`), `<sup>`/`<u>` tags (their
text kept), table rows with `|` pipes, and list markers (bullets and paragraph numbers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Characters that mark a list item. The private-use glyphs are what Word's Symbol and
# Wingdings bullets become when a PDF is read (U+F0A7 ▪, U+F06E ■, U+F0B7 •).
BULLET_GLYPHS = "•▪◼■●◦‣∙\uf0a7\uf06e\uf0b7"
# HTML tags that documents carry around list items or inside words, removed in one pass
# (their text is kept): block tags become a space and inline ones nothing, so that
# `9<sup>th</sup>` reads `9th`.
TAG_RE = re.compile(
    r"<(/?)(?:(ul|ol|li|p|br|div|table|tr|td|th)|sup|sub|u|b|i|em|strong|span|a)\b[^<>]*>",
    re.IGNORECASE,
)

_HEADING_MARK_RE = re.compile(r"#{1,6}\s+")
_BULLET_MARK_RE = re.compile(rf"[-*{BULLET_GLYPHS}]\s+")
_INLINE_BULLET_RE = re.compile(rf"(?:^|\s)[{BULLET_GLYPHS}](?=\s|$)")
# "7. Ensure …", "114. The LSCB …", "4. Areas for development", and section numbers with
# or without a closing dot: "2.1 Unannounced …", "5.3 ICS …"; a paragraph number may be set
# tight against a capital ("10.Ensure …", as some reports print two-digit numbers).
_NUMBER_RE = re.compile(r"(\d{1,3}(?:\.\d{1,3})+|\d{1,3})(?:\.?\s+(?=\S)|\.(?=[A-Z‘“\"']))")
_TABLE_RULE_RE = re.compile(r":?-{2,}:?")
_TERMINAL = ".!?:;"
_CLOSERS = " )]\"'’”"


@dataclass
class Block:
    """One paragraph, list item, table cell or heading of a document, markers removed."""

    kind: str  # "heading", "bullet", "numbered" or "para"
    text: str
    number: str = ""  # the paragraph or section number of a "numbered" block (or heading)
    indent: int = 0  # leading spaces of the line, for bullets nested in bullets
    blank_before: bool = False  # a blank line (or a table cell's edge) precedes it
    line: int = 0  # the line of the text it starts on, counted from 0

    @property
    def full_text(self) -> str:
        """The text with its paragraph number, as the document prints it."""
        if not self.number:
            return self.text
        if "." in self.number:
            return f"{self.number} {self.text}"
        return f"{self.number}. {self.text}"


def collapse(text: str) -> str:
    """Whitespace collapsed to single spaces and trimmed."""
    return " ".join(text.split())


def is_terminated(text: str) -> bool:
    """Whether the text ends a sentence or introduces a list (., !, ?, : or ;)."""
    stripped = text.rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _TERMINAL


def without_tags(text: str) -> str:
    """HTML tags removed, their text kept."""
    return TAG_RE.sub(lambda tag: " " if tag.group(2) else "", text)


def _clean(text: str) -> str:
    return collapse(text.replace("**", "").replace("__", ""))


def to_blocks(text: str) -> list[Block]:
    """Split a document's text into blocks, in reading order."""
    blocks: list[Block] = []
    blank = True
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
        line = raw.replace("\t", " ").replace("\u00a0", " ").replace("\x0c", " ")
        if not line.strip():
            blank = True
            continue
        indent = len(line) - len(line.lstrip(" "))
        for block in _line_blocks(line.strip(), indent):
            block.blank_before = block.blank_before or blank
            block.line = number
            blocks.append(block)
            blank = False  # the other pieces of the line (inline bullets) follow directly
    return blocks


def _line_blocks(line: str, indent: int) -> list[Block]:
    heading = False
    mark = _HEADING_MARK_RE.match(line)
    if mark:
        heading = True
        line = line[mark.end() :]
    if line.startswith("|"):
        # A table row: each cell is a block of its own, in order.
        blocks: list[Block] = []
        for cell in line.strip().strip("|").split("|"):
            cell = cell.strip()
            if cell and not _TABLE_RULE_RE.fullmatch(cell):
                cell_blocks = _pieces(cell, 0, heading)
                for block in cell_blocks:
                    block.blank_before = True
                blocks += cell_blocks
        return blocks
    return _pieces(line, indent, heading)


def _pieces(line: str, indent: int, heading: bool) -> list[Block]:
    """A line with inline bullets (`<ul …> ▪ a ▪ b`) split into one block per bullet."""
    line = without_tags(line)
    parts = _INLINE_BULLET_RE.split(line) if any(g in line for g in BULLET_GLYPHS) else [line]
    blocks = []
    first = _clean(parts[0])
    if first:
        blocks.append(_classify(first, indent, heading))
    for part in parts[1:]:
        text = _clean(part)
        if text:
            blocks.append(_numbered_or(Block("bullet", text, indent=indent)))
    return blocks


def _classify(text: str, indent: int, heading: bool) -> Block:
    if heading:
        number = _NUMBER_RE.match(text)
        if number and len(text) > number.end():
            return Block("heading", text[number.end() :], number=number.group(1), indent=indent)
        return Block("heading", text, indent=indent)
    mark = _BULLET_MARK_RE.match(text)
    if mark and len(text) > mark.end():
        return _numbered_or(Block("bullet", text[mark.end() :], indent=indent))
    number = _NUMBER_RE.match(text)
    if number and _is_list_number(text, number):
        return Block("numbered", text[number.end() :], number=number.group(1), indent=indent)
    return Block("para", text, indent=indent)


def _is_list_number(text: str, match: re.Match[str]) -> bool:
    # "7. Ensure" and "2.1 Unannounced" are paragraph numbers; "11 September 2009" is not.
    marker = text[: match.end()].rstrip()
    return marker.endswith(".") or "." in match.group(1)


def _numbered_or(block: Block) -> Block:
    """A bullet that starts with a section number ("- 2.1 …") is a numbered paragraph."""
    number = _NUMBER_RE.match(block.text)
    if number and "." in number.group(1) and len(block.text) > number.end():
        return Block(
            "numbered", block.text[number.end() :], number=number.group(1), indent=block.indent
        )
    return block
