"""A clerk records a member's question at a meeting and assigns an officer; the clerk changes
or reassigns it while it waits; the officer (or an administrator) answers it, and may correct
the answer. Bad input gets a clear message and writes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from tests.conftest import sign_in_as
from tests.factories import (
    AdminFactory,
    CommitteeFactory,
    CommitteeMeetingFactory,
    CouncilFactory,
    ItemFactory,
    UserFactory,
)
from tests.questions.conftest import NOW, QUESTION
from tracker.errors import EditConflict, RuleBroken
from tracker.extensions import db
from tracker.questions.models import MemberQuestion
from tracker.questions.service import answer_question, edit_question

LATER = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ANSWER = ("Cover on Fridays depends on the force's staffing review, due to report in "
          "December. Until then the MASH manager checks Friday contacts on Monday morning.")


def questions_written() -> int:
    return db.session.scalar(select(func.count()).select_from(MemberQuestion)) or 0


# Recording ---------------------------------------------------------------------------------


def test_a_clerk_records_a_question_at_a_meeting_and_assigns_an_officer(client, scene):
    sign_in_as(client, scene.clerk)
    form_page = client.get(f"/committees/{scene.committee.id}/questions/new")
    assert form_page.status_code == 200
    page = form_page.get_data(as_text=True)
    # The meeting just held is chosen already; the next is offered as not yet held.
    assert f'<option value="{scene.last_meeting.id}" selected>5 November 2026</option>' in page
    assert "14 January 2027 (not yet held)" in page
    assert "Meg Lead" in page and "Timeliness of contact screening" in page

    response = client.post(f"/committees/{scene.committee.id}/questions/new",
                           data=scene.form())

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/committees/{scene.committee.id}#questions")
    question = db.session.scalars(select(MemberQuestion)).one()
    assert question.meeting_id == scene.last_meeting.id
    assert question.item_id == scene.item.id
    assert question.question == QUESTION
    assert question.asked_by_name == "Councillor Ann Hughes"
    assert question.officer_id == scene.officer.id
    assert question.recorded_by_id == scene.clerk.id
    assert question.recorded_at == question.assigned_at == NOW
    assert not question.is_answered and question.answer is None
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Question recorded: Meg Lead is asked to answer it" in shown


def test_a_member_who_uses_the_tracker_can_be_chosen_instead_of_typing_their_name(scene):
    question = scene.ask(asked_by_name="", asked_by=scene.member)

    assert question.asked_by_name == "Councillor Ann Hughes"
    assert question.asked_by_id == scene.member.id


def test_a_question_need_not_be_about_an_item(scene):
    assert scene.ask(item=None).item_id is None


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"question": "   "}, "question", "Enter the question"),
    ({"asked_by_name": "", "asked_by": ""}, "asked_by_name", "Enter who asked the question"),
    ({"officer": ""}, "officer", "Choose the officer who is to answer"),
    ({"meeting": ""}, "meeting", "Choose the meeting the question was asked at"),
    ({"question": "x" * 2001}, "question", "The question must be 2000 characters or fewer"),
])
def test_a_question_with_something_missing_is_refused_saying_what_and_nothing_is_written(
    client, scene, changes, field, message
):
    sign_in_as(client, scene.clerk)

    response = client.post(f"/committees/{scene.committee.id}/questions/new",
                           data=scene.form(**changes))

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert f'href="#{field}"' in page and str(escape(message)) in page
    assert questions_written() == 0


def test_an_officer_of_another_council_cannot_be_asked_to_answer(client, scene):
    stranger = UserFactory(council=CouncilFactory(), name="Someone Elsewhere")
    sign_in_as(client, scene.clerk)

    response = client.post(f"/committees/{scene.committee.id}/questions/new",
                           data=scene.form(officer=str(stranger.id)))

    assert response.status_code == 400
    assert "Choose the officer to answer from the list" in response.get_data(as_text=True)
    assert questions_written() == 0
    # The rule holds without the form too.
    with pytest.raises(RuleBroken, match="Choose an officer of this council"):
        scene.ask(officer=stranger)
    db.session.rollback()
    assert questions_written() == 0


def test_a_meeting_of_another_council_or_committee_cannot_be_chosen(client, scene):
    elsewhere = CommitteeMeetingFactory(
        committee=CommitteeFactory(council_id=CouncilFactory().id), meeting_date=date(2026, 11, 5))
    ours_but_another_committee = CommitteeMeetingFactory(
        committee=CommitteeFactory(council_id=scene.council.id), meeting_date=date(2026, 11, 6))
    sign_in_as(client, scene.clerk)

    for meeting in (elsewhere, ours_but_another_committee):
        response = client.post(f"/committees/{scene.committee.id}/questions/new",
                               data=scene.form(meeting=str(meeting.id)))
        assert response.status_code == 400
        assert ("Choose the meeting it was asked at from the list"
                in response.get_data(as_text=True))
        with pytest.raises(RuleBroken, match="Choose the meeting of this committee"):
            scene.ask(meeting=meeting)
        db.session.rollback()
    assert questions_written() == 0


def test_an_item_of_another_council_or_a_committee_member_as_officer_is_refused(scene):
    foreign_item = ItemFactory(finding__inspection__council=CouncilFactory())
    with pytest.raises(RuleBroken, match="Choose an item of this council"):
        scene.ask(item=foreign_item)
    db.session.rollback()
    with pytest.raises(RuleBroken, match="Committee members ask questions"):
        scene.ask(officer=scene.member)
    db.session.rollback()
    assert questions_written() == 0


def test_another_councils_committee_is_not_found_and_only_administrators_record(client, scene):
    other = CommitteeFactory(council_id=CouncilFactory().id)
    sign_in_as(client, scene.clerk)
    assert client.get(f"/committees/{other.id}/questions/new").status_code == 404
    assert client.post(f"/committees/{other.id}/questions/new",
                       data=scene.form()).status_code == 404
    sign_in_as(client, scene.officer)
    assert client.post(f"/committees/{scene.committee.id}/questions/new",
                       data=scene.form()).status_code == 403
    assert questions_written() == 0


# Changing and reassigning ------------------------------------------------------------------


def test_the_clerk_reassigns_a_waiting_question_and_the_new_officers_reminders_start_afresh(
    client, scene
):
    question = scene.ask()
    sign_in_as(client, scene.clerk)
    page = client.get(f"/questions/{question.id}/edit")
    assert page.status_code == 200
    version = question.version

    with_time = {**scene.form(officer=str(scene.other_manager.id),
                              question="Why are police contacts screened late on Fridays?"),
                 "version": str(version)}
    response = client.post(f"/questions/{question.id}/edit", data=with_time)

    assert response.status_code == 302
    db.session.refresh(question)
    assert question.officer_id == scene.other_manager.id
    assert question.question == "Why are police contacts screened late on Fridays?"
    assert question.assigned_at == NOW
    assert question.version == version + 1


def test_a_change_from_a_form_opened_before_someone_elses_save_is_a_conflict(client, scene):
    question = scene.ask()
    edit_question(question, scene.details(question="Changed meanwhile"), actor=scene.clerk,
                  now=NOW, expected_version=question.version)
    db.session.commit()
    sign_in_as(client, scene.clerk)

    response = client.post(f"/questions/{question.id}/edit",
                           data={**scene.form(), "version": "1"})

    assert response.status_code == 409
    assert "Priya Shah changed this question after you opened it" in response.get_data(
        as_text=True)
    db.session.refresh(question)
    assert question.question == "Changed meanwhile"


def test_an_answered_question_can_no_longer_be_changed_only_its_answer_corrected(client, scene):
    question = scene.ask()
    answer_question(question, ANSWER, actor=scene.officer, now=NOW, expected_version=None)
    db.session.commit()

    with pytest.raises(RuleBroken, match="can no longer be changed"):
        edit_question(question, scene.details(question="Too late"), actor=scene.clerk, now=NOW,
                      expected_version=None)
    db.session.rollback()
    sign_in_as(client, scene.clerk)
    assert client.get(f"/questions/{question.id}/edit").status_code == 403
    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert "Correct the answer" in page
    assert f"/questions/{question.id}/answer" in page
    assert f"/questions/{question.id}/edit" not in page


# Answering ---------------------------------------------------------------------------------


def test_the_officer_answers_in_one_save(client, scene):
    question = scene.ask()
    sign_in_as(client, scene.officer)
    page = client.get(f"/questions/{question.id}/answer")
    assert page.status_code == 200
    assert "Answer the question" in page.get_data(as_text=True)

    response = client.post(f"/questions/{question.id}/answer",
                           data={"answer": ANSWER, "version": str(question.version)})

    assert response.status_code == 302
    db.session.refresh(question)
    assert question.answer == ANSWER
    assert question.answered_by_id == scene.officer.id
    assert question.answered_at == NOW
    assert question.corrected_at is None
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Answer saved" in shown and "Answered" in shown


def test_an_empty_answer_is_refused_and_nothing_is_written(client, scene):
    question = scene.ask()
    sign_in_as(client, scene.officer)

    response = client.post(f"/questions/{question.id}/answer",
                           data={"answer": "  \n ", "version": str(question.version)})

    assert response.status_code == 400
    assert "Enter the answer" in response.get_data(as_text=True)
    db.session.refresh(question)
    assert not question.is_answered and question.version == 1


def test_the_officer_or_an_administrator_corrects_an_answer_and_the_first_answer_is_kept(
    scene,
):
    question = scene.ask()
    answer_question(question, ANSWER, actor=scene.officer, now=NOW, expected_version=None)
    answer_question(question, "The staffing review reports in January, not December.",
                    actor=scene.clerk, now=LATER, expected_version=None)
    db.session.commit()

    assert question.answer == "The staffing review reports in January, not December."
    assert (question.answered_by_id, question.answered_at) == (scene.officer.id, NOW)
    assert (question.corrected_by_id, question.corrected_at) == (scene.clerk.id, LATER)
    # The same words again change nothing.
    version = question.version
    answer_question(question, question.answer, actor=scene.officer, now=LATER,
                    expected_version=None)
    assert question.version == version


def test_only_the_assigned_officer_or_an_administrator_may_answer(client, scene):
    question = scene.ask()
    for person in (scene.other_manager, scene.member):
        sign_in_as(client, person)
        assert client.get(f"/questions/{question.id}/answer").status_code == 403
        assert client.post(f"/questions/{question.id}/answer",
                           data={"answer": ANSWER, "version": "1"}).status_code == 403
    with pytest.raises(RuleBroken, match="Only the officer asked to answer"):
        answer_question(question, ANSWER, actor=scene.other_manager, now=NOW,
                        expected_version=None)
    db.session.rollback()
    sign_in_as(client, AdminFactory(council=scene.council))
    assert client.get(f"/questions/{question.id}/answer").status_code == 200
    db.session.refresh(question)
    assert not question.is_answered


def test_an_answer_to_a_question_changed_meanwhile_is_a_conflict_not_a_silent_overwrite(scene):
    question = scene.ask()
    opened = question.version
    edit_question(question, scene.details(question="Reworded by the clerk"), actor=scene.clerk,
                  now=NOW, expected_version=opened)
    with pytest.raises(EditConflict):
        answer_question(question, ANSWER, actor=scene.officer, now=NOW, expected_version=opened)


def test_another_councils_question_is_not_found(client, scene):
    from tests.questions.factories import MemberQuestionFactory

    elsewhere = MemberQuestionFactory()
    sign_in_as(client, scene.clerk)
    for path in ("", "/answer", "/edit"):
        assert client.get(f"/questions/{elsewhere.id}{path}").status_code == 404


def test_a_meeting_at_which_questions_were_asked_stays_on_the_calendar(client, scene):
    scene.ask()
    sign_in_as(client, scene.clerk)

    response = client.post(
        f"/committees/{scene.committee.id}/meetings/{scene.last_meeting.id}/remove")

    assert response.status_code == 400
    assert ("Members&#39; questions were recorded at the meeting on 5 November 2026"
            in response.get_data(as_text=True))
    assert db.session.get(type(scene.last_meeting), scene.last_meeting.id) is not None
    # A meeting without questions still goes.
    assert client.post(f"/committees/{scene.committee.id}/meetings/"
                       f"{scene.next_meeting.id}/remove").status_code == 302
