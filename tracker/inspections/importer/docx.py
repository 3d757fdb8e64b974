"""A Word document's text: paragraphs, list items and table cells, in document order.

Headings (Word's Title and Heading styles) are written "## " and list items (numbered or
bulleted paragraphs, or List styles) "• ", so `text.to_blocks` reads them as it reads the
seed documents' markup.
"""

from __future__ import annotations

import io
import zipfile
from collections import deque
from typing import Any
from weakref import WeakKeyDictionary
from xml.parsers import expat

from tracker.inspections.importer.model import ImportProblem, too_much_text

_MAX_PARAGRAPHS = 20_000
# The document's own XML (its text and layout, without pictures): a long report's is a few
# megabytes. Past this, python-docx would hold a tree larger than the reader's memory.
MAX_XML_BYTES = 20 * 1024 * 1024
_CHUNK = 64 * 1024
DAMAGED = (
    "This Word document cannot be read: it may be damaged. Open it in Word, save it "
    "again, and upload the new file."
)


def count_document(data: bytes, *, max_characters: int, max_xml_bytes: int = MAX_XML_BYTES
                   ) -> None:
    """Read the document's XML as it unpacks, counting its bytes and the characters of its
    text, and stop with ImportProblem at either limit, before python-docx builds the whole
    document in memory. Memory used: one chunk at a time."""
    # Word writes no space between elements: every character outside the tags is text (of
    # the document, a field code or a deleted revision), counted without a call per element.
    characters = 0

    def text(data: str) -> None:
        nonlocal characters
        characters += len(data)

    def refuse(*_args: Any) -> None:
        raise ImportProblem(DAMAGED)  # Word never writes a DTD or entities

    parser = expat.ParserCreate()
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = refuse
    read = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)).open("word/document.xml") as part:
            while chunk := part.read(_CHUNK):
                read += len(chunk)
                if read > max_xml_bytes:
                    raise ImportProblem(
                        f"This Word document's text and layout unpack to more than "
                        f"{max_xml_bytes // (1024 * 1024)} MB, far more than any letter or "
                        "report, so reading it was stopped. Save the letter or report on its "
                        "own as PDF or .docx, or paste its text, and upload that."
                    )
                parser.Parse(chunk, False)
                if characters > max_characters:
                    raise too_much_text(max_characters)
            parser.Parse(b"", True)
    except (expat.ExpatError, zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        if isinstance(error, ImportProblem):
            raise
        raise ImportProblem(DAMAGED) from error


def docx_text(data: bytes) -> str:
    """The text of a .docx file: one paragraph per line, a blank line between."""
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:
        raise ImportProblem(DAMAGED) from error
    out: list[str] = []
    # Body elements in order; content controls (w:sdt) hold paragraphs and tables too.
    elements = deque(document.element.body.iterchildren())
    while elements and len(out) < _MAX_PARAGRAPHS:
        element = elements.popleft()
        if element.tag == qn("w:p"):
            out.append(_paragraph(Paragraph(element, document), qn))
        elif element.tag == qn("w:tbl"):
            out += _table(Table(element, document), qn)
        elif element.tag == qn("w:sdt"):
            content = element.find(qn("w:sdtContent"))
            if content is not None:
                elements.extendleft(reversed(list(content.iterchildren())))
    return "\n\n".join(text for text in out if text) + "\n"


def _table(table: Any, qn: Any) -> list[str]:
    out: list[str] = []
    for row in table.rows:
        seen = set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue  # a merged cell appears once per column it spans
            seen.add(id(cell._tc))
            for paragraph in cell.paragraphs:
                out.append(_paragraph(paragraph, qn))
            for inner in cell.tables:
                out += _table(inner, qn)
    return out


# python-docx finds a paragraph's style by looking through all of the document's styles: once
# per style and document here, not once per paragraph (which made 20,000 paragraphs take a
# minute, and more with more styles).
_STYLE_NAMES: WeakKeyDictionary[Any, dict[str | None, str]] = WeakKeyDictionary()


def _style_name(paragraph: Any) -> str:
    names = _STYLE_NAMES.setdefault(paragraph.part, {})
    style_id = paragraph._p.style
    if style_id not in names:
        style = paragraph.style
        names[style_id] = (style.name if style is not None else "") or ""
    return names[style_id]


def _paragraph(paragraph: Any, qn: Any) -> str:
    text = " ".join(paragraph.text.split())
    if not text:
        return ""
    style = _style_name(paragraph)
    if style.startswith(("Heading", "Title")):
        return "## " + text
    properties = paragraph._p.pPr
    numbered = properties is not None and properties.find(qn("w:numPr")) is not None
    if numbered or style.startswith("List"):
        return "• " + text
    return text
