"""Reading members' questions: for a committee's page, an item's page, the officer who is to
answer them (their dashboard, reminders and calendar), the API, and the progress paper.

When an answer is due: at the committee's next meeting after the one the question was asked
at that has not yet passed (`answer_due`). That is the meeting the officer reports back to; if
the first meeting after the question passes with no answer, the next one is the one the answer
is due at. None while no later meeting is set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Date, Select, bindparam, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from tracker.accounts.models import User
from tracker.committees.models import Committee, CommitteeMeeting
from tracker.extensions import db
from tracker.formatting import UK
from tracker.items.models import Item
from tracker.pagination import Page, clamp
from tracker.questions.models import MemberQuestion


def _of_council(council_id: Any) -> Select[tuple[MemberQuestion]]:
    """Questions asked at the meetings of the council's committees: the start of every query
    that a person's council bounds."""
    return (select(MemberQuestion)
            .join(CommitteeMeeting, MemberQuestion.meeting_id == CommitteeMeeting.id)
            .join(Committee, CommitteeMeeting.committee_id == Committee.id)
            .where(Committee.council_id == council_id))


def _shown_with() -> list[Any]:
    """What a page shows of each question, loaded with it."""
    return [joinedload(MemberQuestion.meeting).joinedload(CommitteeMeeting.committee),
            joinedload(MemberQuestion.item), joinedload(MemberQuestion.officer),
            joinedload(MemberQuestion.answered_by), joinedload(MemberQuestion.corrected_by),
            joinedload(MemberQuestion.asked_by)]


def get_question(council_id: int, question_id: int) -> MemberQuestion | None:
    """One question of the council, or None (another council's is as good as missing)."""
    return db.session.scalars(
        _of_council(council_id).where(MemberQuestion.id == question_id).options(*_shown_with())
    ).first()


def answer_due(today: Any) -> ColumnElement[date | None]:
    """As a column of a query that joins the question's meeting (`CommitteeMeeting`): the
    date of the committee's first meeting after the one the question was asked at that is on
    or after `today`; null when there is none."""
    later = aliased(CommitteeMeeting)
    return (select(func.min(later.meeting_date))
            .where(later.committee_id == CommitteeMeeting.committee_id,
                   later.meeting_date > CommitteeMeeting.meeting_date,
                   later.meeting_date >= today)
            .scalar_subquery())


def due_of(question: MemberQuestion, today: date) -> date | None:
    """When one question's answer is due (`answer_due`); None once it is answered."""
    if question.is_answered:
        return None
    return db.session.scalar(select(answer_due(today)).select_from(CommitteeMeeting)
                             .where(CommitteeMeeting.id == question.meeting_id))


@dataclass(frozen=True)
class Listed:
    """A question as a page lists it, with the date its answer is due (None once answered, or
    while the committee has no later meeting)."""

    question: MemberQuestion
    answer_due: date | None


def _listed(query: Select[Any], today: date) -> list[Listed]:
    rows = db.session.execute(
        query.add_columns(answer_due(today)).options(*_shown_with())).unique()
    return [Listed(question, None if question.is_answered else due) for question, due in rows]


def _latest_meeting_first(query: Select[Any]) -> Select[Any]:
    return query.order_by(CommitteeMeeting.meeting_date.desc(), MemberQuestion.id)


@dataclass(frozen=True)
class MeetingQuestions:
    """The questions asked at one meeting."""

    meeting: CommitteeMeeting
    questions: list[Listed]


def questions_by_meeting(committee: Committee, today: date) -> list[MeetingQuestions]:
    """A committee's questions, by the meeting they were asked at, the latest meeting first;
    in the order they were recorded within a meeting. Meetings without questions are left
    out. One statement."""
    groups: dict[int, MeetingQuestions] = {}
    for listed in _listed(_latest_meeting_first(
            _of_council(committee.council_id).where(Committee.id == committee.id)), today):
        meeting = listed.question.meeting
        groups.setdefault(meeting.id, MeetingQuestions(meeting, [])).questions.append(listed)
    return list(groups.values())


def questions_about_item(item: Item, council_id: int, today: date) -> list[Listed]:
    """The questions asked about an item, at any committee's meetings, the latest first.
    One statement."""
    rows = db.session.execute(_questions_about_item(), {
        "council_id": council_id, "item_id": item.id, "today": today}).unique()
    return [Listed(question, None if question.is_answered else due) for question, due in rows]


@cache
def _questions_about_item() -> Select[Any]:
    """`questions_about_item`'s statement, built once and run with `council_id`, `item_id`
    and `today` bound: building it, with all it loads, took longer than running it for the
    item page (which mostly finds no question)."""
    return (_latest_meeting_first(
        _of_council(bindparam("council_id")).where(MemberQuestion.item_id == bindparam("item_id")))
        .add_columns(answer_due(bindparam("today", type_=Date))).options(*_shown_with()))


def _waiting_for_answer(user_id: Any, council_id: Any, today: Any
                        ) -> Select[tuple[MemberQuestion]]:
    """The questions waiting for the answer of this person (the officer assigned), of their
    council, the soonest due first (those with no next meeting yet last), then the earliest
    asked."""
    due = answer_due(today)
    return (_of_council(council_id)
            .where(MemberQuestion.officer_id == user_id, MemberQuestion.answered_at.is_(None))
            .order_by(due.is_(None), due, CommitteeMeeting.meeting_date, MemberQuestion.id))


def waiting_for(user: User, today: date, *, page: int = 1, per_page: int = 50
                ) -> Page[Listed]:
    """The questions waiting for this person's answer (`_waiting_for_answer`), a page at a
    time. Two statements; one when there are none."""
    ordered = _waiting_for_answer(user.id, user.council_id, today)
    total = db.session.scalar(
        select(func.count()).select_from(ordered.order_by(None).subquery())) or 0
    page = clamp(page, total, per_page)
    if not total:
        return Page(rows=[], total=0, page=page, per_page=per_page)
    rows = _listed(ordered.limit(per_page).offset((page - 1) * per_page), today)
    return Page(rows=rows, total=total, page=page, per_page=per_page)


@cache
def _waiting_for_statement(limit: int) -> Select[Any]:
    """`questions_waiting_for`'s statement, built once: the person, their council and the day
    are bound parameters ("user_id", "council_id", "today")."""
    today = bindparam("today", type_=Date)
    return (_waiting_for_answer(bindparam("user_id"), bindparam("council_id"), today)
            .with_only_columns(*_waiting_columns(today), func.count().over())
            .outerjoin(Item, MemberQuestion.item_id == Item.id)
            .limit(limit))


def questions_waiting_for(user: User, today: date, *, limit: int) -> Page[WaitingQuestion]:
    """The first `limit` questions waiting for this person's answer, in the order of
    `waiting_for`, as plain values, with how many wait in all (one statement)."""
    rows = db.session.execute(_waiting_for_statement(limit), {
        "user_id": user.id, "council_id": user.council_id, "today": today}).all()
    return Page(rows=[WaitingQuestion(*row[:-1]) for row in rows],
                total=rows[0][-1] if rows else 0, page=1, per_page=limit)


# --- the API --------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionFilters:
    """What the API's list of questions can be narrowed by; every field is optional."""

    committee_id: int | None = None
    # True: only answered questions; False: only those waiting for their answer.
    answered: bool | None = None


def questions_page(council_id: int, filters: QuestionFilters, *, today: date, page: int,
                   per_page: int) -> Page[Listed]:
    """The council's questions, the latest meeting first, filtered, a page at a time (two
    statements). A committee that is not the council's has none."""
    query = _of_council(council_id)
    if filters.committee_id is not None:
        query = query.where(Committee.id == filters.committee_id)
    if filters.answered is not None:
        query = query.where(MemberQuestion.answered_at.is_not(None) if filters.answered
                            else MemberQuestion.answered_at.is_(None))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = clamp(page, total, per_page)
    rows = _listed(_latest_meeting_first(query).limit(per_page).offset((page - 1) * per_page),
                   today)
    return Page(rows=rows, total=total, page=page, per_page=per_page)


# --- the progress paper ---------------------------------------------------------------------


@dataclass(frozen=True)
class PaperQuestion:
    """A member's question as the progress paper prints it: plain data, no database objects.

    `answer` is None while the answer is awaited; then `answered_by` and `answered_on` are
    None too. `corrected_on` is set when the answer was corrected after it was first given.
    `item_id` and `item_title` name the tracked item it is about, if any: the paper numbers
    items itself (4.1, 4.2 …) and looks the number up by the id."""

    question_id: int
    question: str
    asked_by: str
    meeting_id: int
    meeting_date: date
    item_id: int | None
    item_title: str | None
    officer: str  # the officer assigned to report back
    answer: str | None
    answered_by: str | None
    answered_on: date | None
    corrected_on: date | None


def _uk_day(moment: datetime | None) -> date | None:
    return moment.astimezone(UK).date() if moment is not None else None


def _start_of(since: date | datetime) -> datetime:
    if isinstance(since, datetime):
        return since
    return datetime.combine(since, time(0), tzinfo=UK).astimezone(UTC)


def questions_for_paper(committee_id: int, *, since: date | datetime | None,
                        until: date) -> list[PaperQuestion]:
    """The members' questions a committee's progress paper prints, in the order they were
    asked (meeting date, then as recorded).

    `until` is the date of the meeting the paper goes to: questions asked at meetings before
    it are printed; those asked at that meeting or later wait for the next paper. `since` is
    when the previous paper to the committee was issued (its moment, or its date), or None
    for the committee's first paper.

    The rule: a question is printed in every paper until it has been printed once with its
    answer. So it is printed while its answer is awaited (shown as "answer awaited"), and,
    once answered, in the first paper issued after the answer was written, then no more. An
    answer corrected after it was printed is printed once more, with its correction date. A
    date for `since` counts the whole of that day as after it (an answer written on the day
    the last paper was issued is printed again rather than perhaps never). One statement."""
    question_changed = func.coalesce(MemberQuestion.corrected_at, MemberQuestion.answered_at)
    answered_by = aliased(User)
    officer = aliased(User)
    query = (
        select(MemberQuestion, CommitteeMeeting.meeting_date, Item.title, officer.name,
               answered_by.name)
        .join(CommitteeMeeting, MemberQuestion.meeting_id == CommitteeMeeting.id)
        .join(officer, MemberQuestion.officer_id == officer.id)
        .outerjoin(answered_by, MemberQuestion.answered_by_id == answered_by.id)
        .outerjoin(Item, MemberQuestion.item_id == Item.id)
        .where(CommitteeMeeting.committee_id == committee_id,
               CommitteeMeeting.meeting_date < until)
        .order_by(CommitteeMeeting.meeting_date, MemberQuestion.id)
    )
    if since is not None:
        query = query.where(or_(MemberQuestion.answered_at.is_(None),
                                question_changed >= _start_of(since)))
    return [
        PaperQuestion(
            question_id=question.id, question=question.question,
            asked_by=question.asked_by_name, meeting_id=question.meeting_id,
            meeting_date=meeting_date, item_id=question.item_id, item_title=item_title,
            officer=officer_name, answer=question.answer if question.is_answered else None,
            answered_by=answered_by_name if question.is_answered else None,
            answered_on=_uk_day(question.answered_at), corrected_on=_uk_day(question.corrected_at),
        )
        for question, meeting_date, item_title, officer_name, answered_by_name
        in db.session.execute(query)
    ]


# --- reminders and the calendar: plain rows -------------------------------------------------


@dataclass(frozen=True)
class WaitingQuestion:
    """A question waiting for its answer, as a reminder or a calendar event needs it."""

    id: int
    question: str
    asked_by: str
    committee_id: int
    committee_name: str
    meeting_date: date
    answer_due: date | None
    officer_id: int
    assigned_at: datetime
    version: int
    changed_at: datetime
    item_title: str | None


def _waiting_columns(today: Any) -> tuple[Any, ...]:
    """The columns of a `WaitingQuestion`, for a query that joins its meeting, committee and
    item."""
    return (MemberQuestion.id, MemberQuestion.question, MemberQuestion.asked_by_name,
            Committee.id, Committee.name, CommitteeMeeting.meeting_date, answer_due(today),
            MemberQuestion.officer_id, MemberQuestion.assigned_at, MemberQuestion.version,
            MemberQuestion.changed_at, Item.title)


def _waiting_rows(today: date, *where: ColumnElement[bool]) -> list[WaitingQuestion]:
    rows = db.session.execute(
        select(*_waiting_columns(today))
        .join(CommitteeMeeting, MemberQuestion.meeting_id == CommitteeMeeting.id)
        .join(Committee, CommitteeMeeting.committee_id == Committee.id)
        .outerjoin(Item, MemberQuestion.item_id == Item.id)
        .where(MemberQuestion.answered_at.is_(None), *where)
        .order_by(CommitteeMeeting.meeting_date, MemberQuestion.id)
    )
    return [WaitingQuestion(*row) for row in rows]


def waiting_questions(today: date, *, council_id: int | None = None) -> list[WaitingQuestion]:
    """Every question waiting for its answer (of one council's committees, when given), the
    earliest asked first. One statement."""
    where = [] if council_id is None else [Committee.council_id == council_id]
    return _waiting_rows(today, *where)


def waiting_questions_of(user: User, today: date) -> list[WaitingQuestion]:
    """The questions waiting for this person's answer. One statement."""
    return _waiting_rows(today, MemberQuestion.officer_id == user.id,
                         Committee.council_id == user.council_id)


def meeting_has_questions(meeting_id: int) -> bool:
    """Whether any question was recorded at this meeting."""
    return db.session.scalar(
        select(MemberQuestion.id).where(MemberQuestion.meeting_id == meeting_id).limit(1)
    ) is not None

