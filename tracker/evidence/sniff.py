"""What kind of file an upload is, told from its first bytes, never from its name alone.

Evidence files may be PDFs, Word, Excel and PowerPoint documents (today's and the older
kinds, and OpenDocument), images (PNG, JPEG, GIF, WebP) and plain text. A file is taken for
what its first bytes say it is; its name only chooses between kinds those bytes cannot tell
apart (a Word, Excel or PowerPoint file all begin as a zip). Nothing is parsed: only the first
`HEAD_BYTES` are read, so a crafted file cannot make this code work hard. Anything with markup
in it (HTML, SVG, XML) is refused, since a browser could run what it holds.

Pure: no Flask, no database.
"""

from __future__ import annotations

import codecs
import enum
import re
import unicodedata
from dataclasses import dataclass

HEAD_BYTES = 4096
MAX_FILE_BYTES = 15 * 1024 * 1024
NAME_MAX = 150
ACCEPTED = ("a PDF, a Word, Excel or PowerPoint document, an image (PNG, JPEG, GIF or WebP) "
            "or a plain text file")


class FileType(enum.Enum):
    """The kinds of file kept as evidence: stored as the value, served as `media_type`."""

    PDF = "pdf"
    WORD = "word"
    WORD_97 = "word 97-2003"
    EXCEL = "excel"
    EXCEL_97 = "excel 97-2003"
    POWERPOINT = "powerpoint"
    POWERPOINT_97 = "powerpoint 97-2003"
    OPENDOCUMENT_TEXT = "opendocument text"
    OPENDOCUMENT_SPREADSHEET = "opendocument spreadsheet"
    OPENDOCUMENT_PRESENTATION = "opendocument presentation"
    PNG = "png"
    JPEG = "jpeg"
    GIF = "gif"
    WEBP = "webp"
    TEXT = "text"
    CSV = "csv"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def media_type(self) -> str:
        return _MEDIA_TYPES[self]

    @property
    def extension(self) -> str:
        return _EXTENSIONS[self]


_LABELS = {
    FileType.PDF: "PDF", FileType.WORD: "Word", FileType.WORD_97: "Word 97-2003",
    FileType.EXCEL: "Excel", FileType.EXCEL_97: "Excel 97-2003",
    FileType.POWERPOINT: "PowerPoint", FileType.POWERPOINT_97: "PowerPoint 97-2003",
    FileType.OPENDOCUMENT_TEXT: "OpenDocument text",
    FileType.OPENDOCUMENT_SPREADSHEET: "OpenDocument spreadsheet",
    FileType.OPENDOCUMENT_PRESENTATION: "OpenDocument presentation",
    FileType.PNG: "PNG image", FileType.JPEG: "JPEG image", FileType.GIF: "GIF image",
    FileType.WEBP: "WebP image", FileType.TEXT: "Text", FileType.CSV: "CSV",
}
_MEDIA_TYPES = {
    FileType.PDF: "application/pdf",
    FileType.WORD: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileType.WORD_97: "application/msword",
    FileType.EXCEL: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileType.EXCEL_97: "application/vnd.ms-excel",
    FileType.POWERPOINT:
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    FileType.POWERPOINT_97: "application/vnd.ms-powerpoint",
    FileType.OPENDOCUMENT_TEXT: "application/vnd.oasis.opendocument.text",
    FileType.OPENDOCUMENT_SPREADSHEET: "application/vnd.oasis.opendocument.spreadsheet",
    FileType.OPENDOCUMENT_PRESENTATION: "application/vnd.oasis.opendocument.presentation",
    FileType.PNG: "image/png", FileType.JPEG: "image/jpeg", FileType.GIF: "image/gif",
    FileType.WEBP: "image/webp", FileType.TEXT: "text/plain", FileType.CSV: "text/csv",
}
_EXTENSIONS = {
    FileType.PDF: "pdf", FileType.WORD: "docx", FileType.WORD_97: "doc",
    FileType.EXCEL: "xlsx", FileType.EXCEL_97: "xls", FileType.POWERPOINT: "pptx",
    FileType.POWERPOINT_97: "ppt", FileType.OPENDOCUMENT_TEXT: "odt",
    FileType.OPENDOCUMENT_SPREADSHEET: "ods", FileType.OPENDOCUMENT_PRESENTATION: "odp",
    FileType.PNG: "png", FileType.JPEG: "jpg", FileType.GIF: "gif", FileType.WEBP: "webp",
    FileType.TEXT: "txt", FileType.CSV: "csv",
}

# The Office Open XML kinds a zip may be, by the name's ending or by the folder its parts
# are in (when the first entries show it).
_OOXML_BY_EXTENSION = {"docx": FileType.WORD, "xlsx": FileType.EXCEL,
                       "pptx": FileType.POWERPOINT}
_OOXML_BY_FOLDER = ((b"word/", FileType.WORD), (b"xl/", FileType.EXCEL),
                    (b"ppt/", FileType.POWERPOINT))
_OOXML_FIRST_ENTRIES = (b"[Content_Types].xml", b"_rels/", b"docProps/", b"word/", b"xl/",
                        b"ppt/", b"customXml/")
_OLE_BY_EXTENSION = {"doc": FileType.WORD_97, "xls": FileType.EXCEL_97,
                     "ppt": FileType.POWERPOINT_97}
_OPENDOCUMENT = {b"application/vnd.oasis.opendocument.text": FileType.OPENDOCUMENT_TEXT,
                 b"application/vnd.oasis.opendocument.spreadsheet":
                     FileType.OPENDOCUMENT_SPREADSHEET,
                 b"application/vnd.oasis.opendocument.presentation":
                     FileType.OPENDOCUMENT_PRESENTATION}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
# Text a browser would take for markup: refused wherever it is in the first bytes.
_SVG = re.compile(rb"<svg[\s>/]", re.IGNORECASE)
_HTML = re.compile(rb"<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|script[\s>/]"
                   rb"|iframe[\s>/]|object[\s>/]|embed[\s>/]|meta[\s>/]|style[\s>/])",
                   re.IGNORECASE)
# Text that starts with a tag is markup too (a fragment of a web page).
_TAG_FIRST = re.compile(rb"^(\xef\xbb\xbf)?\s*<[a-z!/]", re.IGNORECASE)
_XML = re.compile(rb"^(\xef\xbb\xbf)?\s*<\?xml", re.IGNORECASE)


class FileRefused(ValueError):
    """An upload that is not kept as evidence, with the reason for the person who sent it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Sniffed:
    """What an upload is: its kind, and the name it is kept under."""

    file_type: FileType
    name: str


def clean_name(raw: str) -> str:
    """The name a file is kept and shown under: the last part of what the browser sent (no
    folders), without control characters, at most NAME_MAX characters (its ending kept);
    "file" if nothing is left."""
    name = re.split(r"[\\/]", raw or "")[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = " ".join(name.split()).strip(" .")
    if len(name) > NAME_MAX:
        stem, dot, ending = name.rpartition(".")
        if dot and 0 < len(ending) <= 10:
            name = stem[:NAME_MAX - len(ending) - 1].rstrip() + "." + ending
        else:
            name = name[:NAME_MAX].rstrip()
    return name or "file"


def size_in_words(size: int) -> str:
    """A file's size as people read it: "512 bytes", "84 KB", "2.4 MB"."""
    if size < 1024:
        return f"{size} byte{'s' if size != 1 else ''}"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.1f} MB" if megabytes < 10 else f"{round(megabytes)} MB"


def _ending(name: str) -> str:
    stem, dot, ending = name.rpartition(".")
    return ending.lower() if dot and stem else ""


def sniff(raw_name: str, head: bytes, size: int) -> Sniffed:
    """The kind of an upload of `size` bytes that begins with `head` (at least its first
    HEAD_BYTES, or all of it if shorter), and the name to keep it under. Raises FileRefused,
    saying why, for an empty or too big file and for anything but the kinds accepted."""
    name = clean_name(raw_name)
    quoted = f"“{name}”"
    if size == 0:
        raise FileRefused(f"{quoted} is empty: choose the file again")
    if size > MAX_FILE_BYTES:
        raise FileRefused(f"{quoted} is {size_in_words(size)}: each file must be "
                          f"{size_in_words(MAX_FILE_BYTES)} or smaller")
    head = head[:HEAD_BYTES]
    file_type = _binary_kind(head, name, quoted)
    if file_type is None:
        file_type = _text_kind(head, name, quoted)
    return Sniffed(file_type=file_type, name=name)


def _binary_kind(head: bytes, name: str, quoted: str) -> FileType | None:
    ending = _ending(name)
    if head.startswith(b"%PDF-"):
        return FileType.PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileType.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return FileType.JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return FileType.GIF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return FileType.WEBP
    if head.startswith(_OLE):
        if ending in _OLE_BY_EXTENSION:
            return _OLE_BY_EXTENSION[ending]
        raise FileRefused(f"{quoted} is an older Office file, but its name does not say which "
                          f"kind: save it as .docx, .xlsx or .pptx, or name it .doc, .xls or "
                          f".ppt")
    if head.startswith(_ZIP):
        return _zip_kind(head, ending, quoted)
    return None


def _zip_kind(head: bytes, ending: str, quoted: str) -> FileType:
    """A zip: an OpenDocument file names its kind in its first entry; an Office Open XML file
    (Word, Excel, PowerPoint) starts with its parts; any other zip is refused."""
    name_length = int.from_bytes(head[26:28], "little")
    first_entry = head[30:30 + name_length]
    if first_entry == b"mimetype":
        start = 30 + name_length + int.from_bytes(head[28:30], "little")
        for media_type, file_type in _OPENDOCUMENT.items():
            if head[start:start + len(media_type)] == media_type:
                return file_type
    elif first_entry.startswith(_OOXML_FIRST_ENTRIES):
        if ending in _OOXML_BY_EXTENSION:
            return _OOXML_BY_EXTENSION[ending]
        for folder, file_type in _OOXML_BY_FOLDER:
            if folder in head:
                return file_type
        raise FileRefused(f"{quoted} is an Office document, but its name does not say which "
                          f"kind: name it .docx, .xlsx or .pptx")
    raise FileRefused(f"{quoted} is a zip file: upload the documents in it one by one")


def _text_kind(head: bytes, name: str, quoted: str) -> FileType:
    """Plain text: UTF-8 (or the Windows encoding older programs save in), no control
    characters, and no markup."""
    if _SVG.search(head):
        raise FileRefused(f"{quoted} is an SVG image, which can hold a script: save it as PNG "
                          f"or PDF and upload that")
    if _XML.search(head):
        raise FileRefused(f"{quoted} is an XML file: save it as PDF or text and upload that")
    if _HTML.search(head) or _TAG_FIRST.search(head):
        raise FileRefused(f"{quoted} is a web page (HTML), which can hold a script: save or "
                          f"print it as PDF and upload that")
    text = _decoded(head)
    if text is None or any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f"
                           for ch in text):
        raise FileRefused(f"{quoted} is not a kind of file the tracker keeps: upload "
                          f"{ACCEPTED}")
    return FileType.CSV if _ending(name) == "csv" else FileType.TEXT


def _decoded(head: bytes) -> str | None:
    """The first bytes as text, allowing a character cut at the end; None if they are not
    text."""
    try:
        return codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError:
        pass
    if b"\x00" in head:
        return None
    try:
        return head.decode("cp1252")
    except UnicodeDecodeError:
        return None
