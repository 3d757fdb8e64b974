"""After a letter is imported, the administrator's next steps for its inspection: lead
officers for all its items on one page, a committee, the statutory dates, the actions."""

from sqlalchemy import select

from tests.conftest import sign_in_as
from tests.factories import (
    AdminFactory,
    CommitteeFactory,
    CommitteeMemberFactory,
    InspectionFactory,
    ItemFactory,
    UserFactory,
)
from tracker.audit.models import HistoryEntry, HistoryField
from tracker.extensions import db


def _inspection_with_items(council, count: int = 3):
    inspection = InspectionFactory(council=council)
    items = [ItemFactory(finding__inspection=inspection, lead_officer=None,
                         title=f"Item number {n}") for n in range(count)]
    return inspection, items


def test_the_next_steps_page_lists_a_lead_officer_select_for_each_item_and_the_dates(
    client, council
):
    admin = AdminFactory(council=council)
    inspection, items = _inspection_with_items(council)
    sign_in_as(client, admin)

    page = client.get(f"/inspections/{inspection.id}/next-steps").get_data(as_text=True)

    for item in items:
        assert f'name="lead_{item.id}"' in page
        assert f'href="/items/{item.id}/actions/new"' in page
    # The letter of 27 July 2026: the plan was due 70 working days later.
    assert "Action plan" in page and "3 November 2026 (passed)" in page


def test_the_administrator_assigns_every_items_lead_officer_at_once(client, council):
    admin = AdminFactory(council=council)
    lead = UserFactory(council=council, name="Lee Lead")
    other = UserFactory(council=council, name="Ola Other")
    inspection, items = _inspection_with_items(council)
    sign_in_as(client, admin)

    response = client.post(f"/inspections/{inspection.id}/next-steps/leads", data={
        f"lead_{items[0].id}": str(lead.id), f"lead_{items[1].id}": str(other.id),
        f"lead_{items[2].id}": ""})

    assert response.status_code == 302
    assert [item.lead_officer for item in items] == [lead, other, None]
    entries = db.session.scalars(select(HistoryEntry).where(
        HistoryEntry.field == HistoryField.LEAD_OFFICER)).all()
    assert sorted(entry.item_id for entry in entries) == [items[0].id, items[1].id]


def test_a_councillor_cannot_lead_an_item_and_nothing_is_saved(client, council):
    admin = AdminFactory(council=council)
    lead = UserFactory(council=council)
    member = CommitteeMemberFactory(council=council)
    inspection, items = _inspection_with_items(council, 2)
    sign_in_as(client, admin)

    response = client.post(f"/inspections/{inspection.id}/next-steps/leads", data={
        f"lead_{items[0].id}": str(lead.id), f"lead_{items[1].id}": str(member.id)})

    assert response.status_code == 400
    assert all(item.lead_officer is None for item in items)


def test_the_administrator_adds_the_inspection_to_a_committee(client, council):
    admin = AdminFactory(council=council)
    committee = CommitteeFactory(council_id=council.id, name="Children's Scrutiny")
    inspection, _ = _inspection_with_items(council, 1)
    sign_in_as(client, admin)

    response = client.post(f"/inspections/{inspection.id}/next-steps/committee",
                           data={"committee": str(committee.id)})

    assert response.status_code == 302
    assert inspection in committee.inspections
    page = client.get(f"/inspections/{inspection.id}/next-steps").get_data(as_text=True)
    assert "Progress reports to Children&#39;s Scrutiny cover this inspection" in page


def test_another_councils_committee_cannot_be_chosen(client, council):
    admin = AdminFactory(council=council)
    elsewhere = CommitteeFactory()
    inspection, _ = _inspection_with_items(council, 1)
    sign_in_as(client, admin)

    response = client.post(f"/inspections/{inspection.id}/next-steps/committee",
                           data={"committee": str(elsewhere.id)})

    assert response.status_code == 400
    assert inspection not in elsewhere.inspections


def test_only_administrators_see_the_next_steps(client, council):
    inspection, _ = _inspection_with_items(council, 1)
    sign_in_as(client, UserFactory(council=council))
    assert client.get(f"/inspections/{inspection.id}/next-steps").status_code == 403
