"""An officer is reminded of the members' questions waiting for their answer, in the daily
digest: the morning after it is assigned, every Monday, and each day in the week before the
meeting the answer is due at; on other days only in a digest that goes to them anyway."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.factories import (
    ActionFactory,
    AdminFactory,
    CommitteeFactory,
    CommitteeMeetingFactory,
    ItemFactory,
    UserFactory,
)
from tests.reminders.conftest import about
from tracker import clock
from tracker.extensions import db
from tracker.questions.service import QuestionDetails, answer_question, record_question
from tracker.reminders import service
from tracker.reminders.models import DeliveryKind
from tracker.settings import settings

SATURDAY = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)  # the question is recorded then
SUNDAY = date(2026, 11, 22)  # the tests' today
MONDAY = date(2026, 11, 23)
TUESDAY = date(2026, 11, 24)
NEXT_MEETING = date(2027, 1, 14)  # a Thursday
QUESTION = "Why are contacts from the police still screened late on Fridays?"


@pytest.fixture
def asked(app, council):
    """A question asked on 5 November about an item Meg leads, recorded and assigned to her on
    Saturday afternoon; its answer is due at the meeting on 14 January 2027."""
    officer = UserFactory(council=council, name="Meg Lead", email="meg.lead@northshire.example")
    clerk = AdminFactory(council=council)
    item = ItemFactory(finding__inspection__council=council, lead_officer=officer,
                       title="Timeliness of contact screening")
    # Planned, and not due for months: no reminder of its own, nor the planning reminder.
    ActionFactory(item=item, owner=officer, due_date=date(2027, 3, 1))
    committee = CommitteeFactory(council_id=council.id,
                                 name="Children's Services Scrutiny Committee")
    meeting = CommitteeMeetingFactory(committee=committee, meeting_date=date(2026, 11, 5))
    CommitteeMeetingFactory(committee=committee, meeting_date=NEXT_MEETING)
    question = record_question(committee, QuestionDetails(
        meeting=meeting, question=QUESTION, asked_by_name="Councillor Ann Hughes",
        asked_by=None, item=item, officer=officer), actor=clerk, now=SATURDAY)
    db.session.commit()
    return question


def digests_to(person, day: date) -> list[service.Reminder]:
    return [reminder for reminder in service.plan_reminders(day, settings=settings())
            if reminder.recipient.id == person.id and reminder.kind is DeliveryKind.DIGEST]


def test_the_officer_is_emailed_the_morning_after_the_question_is_assigned(asked, inbox):
    result = service.send_reminders(SUNDAY, now=clock.now())

    assert result.failed == 0
    [mail] = inbox.to("meg.lead@northshire.example")
    assert about(mail["Subject"]) == "1 question to answer"
    text = inbox.text(mail)
    assert "QUESTIONS WAITING FOR YOUR ANSWER" in text
    assert QUESTION in text
    assert ("Asked by Councillor Ann Hughes at Children's Services Scrutiny Committee on "
            "5 November 2026") in text
    assert "About: Timeliness of contact screening" in text
    assert "Answer due at the meeting on 14 January 2027" in text
    assert f"https://tracker.northshire.example/questions/{asked.id}/answer" in text
    # With no action to remind them of, the email does not tell them to update actions.
    assert "What to do: open each action" not in text


def test_it_comes_again_on_mondays_and_daily_in_the_week_before_the_meeting_not_every_day(
    asked,
):
    officer = asked.officer
    assert digests_to(officer, MONDAY)
    assert not digests_to(officer, TUESDAY)
    assert not digests_to(officer, date(2027, 1, 6))  # a Wednesday, eight days before
    for day in (date(2027, 1, 7), date(2027, 1, 8), date(2027, 1, 13), NEXT_MEETING):
        [digest] = digests_to(officer, day)
        assert [line.question_id for line in digest.questions] == [asked.id]


def test_any_digest_that_goes_anyway_lists_the_waiting_questions(asked):
    ActionFactory(item=asked.item, owner=asked.officer, description="Friday screening rota",
                  due_date=TUESDAY - timedelta(days=3))

    [digest] = digests_to(asked.officer, TUESDAY)

    assert about(digest.subject) == "1 overdue action to update; 1 question to answer"
    assert [line.question_id for line in digest.questions] == [asked.id]
    assert [line.description for line in digest.overdue] == ["Friday screening rota"]


def test_an_answered_question_is_no_longer_reminded(asked):
    answer_question(asked, "Cover depends on the force's staffing review.",
                    actor=asked.officer, now=clock.now(), expected_version=None)
    db.session.commit()

    assert not digests_to(asked.officer, MONDAY)


def test_an_officer_whose_reminders_are_paused_is_not_emailed_about_questions(asked):
    asked.officer.reminders_paused_until = date(2026, 12, 31)
    db.session.commit()

    assert not digests_to(asked.officer, MONDAY)


def test_a_reassigned_question_goes_to_the_new_officer_the_next_morning(asked):
    from tracker.questions.service import edit_question

    meg = asked.officer
    newcomer = UserFactory(council=meg.council, name="Daniel Okafor")
    edit_question(asked, QuestionDetails(
        meeting=asked.meeting, question=asked.question, asked_by_name=asked.asked_by_name,
        asked_by=None, item=asked.item, officer=newcomer), actor=asked.recorded_by,
        now=datetime(2026, 11, 24, 10, 0, tzinfo=UTC), expected_version=None)
    db.session.commit()

    wednesday = date(2026, 11, 25)
    assert digests_to(newcomer, wednesday)
    assert not digests_to(meg, wednesday) and not digests_to(meg, date(2026, 11, 30))


def test_a_question_in_a_digest_arrives_escaped_in_html_and_literal_in_text(asked, inbox):
    asked.question = "Is it <script>alert(1)</script> & fixed?"
    db.session.commit()

    service.send_reminders(SUNDAY, now=clock.now())

    [mail] = inbox.to("meg.lead@northshire.example")
    assert "Is it <script>alert(1)</script> & fixed?" in inbox.text(mail)
    html = inbox.html(mail)
    assert "<script>" not in html
    assert "Is it &lt;script&gt;alert(1)&lt;/script&gt; &amp; fixed?" in html
