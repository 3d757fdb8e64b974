"""Where people meet members' questions: the committee's page (by meeting, answered or "Answer
awaited"), the item's page, the question's own page, and the officer's dashboard and list of
questions waiting for their answer. Whatever was typed is shown as text, never as markup."""

from __future__ import annotations

from datetime import UTC, date, datetime

from markupsafe import escape

from tests.conftest import sign_in_as
from tests.factories import CommitteeFactory, CommitteeMeetingFactory
from tests.questions.conftest import QUESTION
from tracker.extensions import db
from tracker.questions.service import answer_question

ANSWER = "Cover on Fridays depends on the force's staffing review."
HOSTILE = "Is it <script>alert(1)</script> & \"fixed\"?\nSecond line"


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def test_the_committee_page_lists_questions_by_meeting_answered_or_awaited(client, scene):
    earlier = CommitteeMeetingFactory(committee=scene.committee, meeting_date=date(2026, 9, 10))
    answered = scene.ask(meeting=earlier, question="Are supervision records up to date?")
    answer_question(answered, ANSWER, actor=scene.officer,
                    now=datetime(2026, 10, 1, 9, 0, tzinfo=UTC), expected_version=None)
    scene.ask()
    db.session.commit()
    sign_in_as(client, scene.member)

    shown = page(client, f"/committees/{scene.committee.id}")

    section = shown[shown.index('id="questions"'):shown.index("Meeting dates</h2>")]
    # The latest meeting first, each with its questions.
    assert (section.index("Asked at the meeting on 5 November 2026")
            < section.index(escape(QUESTION))
            < section.index("Asked at the meeting on 10 September 2026")
            < section.index("Are supervision records up to date?"))
    assert "Answer awaited" in section
    assert "by the meeting on 14 January 2027" in section
    assert str(escape(ANSWER)) in section and "Meg Lead, 1 October 2026" in section
    # A councillor reads; only the clerk records, changes or answers.
    assert "Record a question" not in shown
    assert "/answer" not in section and "/edit" not in section
    assert f"/questions/{answered.id}" in section


def test_the_clerk_sees_how_to_record_and_change_and_the_officer_how_to_answer(client, scene):
    question = scene.ask()
    sign_in_as(client, scene.clerk)
    shown = page(client, f"/committees/{scene.committee.id}")
    assert "Record a question" in shown
    assert f"/questions/{question.id}/edit" in shown
    # The meeting it was asked at can no longer be removed; the other still can.
    assert f"/meetings/{scene.last_meeting.id}/remove" not in shown
    assert f"/meetings/{scene.next_meeting.id}/remove" in shown
    sign_in_as(client, scene.officer)
    shown = page(client, f"/committees/{scene.committee.id}")
    assert f"/questions/{question.id}/answer" in shown
    assert f"/questions/{question.id}/edit" not in shown


def test_a_committee_without_meetings_says_to_add_one_first(client, scene):
    bare = CommitteeFactory(council_id=scene.council.id)
    sign_in_as(client, scene.clerk)
    assert "Add a meeting date to record the questions asked at it" in page(
        client, f"/committees/{bare.id}")
    assert "has no meeting dates yet" in page(client, f"/committees/{bare.id}/questions/new")


def test_the_item_page_shows_the_questions_about_that_item_only(client, scene):
    about = scene.ask()
    scene.ask(item=None, question="How many social workers are agency staff?")
    sign_in_as(client, scene.member)

    shown = page(client, f"/items/{scene.item.id}")

    assert "Members' questions</h2>" in shown
    assert str(escape(about.question)) in shown
    assert "Children&#39;s Services Scrutiny Committee</a>, meeting on 5 November 2026" in shown
    assert "agency staff" not in shown


def test_an_item_nobody_asked_about_has_no_questions_section(client, scene):
    sign_in_as(client, scene.member)
    assert "Members' questions</h2>" not in page(client, f"/items/{scene.item.id}")


def test_the_officer_sees_questions_waiting_for_their_answer_on_the_dashboard(client, scene):
    question = scene.ask()
    sign_in_as(client, scene.officer)

    shown = page(client, "/")

    assert "Questions waiting for your answer" in shown
    assert f"/questions/{question.id}/answer" in shown
    assert "the answer is due at the meeting on 14 January 2027" in shown
    listed = page(client, "/my-questions")
    assert str(escape(QUESTION)) in listed
    # Answered, it leaves both.
    answer_question(question, ANSWER, actor=scene.officer, now=question.recorded_at,
                    expected_version=None)
    db.session.commit()
    assert "Questions waiting for your answer" not in page(client, "/")
    assert "No questions are waiting for your answer" in page(client, "/my-questions")


def test_other_people_do_not_see_someone_elses_questions_as_waiting_for_them(client, scene):
    scene.ask()
    sign_in_as(client, scene.other_manager)
    assert "Questions waiting for your answer" not in page(client, "/")
    sign_in_as(client, scene.member)
    assert "Questions waiting for your answer" not in page(client, "/")
    assert client.get("/my-questions").status_code == 403


def test_typed_text_is_shown_as_text_everywhere_it_appears(client, scene):
    question = scene.ask(question=HOSTILE, asked_by_name="Cllr <b>O'Neill</b>")
    answer_question(question, HOSTILE, actor=scene.officer, now=question.recorded_at,
                    expected_version=None)
    db.session.commit()
    sign_in_as(client, scene.clerk)
    for path in (f"/committees/{scene.committee.id}", f"/items/{scene.item.id}",
                 f"/questions/{question.id}", f"/questions/{question.id}/answer"):
        shown = page(client, path)
        assert "<script>alert(1)" not in shown and "<b>O'Neill" not in shown
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown


def test_a_question_waiting_with_no_later_meeting_says_so(client, scene):
    question = scene.ask(meeting=scene.next_meeting)
    sign_in_as(client, scene.officer)
    assert "no later meeting is set yet" in page(client, f"/questions/{question.id}")
