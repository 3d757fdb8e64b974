"""Reading an uploaded action-plan spreadsheet into rows of text: an Excel workbook (.xlsx) or
a CSV file. Pure: no Flask and no database, so it can be tested and timed on its own.

Every cell is kept as the text it showed: numbers as Excel shows them, Excel dates as ISO
dates ("2013-03-31"), a formula's last calculated value, and text that looks like a formula
("=SUM(A1)") as that text, never calculated. The file is recognised by its content, not by
its name, so a PDF renamed .xlsx gets a message, not an error page.

The header row is the first row with at least two cells filled in; the title rows above it are
dropped, and so are empty rows below it. Each data row keeps its row number in the sheet, so
that a problem can be shown with the cell reference the spreadsheet shows ("D7").
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from xml.parsers import expat

from openpyxl.utils import get_column_letter

# Excel's own limit for the text of one cell.
MAX_CELL_CHARACTERS = 32_767
MAX_DATA_ROWS = 2_000
MAX_COLUMNS = 50
# Rows read before giving up on a sheet: formatting copied down a whole column leaves empty
# rows that still cost time to read (about 5 microseconds each).
MAX_SHEET_ROWS = 50_000
# Visible sheets read from one workbook; a workbook with more is read up to this many.
MAX_SHEETS = 10
# A workbook is compressed: what it may take once unpacked, as a multiple of its size limit.
UNPACKED_FACTOR = 5

ZIP_MAGIC = b"PK\x03\x04"
# Old Office files, and Office files encrypted with a password, are OLE compound files.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
OLD_EXCEL_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))

SAVE_AS_HINT = (
    "In Excel, choose File, then Save As, and save it as “Excel Workbook (.xlsx)” or "
    "“CSV UTF-8”"
)
NOT_A_SPREADSHEET = (
    "The file is not a spreadsheet the tracker can read: upload an Excel workbook (.xlsx) or "
    f"a CSV file. {SAVE_AS_HINT}"
)
EMPTY_FILE = "The file is empty: check you chose the action plan spreadsheet"
ENCRYPTED_FILE = (
    "The file is protected with a password, so the tracker cannot read it. Open it in Excel, "
    "remove the password (File, Info, Protect Workbook, Encrypt with Password, then clear the "
    "password), save it and upload it again"
)
OLD_EXCEL = (
    "This is an older Excel file (.xls). Open it in Excel, save it as “Excel Workbook (.xlsx)” "
    "and upload that"
)
OPENDOCUMENT = (
    "This is an OpenDocument spreadsheet (.ods). Save it as an Excel Workbook (.xlsx) or as "
    "CSV, and upload that"
)
BINARY_WORKBOOK = (
    "This is an Excel binary workbook (.xlsb). Open it in Excel, save it as “Excel Workbook "
    "(.xlsx)” and upload that"
)
WORD_DOCUMENT = (
    "This is a Word document, not a spreadsheet. To import an inspection letter, use “Import "
    "an inspection letter”; for an action plan, upload it as an Excel workbook (.xlsx) or CSV"
)
PDF_DOCUMENT = (
    "This is a PDF, not a spreadsheet: upload the action plan as an Excel workbook (.xlsx) or "
    "a CSV file"
)
DAMAGED = (
    "The tracker could not open this workbook: it may be damaged. Open it in Excel, save it "
    "again and upload the saved copy"
)
UNREADABLE_CSV = (
    "The tracker could not read this CSV file. Check it opens in Excel, then save it again "
    "as “CSV UTF-8” and upload that"
)

# What the readers say when their library fails on a file: in a reader that came near its
# memory limit (tracker.untrusted), the memory ran out.
DAMAGED_MESSAGES = (DAMAGED,)

# Control characters no one types (tab and new line are kept); PostgreSQL cannot store NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class SpreadsheetProblem(ValueError):
    """A file the tracker cannot import, with a message that says what to fix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class EmptySheet(SpreadsheetProblem):
    """A sheet (or CSV file) with no cell filled in: a workbook's empty sheets are skipped."""


@dataclass
class Sheet:
    """One sheet's headings and data rows, every cell as text.

    `rows` holds (row number in the sheet, cells), trailing empty cells left off; `name` is
    the sheet's name, empty for a CSV file."""

    name: str
    header_row: int
    headers: list[str]
    rows: list[tuple[int, list[str]]]

    @property
    def width(self) -> int:
        return len(self.headers)


@dataclass
class Spreadsheet:
    """The sheets that could be read, in the workbook's order, and why any other was not."""

    sheets: list[Sheet]
    notes: list[str] = field(default_factory=list)


def column_letter(index: int) -> str:
    """"A" for the first column (index 0), "AA" for the 27th."""
    return get_column_letter(index + 1)


def cell_text(value: Any) -> str:
    """A cell's value as the text Excel shows; an Excel date as an ISO date."""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, datetime):
        # Excel stores a date as a date-time at midnight.
        if value.time() == time(0, 0):
            text = value.date().isoformat()
        else:
            text = value.strftime("%Y-%m-%d %H:%M")
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, time):
        text = value.strftime("%H:%M")
    elif isinstance(value, float):
        # Excel shows at most 15 significant digits, and whole numbers without a point.
        text = str(int(value)) if value.is_integer() else f"{value:.15g}"
    elif isinstance(value, timedelta):
        text = str(value)
    else:
        text = str(value)
    return clean_text(text)


def clean_text(text: str) -> str:
    """Text as it reads: Windows line ends made plain, invisible control characters and the
    spaces around the text removed."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def sheet_from_rows(name: str, rows: Iterable[tuple[int, Iterable[Any]]]) -> Sheet:
    """Find the header row and the data rows among a sheet's rows (number, values).

    Raises `SpreadsheetProblem` when the sheet has no header row, no data rows, or more rows
    or columns than the tracker imports."""
    where = f"The sheet “{name}”" if name else "The file"
    header_row = 0
    headers: list[str] = []
    data: list[tuple[int, list[str]]] = []
    width = 0
    filled = False
    for number, values in rows:
        if number > MAX_SHEET_ROWS:
            raise SpreadsheetProblem(
                f"{where} goes on past row {MAX_SHEET_ROWS:,}: delete the empty rows under "
                "the action plan, save it and upload it again"
            )
        cells = [cell_text(value) for value in values]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        for column, cell in enumerate(cells):
            if len(cell) > MAX_CELL_CHARACTERS:
                raise SpreadsheetProblem(cell_too_long(f"{column_letter(column)}{number}", name))
        filled = True
        if len(cells) > MAX_COLUMNS:
            raise SpreadsheetProblem(
                f"{where} uses {len(cells)} columns (up to column "
                f"{column_letter(len(cells) - 1)}): the tracker reads up to {MAX_COLUMNS}. "
                "Delete the columns it does not need and upload it again"
            )
        if not header_row:
            if sum(1 for cell in cells if cell) >= 2:
                header_row, headers = number, cells
            continue
        if len(data) == MAX_DATA_ROWS:
            raise SpreadsheetProblem(
                f"{where} has more than {MAX_DATA_ROWS:,} rows of actions: the tracker imports "
                f"up to {MAX_DATA_ROWS:,} at a time. Split it into smaller spreadsheets and "
                "import each one"
            )
        data.append((number, cells))
        width = max(width, len(cells))
    if not filled:
        raise EmptySheet(f"{where} is empty" if name else EMPTY_FILE)
    if not header_row:
        raise SpreadsheetProblem(
            f"{where} has no row of column headings: the tracker looks for the first row with "
            "at least two cells filled in, such as “Action” and “Due date”, above the rows of "
            "the action plan"
        )
    if not data:
        raise SpreadsheetProblem(
            f"{where} has column headings in row {header_row} but no rows of actions below them"
        )
    width = max(width, len(headers))
    return Sheet(name=name, header_row=header_row, headers=headers + [""] * (width - len(headers)),
                 rows=data)


def cell_too_long(cell: str, sheet: str) -> str:
    """The refusal of a cell over Excel's own limit; `cell` is "B2" or "" when unknown."""
    where = f"Cell {cell}" if cell else "A cell"
    if sheet:
        where += f" on the sheet “{sheet}”"
    return (f"{where} holds more than {MAX_CELL_CHARACTERS:,} characters, Excel's own limit "
            "for a cell, so the file was not read. Shorten the text in that cell (or keep it in "
            "a document of its own), save the spreadsheet and upload it again")


def read_spreadsheet_as_data(data: bytes, filename: str, *, max_bytes: int) -> dict[str, Any]:
    """`read_spreadsheet` as plain data (JSON), for the child process that reads an upload
    (tracker.untrusted); `spreadsheet_from_data` makes it a Spreadsheet again."""
    return asdict(read_spreadsheet(data, filename, max_bytes=max_bytes))


def spreadsheet_from_data(data: dict[str, Any]) -> Spreadsheet:
    """The Spreadsheet that `read_spreadsheet_as_data` answered."""
    return Spreadsheet(
        sheets=[Sheet(name=sheet["name"], header_row=sheet["header_row"],
                      headers=sheet["headers"],
                      rows=[(number, cells) for number, cells in sheet["rows"]])
                for sheet in data["sheets"]],
        notes=data["notes"])


def read_spreadsheet(data: bytes, filename: str, *, max_bytes: int) -> Spreadsheet:
    """Read an uploaded file: a workbook's visible sheets, or a CSV file's one table.

    Raises `SpreadsheetProblem` when the file is empty, too large, not a spreadsheet,
    protected with a password, or has no sheet the tracker can import."""
    check_before_reading(data, max_bytes=max_bytes)
    if data.startswith(ZIP_MAGIC):
        return _read_zip(data, max_bytes)
    return Spreadsheet(sheets=[_read_csv(data)])


def check_before_reading(data: bytes, *, max_bytes: int) -> None:
    """The checks of `read_spreadsheet` that need no reading, told from the file's size and
    first bytes: the web request makes them before it keeps the file to be read. Raises
    `SpreadsheetProblem` for an empty file, one over `max_bytes`, an older Excel file (or one
    protected with a password) and a PDF."""
    if not data:
        raise SpreadsheetProblem(EMPTY_FILE)
    if len(data) > max_bytes:
        raise SpreadsheetProblem(
            f"The file is larger than {_size_words(max_bytes)}: delete what the action plan "
            "does not need, such as pictures or other sheets, and upload it again"
        )
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_STREAM in data:
            raise SpreadsheetProblem(ENCRYPTED_FILE)
        if any(name in data for name in OLD_EXCEL_STREAMS):
            raise SpreadsheetProblem(OLD_EXCEL)
        raise SpreadsheetProblem(NOT_A_SPREADSHEET)
    if data.startswith(b"%PDF"):
        raise SpreadsheetProblem(PDF_DOCUMENT)


def _size_words(max_bytes: int) -> str:
    if max_bytes >= 1024 * 1024:
        return f"{max_bytes / (1024 * 1024):g} MB"
    return f"{max_bytes / 1024:g} KB"


# --- Excel ---------------------------------------------------------------------------------


def _read_zip(data: bytes, max_bytes: int) -> Spreadsheet:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
        mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError) as error:
        raise SpreadsheetProblem(DAMAGED) from error
    if b"opendocument" in mimetype:
        raise SpreadsheetProblem(OPENDOCUMENT)
    if "xl/workbook.bin" in names:
        raise SpreadsheetProblem(BINARY_WORKBOOK)
    if "word/document.xml" in names:
        raise SpreadsheetProblem(WORD_DOCUMENT)
    if "xl/workbook.xml" not in names:
        raise SpreadsheetProblem(NOT_A_SPREADSHEET)
    if unpacked > UNPACKED_FACTOR * max_bytes:
        # A few megabytes can unpack into gigabytes: refused before anything is unpacked.
        limit = _size_words(UNPACKED_FACTOR * max_bytes)
        raise SpreadsheetProblem(
            f"The workbook is too large once unpacked (over {limit}): copy the action plan "
            "into a new workbook, save it and upload that"
        )
    _check_cell_lengths(archive, names)
    return _read_workbook(data)


_SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CHUNK = 64 * 1024


class _LongCell(Exception):
    """A cell's text (or a shared string, by its index) over MAX_CELL_CHARACTERS."""

    def __init__(self, cell: str = "", index: int = -1) -> None:
        super().__init__(cell or index)
        self.cell = cell
        self.index = index


def _check_cell_lengths(archive: zipfile.ZipFile, names: set[str]) -> None:
    """Read the shared strings and each sheet as they unpack, counting each cell's
    characters, and stop at the first over Excel's limit, before openpyxl holds the whole
    text in memory. The refusal names the cell when it can be found."""
    sheets = _sheet_names(archive)
    try:
        if "xl/sharedStrings.xml" in names:
            _scan(archive, "xl/sharedStrings.xml", shared=True)
        for part, name in sheets:
            if part in names:
                try:
                    _scan(archive, part, shared=False)
                except _LongCell as long_cell:
                    raise SpreadsheetProblem(cell_too_long(long_cell.cell, name)) from None
    except _LongCell as long_cell:
        for part, name in sheets:  # the cells that show the long shared string
            if part in names:
                try:
                    _scan(archive, part, shared=False, looking_for=long_cell.index)
                except _LongCell as found:
                    raise SpreadsheetProblem(cell_too_long(found.cell, name)) from None
        raise SpreadsheetProblem(cell_too_long("", "")) from None
    except SpreadsheetProblem:
        raise
    except (expat.ExpatError, zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        raise SpreadsheetProblem(DAMAGED) from error


def _scan(archive: zipfile.ZipFile, part: str, *, shared: bool, looking_for: int = -1) -> None:
    """Raise _LongCell at the first text over the limit (or, `looking_for` a shared string's
    index, at the first cell showing it)."""
    length = -1  # of the text element being read, or -1 outside one
    strings = -1  # the index of the shared string being read
    cell = ""  # the reference of the cell being read ("B2")
    shows_shared = False  # whether that cell shows a shared string
    index_text: list[str] = []

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal length, strings, cell, shows_shared
        name = tag.rsplit(" ", 1)[-1]
        if name == "si":
            strings += 1
        elif name == "c":
            cell, shows_shared = attributes.get("r", ""), attributes.get("t") == "s"
        elif name in ("t", "v"):
            length = 0
            index_text.clear()

    def end(tag: str) -> None:
        nonlocal length
        if (looking_for >= 0 and shows_shared and tag.endswith(" v")
                and "".join(index_text).strip() == str(looking_for)):
            raise _LongCell(cell=cell)
        length = -1

    def text(data: str) -> None:
        nonlocal length
        if length < 0:
            return
        length += len(data)
        if looking_for >= 0:
            if shows_shared and length < 20:
                index_text.append(data)
        elif length > MAX_CELL_CHARACTERS:
            raise _LongCell(cell="" if shared else cell, index=strings)

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = _refuse_doctype
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)


def _refuse_doctype(*_args: Any) -> None:
    raise SpreadsheetProblem(DAMAGED)  # Excel never writes a DTD


def _sheet_names(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(part, name) of each sheet, in the workbook's order."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        workbook = etree.fromstring(archive.read("xl/workbook.xml"), parser)
        relationships = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"), parser)
    except (etree.XMLSyntaxError, KeyError, zipfile.BadZipFile, OSError, ValueError) as error:
        raise SpreadsheetProblem(DAMAGED) from error
    targets = {r.get("Id"): r.get("Target", "") for r in relationships}
    found = []
    for sheet in workbook.iter(f"{{{_SHEET_NS}}}sheet"):
        target = targets.get(sheet.get(f"{{{_RELATIONSHIP_NS}}}id"), "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join("xl", target))
        found.append((part, sheet.get("name", "")))
    return found


def _read_workbook(data: bytes) -> Spreadsheet:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise SpreadsheetProblem(DAMAGED) from error
    try:
        visible = [sheet for sheet in workbook.worksheets if sheet.sheet_state == "visible"]
        sheets: list[Sheet] = []
        notes: list[str] = []
        problems: list[str] = []
        for number, worksheet in enumerate(visible):
            if number == MAX_SHEETS:
                notes.append(
                    f"Only the first {MAX_SHEETS} sheets were read; the workbook has "
                    f"{len(visible)}. Copy the action plan into a workbook of its own if it is "
                    "not among them"
                )
                break
            try:
                sheets.append(_read_worksheet(worksheet))
            except EmptySheet:
                continue
            except SpreadsheetProblem as problem:
                problems.append(problem.message)
    except SpreadsheetProblem:
        raise
    except Exception as error:
        raise SpreadsheetProblem(DAMAGED) from error
    finally:
        workbook.close()
    if not sheets:
        raise SpreadsheetProblem(problems[0] if problems else "The workbook has no rows of data")
    notes = [f"{problem}." for problem in problems] + notes
    return Spreadsheet(sheets=sheets, notes=notes)


def _read_worksheet(worksheet: Any) -> Sheet:
    # A stale size in the file ("A1:XFD1048576") would make every row that wide: read only
    # the cells the file holds.
    worksheet.reset_dimensions()
    return sheet_from_rows(worksheet.title, _numbered(worksheet.iter_rows(values_only=True)))


def _numbered(rows: Iterable[Iterable[Any]]) -> Iterator[tuple[int, Iterable[Any]]]:
    return enumerate(rows, start=1)


# --- CSV -----------------------------------------------------------------------------------


def decode_csv(data: bytes) -> str:
    """The file's text: UTF-8 with or without a byte order mark, UTF-16 with one (Excel's
    "Unicode text"), otherwise Windows-1252, as older versions of Excel save CSV."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise SpreadsheetProblem(UNREADABLE_CSV) from error
    if b"\x00" in data:
        # Text files hold no NUL bytes: this is a binary file of some other kind.
        raise SpreadsheetProblem(NOT_A_SPREADSHEET)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # The five bytes Windows-1252 leaves undefined are shown as a replacement character.
        return data.decode("cp1252", errors="replace")


def _read_csv(data: bytes) -> Sheet:
    text = decode_csv(data)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:20_000], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        reader = csv.reader(io.StringIO(text, newline=""), dialect)
        return sheet_from_rows("", _numbered(reader))
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            # The csv module's own limit (131,072 characters) is far past Excel's.
            raise SpreadsheetProblem(cell_too_long("", "")) from error
        raise SpreadsheetProblem(UNREADABLE_CSV) from error
