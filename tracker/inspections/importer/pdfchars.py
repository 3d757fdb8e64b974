"""A PDF's characters, page by page, with their boxes, sizes and fonts, read with PDFium
(pypdfium2) in a fraction of the time pdfminer takes.

The layout rules in pdf.py were worked out on pdfminer's characters, so each character is
measured here as pdfminer measures it: across, from its origin by its advance width; up,
from the font's descent below the baseline to the descent plus the font size; in the
page's frame (the media box, turned by /Rotate); characters that are not upright are left
out. PDFium's text page differs from pdfminer's characters in a few ways, undone here:

- it generates spaces and line breaks of its own: they are left out, except a space it puts
  between two text objects, which stands for the lone space it drops (a text object that
  draws nothing, as Word writes between an italic word and the next);
- it marks a hyphen that ends a line as U+0002: it is a hyphen again;
- it splits a ligature ("ﬁ") into its letters, at one origin and with one glyph: they are
  one character again.

PDFium is not thread-safe, even across documents, so every call into it holds one lock, and
every PDFium object is closed as soon as it has been read rather than left to the garbage
collector (which could run in another thread). pypdfium2 is imported on first use.
"""

from __future__ import annotations

import ctypes
import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

# A character is a tuple, the quickest thing to make and to read, of these fields: its
# text, left and right edges, top and bottom (down from the top of the page), size, font
# name, and whether it is blank (whitespace only).
Char = tuple[str, float, float, float, float, float, str, bool]
TEXT, X0, X1, TOP, BOTTOM, SIZE, FONTNAME, BLANK = range(8)

_LOCK = threading.RLock()
_SPACE = 0x20
_MARKED_HYPHEN = 0x02  # PDFium's mark for a hyphen that ends a line
_NO_UNICODE = 0xFFFE  # in PDFium's text of a page: a marked hyphen, or no Unicode


class TooManyCharacters(Exception):
    """A page holds more characters than are left to read (`page_chars`' `limit`)."""


class PdfError(Exception):
    """The PDF cannot be opened or read; `password` when it is protected by one."""

    def __init__(self, message: str, *, password: bool = False) -> None:
        super().__init__(message)
        self.password = password


@contextmanager
def open_pdf(data: bytes) -> Iterator[Any]:
    """The PDF, open. Raises PdfError when it cannot be opened."""
    pdfium = _pdfium()
    try:
        with _LOCK:
            document = pdfium.module.PdfDocument(data)
    except pdfium.module.PdfiumError as error:
        raise PdfError(str(error), password=error.err_code in pdfium.password_errors) from error
    try:
        yield document
    finally:
        with _LOCK:
            document.close()


def page_count(document: Any) -> int:
    with _LOCK:
        return len(document)


def page_chars(
    document: Any, number: int, *, limit: int | None = None
) -> tuple[list[Char], float]:
    """The characters of page `number` (from 0), in PDFium's order, and the page's height.
    Raises PdfError when the page cannot be read, and TooManyCharacters when PDFium counts
    more than `limit` characters on it (before any is read)."""
    pdfium = _pdfium()
    with _LOCK:
        try:
            page = document[number]
            try:
                textpage = page.get_textpage()
                try:
                    if limit is not None and textpage.count_chars() > limit:
                        raise TooManyCharacters
                    return _PageReader(pdfium, page, textpage).chars()
                finally:
                    textpage.close()
            finally:
                page.close()
        except pdfium.module.PdfiumError as error:
            raise PdfError(str(error)) from error


@functools.cache
def _pdfium() -> SimpleNamespace:
    """pypdfium2, and the PDFium functions called for every character, bound to take plain
    addresses: the bindings' own argument checks cost more than the calls."""
    import pypdfium2
    import pypdfium2.raw as c

    def bind(name: str, restype: Any, *argtypes: Any) -> Any:
        address = ctypes.cast(getattr(c, name), ctypes.c_void_p).value
        return ctypes.CFUNCTYPE(restype, *argtypes)(address)

    def bind_unchecked(name: str, restype: Any) -> Any:
        # For the calls made for every character, no argument types at all: ctypes then
        # passes a Python int as a C int and a handle or byref() as a pointer, which is
        # what these take (text page, index, out-pointers), at half the cost of checking.
        function = bind(name, restype)
        function.argtypes = None
        return function

    handle, index = ctypes.c_void_p, ctypes.c_int
    float_p = ctypes.POINTER(ctypes.c_float)
    return SimpleNamespace(
        module=pypdfium2,
        raw=c,
        password_errors=(c.FPDF_ERR_PASSWORD, c.FPDF_ERR_SECURITY),
        text_object=bind_unchecked("FPDFText_GetTextObject", ctypes.c_void_p),
        unicode=bind_unchecked("FPDFText_GetUnicode", ctypes.c_uint),
        is_generated=bind_unchecked("FPDFText_IsGenerated", ctypes.c_int),
        origin=bind_unchecked("FPDFText_GetCharOrigin", ctypes.c_int),
        loose_box=bind(
            "FPDFText_GetLooseCharBox", ctypes.c_int, handle, index, ctypes.POINTER(c.FS_RECTF)
        ),
        matrix=bind("FPDFText_GetMatrix", ctypes.c_int, handle, index, ctypes.POINTER(c.FS_MATRIX)),
        font_size=bind("FPDFText_GetFontSize", ctypes.c_double, handle, index),
        font=bind("FPDFTextObj_GetFont", ctypes.c_void_p, handle),
        font_name=bind(
            "FPDFFont_GetBaseFontName", ctypes.c_size_t, handle, ctypes.c_char_p, ctypes.c_size_t
        ),
        descent=bind("FPDFFont_GetDescent", ctypes.c_int, handle, ctypes.c_float, float_p),
        glyph_width=bind(
            "FPDFFont_GetGlyphWidth", ctypes.c_int, handle, ctypes.c_uint, ctypes.c_float, float_p
        ),
    )


class _PageReader:
    """One page's characters. Fonts and text objects are cached by address for this page
    only: PDFium may free them, and reuse their addresses, once the page is closed."""

    def __init__(self, pdfium: SimpleNamespace, page: Any, textpage: Any) -> None:
        self.pdfium = pdfium
        left, bottom, right, top = page.get_mediabox()
        rotation = page.get_rotation()
        # pdfminer's page matrix: the media box's corner to (0, 0), turned by /Rotate.
        if rotation == 90:
            self.matrix = (0.0, -1.0, 1.0, 0.0, -bottom, right)
        elif rotation == 180:
            self.matrix = (-1.0, 0.0, 0.0, -1.0, right, top)
        elif rotation == 270:
            self.matrix = (0.0, 1.0, -1.0, 0.0, top, -left)
        else:
            self.matrix = (1.0, 0.0, 0.0, 1.0, -left, -bottom)
        self.height = abs(right - left) if rotation in (90, 270) else abs(top - bottom)
        self.textpage = textpage
        self.handle = ctypes.c_void_p(ctypes.cast(textpage.raw, ctypes.c_void_p).value)
        self.fonts: dict[int, tuple[str, float, dict[int, float]]] = {}
        self.shared: dict[tuple[float, ...], _TextObject] = {}

    def chars(self) -> tuple[list[Char], float]:
        # Called for every character of every page, so written for speed: two calls into
        # PDFium per character, and what a text object's characters share worked out once,
        # and looked up again only when the text object changes.
        pdfium = self.pdfium
        handle, height = self.handle, self.height
        ra, rb, rc, rd, re_, rf = self.matrix
        text_object, unicode, origin = pdfium.text_object, pdfium.unicode, pdfium.origin
        is_generated = pdfium.is_generated
        x_value, y_value = ctypes.c_double(), ctypes.c_double()
        x_ref, y_ref = ctypes.byref(x_value), ctypes.byref(y_value)
        objects: dict[int, _TextObject | None] = {}
        chars: list[Char] = []
        append = chars.append
        current = None  # the text object of the last character read, and what it shares:
        shared: _TextObject | None = None
        glyphs: dict[int, tuple[str, float, bool]] = {}
        plain = False
        top = bottom = size = 0.0
        fontname = ""
        last_x = last_y = None  # the origin of the last character kept, and its index
        last_index = 0
        kept_y = None  # the baseline of the last character kept
        count = self.textpage.count_chars()
        codes = self._codes(count)
        for index in range(count):
            obj = text_object(handle, index)
            code = codes[index]
            if code == _NO_UNICODE:
                code = unicode(handle, index)
            if not obj:
                # Generated by PDFium: a line break, left out, or a space between two text
                # objects, which stands for the lone space PDFium drops (see above).
                if code == _SPACE and chars:
                    origin(handle, index, x_ref, y_ref)
                    # PDFium puts it on the baseline of the character before it: a space
                    # after one left out (not upright) has nothing to stand between.
                    if y_value.value == kept_y:
                        x = ra * x_value.value + rc * y_value.value + re_
                        last = chars[-1]
                        append((" ", x, x, *last[TOP:BLANK], True))
                    current = None
                continue
            if code == 0 or (code == _SPACE and is_generated(handle, index)):
                continue  # no Unicode, or a space PDFium made of a gap inside a text object
            if obj != current:
                current, last_x, last_y = obj, None, None
                if obj in objects:
                    shared = objects[obj]
                else:
                    shared = objects[obj] = self._text_object(obj, index)
                if shared is not None:
                    glyphs, plain, fontname = shared.glyphs, shared.plain, shared.fontname
                    top, bottom, size = shared.top, shared.bottom, shared.size
            if shared is None:
                continue  # not upright
            origin(handle, index, x_ref, y_ref)
            ox = x_value.value
            oy = y_value.value
            if code == _MARKED_HYPHEN:
                code = 0x2D
            if ox == last_x and oy == last_y and self._same_glyph(index, last_index):
                # A letter of a ligature: with the others, one character, as in pdfminer,
                # as wide as the ligature's glyph.
                last = chars[-1]
                text = last[TEXT] + chr(code)
                x1 = max(last[X1], self._right(index))
                chars[-1] = (text, last[X0], x1, *last[TOP:BLANK], text.isspace())
                continue
            last_x, last_y, last_index = ox, oy, index
            kept_y = oy
            glyph = glyphs.get(code)
            if glyph is None:
                glyph = shared.glyph(code)
            if plain:
                # On an unturned page, upright and neither skewed nor turned, as nearly all
                # text is: the box is the origin moved by what the object's characters share.
                x = ox + re_
                text, advance, blank = glyph
                append((text, x, x + advance, top - oy, bottom - oy, size, fontname, blank))
            else:
                x = ra * ox + rc * oy + re_
                y = rb * ox + rd * oy + rf
                append(self._skewed(x, y, glyph, shared))
        return chars, height

    def _codes(self, count: int) -> list[int]:
        """Every character's code point. Read at once from PDFium's text of the page when
        that has one UTF-16 unit per character (it leaves out some control characters, and
        writes a character beyond the BMP as two units); else one by one."""
        if not count:
            return []
        buffer = (ctypes.c_ushort * (count + 1))()
        if self.pdfium.raw.FPDFText_GetText(self.textpage.raw, 0, count, buffer) == count + 1:
            return buffer[:count]
        return [self.pdfium.unicode(self.handle, index) for index in range(count)]

    def _same_glyph(self, index: int, last_index: int) -> bool:
        """Whether the character is drawn by the same glyph as the last one kept, which has
        the same origin: a piece of a ligature, not a character after a zero-width one."""
        box, last = self.pdfium.raw.FS_RECTF(), self.pdfium.raw.FS_RECTF()
        self.pdfium.loose_box(self.handle, index, box)
        self.pdfium.loose_box(self.handle, last_index, last)
        return (box.left, box.bottom, box.right, box.top) == (
            last.left,
            last.bottom,
            last.right,
            last.top,
        )

    def _right(self, index: int) -> float:
        """The right edge of the character's box (to its advance width or its glyph's edge,
        whichever is further), in the page's frame."""
        box = self.pdfium.raw.FS_RECTF()
        self.pdfium.loose_box(self.handle, index, box)
        ra, _rb, rc, _rd, re_, _rf = self.matrix
        return max(
            ra * x + rc * y + re_ for x in (box.left, box.right) for y in (box.bottom, box.top)
        )

    def _skewed(
        self, x: float, y: float, glyph: tuple[str, float, bool], shared: _TextObject
    ) -> Char:
        """pdfminer's box for a character whose matrix skews or turns it (an oblique font
        made from an upright one, or text on a turned page): the box of the two corners it
        transforms to. (x, y) is its origin in the page's frame."""
        text, advance, blank = glyph
        a, b, c, d = shared.matrix
        low = shared.descent * shared.fontsize / 1000
        high = low + shared.fontsize
        x0, y0 = x + c * low, y + d * low
        x1, y1 = x + a * advance + c * high, y + b * advance + d * high
        if x1 < x0:
            x0, x1 = x1, x0
        if y1 < y0:
            y0, y1 = y1, y0
        height = self.height
        return (text, x0, x1, height - y1, height - y0, y1 - y0, shared.fontname, blank)

    def _text_object(self, obj: int, index: int) -> _TextObject | None:
        """What the characters of a text object share, from its first character; None when
        they are not upright (pdfminer leaves those out). Text objects with the same font,
        size and matrix share one."""
        pdfium = self.pdfium
        matrix = pdfium.raw.FS_MATRIX()
        pdfium.matrix(self.handle, index, matrix)
        ra, rb, rc, rd = self.matrix[:4]
        a = matrix.a * ra + matrix.b * rc
        b = matrix.a * rb + matrix.b * rd
        c = matrix.c * ra + matrix.d * rc
        d = matrix.c * rb + matrix.d * rd
        if not (a * d > 0 and b * c <= 0):
            return None
        font = pdfium.font(obj) or 0
        key = (font, pdfium.font_size(self.handle, index), a, b, c, d)
        shared = self.shared.get(key)
        if shared is None:
            if font not in self.fonts:
                self.fonts[font] = (self._font_name(font), self._descent(font), {})
            fontname, descent, widths = self.fonts[font]
            shared = self.shared[key] = _TextObject(
                pdfium,
                font,
                fontname,
                descent,
                widths,
                key[1],
                (a, b, c, d),
                self.matrix,
                self.height,
            )
        return shared

    def _font_name(self, font: int) -> str:
        if not font:
            return ""
        length = self.pdfium.font_name(font, None, 0)
        if length <= 0:
            return ""
        buffer = ctypes.create_string_buffer(length)
        self.pdfium.font_name(font, buffer, length)
        return buffer.value.decode("utf-8", "replace")

    def _descent(self, font: int) -> float:
        """The font's descent in thousandths of an em, below the baseline (pdfminer makes
        it negative whatever its sign in the PDF)."""
        descent = ctypes.c_float()
        if not font or not self.pdfium.descent(font, 1000.0, descent):
            return 0.0
        return -abs(descent.value)


class _TextObject:
    """What the characters of a text object share: its font (name, descent in thousandths
    of an em, advance widths in thousandths of an em by character), font size and matrix;
    each character's text, advance and blankness (`glyphs`); and when the object is plain
    (upright, neither skewed nor turned, on an unturned page), its characters' size and the
    top and bottom of their boxes as the page's height less the origin's height."""

    __slots__ = (
        "pdfium", "font", "fontname", "descent", "widths", "fontsize", "matrix", "glyphs",
        "plain", "top", "bottom", "size",
    )  # fmt: skip

    def __init__(
        self,
        pdfium: SimpleNamespace,
        font: int,
        fontname: str,
        descent: float,
        widths: dict[int, float],
        fontsize: float,
        matrix: tuple[float, float, float, float],
        page_matrix: tuple[float, ...],
        page_height: float,
    ) -> None:
        self.pdfium = pdfium
        self.font = font
        self.fontname = fontname
        self.descent = descent
        self.widths = widths
        self.fontsize = fontsize
        self.matrix = matrix
        self.glyphs: dict[int, tuple[str, float, bool]] = {}
        a, b, c, d = matrix
        self.plain = b == 0 and c == 0 and a > 0 and d > 0 and page_matrix[:4] == (1, 0, 0, 1)
        low = d * descent * fontsize / 1000
        self.size = d * fontsize
        self.top = page_height - page_matrix[5] - low - self.size
        self.bottom = page_height - page_matrix[5] - low

    def glyph(self, code: int) -> tuple[str, float, bool]:
        """The character's text, advance (across the page for a plain object, in text space
        for another) and whether it is blank, worked out once per object."""
        width = self.widths.get(code)
        if width is None:
            value = ctypes.c_float()
            ok = self.font and self.pdfium.glyph_width(self.font, code, 1000.0, value)
            width = self.widths[code] = value.value if ok else 0.0
        advance = width * self.fontsize / 1000
        if self.plain:
            advance *= self.matrix[0]
        text = chr(code)
        glyph = self.glyphs[code] = (text, advance, text.isspace())
        return glyph
