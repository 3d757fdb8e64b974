"""Bad input through the forms: a GOV.UK error summary that says what to fix, status 400,
nothing saved, and never an error page."""

from __future__ import annotations

from datetime import date

import pytest
from flask import url_for
from markupsafe import escape
from sqlalchemy import func, select

from tests.conftest import sign_in_as
from tests.factories import (
    ActionFactory,
    AdminFactory,
    CommitteeMemberFactory,
    InspectionFactory,
    UserFactory,
)
from tracker.audit.models import HistoryEntry
from tracker.extensions import db
from tracker.inspections.models import Finding
from tracker.items.models import Action, DueDateChange, Item
from tracker.permissions import API_TOKEN

TABLES = (Item, Finding, Action, HistoryEntry, DueDateChange)


def row_counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in TABLES
    }


def assert_refused(response, message: str) -> None:
    """Re-shown with status 400, the error summary at the top naming what to fix."""
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page[:2000]
    assert "There is a problem" in page
    assert "govuk-error-summary" in page
    assert str(escape(message)) in page, f"{message!r} not on the page"


@pytest.fixture
def action():
    # The item was created on 1 August 2026 (see the factories).
    return ActionFactory(due_date=date(2026, 12, 1))


@pytest.fixture
def council(action):
    return action.item.finding.inspection.council


@pytest.fixture
def admin(client, council):
    user = AdminFactory(council=council)
    sign_in_as(client, user)
    return user


# Adding an item ----------------------------------------------------------------------------


def good_item(inspection, lead):
    return {
        "inspection": str(inspection.id),
        "category": "area for development",
        "finding_text": "Plans for children do not always have clear timescales.",
        "title": "Timescales in children's plans",
        "lead_officer": str(lead.id),
        "theme": "Planning",
        "priority": "medium",
        "target_date": ["31", "3", "2027"],
        "measure_of_success": "Every plan audited has timescales",
    }


def test_a_good_item_is_saved(client, admin, action):
    # The baseline the refusals below differ from by one field each.
    before = row_counts()
    response = client.post("/items/new", data=good_item(action.item.finding.inspection,
                                                        action.item.lead_officer))
    assert response.status_code == 302
    assert row_counts()["Item"] == before["Item"] + 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Enter a short title"),
        ({"title": "   "}, "Enter a short title"),
        ({"title": "x" * 201}, "Short title must be 200 characters or fewer"),
        ({"finding_text": ""}, "Enter the finding's text"),
        ({"priority": "urgent"}, "Not a valid choice"),
        ({"category": "strength"}, "Not a valid choice"),
        ({"target_date": ["31", "2", "2027"]},
         "Target date must be a real date, for example 27 3 2026"),
        ({"target_date": ["31", "", "2027"]}, "Target date must include a month"),
        ({"target_date": ["", "", "2027"]}, "Target date must include a day and month"),
        ({"target_date": ["thirty", "3", "2027"]},
         "Target date must be a real date, for example 27 3 2026"),
        ({"target_date": ["31", "3", "27"]},
         "Target date must be a real date, for example 27 3 2026"),
        # A tampered form that sends one of the three boxes.
        ({"target_date": "31"}, "Target date must include a month and year"),
        ({"target_date": ["31", "3", "2025"]},
         "The target date must be on or after the letter date, 27 July 2026"),
        ({"inspection": "not-a-number"}, "Choose the inspection from the list"),
        ({"lead_officer": "abc"}, "Choose the lead officer from the list"),
    ],
    ids=lambda value: str(value)[:40] if isinstance(value, dict) else None,
)
def test_admin_adding_an_item_with_bad_input_is_told_what_to_fix(
    client, admin, action, changes, message
):
    before = row_counts()
    data = good_item(action.item.finding.inspection, action.item.lead_officer)
    data.update(changes)
    response = client.post("/items/new", data=data)
    assert_refused(response, message)
    assert row_counts() == before


def test_admin_cannot_make_someone_from_another_council_lead_officer(client, admin, action):
    stranger = UserFactory()
    before = row_counts()
    response = client.post("/items/new", data=good_item(action.item.finding.inspection,
                                                        stranger))
    assert_refused(response, "Choose the lead officer from the list")
    assert row_counts() == before


def test_admin_cannot_make_a_committee_member_lead_officer(client, admin, council, action):
    member = CommitteeMemberFactory(council=council)
    before = row_counts()
    response = client.post("/items/new", data=good_item(action.item.finding.inspection,
                                                        member))
    assert_refused(response, "Choose the lead officer from the list")
    assert row_counts() == before


def test_admin_cannot_add_an_item_to_another_councils_inspection(client, admin, action):
    elsewhere = InspectionFactory()
    before = row_counts()
    response = client.post("/items/new", data=good_item(elsewhere, action.item.lead_officer))
    assert_refused(response, "Choose the inspection from the list")
    assert row_counts() == before


# Editing an item ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Enter a short title"),
        ({"title": "y" * 201}, "Short title must be 200 characters or fewer"),
        ({"theme": "t" * 101}, "Theme must be 100 characters or fewer"),
        ({"target_date": ["31", "2", "2027"]},
         "Target date must be a real date, for example 27 3 2026"),
        ({"target_date": ["31", "3"]}, "Target date must include a year"),
    ],
    ids=lambda value: str(value)[:40] if isinstance(value, dict) else None,
)
def test_lead_officer_editing_an_item_with_bad_input_is_told_what_to_fix(
    client, action, changes, message
):
    item = action.item
    sign_in_as(client, item.lead_officer)
    data = {"version": item.version, "title": "Children's views", "theme": "Voice",
            "priority": "high", "target_date": ["31", "3", "2027"], "measure_of_success": ""}
    data.update(changes)
    before = row_counts()
    response = client.post(f"/items/{item.id}/edit", data=data)
    assert_refused(response, message)
    assert row_counts() == before
    db.session.refresh(item)
    assert item.title.startswith("Children's views in case records")
    assert item.target_date is None


# Adding an action --------------------------------------------------------------------------


def good_action(owner):
    return {
        "description": "Audit ten plans for timescales",
        "owner": str(owner.id),
        "due_date": ["15", "1", "2027"],
    }


@pytest.fixture(params=["admin", "lead officer"])
def planner(request, client, council, action):
    user = AdminFactory(council=council) if request.param == "admin" else action.item.lead_officer
    sign_in_as(client, user)
    return user


def test_a_good_action_is_saved(client, planner, action):
    before = row_counts()
    response = client.post(f"/items/{action.item.id}/actions/new", data=good_action(action.owner))
    assert response.status_code == 302
    assert row_counts()["Action"] == before["Action"] + 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"description": ""}, "Enter what the action is"),
        ({"description": "x" * 1001}, "Action must be 1000 characters or fewer"),
        ({"due_date": ["26", "7", "2026"]},
         "The due date must be on or after 27 July 2026, the date of the inspection's letter"),
        ({"due_date": ["30", "2", "2027"]}, "Due date must be a real date, for example 27 3 2026"),
        ({"due_date": ["15", "1", ""]}, "Due date must include a year"),
        ({"due_date": "15"}, "Due date must include a month and year"),
        ({"owner": "abc"}, "Choose the owner from the list"),
        ({"owner": "999999"}, "Choose the owner from the list"),
    ],
    ids=lambda value: str(value)[:40] if isinstance(value, dict) else None,
)
def test_adding_an_action_with_bad_input_is_told_what_to_fix(
    client, planner, action, changes, message
):
    before = row_counts()
    data = good_action(action.owner)
    data.update(changes)
    response = client.post(f"/items/{action.item.id}/actions/new", data=data)
    assert_refused(response, message)
    assert row_counts() == before


@pytest.mark.parametrize("blank", [["", "", ""], None], ids=["three empty boxes", "no boxes"])
def test_adding_an_action_without_a_due_date_is_told_to_enter_one(
    client, planner, action, blank
):
    before = row_counts()
    data = good_action(action.owner)
    if blank is None:
        del data["due_date"]
    else:
        data["due_date"] = blank
    response = client.post(f"/items/{action.item.id}/actions/new", data=data)
    assert_refused(response, "Enter the due date")
    assert row_counts() == before


def test_a_deactivated_person_cannot_own_an_action(client, planner, council, action):
    leaver = UserFactory(council=council, active=False)
    before = row_counts()
    response = client.post(f"/items/{action.item.id}/actions/new", data=good_action(leaver))
    assert_refused(response, "Choose the owner from the list")
    assert row_counts() == before


def test_a_committee_member_cannot_own_an_action(client, planner, council, action):
    member = CommitteeMemberFactory(council=council)
    before = row_counts()
    response = client.post(f"/items/{action.item.id}/actions/new", data=good_action(member))
    assert_refused(response, "Choose the owner from the list")
    assert row_counts() == before


def test_someone_from_another_council_cannot_own_an_action(client, planner, action):
    stranger = UserFactory()
    before = row_counts()
    response = client.post(f"/items/{action.item.id}/actions/new", data=good_action(stranger))
    assert_refused(response, "Choose the owner from the list")
    assert row_counts() == before


# Updating an action and moving its date ----------------------------------------------------


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("javascript:alert(1)", "Enter a link starting http:// or https://"),
        ("JavaScript://%0aalert(1)", "Enter a link starting http:// or https://"),
        ("data:text/html,<script>alert(1)</script>", "Enter a link starting http:// or https://"),
        ("https://" + "x" * 500 + ".example", "Link to evidence must be 500 characters or fewer"),
    ],
    ids=["javascript", "javascript with slashes", "data", "too long"],
)
def test_an_evidence_link_that_is_not_a_web_link_is_refused(client, admin, action, link, message):
    before = row_counts()
    response = client.post(f"/actions/{action.id}/update", data={
        "version": action.version, "status": "in progress", "commentary": "Audit started",
        "evidence_link": link,
    })
    assert_refused(response, message)
    assert row_counts() == before
    db.session.refresh(action)
    assert action.evidence_link == ""


def test_an_update_with_an_unknown_status_is_refused(client, admin, action):
    before = row_counts()
    response = client.post(f"/actions/{action.id}/update", data={
        "version": action.version, "status": "finished", "commentary": "Done",
    })
    assert_refused(response, "Not a valid choice")
    assert row_counts() == before


def test_a_due_date_change_without_a_reason_is_refused(client, action):
    sign_in_as(client, action.item.lead_officer)
    before = row_counts()
    response = client.post(f"/actions/{action.id}/due-date",
                           data={"new_date": ["15", "1", "2027"], "reason": ""})
    assert_refused(response, "Enter the reason for the change")
    assert row_counts() == before


def test_a_due_date_change_to_an_impossible_date_is_refused(client, action):
    sign_in_as(client, action.item.lead_officer)
    before = row_counts()
    response = client.post(f"/actions/{action.id}/due-date",
                           data={"new_date": ["29", "2", "2027"], "reason": "Staff absence"})
    assert_refused(response, "New due date must be a real date, for example 27 3 2026")
    assert row_counts() == before


def test_a_due_date_change_without_a_new_date_is_told_to_enter_one(client, action):
    sign_in_as(client, action.item.lead_officer)
    before = row_counts()
    response = client.post(f"/actions/{action.id}/due-date",
                           data={"new_date": ["", "", ""], "reason": "Staff absence"})
    assert_refused(response, "Enter the new due date")
    assert row_counts() == before


def test_refusing_a_date_request_without_a_note_is_refused(client, action):
    sign_in_as(client, action.owner)
    client.post(f"/actions/{action.id}/due-date",
                data={"new_date": ["15", "1", "2027"], "reason": "Staff absence"})
    change = db.session.scalars(select(DueDateChange)).one()
    sign_in_as(client, action.item.lead_officer)
    before = row_counts()
    response = client.post(f"/due-date-changes/{change.id}", data={"decision": "refuse"})
    assert_refused(response, "Say why the change is refused")
    assert row_counts() == before


# Unknown ids and hostile text --------------------------------------------------------------


def unknown_values(rule, unknown_id):
    """An unknown id for each URL argument; a choice of format is a real one."""
    return {name: "pdf" if name == "file_format" else unknown_id for name in rule.arguments}


def request_as_admin(app, client, admin, rule, path):
    """GET (or POST) the path; API routes with the admin's own API token."""
    headers = {}
    if getattr(app.view_functions[rule.endpoint], "access_rule", None) == API_TOKEN:
        from tracker import clock
        from tracker.access.service import make_api_token

        made = make_api_token(admin, "Bad input tests", now=clock.now())
        db.session.commit()
        headers["Authorization"] = f"Bearer {made.secret}"
    if "GET" in rule.methods:
        return client.get(path, headers=headers)
    return client.post(path, data={}, headers=headers)


def test_every_page_with_an_unknown_id_is_not_found(app, client, admin):
    checked = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or not rule.arguments:
            continue
        path = url_for(rule.endpoint, **unknown_values(rule, 999999))
        response = request_as_admin(app, client, admin, rule, path)
        assert response.status_code == 404, f"{path} gave {response.status_code}"
        checked.append(path)
    assert len(checked) >= 8  # items, actions, inspections, date requests, users, committees
    for path in ("/items/abc", "/actions/1.5", "/inspections/-1", "/no-such-page"):
        assert client.get(path).status_code == 404, path


def test_an_id_too_large_for_the_database_is_not_found(app, client, admin):
    failures = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or not rule.arguments:
            continue
        path = url_for(rule.endpoint, **unknown_values(rule, 10**20))
        response = request_as_admin(app, client, admin, rule, path)
        if response.status_code != 404:
            failures.append(f"{path} gave {response.status_code}")
    assert not failures, "\n".join(failures)


def test_script_in_an_item_and_an_action_is_shown_as_text(client, council):
    script = "<script>alert('tracker')</script>"
    action = ActionFactory(item__finding__inspection__council=council,
                           item__title=f"Title {script}", description=f"Audit {script}",
                           item__finding__text=f"Finding {script}")
    sign_in_as(client, AdminFactory(council=council))
    for path in (f"/items/{action.item.id}", f"/actions/{action.id}", "/items"):
        page = client.get(path).get_data(as_text=True)
        assert script not in page, path
        assert "&lt;script&gt;alert(" in page, path


@pytest.mark.parametrize("query", ["page=99999999999999999999", "page=" + "9" * 400,
                                   "committee=99999999999999999999"])
@pytest.mark.parametrize("path", ["/items", "/reports", "/inspections", "/users"])
def test_a_number_past_any_page_or_id_in_the_query_string_is_not_an_error(client, path, query):
    sign_in_as(client, AdminFactory())
    assert client.get(f"{path}?{query}").status_code == 200
