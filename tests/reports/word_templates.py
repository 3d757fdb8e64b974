"""Council Word templates for tests, made with python-docx as a council's officer would in
Word: their own styles based on Word's, their own fonts, a header with the council's name."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import UTC, datetime

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from sqlalchemy import select

from tracker.extensions import db
from tracker.reports.models import WordTemplate
from tracker.reports.word_template import DOCUMENT_TYPE, TEMPLATE_TYPE, standard_template

COUNCIL_NAME_IN_HEADER = "Sunderham City Council"
EXAMPLE_TEXT = "Replace this text with the report's introduction."


def council_template(*, dotx: bool = False, without: tuple[str, ...] = ("Caption",)) -> bytes:
    """A council's template: "Council Heading 1" (Georgia, 15 pt, blue) based on Heading 1,
    "Council Heading 2" based on Heading 2, "Council Normal" (Verdana 10 pt) based on Normal,
    a table style "Council Table", and no style named in `without`; some example text in
    the body and the council's name in the header. As a .dotx when `dotx`."""
    document = docx.Document()
    styles = document.styles
    for name, base, font, size in (("Council Heading 1", "Heading 1", "Georgia", 15),
                                   ("Council Heading 2", "Heading 2", "Georgia", 12),
                                   ("Council Normal", "Normal", "Verdana", 10)):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base]
        style.font.name = font
        style.font.size = Pt(size)
        if base.startswith("Heading"):
            style.font.color.rgb = RGBColor(0x1D, 0x70, 0xB8)
    table = styles.add_style("Council Table", WD_STYLE_TYPE.TABLE)
    table.base_style = styles["Table Grid"]
    for name in without:
        element = styles[name].element
        element.getparent().remove(element)
    document.add_paragraph(EXAMPLE_TEXT, style="Council Normal")
    document.sections[0].header.paragraphs[0].text = COUNCIL_NAME_IN_HEADER
    out = io.BytesIO()
    document.save(out)
    return as_dotx(out.getvalue()) if dotx else out.getvalue()


def as_dotx(data: bytes) -> bytes:
    """The same package typed as a Word template, as Word saves a .dotx."""
    return rewrite(data, "[Content_Types].xml",
                   lambda text: text.replace(DOCUMENT_TYPE.encode(), TEMPLATE_TYPE.encode()))


def rewrite(data: bytes, name: str, change, *, add: dict[str, bytes] | None = None) -> bytes:
    """The package with one part changed by `change` (bytes to bytes) and parts added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry.filename)
            target.writestr(entry.filename,
                            change(content) if entry.filename == name else content)
        for extra, content in (add or {}).items():
            target.writestr(extra, content)
    return out.getvalue()


def numbered_heading_template(pattern: str = "Section %1") -> bytes:
    """A template whose Heading 1 is numbered by Word in its own way ("Section 1")."""
    document = docx.Document(io.BytesIO(standard_template()))
    numbering = document.part.numbering_part.element
    level = numbering.find(qn("w:abstractNum")).find(qn("w:lvl"))
    level.find(qn("w:lvlText")).set(qn("w:val"), pattern)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def stored_template(council, data: bytes | None = None) -> WordTemplate:
    """A council template stored for `council` (kept if it has one), as an upload would
    leave it."""
    existing = db.session.scalars(
        select(WordTemplate).where(WordTemplate.council_id == council.id)).first()
    if existing is not None:
        return existing
    data = data or standard_template()
    record = WordTemplate(council_id=council.id, filename="council-template.docx", kind="docx",
                          data=data, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                          styles={}, uploaded_at=datetime(2026, 9, 1, tzinfo=UTC))
    db.session.add(record)
    db.session.flush()
    return record
