"""The dashboard: what each person sees first."""

from __future__ import annotations

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
