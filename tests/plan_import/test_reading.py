"""Reading an uploaded action plan into rows of text: what is kept, and the files refused."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time

import pytest

from tests.hostile_files import with_long_text
from tests.plan_import.factories import HEADINGS, TITLE, csv_bytes, xlsx
from tracker.plan_import import reading
from tracker.plan_import.reading import SpreadsheetProblem, read_spreadsheet

MAX = 10 * 1024 * 1024
PLAN_ROW = ["Case records do not show the child's views", "Themed case file audit",
            "Sam Owner", "31/03/2027", "On track", "Robin Lead", "High", "Voice of the child"]


def read(data: bytes, name: str = "plan.xlsx") -> reading.Spreadsheet:
    return read_spreadsheet(data, name, max_bytes=MAX)


def refusal(data: bytes, name: str = "plan.xlsx", max_bytes: int = MAX) -> str:
    with pytest.raises(SpreadsheetProblem) as raised:
        read_spreadsheet(data, name, max_bytes=max_bytes)
    return raised.value.message


def test_the_header_row_is_the_first_with_two_cells_filled_and_title_rows_are_dropped():
    sheet = read(xlsx([[TITLE], [None, "Updated monthly"], [], HEADINGS, PLAN_ROW])).sheets[0]
    assert sheet.header_row == 4
    assert sheet.headers == HEADINGS
    assert sheet.rows == [(5, PLAN_ROW)]


def test_empty_rows_are_dropped_and_each_row_keeps_its_number_in_the_sheet():
    sheet = read(xlsx([HEADINGS, PLAN_ROW, [], [None, None, "  "], PLAN_ROW])).sheets[0]
    assert [number for number, _ in sheet.rows] == [2, 5]


def test_cells_are_kept_as_the_text_excel_showed_with_dates_as_iso_dates():
    row = [date(2013, 3, 31), datetime(2013, 4, 1, 14, 30), 3.0, 0.1 + 0.2, 42, True,
           time(9, 30), "  Line one\r\nline two  "]
    sheet = read(xlsx([["A", "B", "C", "D", "E", "F", "G", "H"], row])).sheets[0]
    assert sheet.rows[0][1] == ["2013-03-31", "2013-04-01 14:30", "3", "0.3", "42", "TRUE",
                                "09:30", "Line one\nline two"]


def test_text_that_looks_like_a_formula_is_kept_as_text_and_never_calculated():
    formulas = ["=SUM(A1:A3)", "=HYPERLINK(\"http://example.com\",\"Click\")", "+44 1234", "@risk"]
    from_excel = read(xlsx([HEADINGS[:4], formulas])).sheets[0]
    from_csv = read(csv_bytes([HEADINGS[:4], formulas]), "plan.csv").sheets[0]
    assert from_excel.rows[0][1] == formulas
    assert from_csv.rows[0][1] == formulas


def _rezip(data: bytes, member: str, change) -> bytes:
    """The workbook with one of its files changed, as another program might have saved it."""
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info, change(content) if info.filename == member else content)
    return output.getvalue()


def test_a_formula_is_read_as_the_value_excel_last_calculated_never_as_its_words():
    data = xlsx([["Action", "Owner"], ["Audit", None]])
    data = _rezip(data, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(
        b"</row></sheetData>",
        b'<c r="B2" t="str"><f>UPPER("sam owner")</f><v>SAM OWNER</v></c></row></sheetData>'))
    assert read(data).sheets[0].rows == [(2, ["Audit", "SAM OWNER"])]


def test_a_stale_sheet_size_does_not_make_rows_thousands_of_cells_wide():
    data = xlsx([HEADINGS, PLAN_ROW])
    data = _rezip(data, "xl/worksheets/sheet1.xml",
                  lambda xml: xml.replace(b'<dimension ref="A1:H2"/>',
                                          b'<dimension ref="A1:XFD1048576"/>'))
    sheet = read(data).sheets[0]
    assert sheet.width == len(HEADINGS)
    assert sheet.rows == [(2, PLAN_ROW)]


def test_each_visible_sheet_is_read_and_hidden_or_empty_sheets_are_skipped():
    data = xlsx([HEADINGS, PLAN_ROW], more_sheets={"Notes": [], "Older plan": [HEADINGS, PLAN_ROW]},
                hidden={"Lookups": [["Status", "Meaning"], ["Done", "Complete"]]})
    spreadsheet = read(data)
    assert [sheet.name for sheet in spreadsheet.sheets] == ["Action plan", "Older plan"]
    assert spreadsheet.notes == []


def test_a_sheet_that_cannot_be_read_is_named_in_a_note_when_another_can():
    data = xlsx([["Instructions: fill in the plan on the next sheet"]],
                title="Read me", more_sheets={"Plan": [HEADINGS, PLAN_ROW]})
    spreadsheet = read(data)
    assert [sheet.name for sheet in spreadsheet.sheets] == ["Plan"]
    assert spreadsheet.notes == ["The sheet “Read me” has no row of column headings: the tracker "
                                 "looks for the first row with at least two cells filled in, "
                                 "such as “Action” and “Due date”, above the rows of the action "
                                 "plan."]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_a_csv_file_is_read_as_utf_8_with_or_without_a_byte_order_mark_or_as_windows_1252(
    encoding,
):
    row = ["Children’s views – café audit", "Themed audit £250", "Zoë Owner", "31/03/2027"]
    sheet = read(csv_bytes([HEADINGS[:4], row], encoding=encoding), "plan.csv").sheets[0]
    assert sheet.name == ""
    assert sheet.headers == HEADINGS[:4]
    assert sheet.rows == [(2, row)]


def test_a_csv_file_saved_with_semicolons_or_tabs_is_read_too():
    for delimiter in (";", "\t"):
        rows = [HEADINGS[:4], ["Views, wishes and feelings", "Audit", "Sam Owner", "31/03/2027"]]
        sheet = read(csv_bytes(rows, delimiter=delimiter), "plan.csv").sheets[0]
        assert sheet.rows == [(2, rows[1])], delimiter


def test_a_cell_over_several_lines_in_a_csv_file_stays_one_cell_of_its_row():
    rows = [HEADINGS[:2], ["Line one\nline two", "Audit"], ["Next", "Training"]]
    sheet = read(csv_bytes(rows), "plan.csv").sheets[0]
    assert sheet.rows == [(2, ["Line one\nline two", "Audit"]), (3, ["Next", "Training"])]


def test_invisible_control_characters_are_removed_from_cells():
    sheet = read(csv_bytes([HEADINGS[:2], ["Audit\x07 of\x0b files", "Sam"]]), "p.csv").sheets[0]
    assert sheet.rows[0][1] == ["Audit of files", "Sam"]


# --- Files refused, each with what to do ----------------------------------------------------


def test_more_than_two_thousand_rows_is_refused_and_two_thousand_is_not():
    rows = [HEADINGS[:2]] + [[f"Area {n}", "Audit"] for n in range(reading.MAX_DATA_ROWS)]
    assert len(read(csv_bytes(rows), "p.csv").sheets[0].rows) == 2000
    message = refusal(csv_bytes([*rows, ["One more", "Audit"]]), "p.csv")
    assert "more than 2,000 rows of actions" in message
    assert "Split it into smaller spreadsheets" in message


def test_more_than_fifty_columns_is_refused_with_the_last_column_named():
    wide = [f"Column {n}" for n in range(51)]
    message = refusal(xlsx([wide, ["x"] * 51]))
    assert message.startswith("The sheet “Action plan” uses 51 columns (up to column AY)")
    assert "Delete the columns it does not need" in message
    assert read(xlsx([wide[:50], ["x"] * 50])).sheets[0].width == 50


def test_a_file_over_the_size_limit_is_refused():
    data = csv_bytes([HEADINGS[:2], ["a" * 1024, "b"]])
    assert refusal(data, "p.csv", max_bytes=1024).startswith("The file is larger than 1 KB: ")
    assert read(data[:1024], "p.csv").sheets[0].width == 2


def test_an_empty_file_is_refused():
    assert refusal(b"") == reading.EMPTY_FILE
    assert refusal(b"\r\n,,,\r\n", "plan.csv") == reading.EMPTY_FILE


def test_a_sheet_without_a_heading_row_or_without_rows_is_refused():
    assert "has no row of column headings" in refusal(xlsx([["Action plan"], ["Only one cell"]]))
    assert refusal(xlsx([[TITLE], HEADINGS])) == (
        "The sheet “Action plan” has column headings in row 2 but no rows of actions below them")


def test_a_password_protected_workbook_is_refused_with_how_to_remove_the_password():
    # An encrypted Office file is an OLE container with an "EncryptedPackage" stream.
    data = reading.OLE_MAGIC + bytes(500) + "EncryptionInfo".encode("utf-16-le") + bytes(20) + (
        "EncryptedPackage".encode("utf-16-le")) + bytes(500)
    message = refusal(data)
    assert message == reading.ENCRYPTED_FILE
    assert "remove the password" in message


@pytest.mark.parametrize(("data", "expected"), [
    (reading.OLE_MAGIC + bytes(100) + "Workbook".encode("utf-16-le") + bytes(100),
     reading.OLD_EXCEL),
    (b"%PDF-1.7\n1 0 obj\n", reading.PDF_DOCUMENT),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", reading.NOT_A_SPREADSHEET),
    (reading.OLE_MAGIC + bytes(300), reading.NOT_A_SPREADSHEET),
    (b"PK\x03\x04 this is not really a zip file", reading.DAMAGED),
])
def test_a_file_that_is_not_a_spreadsheet_is_refused_saying_what_to_upload(data, expected):
    assert refusal(data) == expected


def _zip(files: dict[str, bytes]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return output.getvalue()


@pytest.mark.parametrize(("files", "expected"), [
    ({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"},
     reading.OPENDOCUMENT),
    ({"xl/workbook.bin": b"\x00"}, reading.BINARY_WORKBOOK),
    ({"word/document.xml": b"<w/>"}, reading.WORD_DOCUMENT),
    ({"notes.txt": b"hello"}, reading.NOT_A_SPREADSHEET),
    ({"xl/workbook.xml": b"<not a workbook"}, reading.DAMAGED),
])
def test_other_zip_files_are_refused_saying_what_they_are(files, expected):
    assert refusal(_zip(files)) == expected


def test_a_workbook_that_unpacks_to_far_more_than_the_size_limit_is_refused_unread():
    data = _zip({"xl/workbook.xml": b"<workbook/>", "xl/sharedStrings.xml": b" " * 600_000})
    message = refusal(data, max_bytes=100_000)
    assert message.startswith("The workbook is too large once unpacked")


# --- Excel's limit for a cell: 32,767 characters --------------------------------------------


def test_a_cell_at_excels_limit_is_read():
    data = with_long_text(xlsx([HEADINGS, [PLAN_ROW[0], "LONG"]]), "LONG",
                          reading.MAX_CELL_CHARACTERS)
    sheet = read(data).sheets[0]
    assert sheet.rows == [(2, [PLAN_ROW[0], "x" * reading.MAX_CELL_CHARACTERS])]


def test_a_cell_over_excels_limit_is_refused_naming_the_cell_and_its_sheet():
    data = with_long_text(xlsx([HEADINGS, PLAN_ROW, [PLAN_ROW[0], "Audit", "LONG"]],
                               title="Plan 2027"), "LONG", reading.MAX_CELL_CHARACTERS + 1)
    assert refusal(data) == (
        "Cell C3 on the sheet “Plan 2027” holds more than 32,767 characters, Excel's own "
        "limit for a cell, so the file was not read. Shorten the text in that cell (or keep "
        "it in a document of its own), save the spreadsheet and upload it again")


def test_a_long_cell_on_a_later_sheet_is_found_there():
    workbook = xlsx([HEADINGS, PLAN_ROW], more_sheets={"Notes": [["a", "b"], ["c", "LONG"]]})
    message = refusal(with_long_text(workbook, "LONG", 40_000))
    assert message.startswith("Cell B2 on the sheet “Notes” holds more than 32,767 characters")


def test_a_csv_cell_over_excels_limit_is_refused_naming_the_cell():
    message = refusal(csv_bytes([HEADINGS, [PLAN_ROW[0], "z" * 40_000]]), "plan.csv")
    assert message.startswith("Cell B2 holds more than 32,767 characters")
    # Past the csv module's own limit the cell cannot be named, but the message is the same.
    message = refusal(csv_bytes([HEADINGS, [PLAN_ROW[0], "z" * 200_000]]), "plan.csv")
    assert message.startswith("A cell holds more than 32,767 characters")
