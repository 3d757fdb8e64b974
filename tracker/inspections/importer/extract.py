"""A document's bytes to its text: PDF, Word (.docx) or plain text, chosen by content.

The file name only words the messages: a file named .pdf that is not a PDF is told so.
Every refusal is an ImportProblem whose message says what was wrong and what to do.
"""

from __future__ import annotations

import io
import zipfile

from tracker.inspections.importer import docx, pdf
from tracker.inspections.importer.model import ImportProblem
from tracker.inspections.importer.pdf import MAX_PAGES, pdf_text

MAX_BYTES = 10 * 1024 * 1024
# Five times the longest inspection report's text (about 105,000 characters): reading more
# would keep the importer busy for seconds, and no letter is that long.
MAX_TEXT_CHARACTERS = 500_000
# A .docx is a zip: its unpacked size is bounded too, so a small "zip bomb" is refused
# before it is unpacked.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
_MEGABYTE = 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .xls: Microsoft's older formats
# Control characters other than tab, newline, carriage return and form feed: plain text
# does not contain them, so a file with many of them is not text.
_CONTROL = frozenset(range(32)) - {9, 10, 12, 13}
_MAX_CONTROL_SHARE = 0.01


_DAMAGED_ZIP = (
    "This file looks like a Word document but is damaged, so it cannot be read. Open it in "
    "Word, save it again, and upload the new file."
)
# What the readers say when their library fails on a file: in a reader that came near its
# memory limit (tracker.untrusted), the memory ran out.
DAMAGED_MESSAGES = (_DAMAGED_ZIP, docx.DAMAGED, pdf.DAMAGED)


def check_before_reading(data: bytes, *, max_bytes: int = MAX_BYTES) -> None:
    """The checks of `read_document` that need no reading: the web request makes them before
    it keeps the file to be read. Raises ImportProblem for an empty file and a file over
    `max_bytes`."""
    if not data or not data.strip():
        raise ImportProblem(
            "The file is empty. Check that you chose the right file, and upload it again."
        )
    if len(data) > max_bytes:
        raise ImportProblem(
            f"The file is {_megabytes(len(data))}; the largest that can be imported is "
            f"{_megabytes(max_bytes)}. Upload the letter or report on its own, without "
            "attachments."
        )


def read_document(data: bytes, filename: str, *, max_bytes: int = MAX_BYTES) -> str:
    """The text of a .pdf, .docx or .txt document, judged by its content, not its name.

    Raises ImportProblem, with a message that says what to do, for an empty file, a file
    over `max_bytes`, a PDF that cannot be read or has no text (a scan), a file named .docx
    that is not a Word document, and anything else that is not text."""
    name = (filename or "").lower()
    check_before_reading(data, max_bytes=max_bytes)
    # The PDF header may follow a little junk (the format allows 1024 bytes of it).
    header = data.find(b"%PDF-", 0, 1024)
    if header == 0 or (header > 0 and (name.endswith(".pdf") or not data[:header].strip())):
        text = pdf_text(data, max_pages=MAX_PAGES, max_characters=MAX_TEXT_CHARACTERS)
        return check_text_length(text)
    if data[:4] == b"PK\x03\x04":
        return check_text_length(_zip_text(data, name))
    if data[:8] == _OLE_MAGIC:
        raise ImportProblem(
            "This is an older Word document (.doc), which cannot be read. Open it in Word, "
            "save it as a Word document (.docx) or as PDF, and upload that."
        )
    if name.endswith(".docx"):
        raise ImportProblem(
            "This file is named .docx but is not a Word document (a .docx file is a zip "
            "package, and this one is not). Open it in Word and save it as a Word "
            "document (.docx), or save it as PDF, and upload that."
        )
    text = _decoded(data)
    if text is None:
        if name.endswith(".pdf"):
            raise ImportProblem(
                "This file is named .pdf but is not a PDF, so it cannot be read. Download "
                "the letter again from the inspectorate's website and upload that file."
            )
        raise ImportProblem(
            "This file is not a PDF, a Word document (.docx) or a text file, so it cannot "
            "be read. Upload the letter or report as PDF, .docx or .txt."
        )
    return check_text_length(text)


def check_text_length(text: str) -> str:
    """The text, or ImportProblem when it is far longer than any letter or report."""
    if len(text) > MAX_TEXT_CHARACTERS:
        raise ImportProblem(
            f"This document has {len(text):,} characters of text, far more than any "
            f"inspection letter or report (at most {MAX_TEXT_CHARACTERS:,} are read). "
            "Upload the letter or report on its own, without other documents joined to it."
        )
    return text


def _zip_text(data: bytes, name: str) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ImportProblem(_DAMAGED_ZIP) from error
    if sum(entry.file_size for entry in archive.infolist()) > MAX_UNPACKED_BYTES:
        raise ImportProblem(
            "This Word document unpacks to more than 100 MB, far more than any letter, so "
            "it is not read. Save the letter on its own as PDF or .docx, and upload that."
        )
    if "word/document.xml" not in names:
        kind = "a .docx file" if name.endswith(".docx") else "a zip file"
        raise ImportProblem(
            f"This is {kind} but not a Word document, so it cannot be read. Upload the "
            "letter or report itself as PDF, .docx or .txt."
        )
    docx.count_document(data, max_characters=MAX_TEXT_CHARACTERS)
    return docx.docx_text(data)


def _decoded(data: bytes) -> str | None:
    """The bytes as text (UTF-8, else Windows-1252), or None when they are not text."""
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            return None
    control = sum(1 for char in text if ord(char) in _CONTROL)
    if control > _MAX_CONTROL_SHARE * len(text):
        return None
    return text


def _megabytes(size: int) -> str:
    """12.3 MB, 10 MB; under a megabyte, in kilobytes."""
    if size < _MEGABYTE:
        return f"{-(-size // 1024)} KB"
    value = size / _MEGABYTE
    return f"{value:.0f} MB" if value == int(value) else f"{value:.1f} MB"
