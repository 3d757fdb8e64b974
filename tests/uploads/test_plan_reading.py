"""An uploaded action plan is read by the scheduler while its person waits on a progress
page, then goes on to the column mapping, or back to the upload form with what to fix."""

from __future__ import annotations

import io
from html import unescape

from sqlalchemy import func, select

from tests import hostile_files
from tests.conftest import sign_in_as
from tests.factories import AdminFactory, InspectionFactory
from tests.plan_import.factories import HEADINGS, csv_bytes
from tests.queued_uploads import after_reading, read_uploads, upload_id_of
from tracker.extensions import db
from tracker.plan_import.models import PlanImport

ROW = ["Case records do not show the child's views", "Themed case file audit", "", "31/03/2027",
       "On track"]


def upload_plan(client, inspection, data: bytes, name: str = "plan.csv"):
    return client.post(f"/inspections/{inspection.id}/import-plan",
                       data={"spreadsheet": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def words(response) -> str:
    return " ".join(unescape(response.get_data(as_text=True)).split())


def test_the_page_says_the_spreadsheet_is_being_read_then_goes_on_to_the_mapping(client):
    admin = AdminFactory()
    inspection = InspectionFactory(council=admin.council)
    sign_in_as(client, admin)
    upload_id = upload_id_of(upload_plan(client, inspection, csv_bytes([HEADINGS, ROW])))

    waiting = words(client.get(f"/uploads/{upload_id}"))
    assert "Reading your spreadsheet" in waiting and "plan.csv" in waiting
    assert f'href="/inspections/{inspection.id}/import-plan"' in waiting

    assert read_uploads().done == 1
    ready = client.get(f"/uploads/{upload_id}")
    plan = db.session.scalars(select(PlanImport)).one()
    assert ready.headers["Location"].endswith(f"/plan-imports/{plan.id}")
    assert plan.inspection_id == inspection.id and plan.uploaded_by_id == admin.id


def test_a_refused_spreadsheet_shows_the_form_again_with_the_message_against_the_file(client):
    admin = AdminFactory()
    inspection = InspectionFactory(council=admin.council)
    sign_in_as(client, admin)

    page = after_reading(client, upload_plan(client, inspection, csv_bytes([["", ""], ["", ""]])))

    assert page.status_code == 400
    assert page.request.path == f"/inspections/{inspection.id}/import-plan"
    html = " ".join(unescape(page.get_data(as_text=True)).split())
    # Read by the reader in its child process (the request saw bytes, not that they are empty).
    message = "The file is empty: check you chose the action plan spreadsheet"
    assert f'<a href="#spreadsheet">{message}</a>' in html
    assert html.count(message) == 2  # in the summary and against the field
    assert db.session.scalar(select(func.count()).select_from(PlanImport)) == 0


def test_a_workbook_over_the_readers_limits_is_refused_with_the_limit_it_passed(client):
    admin = AdminFactory()
    inspection = InspectionFactory(council=admin.council)
    sign_in_as(client, admin)

    page = after_reading(client, upload_plan(
        client, inspection, hostile_files.xlsx_with_a_cell_of(40_000_000), "plan.xlsx"))

    assert page.status_code == 400
    assert "holds more than 32,767 characters" in words(page)


def test_a_refusal_is_shown_only_on_the_form_of_the_inspection_it_was_for(client):
    admin = AdminFactory()
    inspection = InspectionFactory(council=admin.council)
    other = InspectionFactory(council=admin.council)
    sign_in_as(client, admin)
    upload_id = upload_id_of(upload_plan(client, inspection, csv_bytes([["", ""]])))
    read_uploads()

    page = client.get(f"/inspections/{other.id}/import-plan?upload={upload_id}")

    assert page.status_code == 200
    assert "There is a problem" not in words(page)


def test_a_file_that_is_plainly_not_a_spreadsheet_is_refused_at_once(client):
    admin = AdminFactory()
    inspection = InspectionFactory(council=admin.council)
    sign_in_as(client, admin)

    page = upload_plan(client, inspection, b"%PDF-1.7 a letter", "plan.pdf")

    assert page.status_code == 400
    assert "There is a problem" in words(page)
