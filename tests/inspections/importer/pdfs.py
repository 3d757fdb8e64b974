"""Small text PDFs made in the tests, so that layout rules can be checked line by line.

Courier (a standard PDF font, nothing embedded) is used because its characters are all
0.6 em wide: a line wrapped at 60 characters then ends where a word processor's would.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

PAGE_WIDTH, PAGE_HEIGHT = 595, 842
LEFT = 72
SIZE = 11


@dataclass
class Text:
    """One line: where it starts (from the left, and from the top), its size and font."""

    x: float
    top: float
    text: str
    size: float = SIZE
    bold: bool = False


def wrapped(
    text: str, x: float, top: float, *, width: int = 60, bullet: bool = False
) -> list[Text]:
    """A paragraph wrapped at `width` characters, 1.3 lines apart; a bullet paragraph has
    its glyph at `x` and its text (all lines) indented after it."""
    lines = textwrap.wrap(text, width)
    indent = x + 18 if bullet else x
    out = [Text(indent, top + n * SIZE * 1.3, line) for n, line in enumerate(lines)]
    if bullet:
        out.insert(0, Text(x, top, "•"))
    return out


def make_pdf(pages: list[list[Text]]) -> bytes:
    """A PDF with one page per list of lines."""
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, once the pages are numbered
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier-Bold /Encoding /WinAnsiEncoding >>",
    ]
    kids = []
    for lines in pages:
        stream = b"".join(_show(line) for line in lines)
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        content = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>"
            % (PAGE_WIDTH, PAGE_HEIGHT, content)
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids),
        len(kids),
    )
    return serialise(objects)


def serialise(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF file of these objects (numbered from 1, the first the catalogue), with its
    cross-reference table; `trailer` adds entries to the trailer dictionary."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        trailer,
        xref,
    )
    return bytes(out)


def _show(line: Text) -> bytes:
    font = b"/F2" if line.bold else b"/F1"
    text = line.text.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(")
    text = text.replace(b")", b"\\)")
    baseline = PAGE_HEIGHT - line.top - line.size
    return b"BT %s %.1f Tf %.1f %.1f Td (%s) Tj ET\n" % (font, line.size, line.x, baseline, text)
