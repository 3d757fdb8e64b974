"""What the progress paper prints of members' questions (`questions_for_paper`): questions
asked at meetings before the paper's meeting, each with its answer or awaiting it; printed in
every paper until one has printed the answer."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.factories import CommitteeFactory, CommitteeMeetingFactory
from tests.questions.conftest import LAST_MEETING, NEXT_MEETING, QUESTION
from tests.reports.helpers import html_text
from tracker.extensions import db
from tracker.questions.queries import PaperQuestion, questions_for_paper
from tracker.questions.service import answer_question
from tracker.reports.render_html import render_html
from tracker.reports.snapshot import build_snapshot
from tracker.settings import default_settings

ANSWER = "Cover on Fridays depends on the force's staffing review."
# The paper to the January meeting; the one before it was issued on 20 October.
LAST_PAPER = date(2026, 10, 20)


def test_a_question_asked_at_one_meeting_and_answered_is_in_the_next_paper_with_its_answer(
    scene,
):
    question = scene.ask()
    answer_question(question, ANSWER, actor=scene.officer,
                    now=datetime(2026, 12, 2, 16, 30, tzinfo=UTC), expected_version=None)
    db.session.commit()

    printed = questions_for_paper(scene.committee.id, since=LAST_PAPER, until=NEXT_MEETING)

    assert printed == [PaperQuestion(
        question_id=question.id, question=QUESTION, asked_by="Councillor Ann Hughes",
        meeting_id=scene.last_meeting.id, meeting_date=LAST_MEETING, item_id=scene.item.id,
        item_title="Timeliness of contact screening", officer="Meg Lead", answer=ANSWER,
        answered_by="Meg Lead", answered_on=date(2026, 12, 2), corrected_on=None)]


def test_a_question_without_an_answer_is_printed_as_awaited_in_every_paper_until_answered(
    scene,
):
    question = scene.ask(item=None)

    for since in (LAST_PAPER, date(2027, 1, 5), date(2027, 3, 1)):
        [printed] = questions_for_paper(scene.committee.id, since=since, until=date(2027, 3, 11))
        assert printed.question_id == question.id
        assert printed.answer is None and printed.answered_by is None
        assert printed.answered_on is None
        assert printed.item_id is None and printed.item_title is None
        assert printed.officer == "Meg Lead"


def test_an_answer_is_printed_once_then_the_question_leaves_the_papers(scene):
    question = scene.ask()
    answer_question(question, ANSWER, actor=scene.officer,
                    now=datetime(2026, 12, 2, 16, 30, tzinfo=UTC), expected_version=None)
    db.session.commit()

    january = questions_for_paper(scene.committee.id, since=LAST_PAPER, until=NEXT_MEETING)
    # The January paper was issued on 7 January: the March paper does not repeat the answer.
    march = questions_for_paper(scene.committee.id, since=date(2027, 1, 7),
                                until=date(2027, 3, 11))

    assert [q.question_id for q in january] == [question.id]
    assert march == []


def test_a_corrected_answer_is_printed_once_more_with_the_date_of_its_correction(scene):
    question = scene.ask()
    answer_question(question, ANSWER, actor=scene.officer,
                    now=datetime(2026, 12, 2, 16, 30, tzinfo=UTC), expected_version=None)
    answer_question(question, "The staffing review reports in February.", actor=scene.clerk,
                    now=datetime(2027, 1, 20, 9, 0, tzinfo=UTC), expected_version=None)
    db.session.commit()

    [printed] = questions_for_paper(scene.committee.id, since=date(2027, 1, 7),
                                    until=date(2027, 3, 11))

    assert printed.answer == "The staffing review reports in February."
    assert printed.answered_by == "Meg Lead" and printed.answered_on == date(2026, 12, 2)
    assert printed.corrected_on == date(2027, 1, 20)


def test_questions_asked_at_the_papers_own_meeting_or_later_wait_for_the_next_paper(scene):
    scene.ask(meeting=scene.next_meeting)

    assert questions_for_paper(scene.committee.id, since=LAST_PAPER, until=NEXT_MEETING) == []
    assert len(questions_for_paper(scene.committee.id, since=None,
                                   until=date(2027, 3, 11))) == 1


def test_an_answer_written_on_the_day_the_last_paper_was_issued_is_printed_again(scene):
    question = scene.ask()
    answer_question(question, ANSWER, actor=scene.officer,
                    now=datetime(2027, 1, 7, 15, 0, tzinfo=UTC), expected_version=None)
    db.session.commit()

    # Given as a date, the whole day counts: printed rather than perhaps never.
    assert len(questions_for_paper(scene.committee.id, since=date(2027, 1, 7),
                                   until=date(2027, 3, 11))) == 1
    # Given as the moment the paper was issued, before the answer: printed.
    assert len(questions_for_paper(scene.committee.id,
                                   since=datetime(2027, 1, 7, 11, 0, tzinfo=UTC),
                                   until=date(2027, 3, 11))) == 1
    # Issued after the answer was written: that paper printed it already.
    assert questions_for_paper(scene.committee.id,
                               since=datetime(2027, 1, 7, 16, 0, tzinfo=UTC),
                               until=date(2027, 3, 11)) == []


def test_the_first_paper_prints_every_earlier_question_in_the_order_they_were_asked(scene):
    earlier = CommitteeMeetingFactory(committee=scene.committee, meeting_date=date(2026, 9, 10))
    second = scene.ask()
    first = scene.ask(meeting=earlier)
    answer_question(first, ANSWER, actor=scene.officer,
                    now=datetime(2026, 9, 30, 9, 0, tzinfo=UTC), expected_version=None)
    db.session.commit()

    printed = questions_for_paper(scene.committee.id, since=None, until=NEXT_MEETING)

    assert [q.question_id for q in printed] == [first.id, second.id]


def test_another_committees_questions_are_not_printed(scene):
    other = CommitteeFactory(council_id=scene.council.id)
    scene.ask()
    assert questions_for_paper(other.id, since=None, until=NEXT_MEETING) == []


def test_the_next_paper_prints_the_question_with_its_answer_and_an_awaited_one_as_awaited(
    scene,
):
    answered = scene.ask()
    scene.ask(question="How many Friday contacts waited over a day?", item=None)
    answer_question(answered, ANSWER, actor=scene.officer,
                    now=datetime(2026, 12, 2, 16, 30, tzinfo=UTC), expected_version=None)
    db.session.commit()

    paper = html_text(render_html(build_snapshot(
        scene.committee, today=date(2026, 12, 3), now=datetime(2026, 12, 3, 9, 0, tzinfo=UTC),
        rules=default_settings().status_rules)))

    assert "Members' questions" in paper
    assert (f"Asked by Councillor Ann Hughes at the meeting of 5 November 2026, about item "
            f"5.1: “{QUESTION}” Answer from Meg Lead, 2 December 2026: “{ANSWER}”") in paper
    assert ("“How many Friday contacts waited over a day?” Answer awaited from Meg Lead."
            in paper)
