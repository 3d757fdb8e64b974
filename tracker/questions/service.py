"""The rules of members' questions, and every write: recording a question at a meeting and
assigning the officer who is to answer, changing or reassigning it while it waits, and
answering it (or correcting the answer). Each function flushes; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from tracker.accounts.models import Role, User
from tracker.committees.models import Committee, CommitteeMeeting
from tracker.errors import EditConflict, RuleBroken
from tracker.extensions import db
from tracker.items.models import Item
from tracker.items.queries import items_of_council
from tracker.permissions import can_answer_question, can_edit_question, can_record_question
from tracker.questions.models import MemberQuestion

QUESTION_LIMIT = 2000
ASKED_BY_LIMIT = 120  # MemberQuestion.asked_by_name
ANSWER_LIMIT = 5000


@dataclass(frozen=True)
class QuestionDetails:
    """What a clerk records of a question: where it was asked, about what, by whom, and who
    is to answer it. `asked_by_name` may be empty when `asked_by` (a member with an account)
    is given: their name is used."""

    meeting: CommitteeMeeting | None
    question: str
    asked_by_name: str
    asked_by: User | None
    item: Item | None
    officer: User | None


def officers_of_council(council_id: int) -> list[User]:
    """The people who may be asked to answer a question: the council's active administrators
    and managers (partners included), by name."""
    return list(db.session.scalars(
        select(User).where(User.council_id == council_id, User.active.is_(True),
                           User.role != Role.COMMITTEE_MEMBER)
        .order_by(User.name, User.id)))


def members_of_council(council_id: int) -> list[User]:
    """The council's active committee members, by name: who may have asked, when they use
    the tracker."""
    return list(db.session.scalars(
        select(User).where(User.council_id == council_id, User.active.is_(True),
                           User.role == Role.COMMITTEE_MEMBER)
        .order_by(User.name, User.id)))


def items_for_committee(committee: Committee) -> list[Item]:
    """The items a question at this committee may be about: those of the inspections it
    follows, by title."""
    inspection_ids = [inspection.id for inspection in committee.inspections]
    if not inspection_ids:
        return []
    from tracker.inspections.models import Finding

    return list(db.session.scalars(
        items_of_council(committee.council_id)
        .where(Finding.inspection_id.in_(inspection_ids))
        .order_by(Item.title, Item.id)))


def _checked(committee: Committee, details: QuestionDetails) -> tuple[CommitteeMeeting, str,
                                                                      User, str]:
    """The meeting, the question's text, the officer and who asked, once the rules hold."""
    council_id = committee.council_id
    meeting = details.meeting
    if meeting is None or meeting.committee_id != committee.id:
        raise RuleBroken("Choose the meeting of this committee the question was asked at",
                         field="meeting")
    text = details.question.strip()
    if not text:
        raise RuleBroken("Enter the question", field="question")
    if len(text) > QUESTION_LIMIT:
        raise RuleBroken(f"The question must be {QUESTION_LIMIT} characters or fewer",
                         field="question")
    member = details.asked_by
    if member is not None and (member.council_id != council_id
                               or member.role is not Role.COMMITTEE_MEMBER):
        raise RuleBroken("Choose a committee member of this council", field="asked_by")
    asked_by = details.asked_by_name.strip() or (member.name if member is not None else "")
    if not asked_by:
        raise RuleBroken("Enter who asked the question", field="asked_by_name")
    if len(asked_by) > ASKED_BY_LIMIT:
        raise RuleBroken(f"Who asked must be {ASKED_BY_LIMIT} characters or fewer",
                         field="asked_by_name")
    item = details.item
    if item is not None and item.finding.inspection.council_id != council_id:
        raise RuleBroken("Choose an item of this council", field="item")
    officer = details.officer
    if officer is None:
        raise RuleBroken("Choose the officer who is to answer", field="officer")
    if officer.council_id != council_id or not officer.active:
        raise RuleBroken("Choose an officer of this council who is an active user",
                         field="officer")
    if officer.role is Role.COMMITTEE_MEMBER:
        raise RuleBroken("Committee members ask questions; choose an officer to answer it",
                         field="officer")
    return meeting, text, officer, asked_by


def record_question(committee: Committee, details: QuestionDetails, *, actor: User,
                    now: datetime) -> MemberQuestion:
    """Record a member's question at one of the committee's meetings, assigned to the officer
    who is to answer it. Administrators only."""
    if not can_record_question(actor):
        raise RuleBroken("Only an administrator records members' questions")
    meeting, text, officer, asked_by = _checked(committee, details)
    question = MemberQuestion(
        meeting=meeting, item=details.item, question=text, asked_by_name=asked_by,
        asked_by=details.asked_by, officer=officer, assigned_at=now, recorded_by=actor,
        recorded_at=now, changed_by=actor, changed_at=now)
    db.session.add(question)
    db.session.flush()
    return question


def _check_version(question: MemberQuestion, expected_version: int | None) -> None:
    if expected_version is not None and question.version != expected_version:
        raise EditConflict(question, question.changed_by.name, question.changed_at)


def _flush(question: MemberQuestion) -> None:
    """Flush, turning a save that lost a race into the conflict a stale form gets."""
    try:
        db.session.flush()
    except StaleDataError as error:
        db.session.rollback()
        raise EditConflict(question, "someone else", None) from error


def edit_question(question: MemberQuestion, details: QuestionDetails, *, actor: User,
                  now: datetime, expected_version: int | None) -> MemberQuestion:
    """Change a question that waits for its answer: what was asked, where, by whom, about
    which item, and who is to answer it (choosing another officer reassigns it, and their
    reminders start afresh). An answered question is not changed: its answer may be
    corrected instead."""
    if question.is_answered:
        raise RuleBroken("This question has been answered, so it can no longer be changed. "
                         "The answer can be corrected.")
    if not can_edit_question(actor, question):
        raise RuleBroken("Only an administrator changes a member's question")
    _check_version(question, expected_version)
    meeting, text, officer, asked_by = _checked(question.meeting.committee, details)
    if officer.id != question.officer_id:
        question.assigned_at = now
    question.meeting = meeting
    question.item = details.item
    question.question = text
    question.asked_by_name = asked_by
    question.asked_by = details.asked_by
    question.officer = officer
    question.changed_by = actor
    question.changed_at = now
    _flush(question)
    return question


def answer_question(question: MemberQuestion, answer: str, *, actor: User, now: datetime,
                    expected_version: int | None) -> MemberQuestion:
    """Write the answer to a question: its officer's (or an administrator's) report back.

    A question already answered has its answer corrected: the new words replace the old,
    who first answered and when are kept, and the correction is dated (the progress paper
    prints a corrected answer once more). Saving the same words again changes nothing."""
    if not can_answer_question(actor, question):
        raise RuleBroken("Only the officer asked to answer this question, or an "
                         "administrator, can answer it")
    _check_version(question, expected_version)
    text = answer.strip()
    if not text:
        raise RuleBroken("Enter the answer", field="answer")
    if len(text) > ANSWER_LIMIT:
        raise RuleBroken(f"The answer must be {ANSWER_LIMIT} characters or fewer",
                         field="answer")
    if question.is_answered:
        if text == question.answer:
            return question
        question.corrected_by = actor
        question.corrected_at = now
    else:
        question.answered_by = actor
        question.answered_at = now
    question.answer = text
    question.changed_by = actor
    question.changed_at = now
    _flush(question)
    return question
