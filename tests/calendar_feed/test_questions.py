"""A member's question in the calendar of the officer asked to answer it: an all-day entry on
the date of the meeting its answer is due at, while the answer is awaited."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from tests.calendar_feed.conftest import events_of, feed_path, read_feed, text, turn_on_feed, uid
from tests.factories import (
    AdminFactory,
    CommitteeFactory,
    CommitteeMeetingFactory,
    ItemFactory,
    UserFactory,
)
from tracker.extensions import db
from tracker.questions.service import QuestionDetails, answer_question, record_question

QUESTION = "Why are contacts from the police still screened late on Fridays?"


@pytest.fixture
def asked(council):
    officer = UserFactory(council=council, name="Meg Lead")
    item = ItemFactory(finding__inspection__council=council, lead_officer=officer,
                       title="Timeliness of contact screening")
    committee = CommitteeFactory(council_id=council.id,
                                 name="Children's Services Scrutiny Committee")
    meeting = CommitteeMeetingFactory(committee=committee, meeting_date=date(2026, 11, 5))
    CommitteeMeetingFactory(committee=committee, meeting_date=date(2027, 1, 14))
    CommitteeMeetingFactory(committee=committee, meeting_date=date(2027, 3, 11))
    question = record_question(committee, QuestionDetails(
        meeting=meeting, question=QUESTION, asked_by_name="Councillor Ann Hughes",
        asked_by=None, item=item, officer=officer), actor=AdminFactory(council=council),
        now=datetime(2026, 11, 6, 9, 0, tzinfo=UTC))
    db.session.commit()
    return question


def test_the_officer_sees_the_question_on_the_day_of_the_next_meeting(client, asked):
    secret = turn_on_feed(asked.officer)

    event = events_of(read_feed(client, secret))[uid("question", asked.id)]

    assert event.decoded("DTSTART") == date(2027, 1, 14)
    assert event.decoded("DTEND") == date(2027, 1, 15)
    assert str(event["TRANSP"]) == "TRANSPARENT"
    assert text(event, "SUMMARY") == f"Answer awaited: {QUESTION}"
    description = text(event, "DESCRIPTION")
    assert description.startswith(f"Question: {QUESTION}\nAsked by Councillor Ann Hughes at "
                                  f"Children's Services Scrutiny Committee on 5 November 2026.")
    assert "About: Timeliness of contact screening" in description
    assert "The answer is due at the meeting on 14 January 2027" in description
    assert str(event["URL"]) == (
        f"https://tracker.northshire.example/questions/{asked.id}/answer")


def test_once_answered_the_question_leaves_the_calendar(client, asked):
    secret = turn_on_feed(asked.officer)
    answer_question(asked, "Cover depends on the force's staffing review.",
                    actor=asked.officer, now=datetime(2026, 11, 22, 12, 0, tzinfo=UTC),
                    expected_version=None)
    db.session.commit()

    assert uid("question", asked.id) not in events_of(read_feed(client, secret))


def test_a_missed_meeting_moves_the_entry_to_the_next_one(client, asked):
    secret = turn_on_feed(asked.officer)
    with time_machine.travel(datetime(2027, 1, 20, 9, 0, tzinfo=UTC), tick=False):
        event = events_of(read_feed(client, secret))[uid("question", asked.id)]
    assert event.decoded("DTSTART") == date(2027, 3, 11)


def test_only_the_officer_asked_to_answer_has_it_in_their_calendar(client, asked):
    someone_else = UserFactory(council=asked.officer.council)
    secret = turn_on_feed(someone_else)
    assert not [key for key in events_of(read_feed(client, secret))
                if key.startswith("question-")]


def test_with_no_later_meeting_set_there_is_no_entry_yet(client, asked):
    for meeting in list(asked.meeting.committee.meetings):
        if meeting.meeting_date > date(2026, 11, 5):
            db.session.delete(meeting)
    db.session.commit()
    secret = turn_on_feed(asked.officer)
    assert uid("question", asked.id) not in events_of(read_feed(client, secret))


def test_a_changed_question_keeps_its_entry_and_raises_its_sequence(client, asked):
    from tracker.questions.service import edit_question

    secret = turn_on_feed(asked.officer)
    before = events_of(read_feed(client, secret))[uid("question", asked.id)]
    edit_question(asked, QuestionDetails(
        meeting=asked.meeting, question="Why is Friday screening late?",
        asked_by_name=asked.asked_by_name, asked_by=None, item=asked.item,
        officer=asked.officer), actor=asked.recorded_by,
        now=datetime(2026, 11, 20, 9, 0, tzinfo=UTC), expected_version=None)
    db.session.commit()

    after = events_of(read_feed(client, secret))[uid("question", asked.id)]

    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert text(after, "SUMMARY") == "Answer awaited: Why is Friday screening late?"


def test_typed_text_comes_back_as_typed_in_the_calendar(client, asked):
    asked.question = "Is it <b>fixed</b>; really?\r\nSecond\x1b line"
    asked.asked_by_name = "Cllr O'Neill, Chair"
    db.session.commit()
    secret = turn_on_feed(asked.officer)

    response = client.get(feed_path(secret))
    event = events_of(read_feed(client, secret))[uid("question", asked.id)]

    assert text(event, "DESCRIPTION").startswith(
        "Question: Is it <b>fixed</b>; really?\nSecond line\nAsked by Cllr O'Neill, Chair at")
    assert text(event, "SUMMARY") == "Answer awaited: Is it <b>fixed</b>; really? Second line"
    assert b"\x1b" not in response.data
