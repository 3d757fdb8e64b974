"""The feed itself: what it holds, for whom, and who gets nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar

from tests.calendar_feed.conftest import (
    PUBLIC_URL,
    events_of,
    feed_path,
    read_feed,
    text,
    turn_on_feed,
    uid,
)
from tests.factories import (
    ActionFactory,
    AdminFactory,
    CommitteeFactory,
    CommitteeMeetingFactory,
    CommitteeMemberFactory,
    CouncilFactory,
    ItemFactory,
    PartnerFactory,
    UserFactory,
)
from tests.statements import recorded_statements
from tracker import clock
from tracker.access.models import TokenPurpose
from tracker.access.service import active_tokens, fingerprint, make_api_token
from tracker.calendar_feed.service import turn_off_feed
from tracker.committees.models import ReportCadence
from tracker.extensions import db
from tracker.items import service as items
from tracker.items.models import ActionStatus

# tests/conftest.py freezes the clock at 22 November 2026, noon (UTC and UK time).
TODAY = date(2026, 11, 22)


def action_events(calendar: Calendar) -> dict[str, object]:
    return {key: event for key, event in events_of(calendar).items()
            if key.startswith("action-")}


# --- the calendar as a whole ----------------------------------------------------------------


def test_the_feed_is_icalendar_named_after_the_council_with_a_refresh_hint(client, council):
    person = UserFactory(council=council)
    secret = turn_on_feed(person)

    response = client.get(feed_path(secret))

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response.headers["Cache-Control"]
    calendar = Calendar.from_ical(response.data)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"])
    assert council.name in str(calendar["X-WR-CALNAME"])
    lines = response.data.split(b"\r\n")
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-2:] == [b"END:VCALENDAR", b""]
    # RFC 7986 names the value type of REFRESH-INTERVAL; Outlook reads X-PUBLISHED-TTL.
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in lines
    assert b"X-PUBLISHED-TTL:PT1H" in lines


def test_an_owner_sees_each_open_action_on_its_due_date_as_an_all_day_entry(client, council):
    action = ActionFactory(item__finding__inspection__council=council,
                           item__title="Children's views in case records",
                           description="Themed case file audit of children's views",
                           due_date=date(2026, 12, 1), status=ActionStatus.IN_PROGRESS)
    secret = turn_on_feed(action.owner)

    event = events_of(read_feed(client, secret))[uid("action", action.id)]

    assert event.decoded("DTSTART") == date(2026, 12, 1)
    assert not isinstance(event.decoded("DTSTART"), datetime)  # all day
    assert event.decoded("DTEND") == date(2026, 12, 2)
    assert text(event, "SUMMARY") == "Due: Themed case file audit of children's views"
    description = text(event, "DESCRIPTION")
    assert "Item: Children's views in case records" in description
    assert "Status: In progress" in description
    assert "Due on 1 December 2026." in description
    assert "Overdue" not in description
    assert f"{PUBLIC_URL}/actions/{action.id}" in description
    assert str(event["URL"]) == f"{PUBLIC_URL}/actions/{action.id}"
    assert str(event["TRANSP"]) == "TRANSPARENT"  # a deadline does not make anyone busy
    assert event.decoded("DTSTAMP") == event.decoded("LAST-MODIFIED")


def test_an_overdue_action_says_how_late_it_is(client, council):
    action = ActionFactory(item__finding__inspection__council=council,
                           due_date=TODAY - timedelta(days=5))
    secret = turn_on_feed(action.owner)

    event = events_of(read_feed(client, secret))[uid("action", action.id)]

    assert event.decoded("DTSTART") == TODAY - timedelta(days=5)
    assert "Overdue: it was due on 17 November 2026, 5 days ago." in text(event, "DESCRIPTION")
    assert text(event, "SUMMARY").startswith("Due: ")


def test_other_peoples_actions_are_not_in_the_feed(client, council):
    mine = ActionFactory(item__finding__inspection__council=council)
    colleagues = ActionFactory(item=mine.item)  # same item, another owner
    elsewhere = ActionFactory()  # another council altogether
    secret = turn_on_feed(mine.owner)

    found = action_events(read_feed(client, secret))

    assert set(found) == {uid("action", mine.id)}
    assert uid("action", colleagues.id) not in found
    assert uid("action", elsewhere.id) not in found


def test_a_completed_action_stays_for_thirty_days_and_a_cancelled_one_leaves(client, council):
    owner = UserFactory(council=council)
    item = ItemFactory(finding__inspection__council=council)
    lately = ActionFactory(item=item, owner=owner, status=ActionStatus.COMPLETE,
                           due_date=date(2026, 11, 10), completed_on=TODAY - timedelta(days=30))
    long_ago = ActionFactory(item=item, owner=owner, status=ActionStatus.COMPLETE,
                             due_date=date(2026, 10, 1), completed_on=TODAY - timedelta(days=31))
    cancelled = ActionFactory(item=item, owner=owner, status=ActionStatus.CANCELLED,
                              due_date=date(2026, 12, 5))
    secret = turn_on_feed(owner)

    found = action_events(read_feed(client, secret))

    assert set(found) == {uid("action", lately.id)}
    done = found[uid("action", lately.id)]
    assert text(done, "SUMMARY").startswith("Done: ")
    assert "Completed on 23 October 2026 (due 10 November 2026)." in text(done, "DESCRIPTION")
    assert "Overdue" not in text(done, "DESCRIPTION")
    assert uid("action", long_ago.id) not in found and uid("action", cancelled.id) not in found


# --- who gets nothing -----------------------------------------------------------------------


def test_a_replaced_address_stops_working_and_the_new_one_works(client, council):
    person = UserFactory(council=council)
    old = turn_on_feed(person)
    assert client.get(feed_path(old)).status_code == 200

    new = turn_on_feed(person)

    assert client.get(feed_path(old)).status_code == 404
    assert client.get(feed_path(new)).status_code == 200


def test_a_turned_off_feed_answers_not_found(client, council):
    person = UserFactory(council=council)
    secret = turn_on_feed(person)
    assert client.get(feed_path(secret)).status_code == 200

    assert turn_off_feed(person, now=clock.now()) is True
    db.session.commit()

    assert client.get(feed_path(secret)).status_code == 404
    assert turn_off_feed(person, now=clock.now()) is False  # already off


def test_a_deactivated_persons_feed_answers_not_found(client, council):
    person = UserFactory(council=council)
    secret = turn_on_feed(person)
    assert client.get(feed_path(secret)).status_code == 200

    person.active = False
    db.session.commit()

    assert client.get(feed_path(secret)).status_code == 404


def test_every_wrong_address_gets_the_same_plain_not_found(client, council):
    person = UserFactory(council=council)
    revoked = turn_on_feed(person)
    working = turn_on_feed(person)  # replaces `revoked`
    api_token = make_api_token(person, "Power BI", now=clock.now()).secret
    gone = UserFactory(council=council, active=False)
    deactivated = turn_on_feed(gone)
    db.session.commit()
    wrong = {
        "revoked": revoked,
        "unknown": "cal_" + "A" * 43,
        "malformed": "not-a-token",
        "too long": "cal_" + "A" * 500,
        "another purpose": api_token,
        "deactivated": deactivated,
        "one character off": working[:-1] + ("B" if working[-1] != "B" else "C"),
    }

    answers = {name: client.get(feed_path(secret)) for name, secret in wrong.items()}

    for name, response in answers.items():
        assert response.status_code == 404, name
        assert response.mimetype == "text/plain", name
        assert response.data == b"Not found\n", name
    assert client.get(feed_path(working)).status_code == 200


def test_only_a_hash_of_the_address_is_stored(app, council):
    person = UserFactory(council=council)
    secret = turn_on_feed(person)

    [token] = active_tokens(person, TokenPurpose.CALENDAR)
    assert token.token_sha256 == fingerprint(secret)
    assert secret not in {token.token_sha256, token.hint, token.name}


# --- committees -----------------------------------------------------------------------------


def test_a_committee_member_sees_meetings_and_report_dates_of_their_own_committees_only(
    client, council
):
    member = CommitteeMemberFactory(council=council)
    theirs = CommitteeFactory(council_id=council.id, name="Children's Scrutiny",
                              report_cadence=ReportCadence.BEFORE_MEETING,
                              report_days_before=5)
    theirs.members.append(member)
    meeting = CommitteeMeetingFactory(committee=theirs, meeting_date=date(2027, 1, 14))
    other = CommitteeFactory(council_id=council.id, report_cadence=ReportCadence.BEFORE_MEETING,
                             report_days_before=5)
    other_meeting = CommitteeMeetingFactory(committee=other, meeting_date=date(2027, 2, 11))
    db.session.commit()
    secret = turn_on_feed(member)

    found = events_of(read_feed(client, secret))

    # Thursday 14 January 2027, five working days before it is Thursday 7 January.
    assert set(found) == {uid("meeting", meeting.id), uid("report", theirs.id, "20270107")}
    meeting_event = found[uid("meeting", meeting.id)]
    assert meeting_event.decoded("DTSTART") == date(2027, 1, 14)
    assert text(meeting_event, "SUMMARY") == "Meeting: Children's Scrutiny"
    assert str(meeting_event["URL"]) == f"{PUBLIC_URL}/committees/{theirs.id}"
    report = found[uid("report", theirs.id, "20270107")]
    assert report.decoded("DTSTART") == date(2027, 1, 7)
    assert text(report, "SUMMARY") == "Progress report due: Children's Scrutiny"
    assert ("The progress report to Children's Scrutiny is due on 7 January 2027 at 9:00am, "
            "5 working days before the meeting on 14 January 2027.") in text(report, "DESCRIPTION")
    assert uid("meeting", other_meeting.id) not in found


def test_staff_see_every_committee_of_their_council_but_not_another_councils(client, council):
    manager = UserFactory(council=council)
    admin = AdminFactory(council=council)
    first = CommitteeMeetingFactory(committee__council_id=council.id)
    second = CommitteeMeetingFactory(committee__council_id=council.id)
    elsewhere = CommitteeMeetingFactory(committee__council_id=CouncilFactory().id)

    for person in (manager, admin):
        found = events_of(read_feed(client, turn_on_feed(person)))
        assert uid("meeting", first.id) in found, person.role
        assert uid("meeting", second.id) in found, person.role
        assert uid("meeting", elsewhere.id) not in found, person.role


def test_a_partner_sees_only_the_committees_they_belong_to(client, council):
    partner = PartnerFactory(council=council)
    theirs = CommitteeMeetingFactory(committee__council_id=council.id)
    theirs.committee.members.append(partner)
    not_theirs = CommitteeMeetingFactory(committee__council_id=council.id)
    db.session.commit()

    found = events_of(read_feed(client, turn_on_feed(partner)))

    assert uid("meeting", theirs.id) in found
    assert uid("meeting", not_theirs.id) not in found


def test_report_dates_follow_each_committees_cadence_for_the_next_year(client, council):
    manager = UserFactory(council=council)
    quarterly = CommitteeFactory(council_id=council.id, report_cadence=ReportCadence.RULE,
                                 report_rule_months="1,4,7,10", report_rule_day="1st mon",
                                 report_time="10:30")
    by_hand = CommitteeFactory(council_id=council.id, report_cadence=ReportCadence.NONE)
    CommitteeMeetingFactory(committee=by_hand, meeting_date=date(2027, 3, 4))
    db.session.commit()

    found = events_of(read_feed(client, turn_on_feed(manager)))

    reports = sorted(event.decoded("DTSTART") for key, event in found.items()
                     if key.startswith("report-"))
    # First Mondays of each quarter up to a year ahead (5 April 2027 is after Easter Monday).
    assert reports == [date(2027, 1, 4), date(2027, 4, 5), date(2027, 7, 5), date(2027, 10, 4)]
    first = found[uid("report", quarterly.id, "20270104")]
    assert "due on 4 January 2027 at 10:30am." in text(first, "DESCRIPTION")


def test_a_committee_with_a_broken_schedule_still_has_its_meetings_in_the_feed(client, council):
    manager = UserFactory(council=council)
    broken = CommitteeFactory(council_id=council.id, report_cadence=ReportCadence.RULE,
                              report_rule_months="13", report_rule_day="someday")
    meeting = CommitteeMeetingFactory(committee=broken)
    db.session.commit()

    found = events_of(read_feed(client, turn_on_feed(manager)))

    assert uid("meeting", meeting.id) in found
    assert not [key for key in found if key.startswith("report-")]


def test_meetings_more_than_a_year_old_are_left_out(client, council):
    manager = UserFactory(council=council)
    committee = CommitteeFactory(council_id=council.id)
    year_ago = CommitteeMeetingFactory(committee=committee, meeting_date=TODAY - timedelta(365))
    older = CommitteeMeetingFactory(committee=committee, meeting_date=TODAY - timedelta(366))

    found = events_of(read_feed(client, turn_on_feed(manager)))

    assert uid("meeting", year_ago.id) in found
    assert uid("meeting", older.id) not in found


# --- updating instead of duplicating, and polling cheaply -----------------------------------


def test_an_entry_keeps_its_uid_and_raises_its_sequence_when_the_action_changes(
    client, council, fixed_time
):
    action = ActionFactory(item__finding__inspection__council=council,
                           due_date=date(2026, 12, 1))
    lead = action.item.lead_officer
    secret = turn_on_feed(action.owner)
    before = events_of(read_feed(client, secret))[uid("action", action.id)]

    fixed_time.shift(timedelta(hours=2))
    items.change_due_date(action, actor=lead, now=clock.now(), new_date=date(2027, 1, 15),
                          reason="Audit team short-staffed in December")
    db.session.commit()
    after = events_of(read_feed(client, secret))[uid("action", action.id)]

    assert after.decoded("DTSTART") == date(2027, 1, 15)
    assert after.decoded("SEQUENCE") > before.decoded("SEQUENCE")
    assert after.decoded("LAST-MODIFIED") == clock.now()
    assert after.decoded("LAST-MODIFIED") > before.decoded("LAST-MODIFIED")


def test_an_action_falling_overdue_raises_its_sequence(client, council, fixed_time):
    action = ActionFactory(item__finding__inspection__council=council, due_date=TODAY)
    secret = turn_on_feed(action.owner)
    on_the_day = events_of(read_feed(client, secret))[uid("action", action.id)]

    fixed_time.move_to(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    next_day = events_of(read_feed(client, secret))[uid("action", action.id)]

    assert "Overdue" in text(next_day, "DESCRIPTION")
    assert next_day.decoded("SEQUENCE") > on_the_day.decoded("SEQUENCE")
    assert next_day.decoded("LAST-MODIFIED") == datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


def test_renaming_a_committee_raises_the_sequence_of_its_meetings(client, council):
    manager = UserFactory(council=council)
    meeting = CommitteeMeetingFactory(committee__council_id=council.id)
    secret = turn_on_feed(manager)
    before = events_of(read_feed(client, secret))[uid("meeting", meeting.id)]

    meeting.committee.name = "Corporate Parenting Panel"
    db.session.commit()
    after = events_of(read_feed(client, secret))[uid("meeting", meeting.id)]

    assert text(after, "SUMMARY") == "Meeting: Corporate Parenting Panel"
    assert after.decoded("SEQUENCE") > before.decoded("SEQUENCE")


def test_an_unchanged_feed_answers_its_etag_with_not_modified(client, council):
    action = ActionFactory(item__finding__inspection__council=council)
    secret = turn_on_feed(action.owner)
    first = client.get(feed_path(secret))
    second = client.get(feed_path(secret))
    assert first.data == second.data  # same data, same day: same bytes
    etag = first.headers["ETag"]

    unchanged = client.get(feed_path(secret), headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.data == b""

    action.description = "Audit moved to the new case file template"
    db.session.commit()
    changed = client.get(feed_path(secret), headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert b"new case file template" in changed.data


def test_the_feed_asks_the_database_the_same_few_questions_however_much_it_holds(
    client, council
):
    def statements_for(person) -> int:
        secret = turn_on_feed(person)
        client.get(feed_path(secret))  # the first read notes the token's use
        with recorded_statements() as made:
            assert client.get(feed_path(secret)).status_code == 200
        return len(made)

    quiet = UserFactory(council=council)
    busy = UserFactory(council=council)
    item = ItemFactory(finding__inspection__council=council)
    for day in range(40):
        ActionFactory(item=item, owner=busy, due_date=TODAY + timedelta(days=day))
    for _ in range(3):
        committee = CommitteeFactory(council_id=council.id, report_days_before=3,
                                     report_cadence=ReportCadence.BEFORE_MEETING)
        for _ in range(4):
            CommitteeMeetingFactory(committee=committee)

    # The token, the council, the actions, the committees, the meetings, the questions waiting
    # for the person's answer.
    assert statements_for(quiet) == statements_for(busy) == 6


def test_the_feed_follows_a_change_a_new_day_and_a_replaced_address(
    client, council, fixed_time
):
    action = ActionFactory(item__finding__inspection__council=council,
                           description="First wording", due_date=TODAY)
    person = action.owner
    secret = turn_on_feed(person)
    client.get(feed_path(secret))  # notes the token's use
    assert b"First wording" in client.get(feed_path(secret)).data

    action.description = "Second wording"
    db.session.commit()
    assert b"Second wording" in client.get(feed_path(secret)).data

    fixed_time.move_to(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    assert b"Overdue" in client.get(feed_path(secret)).data

    turn_on_feed(person)  # replaces the address
    assert client.get(feed_path(secret)).status_code == 404
