"""Reading the three formats back, as a reader's software would."""

from __future__ import annotations

import io
import re
import zipfile

import docx
import lxml.html
import pdfplumber
from docx.oxml.ns import qn


def word_paragraphs(data: bytes) -> list[tuple[str, str]]:
    """(style name, text) of every paragraph in the Word file's body, each numbered one with
    the number Word shows before it ("1. ", "5.1\t")."""
    document = docx.Document(io.BytesIO(data))
    numbers = word_numbers(document)
    return [(p.style.name, numbers.get(p._p, "") + p.text) for p in document.paragraphs]


def word_text(data: bytes) -> str:
    """Every paragraph (with its number, as Word shows it) and table cell of the Word file,
    one a line."""
    document = docx.Document(io.BytesIO(data))
    numbers = word_numbers(document)
    lines = [numbers.get(p._p, "") + p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)


def word_numbers(document) -> dict:
    """The number (with what follows it: a tab or a space) Word puts before each paragraph
    of the body numbered in a list of decimal numbers, by the paragraph's own numbering or
    its style's: a level counts up for each paragraph at it and starts again after a
    paragraph at a higher level."""
    try:
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return {}
    abstracts = {a.get(qn("w:abstractNumId")): a for a in numbering.findall(qn("w:abstractNum"))}
    lists = {n.get(qn("w:numId")): abstracts.get(n.find(qn("w:abstractNumId")).get(qn("w:val")))
             for n in numbering.findall(qn("w:num"))}
    styles = {s.get(qn("w:styleId")): s for s in document.styles.element.findall(qn("w:style"))}

    def reference(element, style_id):
        numbered = element.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        if numbered is not None and numbered.find(qn("w:numId")) is not None:
            level = numbered.find(qn("w:ilvl"))
            return (numbered.find(qn("w:numId")).get(qn("w:val")),
                    int(level.get(qn("w:val"))) if level is not None else 0)
        style = styles.get(style_id)
        if style is None:
            return None
        based = style.find(qn("w:basedOn"))
        return reference(style, based.get(qn("w:val")) if based is not None else None)

    counts: dict = {}
    found = {}
    for paragraph in document.paragraphs:
        style = paragraph._p.style
        found_reference = reference(paragraph._p, style)
        if found_reference is None or lists.get(found_reference[0]) is None:
            continue
        num_id, level = found_reference
        levels = {int(lvl.get(qn("w:ilvl"))): lvl for lvl in lists[num_id].findall(qn("w:lvl"))}
        if levels[level].find(qn("w:numFmt")).get(qn("w:val")) != "decimal":
            continue
        count = counts.setdefault(num_id, {})
        count[level] = count.get(level, 0) + 1
        for deeper in [n for n in count if n > level]:
            del count[deeper]
        label = re.sub(r"%(\d)", lambda m, count=count: str(count.get(int(m[1]) - 1, 1)),
                       levels[level].find(qn("w:lvlText")).get(qn("w:val")))
        suffix = levels[level].find(qn("w:suff"))
        after = {"tab": "\t", "space": " ", "nothing": ""}[
            suffix.get(qn("w:val")) if suffix is not None else "tab"]
        found[paragraph._p] = label + after
    return found


def word_part(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return package.read(name).decode("utf-8")


def pdf_pages(data: bytes) -> list[str]:
    # A space at the PDF's 8pt in tables is narrower than pdfplumber's default 3pt tolerance
    # where a line is set tight, so words could run together.
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text(x_tolerance=1.5) or "" for page in pdf.pages]


def pdf_cell_texts(data: bytes) -> list[str]:
    """The text of every table cell of the PDF, each on its own (a cell's lines read in
    order, not mixed with the lines of the cells beside it)."""
    texts = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for table in page.find_tables():
                for cell in (c for row in table.rows for c in row.cells if c is not None):
                    texts.append(page.crop(cell).extract_text(x_tolerance=1.5) or "")
    return texts


def pdf_text(data: bytes) -> str:
    return "\n".join(pdf_pages(data))


def html_text(data: bytes) -> str:
    """The HTML file's text as a browser shows it (markup gone, entities decoded)."""
    return lxml.html.fromstring(data.decode("utf-8")).text_content()


def squeeze(text: str) -> str:
    """Text with all white space removed: long words wrap across lines in a PDF."""
    return re.sub(r"\s+", "", text)


def one_line(text: str) -> str:
    """Text with every run of white space made one space."""
    return re.sub(r"\s+", " ", text)
