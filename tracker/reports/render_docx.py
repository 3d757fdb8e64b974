"""The report as a Word file that democratic services can drop into the agenda pack and edit.

Built on a template (`word_template`): the tracker's plain council paper, or the council's
own, whose page set-up, header, fonts and styles it then takes. Real styles throughout: the
title, section headings ("Heading 1"), item headings ("Heading 2"), bulleted lists, captions
and a table style with a header row, each the template's own where it has one. Section and
item headings are numbered by the template's list when it numbers them exactly as the paper
does (the standard one does: 1. and 5.1); otherwise their numbers are typed. Paragraph numbers
("5.1") are typed text with a hanging indent, so they survive any editing.

Layout: headings keep with the next paragraph, captions with their figure or table, the
contact block stays together; table rows never split across pages and header rows repeat;
columns are wide enough for their longest word; appendices start on a new page by a property
of their heading, not an empty page break, and no empty paragraph ends a section. The footer
reads "<title>  Page X of Y" (PAGE and NUMPAGES fields).

All text goes in as runs, which Word reads literally: no user text can become a field code.
The file's dates are the snapshot's, so the same snapshot and template always give the same
bytes.
"""

from __future__ import annotations

import copy
import io
import zipfile
from collections.abc import Callable, Iterable
from datetime import UTC
from functools import cache

from docx.document import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Row
from docx.oxml.text.paragraph import CT_P
from docx.oxml.text.run import CT_R
from docx.shared import Cm, Emu, Length, Pt
from docx.table import Table as WordTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from PIL import ImageFont

from tracker.formatting import UK, long_date
from tracker.reports import charts, word_template
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
from tracker.reports.word_template import PaperStyles

A4_TEXT_WIDTH = Cm(16.0)  # A4 less 2.5 cm margins: for a template that sets no page
INDENT = Cm(1.27)
BULLET_INDENT = Cm(0.63)
CHART_WIDTH = Cm(10)
# A table of this many columns or more is set across the whole width, not indented.
WIDE_TABLE = 5
# Relative column widths by what a column holds (as report.css does for the HTML).
ROLE_WIDTHS = {"ref": 7, "text": 39, "person": 18, "date": 20, "status": 16, "label": 19,
               "count": 9, "wide": 60}
# Table text in points, as the PDF's (8 pt).
CELL_POINTS = 8
# A cell's left and right margin, set on every table (57 twips, 0.1 cm), and what a word in a
# cell needs besides its own width: both margins and a little air.
CELL_SIDE_TWIPS = 57
CELL_PADDING = Pt(2 * CELL_SIDE_TWIPS / 20 + 3)
# Rows as tall as the PDF's: a cell's top and bottom margin 20 twips (1 pt), which with the
# room a line of Arial keeps above its capitals and below its baseline leaves about the PDF's
# 2.4 pt of air; and lines 0.9 of single spacing (Word and LibreOffice set a single line of
# Arial 1.15 times its size, 9.2 pt at 8 pt; the PDF sets them 8.3 pt apart). Word's own
# 2 pt margins and single lines made the 200-item paper's tables a fifth taller than the PDF's.
CELL_END_TWIPS = 20
CELL_LINE_SPACING = 0.9
WIDER_FONTS = 1.2
FONT_FOLDER = charts.FONT_FOLDER


def _text_width(document: WordDocument) -> Length:
    section = document.sections[-1]
    if section.page_width and section.left_margin is not None and section.right_margin is not None:
        return Emu(section.page_width - section.left_margin - section.right_margin)
    return A4_TEXT_WIDTH


def _field(instruction: str) -> CT_R:
    """A field Word works out when it lays the page out (PAGE, NUMPAGES); only ever in the
    footer, and only with these fixed instructions."""
    element = OxmlElement("w:fldSimple")
    element.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    element.append(run)
    return element


def _has_content(part: object) -> bool:
    element = part._element  # type: ignore[attr-defined]
    return bool("".join(element.itertext()).strip()) or any(
        True for _ in element.iter(qn("w:drawing"), qn("w:pict")))


def _style_tab_positions(style: object) -> list[Length]:
    """The tab stops a paragraph style sets, with those of the styles it is based on."""
    positions: list[Length] = []
    seen = 0
    while style is not None and seen < 20:
        positions += [stop.position for stop in style.paragraph_format.tab_stops  # type: ignore[attr-defined]
                      if stop.alignment != WD_TAB_ALIGNMENT.CLEAR]
        style = style.base_style  # type: ignore[attr-defined]
        seen += 1
    return positions


def _set_up_page(document: WordDocument, snapshot: Snapshot, styles: PaperStyles) -> None:
    """The footer ("<title>  Page X of Y") on every kind of page the template has; the
    draft or version line in the header, after the template's own header if it has one (a
    council's logo or name)."""
    section = document.sections[-1]
    width = _text_width(document)
    headers, footers = [section.header], [section.footer]
    if section.different_first_page_header_footer:
        headers.append(section.first_page_header)
        footers.append(section.first_page_footer)
    if document.settings.odd_and_even_pages_header_footer:
        headers.append(section.even_page_header)
        footers.append(section.even_page_footer)
    for header in headers:
        kept = _has_content(header)
        if not kept:
            for paragraph in header.paragraphs:
                paragraph._p.getparent().remove(paragraph._p)
        line = header.add_paragraph(page_header(snapshot), style=styles.header)
        line.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for footer in footers:
        for paragraph in footer.paragraphs:
            paragraph._p.getparent().remove(paragraph._p)
        for table in footer.tables:
            table._tbl.getparent().remove(table._tbl)
        line = footer.add_paragraph(style=styles.footer)
        stops = line.paragraph_format.tab_stops
        # Only our right tab: a template's own (Word's Footer has a centre one) would catch
        # the page number halfway along when a long title fills the first stretch.
        for position in _style_tab_positions(line.style):
            if position != width:
                stops.add_tab_stop(position, WD_TAB_ALIGNMENT.CLEAR)
        stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
        line.add_run(snapshot.title)
        line.add_run("\tPage ")
        line._p.append(_field("PAGE"))
        line.add_run(" of ")
        line._p.append(_field("NUMPAGES"))


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

    def __init__(self, document: WordDocument, styles: PaperStyles, numbered: set[str]) -> None:
        self.document = document
        self.styles = styles
        self.numbered = numbered
        self.width = _text_width(document)
        self.end = document.element.body.sectPr
        # Set when a table was the last thing written: the next paragraph gets space above.
        self.after_table = False
        # How many section breaks the paper has put in (to set tables two to a row).
        self.breaks = 0
        # True between the breaks that set small tables in two columns.
        self.in_columns = False
        body, bullet = styles.body, styles.bullet
        self.paragraphs = {
            "numbered": self._prototype(body, _hanging),
            "indented": self._prototype(body, lambda p: _indent(p, INDENT)),
            "plain": self._prototype(body),
            "title": self._prototype(styles.title, _keep),
            "label": self._prototype(body, lambda p: _label(p, INDENT)),
            "label-flush": self._prototype(body, lambda p: _label(p, Cm(0))),
            "bullet": self._prototype(bullet, lambda p: self._bullet(p, INDENT)),
            "bullet-flush": self._prototype(bullet, lambda p: self._bullet(p, Cm(0))),
            # Headings numbered by the template's list, or with their numbers typed (and
            # the style's own numbering, if any, turned off so no number shows twice).
            "section": self._prototype(styles.heading1, self._heading(1, numbered=True)),
            "section-plain": self._prototype(styles.heading1, self._heading(1, numbered=False)),
            "appendix": self._prototype(styles.heading1, self._heading(1, numbered=False,
                                                                       new_page=True)),
            "item": self._prototype(styles.heading2, self._heading(2, numbered=True)),
            "item-plain": self._prototype(styles.heading2, self._heading(2, numbered=False)),
            "caption": self._prototype(styles.caption, lambda p: _indent(p, INDENT, keep=True)),
            "caption-flush": self._prototype(styles.caption,
                                             lambda p: _indent(p, Cm(0), keep=True)),
            "contact": self._prototype(body, _contact_line),
            "tight": self._prototype(body, _tight),
            "end": self._prototype(body, _vanishing),
        }
        self.runs = {"plain": self._run_prototype(), "bold": self._run_prototype(bold=True),
                     "cell": self._run_prototype(size=CELL_POINTS),
                     "cell-bold": self._run_prototype(size=CELL_POINTS, bold=True)}

    def _heading(self, level: int, *, numbered: bool,
                 new_page: bool = False) -> Callable[[Paragraph], None]:
        key = f"heading{level}"
        by_template = numbered and key in self.numbered

        def configure(paragraph: Paragraph) -> None:
            paragraph.paragraph_format.keep_with_next = True
            paragraph.paragraph_format.keep_together = True
            if new_page:
                paragraph.paragraph_format.page_break_before = True
            if by_template:
                return
            if word_template.list_level(self.document, getattr(self.styles, key)) is not None:
                _number(paragraph, "0")  # the style numbers its paragraphs: not this one
            if level == 2 and numbered:
                _hanging(paragraph)

        return configure

    def _bullet(self, paragraph: Paragraph, left: Length) -> None:
        _bullet(paragraph, left)
        if self.styles.bullet_list is not None:
            _number(paragraph, self.styles.bullet_list)

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

    def paragraph(self, kind: str, *runs: tuple[str, str]) -> CT_P | None:
        """A paragraph of the given kind; none at all when it would be empty."""
        if not any(text for text, _kind in runs):
            return None
        element = copy.deepcopy(self.paragraphs[kind])
        for text, run_kind in runs:
            if text:
                element.append(self.run(text, run_kind))
        self.place(element)
        if self.after_table and not kind.startswith(("section", "item", "appendix")):
            element.get_or_add_pPr().get_or_add_spacing().set(qn("w:before"), "160")
        self.after_table = False
        return element

    def place(self, element: object) -> None:
        self.end.addprevious(element)

    def finish(self) -> None:
        """The body ends with a paragraph (Word adds one after a final table otherwise, at
        full size, which can spill onto an empty page): a one-point empty one there only."""
        last = self.end.getprevious()
        if last is not None and last.tag == qn("w:tbl"):
            self.place(copy.deepcopy(self.paragraphs["end"]))


def _number(paragraph: Paragraph, num_id: str, level: int = 0) -> None:
    properties = paragraph._p.get_or_add_pPr()
    numbering = OxmlElement("w:numPr")
    ilvl = OxmlElement("w:ilvl")
    ilvl.set(qn("w:val"), str(level))
    num = OxmlElement("w:numId")
    num.set(qn("w:val"), num_id)
    numbering.append(ilvl)
    numbering.append(num)
    properties.append(numbering)
    # pPr's children have a fixed order in the schema: put numPr where Word expects it.
    properties.remove(numbering)
    properties.insert_element_before(
        numbering, "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens",
        "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE",
        "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
        "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
        "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
        "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def _keep(paragraph: Paragraph) -> None:
    paragraph.paragraph_format.keep_with_next = True


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


def _contact_line(paragraph: Paragraph) -> None:
    # The contact block stays together: each line keeps with the next (the last one's
    # keep is taken off when it is written).
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.keep_with_next = True
    paragraph.paragraph_format.keep_together = True


def _vanishing(paragraph: Paragraph) -> None:
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = Pt(1)
    # The paragraph mark's own size: one point (rPr comes last in pPr here).
    mark = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "2")
    mark.append(size)
    paragraph._p.get_or_add_pPr().append(mark)


def _para(writer: _Writer, block: Para, indented: bool) -> None:
    label = (f"{block.label} " if block.label else "", "bold")
    if block.number:
        writer.paragraph("numbered", (f"{block.number}\t", "plain"), label,
                         (block.text, "plain"))
    else:
        writer.paragraph("indented" if indented else "plain", label, (block.text, "plain"))


def _heading(writer: _Writer, block: Heading) -> None:
    if block.number and "heading2" in writer.numbered:
        writer.paragraph("item", (block.text, "plain"))
    elif block.number:
        writer.paragraph("item-plain", (f"{block.number}\t{block.text}", "plain"))
    else:
        writer.paragraph("item-plain", (block.text, "plain"))
    if block.flags:
        writer.paragraph("indented", (". ".join(block.flags) + ".", "bold"))


def _bullets(writer: _Writer, block: Bullets, indented: bool) -> None:
    if block.label:
        writer.paragraph("label" if indented else "label-flush", (block.label, "plain"))
    kind = "bullet" if indented else "bullet-flush"
    for bullet in block.items:
        writer.paragraph(kind, (f"{bullet.flag}: " if bullet.flag else "", "bold"),
                         (bullet.text, "plain"))


@cache
def _font(bold: bool) -> ImageFont.FreeTypeFont | None:
    name = "LiberationSans-Bold.ttf" if bold else "LiberationSans-Regular.ttf"
    try:
        return ImageFont.truetype(str(FONT_FOLDER / name), 100)
    except OSError:
        return None


@cache
def _word_points(word: str, bold: bool) -> float:
    """How wide a word may be in a table cell, in points: as wide as in Arial (Liberation
    Sans has its widths) and a fifth more, so that it still fits in a council's wider font
    (Verdana) or in the font a reader's computer puts in place of one it lacks."""
    font = _font(bold)
    if font is None:
        return len(word) * CELL_POINTS * 0.75
    return font.getlength(word) * CELL_POINTS / 100 * WIDER_FONTS


def _longest_word(texts: Iterable[str], bold: bool) -> float:
    return max((_word_points(word, bold) for text in texts for word in text.split()),
               default=0.0)


def _widths(table: Table, available: Length) -> list[int]:
    """Each column's width: shares by what the column holds, but never narrower than its
    longest word (header included), so no word breaks across lines inside a cell. When even
    that cannot fit (a word as wide as the page), the columns share the page by their needs."""
    shares = [ROLE_WIDTHS.get(column.role, 20) for column in table.columns]
    least = [
        int(Pt(max(_longest_word([column.title], True),
                   _longest_word((row[index] for row in table.rows), False))) + CELL_PADDING)
        for index, column in enumerate(table.columns)
    ]
    if sum(least) >= available:
        return [int(available * need / sum(least)) for need in least]
    fixed: dict[int, int] = {}
    while True:
        room = available - sum(fixed.values())
        free = [i for i in range(len(shares)) if i not in fixed]
        total = sum(shares[i] for i in free)
        widths = {i: int(room * shares[i] / total) for i in free}
        narrow = {i: least[i] for i in free if widths[i] < least[i]}
        if not narrow:
            return [fixed.get(i, widths.get(i, 0)) for i in range(len(shares))]
        fixed.update(narrow)


def _cell_margins(table: WordTable) -> None:
    """Every cell's margins as the PDF's, whatever the template's table style says: narrow at
    the sides (0.1 cm), so that the text has the room of the columns, and 1 pt at the top and
    bottom."""
    margins = OxmlElement("w:tblCellMar")
    for side, twips in (("top", CELL_END_TWIPS), ("left", CELL_SIDE_TWIPS),
                        ("bottom", CELL_END_TWIPS), ("right", CELL_SIDE_TWIPS)):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(twips))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    table._tbl.tblPr.append(margins)


def _row_properties(row_element: CT_Row, *, header: bool) -> None:
    """A row is never split across pages; a header row repeats at the top of each page."""
    properties = row_element.get_or_add_trPr()
    cant_split = OxmlElement("w:cantSplit")
    properties.append(cant_split)
    if header:
        repeat = OxmlElement("w:tblHeader")
        properties.append(repeat)


def _format_cell(cell: _Cell, width: int, right: bool) -> None:
    cell.width = width
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = CELL_LINE_SPACING
    if right:
        paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _fill_row(writer: _Writer, row: CT_Row, texts: list[str], kind: str) -> None:
    for tc, text in zip(row.tc_lst, texts, strict=True):
        tc.p_lst[0].append(writer.run(text, kind))


def _table(writer: _Writer, block: Table, indented: bool) -> None:
    if writer.in_columns:
        indented = False
        available = Emu(int((writer.width - Cm(1)) / 2))
    else:
        # A table of five columns or more takes the page's whole width, as in the PDF.
        indented = indented and len(block.columns) < WIDE_TABLE
        available = writer.width - (INDENT if indented else 0)
    writer.paragraph("caption" if indented else "caption-flush", (block.caption, "plain"))
    widths = _widths(block, available)
    table: WordTable = writer.document.add_table(rows=1, cols=len(block.columns))
    table.style = writer.styles.table
    table.autofit = False
    _cell_margins(table)
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
    _row_properties(header, header=True)
    for p in header.iter(qn("w:p")):
        # The header stays with the first row (and so with the caption above it).
        Paragraph(p, table).paragraph_format.keep_with_next = True
    _fill_row(writer, header, [column.title for column in block.columns], "cell-bold")
    table._tbl.append(header)
    _row_properties(blank, header=False)
    for texts in block.rows:
        row = copy.deepcopy(blank)
        _fill_row(writer, row, texts, "cell")
        table._tbl.append(row)
    writer.after_table = True


def _chart(writer: _Writer, block: Chart, indented: bool) -> None:
    document = writer.document
    picture = charts.to_png(charts.figure_for(block))
    indent = INDENT if indented else Cm(0)
    shape = document.add_picture(io.BytesIO(picture),
                                 width=min(CHART_WIDTH, Emu(writer.width - indent)))
    paragraph = document.paragraphs[-1]
    paragraph.style = writer.styles.body
    paragraph.paragraph_format.left_indent = indent
    # The figure keeps with its caption below it.
    paragraph.paragraph_format.keep_with_next = True
    writer.after_table = False
    properties = shape._inline.docPr
    properties.set("title", block.title)
    properties.set("descr", block.alt)
    # The bars carry their figures; the text alternative is the picture's own (descr).
    writer.paragraph("caption" if indented else "caption-flush", (block.title, "plain"))


def _is_small(block: object) -> bool:
    """A table that may sit beside the next (section 3's table of each inspection)."""
    return isinstance(block, Table) and block.paired


def _section_break(writer: _Writer, columns: int) -> None:
    """End the Word section here with a continuous break: what came since the last break is
    set in `columns` columns. The first break keeps the page's settings as they are (its
    section starts the paper); the later sections, and the last, start on the same page and
    keep counting pages."""
    end = writer.end
    properties = copy.deepcopy(end)
    if writer.breaks:
        _continuous(properties)
    cols = properties.find(qn("w:cols"))
    if cols is None:
        cols = OxmlElement("w:cols")
        properties.append(cols)
    cols.set(qn("w:num"), str(columns))
    cols.set(qn("w:space"), "567")
    paragraph = copy.deepcopy(writer.paragraphs["end"])
    paragraph.get_or_add_pPr().append(properties)
    writer.place(paragraph)
    if not writer.breaks:
        _continuous(end)
    writer.breaks += 1
    writer.after_table = False
    # The first break ends what came before; the tables up to the next are in columns.
    writer.in_columns = columns == 1


def _continuous(properties: object) -> None:
    """A section's properties made those of a section that follows on the same page."""
    for name in ("w:type", "w:titlePg", "w:pgNumType"):
        for found in properties.findall(qn(name)):  # type: ignore[attr-defined]
            properties.remove(found)  # type: ignore[attr-defined]
    kind = OxmlElement("w:type")
    kind.set(qn("w:val"), "continuous")
    properties.insert(0, kind)  # type: ignore[attr-defined]


def _section(writer: _Writer, section: Section, indented: bool = True) -> None:
    if not section.number.isdigit():
        writer.paragraph("appendix", (section.heading, "plain"))
    elif "heading1" in writer.numbered:
        writer.paragraph("section", (section.title, "plain"))
    else:
        writer.paragraph("section-plain", (section.heading, "plain"))
    blocks = section.blocks
    for n, block in enumerate(blocks):
        # Two or more small tables in a row are set two to a row, as the PDF sets them.
        starts_run = (_is_small(block) and (n == 0 or not _is_small(blocks[n - 1]))
                      and n + 1 < len(blocks) and _is_small(blocks[n + 1]))
        if starts_run:
            _section_break(writer, 1)
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
        ends_run = (_is_small(block) and n > 0 and _is_small(blocks[n - 1])
                    and (n + 1 == len(blocks) or not _is_small(blocks[n + 1])))
        if ends_run:
            _section_break(writer, 2)


def _title_block(writer: _Writer, snapshot: Snapshot) -> None:
    writer.paragraph("plain", (snapshot.committee_name.upper(), "bold"))
    writer.paragraph("title", (snapshot.title, "plain"))
    if snapshot.report_of:
        writer.paragraph("plain", (snapshot.report_of, "bold"))
    meeting = long_date(snapshot.meeting_date) if snapshot.meeting_date else "not yet set"
    writer.paragraph("plain", (f"Meeting date: {meeting}", "plain"))
    writer.paragraph("plain", (page_header(snapshot) + ".", "plain"))


def _contact(writer: _Writer, contact: Contact | None) -> None:
    writer.paragraph("section-plain", ("Contact officer", "plain"))
    if contact is None:
        writer.paragraph("plain", ("No contact officer has been named for this report yet.",
                                   "plain"))
        return
    lines = [contact.name + (f", {contact.job_title}" if contact.job_title else "")]
    if contact.telephone:
        lines.append(f"Telephone: {contact.telephone}")
    if contact.email:
        lines.append(f"Email: {contact.email}")
    written = [writer.paragraph("contact", (line, "plain")) for line in lines]
    last = next((p for p in reversed(written) if p is not None), None)
    if last is not None:
        keep = last.pPr.find(qn("w:keepNext"))
        if keep is not None:
            last.pPr.remove(keep)


def _planned_headings(snapshot: Snapshot) -> list[tuple[str, str]]:
    """(part, number) of each numbered heading, in the order they are written."""
    planned: list[tuple[str, str]] = []
    for section in [*snapshot.sections, *snapshot.appendices]:
        if section.number.isdigit():
            planned.append(("heading1", section.number))
        planned += [("heading2", block.number) for block in section.blocks
                    if isinstance(block, Heading) and block.number]
    return planned


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


def render_docx(snapshot: Snapshot, template: bytes | None = None) -> bytes:
    """The Word file, as issued and downloaded, on the council's template (`template`, as
    uploaded) or the standard one (None)."""
    document = word_template.open_template(template)
    styles = word_template.paper_styles(document)
    numbered = word_template.numbered_headings(document, styles, _planned_headings(snapshot))
    _set_up_page(document, snapshot, styles)
    _set_properties(document, snapshot)
    writer = _Writer(document, styles, numbered)
    _title_block(writer, snapshot)
    for section in snapshot.sections:
        _section(writer, section)
    _contact(writer, snapshot.contact)
    for appendix in snapshot.appendices:
        _section(writer, appendix, indented=False)
    writer.finish()
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_dates(buffer.getvalue(), snapshot)
