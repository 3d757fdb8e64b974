"""Evidence files are told by their first bytes, not their names: PDFs, Office documents,
images and plain text are kept; web pages, SVG images, other zips and anything else are
refused, saying why."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from tracker.evidence.sniff import (
    MAX_FILE_BYTES,
    FileRefused,
    FileType,
    clean_name,
    size_in_words,
    sniff,
)


def office_zip(*parts: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in parts:
            archive.writestr(part, "<xml/>")
    return buffer.getvalue()


def workbook() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def kind(name: str, data: bytes) -> FileType:
    return sniff(name, data, len(data)).file_type


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("audit.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", FileType.PDF),
    ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", FileType.PNG),
    ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF", FileType.JPEG),
    ("chart.gif", b"GIF89a\x01\x00\x01\x00", FileType.GIF),
    ("chart.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 ", FileType.WEBP),
    ("minutes.docx", office_zip("[Content_Types].xml", "word/document.xml"), FileType.WORD),
    ("figures.xlsx", workbook(), FileType.EXCEL),
    ("board.pptx", office_zip("[Content_Types].xml", "ppt/presentation.xml"),
     FileType.POWERPOINT),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), FileType.WORD_97),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), FileType.EXCEL_97),
    ("notes.txt", "Audit of 40 files: the child’s views in 38.\n".encode(), FileType.TEXT),
    ("notes.txt", "Children’s views noted\r\n".encode("cp1252"), FileType.TEXT),
    ("figures.csv", b"Team,Files,Views recorded\r\nNorth,20,19\r\n", FileType.CSV),
])
def test_the_kinds_of_file_councils_use_are_kept_as_what_their_content_shows(name, data,
                                                                              expected):
    assert kind(name, data) is expected


def test_the_content_decides_not_the_name():
    assert kind("notes.txt", b"%PDF-1.4\n") is FileType.PDF
    # An Office document named wrongly is told by the folder its parts are in.
    assert kind("minutes.bin", office_zip("[Content_Types].xml", "word/document.xml")) \
        is FileType.WORD
    with pytest.raises(FileRefused, match="web page"):
        kind("report.pdf", b"<!DOCTYPE html><html><body><script>alert(1)</script>")


@pytest.mark.parametrize(("name", "data", "words"), [
    ("report.html", b"<!doctype html>\n<html><head><title>x</title></head></html>",
     "“report.html” is a web page (HTML), which can hold a script"),
    ("page.txt", b"\xef\xbb\xbf  <div onclick=alert(1)>Hello</div>",
     "“page.txt” is a web page (HTML)"),
    ("notes.txt", b"Some notes\n<script>alert(1)</script>", "is a web page (HTML)"),
    ("chart.svg", b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>',
     "“chart.svg” is an SVG image, which can hold a script"),
    ("chart.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>',
     "“chart.png” is an SVG image"),
    ("data.xml", b'<?xml version="1.0"?><data/>', "“data.xml” is an XML file"),
    ("files.zip", office_zip("one.pdf", "two.pdf"), "“files.zip” is a zip file"),
    ("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00", "“tool.exe” is not a kind of file the tracker "
                                                 "keeps"),
    ("old.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(10), "name it .doc, .xls or .ppt"),
    ("empty.pdf", b"", "“empty.pdf” is empty"),
])
def test_markup_other_zips_and_unknown_files_are_refused_saying_why(name, data, words):
    with pytest.raises(FileRefused) as refused:
        sniff(name, data, len(data))
    assert words in refused.value.message


def test_a_file_over_15_mb_is_refused_with_its_size_and_the_limit():
    with pytest.raises(FileRefused) as refused:
        sniff("scan.pdf", b"%PDF-1.7", 17 * 1024 * 1024)
    assert refused.value.message == "“scan.pdf” is 17 MB: each file must be 15 MB or smaller"
    assert sniff("scan.pdf", b"%PDF-1.7", MAX_FILE_BYTES).file_type is FileType.PDF


def test_names_are_kept_without_folders_or_control_characters_and_not_too_long():
    assert clean_name("C:\\Users\\sam\\Desktop\\audit.pdf") == "audit.pdf"
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name("re\x00port\u202e.pdf") == "report.pdf"
    assert clean_name("   ") == "file"
    long = clean_name("a" * 300 + ".docx")
    assert len(long) == 150 and long.endswith("a.docx")


def test_sizes_read_as_people_say_them():
    assert [size_in_words(n) for n in (1, 512, 2048, 1536 * 1024, 15 * 1024 * 1024)] == [
        "1 byte", "512 bytes", "2 KB", "1.5 MB", "15 MB"]
