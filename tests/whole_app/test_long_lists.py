"""Lists that grow with the data come a page at a time (50 rows), and the dashboard shows the
first few of each list with a way to the rest."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.conftest import sign_in_as
from tests.factories import (
    ActionFactory,
    AdminFactory,
    CommitteeFactory,
    InspectionFactory,
    ItemFactory,
    UserFactory,
)
from tracker.extensions import db
from tracker.items.models import ActionStatus, DueDateChange, DueDateChangeState, Priority
from tracker.reports.models import IssuedReport

# The suite's frozen day (tests/conftest.py TEST_NOW).
TODAY = date(2026, 11, 22)


def cards(html: str) -> int:
    return html.count('class="govuk-summary-card"')


def table_rows(html: str) -> int:
    return html.count('<tr class="govuk-table__row">') - 1  # less the heading row


@pytest.fixture
def admin(council):
    return AdminFactory(council=council)


def test_the_items_list_shows_fifty_items_a_page_and_keeps_the_filters_in_its_links(
    client, council, admin
):
    inspection = InspectionFactory(council=council)
    lead = UserFactory(council=council)
    for n in range(53):
        ItemFactory(finding__inspection=inspection, lead_officer=lead, title=f"Item {n}",
                    priority=Priority.MEDIUM)
    ItemFactory(finding__inspection=inspection, lead_officer=lead, priority=Priority.LOW)
    sign_in_as(client, admin)
    first = client.get("/items?priority=medium").get_data(as_text=True)
    assert "53 items match these filters (page 1 of 2)" in first
    assert table_rows(first) == 50
    assert re.search(r'href="/items\?page=2&amp;priority=medium"|'
                     r'href="/items\?priority=medium&amp;page=2"', first)
    second = client.get("/items?priority=medium&page=2").get_data(as_text=True)
    assert table_rows(second) == 3
    # Past the end: the last page, not an empty one.
    assert table_rows(client.get("/items?priority=medium&page=99").get_data(as_text=True)) == 3


def test_my_actions_come_fifty_a_page_overdue_first_with_each_groups_total(client, council):
    owner = UserFactory(council=council)
    item = ItemFactory(finding__inspection__council=council)
    for n in range(30):
        ActionFactory(item=item, owner=owner, due_date=TODAY - timedelta(days=n + 1),
                      status=ActionStatus.IN_PROGRESS, description=f"Late {n}")
    for n in range(25):
        ActionFactory(item=item, owner=owner, due_date=TODAY + timedelta(days=n + 1),
                      description=f"Soon {n}")
    sign_in_as(client, owner)
    first = client.get("/my-actions").get_data(as_text=True)
    assert cards(first) == 50
    assert "Overdue (30)" in first and "Coming up (25)" in first
    assert first.index("Late 29") < first.index("Soon 0")  # the longest overdue first
    second = client.get("/my-actions?page=2").get_data(as_text=True)
    assert cards(second) == 5
    assert "Coming up (25)" in second and "Overdue (" not in second


def test_the_dashboard_shows_ten_of_my_overdue_actions_and_says_how_many_there_are(
    client, council
):
    owner = UserFactory(council=council)
    item = ItemFactory(finding__inspection__council=council)
    for n in range(12):
        ActionFactory(item=item, owner=owner, due_date=TODAY - timedelta(days=n + 1),
                      status=ActionStatus.IN_PROGRESS)
    sign_in_as(client, owner)
    page = client.get("/").get_data(as_text=True)
    assert "The 10 longest overdue of your 12." in page
    assert "See all my actions" in page


def test_date_requests_beyond_the_first_ten_are_on_their_own_page(client, council, admin):
    item = ItemFactory(finding__inspection__council=council)
    owner = UserFactory(council=council)
    for n in range(53):
        action = ActionFactory(item=item, owner=owner, description=f"Audit {n}")
        db.session.add(DueDateChange(
            action=action, from_date=action.due_date, to_date=action.due_date + timedelta(30),
            reason="More time", requested_by=owner, state=DueDateChangeState.PENDING,
            requested_at=datetime(2026, 11, 1, 9, tzinfo=UTC) + timedelta(minutes=n)))
    db.session.commit()
    sign_in_as(client, admin)
    dashboard = client.get("/").get_data(as_text=True)
    assert "See all 53 requests waiting for your decision" in dashboard
    first = client.get("/due-date-changes").get_data(as_text=True)
    assert table_rows(first) == 50 and "53 requests, the oldest first" in first
    assert table_rows(client.get("/due-date-changes?page=2").get_data(as_text=True)) == 3
    # Only the lead officer and administrators decide; the page lists nothing for others.
    sign_in_as(client, owner)
    assert "No due date changes are waiting" in client.get("/due-date-changes").get_data(
        as_text=True)


def test_the_inspections_and_issued_reports_lists_come_fifty_a_page(client, council, admin):
    for n in range(51):
        InspectionFactory(council=council, letter_date=date(2020, 1, 1) + timedelta(days=n))
    committee = CommitteeFactory(council_id=council.id, name="Scrutiny")
    for version in range(1, 52):
        db.session.add(IssuedReport(
            committee_id=committee.id, version=version, title="Progress",
            issued_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=version),
            snapshot_json="{}", html=b"<p>Report</p>", html_sha256="0" * 64, pdf=b"%PDF",
            pdf_sha256="0" * 64, docx=b"PK", docx_sha256="0" * 64))
    db.session.commit()
    sign_in_as(client, admin)
    inspections = client.get("/inspections").get_data(as_text=True)
    assert table_rows(inspections) == 50 and "Inspections 1 to 50 of 51." in inspections
    assert table_rows(client.get("/inspections?page=2").get_data(as_text=True)) == 1
    reports = client.get(f"/reports?committee={committee.id}").get_data(as_text=True)
    assert table_rows(reports) == 50 and "Reports 1 to 50 of 51, newest first." in reports
    assert "Scrutiny, version 51" in reports
    second = client.get(f"/reports?committee={committee.id}&page=2").get_data(as_text=True)
    assert table_rows(second) == 1 and "Scrutiny, version 1<" in second


def test_the_users_list_shows_fifty_people_a_page(client, council, admin):
    for n in range(52):
        UserFactory(council=council, name=f"Person {n:02d}")
    sign_in_as(client, admin)
    first = client.get("/users").get_data(as_text=True)
    assert "53 users, 1 to 50 shown" in first
    assert table_rows(first) == 50
    assert 'href="/users?page=2"' in first
    assert table_rows(client.get("/users?page=2").get_data(as_text=True)) == 3


def test_an_items_history_comes_fifty_entries_a_page_newest_first(client, council, admin):
    from tracker.audit.models import HistoryEntry, HistoryKind

    action = ActionFactory(item__finding__inspection__council=council)
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    for n in range(57):
        db.session.add(HistoryEntry(item_id=action.item_id, action_id=action.id,
                                    author_id=admin.id, created_at=start + timedelta(days=n),
                                    kind=HistoryKind.COMMENTARY, text=f"Progress note {n}"))
    db.session.commit()
    sign_in_as(client, admin)
    first = client.get(f"/items/{action.item_id}").get_data(as_text=True)
    assert "Entries 1 to 50 of 57, newest first." in first
    assert "Progress note 56" in first and "Progress note 7<" in first
    assert "Progress note 6<" not in first
    assert f'href="/items/{action.item_id}?page=2#history"' in first
    second = client.get(f"/items/{action.item_id}?page=2").get_data(as_text=True)
    assert "Entries 51 to 57 of 57, newest first." in second
    assert "Progress note 6<" in second and "Progress note 0<" in second
    assert "Progress note 7<" not in second
