"""The import's pages: uploading, matching the columns, the preview as shown, cancelling, and
who may use them."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from html import unescape

import pytest
from sqlalchemy import func, select

from tests.conftest import configure, sign_in_as
from tests.factories import AdminFactory, InspectionFactory, UserFactory
from tests.plan_import.factories import HEADINGS, TITLE, csv_bytes, waiting_import, xlsx
from tests.queued_uploads import after_reading
from tracker.extensions import db
from tracker.items.models import Item
from tracker.plan_import import reading
from tracker.plan_import.models import PlanImport

FINDING = "Case records do not consistently show the child's views"
ROW = [FINDING, "Themed case file audit", "Sam Owner", "31/03/2027", "On track", "Robin Lead",
       "High", "Voice of the child"]


def post_file(client, northshire, data, name="plan.xlsx"):
    """Upload a spreadsheet and wait for the scheduler to read it (tests/queued_uploads.py)."""
    return after_reading(client, client.post(
        f"/inspections/{northshire.inspection.id}/import-plan",
        data={"spreadsheet": (io.BytesIO(data), name)}, content_type="multipart/form-data"))


def text_of(response) -> str:
    """The page's words, as a person reads them."""
    html = response.get_data(as_text=True)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def plans() -> int:
    return db.session.scalar(select(func.count()).select_from(PlanImport))


def selected(html: str, name: str) -> str:
    """The option a select shows chosen."""
    select_html = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group()
    chosen = re.search(r'<option value="([^"]*)" selected', select_html)
    return chosen.group(1) if chosen else ""


def test_an_administrator_finds_the_import_on_the_inspection_page(client, northshire):
    path = f"/inspections/{northshire.inspection.id}"
    sign_in_as(client, northshire.admin)
    assert "Import an action plan spreadsheet" in text_of(client.get(path))
    sign_in_as(client, northshire.lead)
    assert "Import an action plan spreadsheet" not in text_of(client.get(path))


def test_uploading_a_plan_keeps_it_and_opens_the_mapping_with_the_columns_guessed(
    admin_client, northshire
):
    response = post_file(admin_client, northshire, xlsx([[TITLE], [], HEADINGS, ROW]))
    plan = db.session.scalars(select(PlanImport)).one()
    assert response.headers["Location"].endswith(f"/plan-imports/{plan.id}")
    assert (plan.filename, plan.sheet_name, plan.inspection_id, plan.uploaded_by_id) == (
        "plan.xlsx", "Action plan", northshire.inspection.id, northshire.admin.id)
    assert plan.headers == HEADINGS
    assert plan.rows == [["4", *ROW]]
    page = admin_client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert [selected(html, key) for key in ("finding", "action", "owner", "due_date", "status",
                                            "lead_officer", "finding_type", "completed_on")] == [
        "0", "1", "2", "3", "4", "5", "", ""]
    assert "1 new item and 1 action." in text_of(page)
    assert "Import 1 new item and 1 action" in text_of(page)


def test_updating_the_preview_saves_the_columns_chosen(admin_client, northshire):
    plan = waiting_import(northshire.council.id, northshire.inspection.id)
    response = admin_client.post(f"/plan-imports/{plan.id}", data={
        "finding": "1", "action": "0", "due_date": "2", "owner": "", "status": ""})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/plan-imports/{plan.id}#preview")
    db.session.refresh(plan)
    assert plan.mapping == {"finding": 1, "action": 0, "due_date": 2}
    assert plan.version == 2
    assert "New item: Themed audit" in text_of(admin_client.get(f"/plan-imports/{plan.id}"))


def test_a_required_column_left_out_is_a_message_and_nothing_is_saved(admin_client, northshire):
    plan = waiting_import(northshire.council.id, northshire.inspection.id)
    response = admin_client.post(f"/plan-imports/{plan.id}",
                                 data={"finding": "0", "action": "", "due_date": "9"})
    assert response.status_code == 400
    page = text_of(response)
    assert "Choose the column that holds the action" in page
    assert "Choose the due date from the list" in page
    db.session.refresh(plan)
    assert plan.mapping == {"finding": 0, "action": 1, "due_date": 2}


def test_a_file_with_several_sheets_offers_the_others_and_cancelling_drops_them_all(
    admin_client, northshire
):
    data = xlsx([[TITLE], [], HEADINGS, ROW], title="2026 plan",
                more_sheets={"Notes": [["Just a note"]], "2025 plan": [HEADINGS, ROW]})
    response = post_file(admin_client, northshire, data)
    first, second = db.session.scalars(select(PlanImport).order_by(PlanImport.id)).all()
    assert (first.sheet_name, second.sheet_name) == ("2026 plan", "2025 plan")
    page = admin_client.get(response.headers["Location"])
    assert "The sheet “Notes” has no row of column headings" in text_of(page)
    assert f'href="/plan-imports/{second.id}"' in page.get_data(as_text=True)
    response = admin_client.post(f"/plan-imports/{second.id}/cancel")
    assert response.headers["Location"].endswith(f"/inspections/{northshire.inspection.id}")
    assert plans() == 0


def test_confirming_one_sheet_drops_the_other_sheets_of_the_file(admin_client, northshire):
    data = xlsx([HEADINGS, ROW], more_sheets={"Older": [HEADINGS, ROW]})
    post_file(admin_client, northshire, data)
    first = db.session.scalars(select(PlanImport).order_by(PlanImport.id)).first()
    response = admin_client.post(f"/plan-imports/{first.id}/confirm",
                                 data={"version": str(first.version)})
    assert response.status_code == 302
    assert plans() == 0
    assert db.session.scalar(select(func.count()).select_from(Item)) == 1


def test_another_upload_of_the_same_file_is_not_taken_for_a_sheet_of_it(admin_client, northshire):
    earlier = waiting_import(northshire.council.id, northshire.inspection.id,
                             uploaded_by_id=northshire.admin.id,
                             created_at=datetime(2026, 11, 1, 9, 0, tzinfo=UTC))
    later = waiting_import(northshire.council.id, northshire.inspection.id,
                           uploaded_by_id=northshire.admin.id)
    admin_client.post(f"/plan-imports/{later.id}/cancel")
    assert db.session.get(PlanImport, earlier.id) is not None


def test_cancelling_keeps_nothing_and_a_second_cancel_says_it_is_gone(admin_client, northshire):
    plan_id = waiting_import(northshire.council.id, northshire.inspection.id).id
    response = admin_client.post(f"/plan-imports/{plan_id}/cancel")
    assert response.status_code == 302
    assert "Import cancelled: nothing was saved" in text_of(
        admin_client.get(response.headers["Location"]))
    assert plans() == 0
    again = admin_client.post(f"/plan-imports/{plan_id}/cancel")
    assert again.status_code == 404
    assert "already been confirmed or cancelled" in text_of(again)


def test_imports_waiting_for_the_inspection_are_listed_on_its_upload_page(admin_client, northshire):
    plan = waiting_import(northshire.council.id, northshire.inspection.id,
                          uploaded_by_id=northshire.admin.id, filename="march-plan.xlsx")
    page = admin_client.get(f"/inspections/{northshire.inspection.id}/import-plan")
    assert "march-plan.xlsx (sheet “Action plan”)" in text_of(page)
    assert f'href="/plan-imports/{plan.id}"' in page.get_data(as_text=True)


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"", "plan.xlsx", reading.EMPTY_FILE),
    (b"%PDF-1.4 letter", "letter.pdf", reading.PDF_DOCUMENT),
    (reading.OLE_MAGIC + bytes(64) + "EncryptedPackage".encode("utf-16-le") + bytes(64),
     "locked.xlsx", reading.ENCRYPTED_FILE),
    (b"PK\x03\x04 broken", "plan.xlsx", reading.DAMAGED),
    (bytes(range(256)) * 4, "plan.csv", reading.NOT_A_SPREADSHEET),
    (csv_bytes([["Just one column"], ["x"]]), "plan.csv", "The file has no row of column headings"),
])
def test_a_file_the_tracker_cannot_import_is_a_message_saying_what_to_fix(
    admin_client, northshire, data, name, message
):
    response = post_file(admin_client, northshire, data, name)
    assert response.status_code == 400
    assert message in text_of(response)
    assert "There is a problem" in text_of(response)
    assert plans() == 0


def test_a_file_over_the_size_limit_is_refused(admin_client, northshire, app):
    configure(app, IMPORT_MAX_BYTES=2048)
    response = post_file(admin_client, northshire, xlsx([HEADINGS, ROW] * 3))
    assert response.status_code == 400
    assert "The file is larger than 2 KB" in text_of(response)


def test_no_file_chosen_is_a_message(admin_client, northshire):
    response = admin_client.post(f"/inspections/{northshire.inspection.id}/import-plan", data={})
    assert response.status_code == 400
    assert "Choose the action plan spreadsheet" in text_of(response)


def test_html_and_script_in_cells_are_shown_as_text(admin_client, northshire):
    script = "<script>alert('x')</script>"
    rows = [HEADINGS, [f"<b>{FINDING}</b>", script, "Sam Owner", "31/03/2027"],
            [FINDING, "<img src=x onerror=alert(1)>", "<i>Nobody</i>", "soon"]]
    plan_id = int(post_file(admin_client, northshire, xlsx(rows)).headers["Location"]
                  .rsplit("/", 1)[1])
    page = admin_client.get(f"/plan-imports/{plan_id}")
    html = page.get_data(as_text=True)
    assert script not in html and "<img src=x" not in html and "<i>Nobody</i>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "“<i>Nobody</i>” is not the name" in text_of(page)
    version = db.session.get(PlanImport, plan_id).version
    done = admin_client.post(f"/plan-imports/{plan_id}/confirm", data={"version": str(version)})
    assert "<img src=x" not in done.get_data(as_text=True)
    assert "<img src=x onerror=alert(1)>" in text_of(done)


def test_formula_looking_cells_are_imported_as_the_words_typed(admin_client, northshire):
    rows = [HEADINGS, [FINDING, "=HYPERLINK(\"http://evil.example\",\"Audit\")", "Sam Owner",
                       "31/03/2027"]]
    plan_id = int(post_file(admin_client, northshire, csv_bytes(rows), "plan.csv")
                  .headers["Location"].rsplit("/", 1)[1])
    version = db.session.get(PlanImport, plan_id).version
    admin_client.post(f"/plan-imports/{plan_id}/confirm", data={"version": str(version)})
    item = db.session.scalars(select(Item)).one()
    assert item.actions[0].description == "=HYPERLINK(\"http://evil.example\",\"Audit\")"


# --- Who may use it ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["lead", "councillor"])
def test_managers_and_committee_members_are_refused(client, northshire, councillor, who):
    person = councillor if who == "councillor" else northshire.lead
    plan = waiting_import(northshire.council.id, northshire.inspection.id)
    sign_in_as(client, person)
    assert client.get(f"/inspections/{northshire.inspection.id}/import-plan").status_code == 403
    assert post_file(client, northshire, xlsx([HEADINGS, ROW])).status_code == 403
    assert client.get(f"/plan-imports/{plan.id}").status_code == 403
    assert client.post(f"/plan-imports/{plan.id}/confirm",
                       data={"version": "1"}).status_code == 403
    assert client.post(f"/plan-imports/{plan.id}/cancel").status_code == 403
    assert plans() == 1


def test_another_councils_import_and_inspection_are_not_found(client, northshire):
    plan = waiting_import(northshire.council.id, northshire.inspection.id)
    stranger = AdminFactory()
    elsewhere = InspectionFactory(council=stranger.council)
    sign_in_as(client, stranger)
    assert client.get(f"/plan-imports/{plan.id}").status_code == 404
    assert client.post(f"/plan-imports/{plan.id}", data={"finding": "0"}).status_code == 404
    assert client.post(f"/plan-imports/{plan.id}/confirm",
                       data={"version": "1"}).status_code == 404
    assert client.post(f"/plan-imports/{plan.id}/cancel").status_code == 404
    assert client.get(f"/inspections/{northshire.inspection.id}/import-plan").status_code == 404
    assert client.get(f"/inspections/{elsewhere.id}/import-plan").status_code == 200
    assert plans() == 1
    assert db.session.scalar(select(func.count()).select_from(Item)) == 0


def test_an_owner_is_only_found_among_the_councils_own_people(admin_client, northshire):
    UserFactory(name="Sam Elsewhere", email="sam@elsewhere.example")  # another council's
    rows = [HEADINGS, [FINDING, "Audit", "sam@elsewhere.example", "31/03/2027"]]
    plan_id = int(post_file(admin_client, northshire, xlsx(rows)).headers["Location"]
                  .rsplit("/", 1)[1])
    assert "has the email address “sam@elsewhere.example”" in text_of(
        admin_client.get(f"/plan-imports/{plan_id}"))
