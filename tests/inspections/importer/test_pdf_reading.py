"""Reading a PDF's characters (pdfchars.py, with PDFium) as pdfminer read them: the cases
where PDFium's own text differs, a password, and reading from several threads at once."""

from __future__ import annotations

import hashlib
import struct
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.inspections.importer.pdfs import LEFT, Text, make_pdf, serialise
from tracker.inspections.importer import ImportProblem, read_document
from tracker.inspections.importer.pdf import pdf_text

SENTENCE = "The council's improvement plan sets out its priorities for the next two years."


def pdf(content: bytes, *, fonts: bytes = b"", trailer: bytes = b"", extra: bytes = b"") -> bytes:
    """A one-page PDF with this content stream. /F1 is Helvetica; `fonts` adds more font
    resources (as objects from 5 on, given in `extra`), `trailer` more trailer entries."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
        b"/Encoding /WinAnsiEncoding >> " + fonts + b">> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    if extra:
        objects.append(extra)
    return serialise(objects, trailer)


def line(text: str, y: float = 700) -> bytes:
    return b"BT /F1 11 Tf %d %d Td (%s) Tj ET\n" % (LEFT, y, text.encode("cp1252"))


def test_a_lone_space_between_an_oblique_word_and_the_next_is_kept():
    # Word writes a space between an italic word and the next as a text object of its own,
    # which PDFium leaves out of its text (it draws nothing); the words stay apart although
    # the slanted word's box reaches almost to the next.
    content = (
        b"BT /F1 12 Tf 1 0 0.2 1 72 700 Tm (Putting Children First) Tj ET\n"
        b"BT /F1 12 Tf 198.4 700 Td ( ) Tj ET\n"
        b"BT /F1 12 Tf 201.7 700 Td (sets out the council's improvement agenda.) Tj ET\n"
    )

    text = pdf_text(pdf(content))

    assert "Putting Children First sets out the council's improvement agenda." in text


def test_a_ligature_glyph_reads_as_its_letters_within_its_word():
    ligatures = (
        b"/F2 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type "
        b"/Encoding /BaseEncoding /WinAnsiEncoding /Differences [174 /fi 175 /fl] >> >> "
    )
    content = (
        b"BT /F2 11 Tf 72 700 Td (The of\xaece \xaeled its \xafow charts and con\xaficts.) Tj ET\n"
    )

    text = pdf_text(pdf(content + line(SENTENCE, 680), fonts=ligatures))

    assert "The office filed its flow charts and conflicts." in text


def test_a_character_after_a_zero_width_one_is_not_taken_for_part_of_a_ligature():
    widths = b" ".join(b"0" if code == ord("|") else b"556" for code in range(32, 127))
    font = (
        b"/F2 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica /FirstChar 32 "
        b"/LastChar 126 /Widths [" + widths + b"] /Encoding /WinAnsiEncoding >> "
    )
    content = b"BT /F2 11 Tf 72 700 Td (abc|defgh) Tj ET\n"

    text = pdf_text(pdf(content + line(SENTENCE, 680), fonts=font))

    assert "abc|defgh" in text


def test_a_line_end_hyphen_is_read_as_a_hyphen():
    content = line("The quality of multi-", 700) + line("agency planning is improving.", 686)

    text = pdf_text(pdf(content + line(SENTENCE, 650)))

    assert "multi-agency planning" in text
    assert "\x02" not in text


# The padding of the PDF standard security handler (PDF 32000-1, 7.6.3.3).
PADDING = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def rc4(key: bytes, data: bytes) -> bytes:
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


def password_protected(user_password: bytes) -> bytes:
    """A PDF that opens only with `user_password` (40-bit RC4, revision 2)."""
    padded = (user_password + PADDING)[:32]
    owner = rc4(hashlib.md5(padded).digest()[:5], padded)
    permissions, file_id = -4, b"0123456789abcdef"
    key = hashlib.md5(padded + owner + struct.pack("<i", permissions) + file_id).digest()[:5]
    user = rc4(key, PADDING)
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>" % (
        owner.hex().encode(),
        user.hex().encode(),
        permissions,
    )
    trailer = b"/Encrypt 5 0 R /ID [<%s> <%s>] " % (file_id.hex().encode(), file_id.hex().encode())
    return pdf(line(SENTENCE), trailer=trailer, extra=encrypt)


def test_a_pdf_protected_by_a_password_is_refused_with_what_to_do():
    with pytest.raises(ImportProblem) as problem:
        read_document(password_protected(b"secret"), "letter.pdf")

    assert str(problem.value).startswith("This PDF is protected by a password")


def test_a_truncated_pdf_is_refused_as_unreadable():
    data = make_pdf([[Text(LEFT, 100, SENTENCE)]])

    with pytest.raises(ImportProblem) as problem:
        read_document(data[:120], "letter.pdf")

    assert str(problem.value).startswith("This PDF cannot be read")


def test_pdfs_read_at_once_in_several_threads_read_as_they_do_alone():
    # PDFium is not thread-safe: reading must take turns, and give the same text.
    documents = [
        make_pdf([[Text(LEFT, 100 + 20 * n, f"{SENTENCE} ({copy}, {n})") for n in range(30)]] * 3)
        for copy in range(4)
    ]
    alone = [pdf_text(data) for data in documents]

    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(pdf_text, documents * 5))

    assert together == alone * 5
