"""A Word document's text: paragraphs, list items and table cells, in document order.

Headings (Word's Title and Heading styles) are written "## " and list items (numbered or
bulleted paragraphs, or List styles) "• ", so `text.to_blocks` reads them as it reads the
seed documents' markup.
"""

from __future__ import annotations

import io
from collections import deque
from typing import Any

from tracker.inspections.importer.model import ImportProblem

_MAX_PARAGRAPHS = 20_000


def docx_text(data: bytes) -> str:
    """The text of a .docx file: one paragraph per line, a blank line between."""
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:
        raise ImportProblem(
            "This Word document cannot be read: it may be damaged. Open it in Word, save it "
            "again, and upload the new file."
        ) from error
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


def _paragraph(paragraph: Any, qn: Any) -> str:
    text = " ".join(paragraph.text.split())
    if not text:
        return ""
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    if style.startswith(("Heading", "Title")):
        return "## " + text
    properties = paragraph._p.pPr
    numbered = properties is not None and properties.find(qn("w:numPr")) is not None
    if numbered or style.startswith("List"):
        return "• " + text
    return text
