"""Downloading the action plan as Excel and CSV: every item and action with owners, dates
and status (with its reason), in files the council's own tools open; typed text never
becomes a formula."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from tests.conftest import sign_in_as
from tests.factories import (
    ActionFactory,
    AdminFactory,
    CommitteeMemberFactory,
    ItemFactory,
    UserFactory,
)
from tests.statements import recorded_statements
from tracker.items.export import COLUMNS
from tracker.items.models import ActionStatus


@pytest.fixture
def plan(council):
    lead = UserFactory(council=council, name="Priya Lead")
    owner = UserFactory(council=council, name="Sam Owner")
    item = ItemFactory(finding__inspection__council=council, lead_officer=lead,
                       title="Return home interviews offered within 72 hours")
    overdue = ActionFactory(item=item, owner=owner, description="Audit 20 case files",
                            due_date=date(2026, 11, 12))
    done = ActionFactory(item=item, owner=owner, description="=HYPERLINK(\"http://x\",\"y\")",
                         due_date=date(2026, 10, 1), status=ActionStatus.COMPLETE,
                         completed_on=date(2026, 9, 30))
    bare = ItemFactory(finding__inspection=item.finding.inspection, lead_officer=None,
                       title="+Health assessments on time")
    return item, overdue, done, bare


def rows_of(sheet) -> list[dict]:
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def test_the_excel_plan_has_a_frozen_filtered_header_and_a_row_per_action(client, council, plan):
    item, overdue, done, bare = plan
    sign_in_as(client, AdminFactory(council=council))
    response = client.get("/items/action-plan.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="action-plan-2026-11-22.xlsx"')
    sheet = load_workbook(io.BytesIO(response.data))["Action plan"]
    assert [cell.value for cell in sheet[1]] == [heading for heading, _ in COLUMNS]
    assert sheet[1][0].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:U4"
    assert sheet.column_dimensions["M"].width == 60
    rows = rows_of(sheet)
    assert len(rows) == 3  # two actions, and the item with none
    audit = next(row for row in rows if row["Action"] == "Audit 20 case files")
    assert audit["Tracked item"] == "Return home interviews offered within 72 hours"
    assert audit["Lead officer"] == "Priya Lead" and audit["Action owner"] == "Sam Owner"
    assert audit["Due date"].date() == date(2026, 11, 12)
    assert audit["Action status"] == "Not started"
    assert audit["Days overdue"] == 10
    assert audit["Item status"] == "Amber"
    assert audit["Reason for item status"] == "An action is 10 days overdue."
    unplanned = next(row for row in rows if row["Tracked item"].startswith("+"))
    assert unplanned["Action"] is None
    assert unplanned["Item status"] == "Not planned"
    assert unplanned["Reason for item status"].startswith(
        "No lead officer yet and no actions planned, 113 days after the finding was imported")


def test_typed_text_that_looks_like_a_formula_stays_text(client, council, plan):
    sign_in_as(client, AdminFactory(council=council))
    sheet = load_workbook(io.BytesIO(client.get("/items/action-plan.xlsx").data))["Action plan"]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row
             if isinstance(cell.value, str) and cell.value.startswith(("=", "+"))]
    assert {cell.value for cell in cells} >= {'=HYPERLINK("http://x","y")',
                                              "+Health assessments on time"}
    assert all(cell.data_type == "s" for cell in cells)
    text = client.get("/items/action-plan.csv").data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["Action"] for row in rows} >= {"'=HYPERLINK(\"http://x\",\"y\")"}
    assert {row["Tracked item"] for row in rows} >= {"'+Health assessments on time"}


def test_the_csv_plan_has_the_same_rows_with_dates_as_iso_dates(client, council, plan):
    member = CommitteeMemberFactory(council=council)
    sign_in_as(client, member)
    response = client.get("/items/action-plan.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert list(rows[0]) == [heading for heading, _ in COLUMNS]
    audit = next(row for row in rows if row["Action"] == "Audit 20 case files")
    assert audit["Due date"] == "2026-11-12" and audit["Days overdue"] == "10"
    finished = next(row for row in rows if row["Action status"] == "Complete")
    assert finished["Completed on"] == "2026-09-30" and finished["Days overdue"] == ""


def test_another_councils_plan_is_not_in_the_download(client, council, plan):
    ActionFactory(description="Somewhere else entirely")
    sign_in_as(client, AdminFactory(council=council))
    assert b"Somewhere else entirely" not in client.get("/items/action-plan.csv").data


def test_a_stranger_is_asked_to_sign_in_and_an_unknown_format_is_not_found(client, council):
    assert client.get("/items/action-plan.csv").status_code == 302
    sign_in_as(client, AdminFactory(council=council))
    assert client.get("/items/action-plan.pdf").status_code == 404


def test_the_download_asks_the_database_as_often_for_many_items_as_for_one(client, council):
    admin = AdminFactory(council=council)
    ActionFactory(item__finding__inspection__council=council)
    sign_in_as(client, admin)

    def statements() -> int:
        with recorded_statements() as seen:
            assert client.get("/items/action-plan.xlsx").status_code == 200
        return len(seen)

    few = statements()
    for _ in range(5):
        ActionFactory(item__finding__inspection__council=council)
    assert statements() == few
