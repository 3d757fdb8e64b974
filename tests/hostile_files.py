"""Hostile uploads made in the tests (and by benchmarks/hostile_uploads.py): small files that
take gigabytes or minutes to read, as issue 18's probe sent them. Nothing here is a real
document; each is built from a few bytes of PDF, Word or Excel structure."""

from __future__ import annotations

import io
import zipfile
import zlib
from functools import cache

from tests.inspections.importer.pdfs import serialise

MEGABYTE = 1024 * 1024


def _pdf_with_stream(stream: bytes, *, pages: int = 1) -> bytes:
    """A PDF of `pages` pages whose content is each `stream` (already deflated), in Courier."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
            b" ".join(b"%d 0 R" % (5 + page) for page in range(pages)), pages),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
                b"/Resources << /Font << /F1 3 0 R >> >> >>"] * pages
    return serialise(objects)


@cache
def pdf_with_millions_of_glyphs(glyphs: int = 5_000_000, *, pages: int = 1) -> bytes:
    """A PDF of a few kilobytes whose every page draws `glyphs` characters (one line of
    them, shown again and again at the same place)."""
    line = b"Areas for development " * 50  # 1,100 glyphs
    show = b"(" + line + b") Tj\n"
    content = b"BT /F1 1 Tf 72 700 Td\n" + show * (glyphs // len(line)) + b"ET\n"
    return _pdf_with_stream(zlib.compress(content, 9), pages=pages)


@cache
def pdf_inflating_to(size: int = 1024 * MEGABYTE) -> bytes:
    """A PDF of about a megabyte whose content stream inflates to `size` bytes (spaces, which
    a content stream may hold any number of, after one line of text)."""
    packer = zlib.compressobj(9)
    parts = [packer.compress(b"BT /F1 12 Tf 72 700 Td (Areas for development) Tj ET\n")]
    chunk = b" " * (16 * MEGABYTE)
    for _ in range(size // len(chunk)):
        parts.append(packer.compress(chunk))
    parts.append(packer.flush())
    return _pdf_with_stream(b"".join(parts))


def _docx_with_body(body: bytes | list[bytes]) -> bytes:
    """A Word document (python-docx's default one) with `body` as its document body."""
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == "word/document.xml":
                head, _, tail = content.partition(b"<w:body>")
                tail = tail[tail.index(b"<w:sectPr"):]
                with target.open("word/document.xml", "w", force_zip64=True) as part:
                    part.write(head + b"<w:body>")
                    for piece in body if isinstance(body, list) else [body]:
                        part.write(piece)
                    part.write(tail)
            else:
                target.writestr(entry, content)
    return out.getvalue()


@cache
def docx_with_xml_of(size: int = 95 * MEGABYTE) -> bytes:
    """A .docx of a few hundred kilobytes holding `size` bytes of XML: paragraphs of one
    letter each, under the 100 MB the importer refuses unopened."""
    paragraph = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>"
    block = paragraph * (MEGABYTE // len(paragraph))
    return _docx_with_body([block] * (size // len(block)))


@cache
def xlsx_with_a_cell_of(characters: int = 40_000_000) -> bytes:
    """An action-plan workbook whose cell B2 holds `characters` characters (Excel's own
    limit for a cell is 32,767)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Plan"
    sheet.append(["Finding", "Action", "Owner", "Due date"])
    sheet.append(["Records of visits are late", "HUGECELL", "Sam Owner", "31/03/2027"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return with_long_text(buffer.getvalue(), "HUGECELL", characters)


def with_long_text(package: bytes, placeholder: str, characters: int) -> bytes:
    """An Office file (a zip) with `placeholder` written as `characters` letters x, written a
    megabyte at a time. openpyxl itself cuts a cell's text at Excel's limit."""
    source = zipfile.ZipFile(io.BytesIO(package))
    marker = placeholder.encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if marker in content:
                head, _, tail = content.partition(marker)
                with target.open(entry.filename, "w", force_zip64=True) as part:
                    part.write(head)
                    left = characters
                    while left:
                        step = min(left, MEGABYTE)
                        part.write(b"x" * step)
                        left -= step
                    part.write(tail)
            else:
                target.writestr(entry, content)
    return out.getvalue()


HOSTILE = {
    "a 17 KB PDF of 5 million glyphs": (pdf_with_millions_of_glyphs, "letter.pdf"),
    "a 1 MB PDF whose stream inflates to 1 GB": (pdf_inflating_to, "letter.pdf"),
    "a .docx of 95 MB of XML": (docx_with_xml_of, "letter.docx"),
    "an .xlsx with a cell of 40 million characters": (xlsx_with_a_cell_of, "plan.xlsx"),
}
