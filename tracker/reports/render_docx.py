"""The report as a Word file that democratic services can drop into the agenda pack and edit.

Real styles throughout: "Title", "Heading 1" for sections, "Heading 2" for each item,
"List Bullet" for lists, "Table Grid" tables with a width on every column and every cell, and
the charts as PNG pictures with their text alternative. Paragraph numbers ("5.1") are typed
text with a hanging indent, so they survive any editing. All text goes in as runs, which Word
reads literally: no user text can become a field code. The file's dates are the snapshot's,
so the same snapshot always gives the same bytes.
"""

from __future__ import annotations

import copy
import io
import zipfile
from collections.abc import Callable
from datetime import UTC

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Row
from docx.oxml.text.paragraph import CT_P
from docx.oxml.text.run import CT_R
from docx.shared import Cm, Length, Pt, RGBColor
from docx.table import Table as WordTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from tracker.formatting import UK, long_date
from tracker.reports import charts
from tracker.reports.document import (
    Bullets,
    Chart,
    Contact,
    Heading,
    Para,
    Section,
    Snapshot,
    Table,
)
from tracker.reports.render_pdf import page_header

TEXT_WIDTH = Cm(16.0)  # A4 less 2.5 cm margins
INDENT = Cm(1.27)
BULLET_INDENT = Cm(0.63)
INK = RGBColor(0x0B, 0x0C, 0x0C)
# Relative column widths by what a column holds (as report.css does for the HTML).
ROLE_WIDTHS = {"ref": 7, "text": 39, "person": 18, "date": 20, "status": 16, "label": 19,
               "count": 9}


def _plain_font(style_font: object, size: float, bold: bool | None = None) -> None:
    style_font.name = "Arial"  # type: ignore[attr-defined]
    style_font.size = Pt(size)  # type: ignore[attr-defined]
    style_font.color.rgb = INK  # type: ignore[attr-defined]
    if bold is not None:
        style_font.bold = bold  # type: ignore[attr-defined]
    style_font.italic = False  # type: ignore[attr-defined]


def _set_up_styles(document: WordDocument) -> None:
    styles = document.styles
    for name, size, bold in (("Normal", 11, None), ("Title", 18, True), ("Heading 1", 13, True),
                             ("Heading 2", 11.5, True), ("Caption", 10, True),
                             ("Header", 8, None), ("Footer", 8, None)):
        style = styles[name]
        _plain_font(style.font, size, bold)
        # Heading styles name theme fonts, which win over a named font: drop them.
        fonts = style.element.rPr.find(qn("w:rFonts")) if style.element.rPr is not None else None
        if fonts is not None:
            for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
                fonts.attrib.pop(qn(f"w:{attribute}"), None)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "en-GB")
    styles["Normal"].element.get_or_add_rPr().append(language)
    styles["Normal"].paragraph_format.space_after = Pt(6)
    styles["Heading 1"].paragraph_format.space_before = Pt(18)
    styles["Heading 2"].paragraph_format.space_before = Pt(12)
    styles["Title"].paragraph_format.space_after = Pt(6)


def _set_up_page(document: WordDocument, snapshot: Snapshot) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.0)
    header = section.header.paragraphs[0]
    header.text = page_header(snapshot)
    header.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = section.footer.paragraphs[0]
    footer.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    footer.add_run(snapshot.title)
    footer.add_run("\tPage ")
    # The page number is the one field in the file, and it is in the footer, not the text.
    page = OxmlElement("w:fldSimple")
    page.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    page.append(run)
    footer._p.append(page)


def _set_properties(document: WordDocument, snapshot: Snapshot) -> None:
    moment = snapshot.generated_at.astimezone(UTC).replace(tzinfo=None)
    properties = document.core_properties
    properties.title = snapshot.title
    properties.subject = snapshot.committee_name
    properties.author = snapshot.council_name
    properties.last_modified_by = snapshot.council_name
    properties.created = moment
    properties.modified = moment
    properties.last_printed = moment
    properties.revision = 1
    properties.comments = ""
    properties.keywords = "progress report"
    properties.category = "Committee report"
    properties.language = "en-GB"
    properties.version = str(snapshot.version) if snapshot.version else "draft"


def _hanging(paragraph: Paragraph, indent: Length = INDENT) -> None:
    paragraph.paragraph_format.left_indent = indent
    paragraph.paragraph_format.first_line_indent = -indent
    paragraph.paragraph_format.tab_stops.add_tab_stop(indent)


class _Writer:
    """Appends to the document's body quickly.

    python-docx looks a style up by name and inserts before the section properties on every
    call, which grows slow over thousands of paragraphs. So each kind of paragraph, run and
    table row is formatted once through python-docx as a prototype, then copied.
    """

    def __init__(self, document: WordDocument) -> None:
        self.document = document
        self.end = document.element.body.sectPr
        self.paragraphs = {
            "numbered": self._prototype(configure=_hanging),
            "indented": self._prototype(configure=lambda p: _indent(p, INDENT)),
            "plain": self._prototype(),
            "label": self._prototype(configure=lambda p: _label(p, INDENT)),
            "label-flush": self._prototype(configure=lambda p: _label(p, Cm(0))),
            "bullet": self._prototype("List Bullet", lambda p: _bullet(p, INDENT)),
            "bullet-flush": self._prototype("List Bullet", lambda p: _bullet(p, Cm(0))),
            "item": self._prototype("Heading 2", _hanging),
            "caption": self._prototype("Caption", lambda p: _indent(p, INDENT, keep=True)),
            "caption-flush": self._prototype("Caption", lambda p: _indent(p, Cm(0), keep=True)),
            "tight": self._prototype(configure=_tight),
        }
        self.runs = {"plain": self._run_prototype(), "bold": self._run_prototype(bold=True),
                     "cell": self._run_prototype(size=9),
                     "cell-bold": self._run_prototype(size=9, bold=True)}

    def _prototype(self, style: str | None = None,
                   configure: Callable[[Paragraph], None] | None = None) -> CT_P:
        paragraph = self.document.add_paragraph(style=style)
        if configure is not None:
            configure(paragraph)
        element = paragraph._p
        element.getparent().remove(element)
        return element

    def _run_prototype(self, *, bold: bool = False, size: float | None = None) -> CT_R:
        paragraph = self.document.add_paragraph()
        run = paragraph.add_run()
        run.bold = bold or None
        if size is not None:
            run.font.size = Pt(size)
        paragraph._p.getparent().remove(paragraph._p)
        return run._r

    def run(self, text: str, kind: str = "plain") -> CT_R:
        run = copy.deepcopy(self.runs[kind])
        if "\t" in text or "\n" in text or "\r" in text:
            run.text = text  # python-docx writes tabs and line breaks as Word's own elements
            return run
        # Most text is one plain stretch: one text element, its characters escaped by lxml.
        element = OxmlElement("w:t")
        element.text = text
        if text != text.strip():
            element.set(qn("xml:space"), "preserve")
        run.append(element)
        return run

    def paragraph(self, kind: str, *runs: tuple[str, str]) -> CT_P:
        element = copy.deepcopy(self.paragraphs[kind])
        for text, run_kind in runs:
            if text:
                element.append(self.run(text, run_kind))
        self.end.addprevious(element)
        return element


def _indent(paragraph: Paragraph, left: Length, keep: bool = False) -> None:
    paragraph.paragraph_format.left_indent = left
    if keep:
        paragraph.paragraph_format.keep_with_next = True


def _label(paragraph: Paragraph, left: Length) -> None:
    paragraph.paragraph_format.left_indent = left
    paragraph.paragraph_format.space_after = Pt(2)
    paragraph.paragraph_format.keep_with_next = True


def _bullet(paragraph: Paragraph, left: Length) -> None:
    paragraph.paragraph_format.left_indent = left + BULLET_INDENT
    paragraph.paragraph_format.first_line_indent = -BULLET_INDENT
    paragraph.paragraph_format.space_after = Pt(3)


def _tight(paragraph: Paragraph) -> None:
    paragraph.paragraph_format.space_after = Pt(0)


def _para(writer: _Writer, block: Para, indented: bool) -> None:
    label = (f"{block.label} " if block.label else "", "bold")
    if block.number:
        writer.paragraph("numbered", (f"{block.number}\t", "plain"), label,
                         (block.text, "plain"))
    else:
        writer.paragraph("indented" if indented else "plain", label, (block.text, "plain"))


def _heading(writer: _Writer, block: Heading) -> None:
    writer.paragraph("item", (f"{block.number}\t{block.text}" if block.number else block.text,
                              "plain"))
    if block.flags:
        writer.paragraph("indented", (". ".join(block.flags) + ".", "bold"))


def _bullets(writer: _Writer, block: Bullets, indented: bool) -> None:
    if block.label:
        writer.paragraph("label" if indented else "label-flush", (block.label, "plain"))
    kind = "bullet" if indented else "bullet-flush"
    for bullet in block.items:
        writer.paragraph(kind, (f"{bullet.flag}: " if bullet.flag else "", "bold"),
                         (bullet.text, "plain"))


def _widths(table: Table, available: Length) -> list[int]:
    shares = [ROLE_WIDTHS.get(column.role, 20) for column in table.columns]
    total = sum(shares)
    return [int(available * share / total) for share in shares]


def _repeat_as_header(row_element: CT_Row) -> None:
    properties = row_element.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    properties.append(repeat)


def _format_cell(cell: _Cell, width: int, right: bool) -> None:
    cell.width = width
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    if right:
        paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _fill_row(writer: _Writer, row: CT_Row, texts: list[str], kind: str) -> None:
    for tc, text in zip(row.tc_lst, texts, strict=True):
        tc.p_lst[0].append(writer.run(text, kind))


def _table(writer: _Writer, block: Table, indented: bool) -> None:
    writer.paragraph("caption" if indented else "caption-flush", (block.caption, "plain"))
    available = TEXT_WIDTH - (INDENT if indented else 0)
    widths = _widths(block, available)
    table: WordTable = writer.document.add_table(rows=1, cols=len(block.columns))
    table.style = "Table Grid"
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.RIGHT if indented else WD_TABLE_ALIGNMENT.LEFT
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    numeric = [column.role == "count" for column in block.columns]
    # Format one empty row (a width on every cell), then copy it for the header and each row.
    blank = table.rows[0]._tr
    for tc, width, right in zip(blank.tc_lst, widths, numeric, strict=True):
        _format_cell(_Cell(tc, table), width, right)
    blank.getparent().remove(blank)
    header = copy.deepcopy(blank)
    _repeat_as_header(header)
    _fill_row(writer, header, [column.title for column in block.columns], "cell-bold")
    table._tbl.append(header)
    for texts in block.rows:
        row = copy.deepcopy(blank)
        _fill_row(writer, row, texts, "cell")
        table._tbl.append(row)
    writer.paragraph("tight")


def _chart(writer: _Writer, block: Chart, indented: bool) -> None:
    document = writer.document
    picture = charts.to_png(charts.figure_for(block))
    shape = document.add_picture(io.BytesIO(picture), width=Cm(13))
    document.paragraphs[-1].paragraph_format.left_indent = INDENT if indented else Cm(0)
    document.paragraphs[-1].paragraph_format.keep_with_next = True
    properties = shape._inline.docPr
    properties.set("title", block.title)
    properties.set("descr", block.alt)
    writer.paragraph("caption" if indented else "caption-flush", (block.title, "plain"))
    writer.paragraph("indented" if indented else "plain", (block.alt, "plain"))


def _section(writer: _Writer, section: Section, indented: bool = True) -> None:
    writer.document.add_heading(section.heading, level=1)
    for block in section.blocks:
        if isinstance(block, Para):
            _para(writer, block, indented)
        elif isinstance(block, Heading):
            _heading(writer, block)
        elif isinstance(block, Bullets):
            _bullets(writer, block, indented)
        elif isinstance(block, Table):
            _table(writer, block, indented)
        elif isinstance(block, Chart):
            _chart(writer, block, indented)


def _title_block(writer: _Writer, snapshot: Snapshot) -> None:
    writer.paragraph("plain", (snapshot.committee_name.upper(), "bold"))
    writer.document.add_paragraph(snapshot.title, style="Title")
    if snapshot.report_of:
        writer.paragraph("plain", (snapshot.report_of, "bold"))
    meeting = long_date(snapshot.meeting_date) if snapshot.meeting_date else "not yet set"
    writer.paragraph("plain", (f"Meeting date: {meeting}", "plain"))
    writer.paragraph("plain", (page_header(snapshot) + ".", "plain"))


def _contact(writer: _Writer, contact: Contact | None) -> None:
    writer.document.add_heading("Contact officer", level=1)
    if contact is None:
        writer.paragraph("plain", ("No contact officer has been named for this report yet.",
                                   "plain"))
        return
    lines = [contact.name + (f", {contact.job_title}" if contact.job_title else "")]
    if contact.telephone:
        lines.append(f"Telephone: {contact.telephone}")
    if contact.email:
        lines.append(f"Email: {contact.email}")
    for line in lines:
        writer.paragraph("tight", (line, "plain"))


def _fixed_dates(docx: bytes, snapshot: Snapshot) -> bytes:
    """The same file, its zip entries dated from the snapshot instead of the clock."""
    local = snapshot.generated_at.astimezone(UK)
    stamp = (max(local.year, 1980), local.month, local.day, local.hour, local.minute,
             local.second - local.second % 2)
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(entry.filename))
    return out.getvalue()


def render_docx(snapshot: Snapshot) -> bytes:
    """The Word file, as issued and downloaded."""
    document = Document()
    _set_up_styles(document)
    _set_up_page(document, snapshot)
    _set_properties(document, snapshot)
    writer = _Writer(document)
    _title_block(writer, snapshot)
    for section in snapshot.sections:
        _section(writer, section)
    _contact(writer, snapshot.contact)
    for appendix in snapshot.appendices:
        document.add_page_break()
        _section(writer, appendix, indented=False)
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_dates(buffer.getvalue(), snapshot)
