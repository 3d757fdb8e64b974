"""Committees: administrators set them up; everyone can read them."""

from datetime import timedelta

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from tests.conftest import sign_in_as
from tests.factories import (
    AdminFactory,
    CommitteeFactory,
    CommitteeMeetingFactory,
    CommitteeMemberFactory,
    CouncilFactory,
    InspectionFactory,
    PartnerFactory,
    UserFactory,
)
from tracker import clock
from tracker.committees.models import Committee, CommitteeMeeting
from tracker.extensions import db
from tracker.formatting import long_date


def _html(response) -> str:
    return response.data.decode()


def _main(response) -> str:
    """The page's own content, without the header that names who is signed in."""
    html = _html(response)
    return html[html.index("<main"):html.index("</main>")]


def _text(value: str) -> str:
    return str(escape(value))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def admin(council):
    return AdminFactory(council=council)


@pytest.fixture
def committee(council):
    return CommitteeFactory(council_id=council.id, name="Children's Services Scrutiny Committee")


def _date_fields(day) -> dict:
    return {"meeting_date": [str(day.day), str(day.month), str(day.year)]}


def test_admin_adds_a_committee_with_members_and_a_meeting_date(client, council, admin):
    councillor = CommitteeMemberFactory(council=council, name="Councillor Ann Hughes")
    partner = PartnerFactory(council=council)
    inspection = InspectionFactory(council=council, title="Focused visit to front door services")
    sign_in_as(client, admin)

    form = client.get("/committees/new")
    assert form.status_code == 200
    assert "Councillor Ann Hughes" in _html(form)
    assert _text("Focused visit to front door services") in _html(form)

    response = client.post("/committees/new", data={
        "name": "Children's Services Scrutiny Committee",
        "report_of": "Report of the Executive Director of Children's Services",
        "members": [str(councillor.id), str(partner.id)],
        "inspections": [str(inspection.id)],
    })
    assert response.status_code == 302
    committee = db.session.scalars(select(Committee)).one()
    assert response.headers["Location"].endswith(f"/committees/{committee.id}")
    assert committee.council_id == council.id
    assert committee.report_of == "Report of the Executive Director of Children's Services"
    assert {m.id for m in committee.members} == {councillor.id, partner.id}
    assert [i.id for i in committee.inspections] == [inspection.id]

    # Wednesday 30 December 2026: an ordinary working day, added without a warning.
    meeting_day = clock.today() + timedelta(days=38)
    added = client.post(f"/committees/{committee.id}/meetings", data=_date_fields(meeting_day))
    assert added.status_code == 302
    assert [m.meeting_date for m in db.session.get(Committee, committee.id).meetings] == [
        meeting_day
    ]

    page = client.get(f"/committees/{committee.id}")
    assert page.status_code == 200
    html = _html(page)
    assert long_date(meeting_day) in html
    assert "Councillor Ann Hughes" in html
    assert "Northshire Police" in html
    assert f"/inspections/{inspection.id}" in html


def test_committee_member_candidates_are_active_people_of_the_council(client, council, admin):
    CommitteeMemberFactory(council=council, name="Councillor Zed Active")
    UserFactory(council=council, name="Alan Leaver", active=False)
    UserFactory(name="Someone Elsewhere")
    sign_in_as(client, admin)
    html = _main(client.get("/committees/new"))
    assert "Councillor Zed Active" in html
    assert "Alan Leaver" not in html
    assert "Someone Elsewhere" not in html
    # Councillors are offered before staff, whatever the alphabet says.
    assert html.index("Councillor Zed Active") < html.index(admin.name)


def test_admin_changes_a_committees_members(client, council, admin, committee):
    staying = CommitteeMemberFactory(council=council)
    leaving = CommitteeMemberFactory(council=council)
    committee.members = [staying, leaving]
    db.session.commit()
    sign_in_as(client, admin)

    form = client.get(f"/committees/{committee.id}/edit")
    assert form.status_code == 200
    assert _text(committee.name) in _html(form)

    response = client.post(f"/committees/{committee.id}/edit", data={
        "name": "Corporate Parenting Panel",
        "report_of": "",
        "members": [str(staying.id)],
    })
    assert response.status_code == 302
    changed = db.session.get(Committee, committee.id)
    assert changed.name == "Corporate Parenting Panel"
    assert [m.id for m in changed.members] == [staying.id]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "Enter the committee&#39;s name"),
        ({"name": "C" * 201}, "Name must be 200 characters or fewer"),
        ({"name": "Panel", "report_of": "R" * 201}, "Report of must be 200 characters or fewer"),
        ({"name": "Panel", "members": ["not a number"]}, "Choose members from the list"),
        ({"name": "Scrutiny\nCommittee"}, "Name must be one line of text, without line breaks"),
        ({"name": "Scrutiny\x1b[31m"}, "Name must be one line of text"),
        ({"name": "Panel", "report_of": "Report\u2028of"}, "Report of must be one line of text"),
    ],
)
def test_admin_is_told_what_to_fix_in_a_committee(client, admin, data, message):
    sign_in_as(client, admin)
    response = client.post("/committees/new", data=data)
    assert response.status_code == 400
    assert message in _html(response)
    assert "Error: Add a committee" in _html(response)
    assert _count(Committee) == 0


def test_people_from_another_council_or_deactivated_cannot_be_members(client, council, admin):
    outsider = UserFactory(council=CouncilFactory())
    leaver = UserFactory(council=council, active=False)
    sign_in_as(client, admin)
    for person in (outsider, leaver):
        response = client.post(
            "/committees/new", data={"name": "Panel", "members": [str(person.id)]}
        )
        assert response.status_code == 400
        assert "Choose members who are active users" in _html(response)
    assert _count(Committee) == 0


def test_another_councils_inspection_cannot_be_followed(client, admin):
    elsewhere = InspectionFactory(council=CouncilFactory())
    sign_in_as(client, admin)
    response = client.post(
        "/committees/new", data={"name": "Panel", "inspections": [str(elsewhere.id)]}
    )
    assert response.status_code == 400
    assert "Choose this council&#39;s inspections" in _html(response)
    assert _count(Committee) == 0


def test_two_committees_cannot_share_a_name(client, admin, committee):
    sign_in_as(client, admin)
    response = client.post("/committees/new", data={"name": committee.name})
    assert response.status_code == 400
    assert "A committee with this name already exists" in _html(response)
    assert _count(Committee) == 1


def test_committee_list_shows_members_and_the_next_meeting(client, council, admin, committee):
    committee.members = [CommitteeMemberFactory(council=council) for _ in range(3)]
    today = clock.today()
    CommitteeMeetingFactory(committee=committee, meeting_date=today - timedelta(days=10))
    CommitteeMeetingFactory(committee=committee, meeting_date=today + timedelta(days=60))
    CommitteeMeetingFactory(committee=committee, meeting_date=today + timedelta(days=20))
    CommitteeFactory(council_id=CouncilFactory().id, name="Another council's panel")
    sign_in_as(client, admin)
    html = _html(client.get("/committees"))
    assert _text(committee.name) in html
    assert "3 members" in html
    assert long_date(today + timedelta(days=20)) in html
    assert long_date(today + timedelta(days=60)) not in html
    assert _text("Another council's panel") not in html
    assert "Add a committee" in html


def test_committee_member_can_read_committees_but_not_set_them_up(client, council, committee):
    member = CommitteeMemberFactory(council=council, name="Councillor Read Only")
    committee.members = [member]
    past = CommitteeMeetingFactory(committee=committee,
                                   meeting_date=clock.today() - timedelta(days=7))
    db.session.commit()
    sign_in_as(client, member)

    listing = client.get("/committees")
    assert listing.status_code == 200
    assert "Add a committee" not in _html(listing)

    page = client.get(f"/committees/{committee.id}")
    assert page.status_code == 200
    html = _html(page)
    assert "Councillor Read Only" in html
    assert long_date(past.meeting_date) in html
    assert "Past" in html
    assert "Remove" not in html
    assert "Add a meeting date" not in html

    assert client.get("/committees/new").status_code == 403
    assert client.post("/committees/new", data={"name": "Mine"}).status_code == 403
    assert client.get(f"/committees/{committee.id}/edit").status_code == 403
    assert client.post(f"/committees/{committee.id}/edit",
                       data={"name": "Renamed"}).status_code == 403
    day = clock.today() + timedelta(days=30)
    assert client.post(f"/committees/{committee.id}/meetings",
                       data=_date_fields(day)).status_code == 403
    assert client.post(
        f"/committees/{committee.id}/meetings/{past.id}/remove"
    ).status_code == 403
    assert _count(Committee) == 1
    assert db.session.get(Committee, committee.id).name != "Renamed"
    assert _count(CommitteeMeeting) == 1


def test_manager_cannot_set_up_committees(client, council, committee):
    sign_in_as(client, UserFactory(council=council))
    assert client.get("/committees").status_code == 200
    assert client.get("/committees/new").status_code == 403
    assert client.get(f"/committees/{committee.id}/edit").status_code == 403


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (["31", "2", "2027"], "Meeting date must be a real date"),
        (["", "", ""], "Enter the meeting date"),
        (["14", "", "2027"], "Meeting date must include a month"),
        (["fourteen", "1", "2027"], "Meeting date must be a real date"),
        (["14", "1", "27"], "Meeting date must be a real date"),
    ],
)
def test_bad_meeting_date_is_shown_on_the_committee_page(client, admin, committee, parts,
                                                         message):
    sign_in_as(client, admin)
    response = client.post(f"/committees/{committee.id}/meetings",
                           data={"meeting_date": parts})
    assert response.status_code == 400
    html = _html(response)
    assert message in html
    assert "There is a problem" in html
    assert _text(committee.name) in html
    assert _count(CommitteeMeeting) == 0


def test_meeting_date_missing_from_the_request_is_asked_for(client, admin, committee):
    sign_in_as(client, admin)
    response = client.post(f"/committees/{committee.id}/meetings", data={})
    assert response.status_code == 400
    assert "Enter the meeting date" in _html(response)


def test_a_committee_meets_once_on_a_date(client, admin, committee):
    day = clock.today() + timedelta(days=14)
    CommitteeMeetingFactory(committee=committee, meeting_date=day)
    sign_in_as(client, admin)
    response = client.post(f"/committees/{committee.id}/meetings", data=_date_fields(day))
    assert response.status_code == 400
    assert f"The committee already meets on {long_date(day)}" in _html(response)
    assert _count(CommitteeMeeting) == 1


def test_admin_removes_a_meeting_date(client, admin, committee):
    keep = CommitteeMeetingFactory(committee=committee)
    drop = CommitteeMeetingFactory(committee=committee)
    sign_in_as(client, admin)
    page = _html(client.get(f"/committees/{committee.id}"))
    assert f"/committees/{committee.id}/meetings/{drop.id}/remove" in page
    response = client.post(f"/committees/{committee.id}/meetings/{drop.id}/remove")
    assert response.status_code == 302
    assert [m.id for m in db.session.get(Committee, committee.id).meetings] == [keep.id]


def test_removing_another_committees_meeting_is_not_found(client, council, admin, committee):
    other = CommitteeFactory(council_id=council.id)
    theirs = CommitteeMeetingFactory(committee=other)
    sign_in_as(client, admin)
    response = client.post(f"/committees/{committee.id}/meetings/{theirs.id}/remove")
    assert response.status_code == 404
    assert _count(CommitteeMeeting) == 1


def test_another_councils_committee_is_not_found(client, admin):
    elsewhere = CommitteeFactory(council_id=CouncilFactory().id)
    sign_in_as(client, admin)
    assert client.get(f"/committees/{elsewhere.id}").status_code == 404
    assert client.get(f"/committees/{elsewhere.id}/edit").status_code == 404
    assert client.post(f"/committees/{elsewhere.id}/edit",
                       data={"name": "Taken over"}).status_code == 404
    day = clock.today() + timedelta(days=5)
    assert client.post(f"/committees/{elsewhere.id}/meetings",
                       data=_date_fields(day)).status_code == 404
    assert client.get("/committees/999999").status_code == 404
    assert db.session.get(Committee, elsewhere.id).name != "Taken over"


def test_meeting_posted_without_its_security_token_is_refused(csrf_app, admin, committee):
    client = csrf_app.test_client()
    sign_in_as(client, admin)
    day = clock.today() + timedelta(days=30)
    response = client.post(f"/committees/{committee.id}/meetings", data=_date_fields(day))
    assert response.status_code == 400
    assert _count(CommitteeMeeting) == 0


def test_committee_names_are_shown_as_text_not_markup(client, council, admin):
    CommitteeFactory(council_id=council.id, name="<b>Bold</b> Panel")
    sign_in_as(client, admin)
    html = _main(client.get("/committees"))
    assert "<b>Bold</b>" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt; Panel" in html


@pytest.mark.parametrize(("days", "why"), [
    (-7, "it is in the past"),
    (13, "it is a Saturday"),  # Saturday 5 December 2026
    (33, "it is a bank holiday (Christmas Day)"),  # Friday 25 December 2026
])
def test_a_doubtful_meeting_date_is_added_only_once_the_administrator_confirms_it(
    client, admin, committee, days, why
):
    day = clock.today() + timedelta(days=days)
    sign_in_as(client, admin)

    warned = client.post(f"/committees/{committee.id}/meetings", data=_date_fields(day))

    assert warned.status_code == 200
    assert why in _html(warned)
    assert "Yes, add this meeting date" in _html(warned)
    assert _count(CommitteeMeeting) == 0
    confirmed = client.post(f"/committees/{committee.id}/meetings",
                            data={**_date_fields(day), "confirmed": day.isoformat()})
    assert confirmed.status_code == 302
    assert [m.meeting_date for m in db.session.get(Committee, committee.id).meetings] == [day]


def test_confirming_one_date_does_not_confirm_another(client, admin, committee):
    saturday = clock.today() + timedelta(days=13)
    sign_in_as(client, admin)
    response = client.post(f"/committees/{committee.id}/meetings",
                           data={**_date_fields(saturday + timedelta(days=1)),
                                 "confirmed": saturday.isoformat()})
    assert response.status_code == 200
    assert "it is a Sunday" in _html(response)
    assert _count(CommitteeMeeting) == 0


def test_removing_a_meeting_date_asks_first(client, admin, committee):
    meeting = CommitteeMeetingFactory(committee=committee)
    sign_in_as(client, admin)

    asked = client.get(f"/committees/{committee.id}/meetings/{meeting.id}/remove")

    assert asked.status_code == 200
    assert f"Remove the meeting on {long_date(meeting.meeting_date)}?" in _html(asked)
    assert _count(CommitteeMeeting) == 1
