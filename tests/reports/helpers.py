"""Reading the three formats back, as a reader's software would."""

from __future__ import annotations

import io
import re
import zipfile

import docx
import lxml.html
import pdfplumber


def word_paragraphs(data: bytes) -> list[tuple[str, str]]:
    """(style name, text) of every paragraph in the Word file's body."""
    document = docx.Document(io.BytesIO(data))
    return [(p.style.name, p.text) for p in document.paragraphs]


def word_text(data: bytes) -> str:
    """Every paragraph and table cell of the Word file, one a line."""
    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)


def word_part(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return package.read(name).decode("utf-8")


def pdf_pages(data: bytes) -> list[str]:
    # A space at the PDF's 8pt in tables is narrower than pdfplumber's default 3pt tolerance
    # where a line is set tight, so words could run together.
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text(x_tolerance=1.5) or "" for page in pdf.pages]


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
