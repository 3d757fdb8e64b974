"""The dashboard: what each person sees first."""

from __future__ import annotations

import re

from tests.conftest import sign_in_as
from tests.factories import CommitteeFactory
from tests.reports.conftest import RULES, at, make_known
from tracker import clock
from tracker.extensions import db
from tracker.reports.service import issue_report


def test_a_councillors_dashboard_links_to_the_latest_paper_of_each_of_their_committees(
    app, council, client
):
    known = make_known(council)
    first = issue_report(known.committee, actor=known.admin, now=at(2026, 11, 1), rules=RULES)
    latest = issue_report(known.committee, actor=known.admin, now=clock.now(), rules=RULES)
    waiting = CommitteeFactory(council_id=council.id, name="Corporate Parenting Panel",
                               members=[known.member])
    CommitteeFactory(council_id=council.id, name="Health Scrutiny Committee")
    db.session.commit()

    sign_in_as(client, known.member)
    page = client.get("/").get_data(as_text=True)

    assert "Your committees' progress reports" in page
    assert f'href="/reports/{latest.id}"' in page
    assert f"version {latest.version}</a>, issued 22 November 2026" in page
    assert f'href="/reports/{first.id}"' not in page
    assert f"{waiting.name}: no progress report has been issued yet" in page
    # A committee the councillor does not sit on is not theirs to follow here.
    assert "Health Scrutiny Committee" not in page


def test_staff_dashboards_do_not_list_committee_papers(app, council, client):
    known = make_known(council)
    issue_report(known.committee, actor=known.admin, now=clock.now(), rules=RULES)
    db.session.commit()
    sign_in_as(client, known.lead)
    page = client.get("/").get_data(as_text=True)
    assert "progress reports" not in page


def test_a_councillors_dashboard_shows_no_deadline_they_cannot_act_on(client, council):
    from tests.factories import AdminFactory, CommitteeMemberFactory, InspectionFactory

    InspectionFactory(council=council, title="Inspection of local authority children's services")
    member = CommitteeMemberFactory(council=council)
    admin = AdminFactory(council=council)
    db.session.commit()

    sign_in_as(client, admin)
    assert "Action plan for “Inspection of local authority" in client.get("/").get_data(
        as_text=True)
    sign_in_as(client, member)
    page = client.get("/").get_data(as_text=True)
    assert "Action plan for" not in page
    assert "govuk-warning-text" not in page


def test_the_items_waiting_for_my_sign_off_are_mine_to_sign_and_the_first_ten_are_listed(
    client, council
):
    from tests.factories import AdminFactory, ItemFactory, UserFactory
    from tracker.items.models import ItemStatus

    admin = AdminFactory(council=council)
    lead = UserFactory(council=council)
    waiting = [ItemFactory(finding__inspection__council=council, lead_officer=lead,
                           status=ItemStatus.AWAITING_SIGN_OFF, title=f"Waiting item {n:02}")
               for n in range(11)]
    # One the administrator marked complete: not theirs to sign off, but the lead's.
    marked = ItemFactory(finding__inspection__council=council, lead_officer=lead,
                         status=ItemStatus.AWAITING_SIGN_OFF, marked_complete_by=admin,
                         title="Marked by the administrator")
    ItemFactory(finding__inspection__council=council, status=ItemStatus.AWAITING_SIGN_OFF,
                title="Led by someone else")
    ItemFactory(status=ItemStatus.AWAITING_SIGN_OFF, title="Another council's item")
    db.session.commit()

    sign_in_as(client, admin)
    page = client.get("/").get_data(as_text=True)
    def to_sign(page: str) -> list[str]:
        return re.findall(r'href="/items/\d+/sign-off">([^<]+)</a>', page)

    # The oldest ten, and a way to the rest.
    assert to_sign(page) == [item.title for item in waiting[:10]]
    assert "See every item awaiting sign-off" in page

    sign_in_as(client, lead)
    page = client.get("/").get_data(as_text=True)
    assert to_sign(page) == [item.title for item in waiting[:10]]
    sign_in_as(client, admin)
    for item in waiting:
        item.status = ItemStatus.COMPLETE
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    # Two left: the other lead's, and no more way to the rest.
    assert to_sign(page) == ["Led by someone else"]
    assert "See every item awaiting sign-off" not in page
    sign_in_as(client, lead)
    assert to_sign(client.get("/").get_data(as_text=True)) == [marked.title]
