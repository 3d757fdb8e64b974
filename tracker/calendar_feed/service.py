"""Each person's private calendar feed (iCalendar, RFC 5545), as plain functions.

The feed's address carries a calendar token (tracker.access): whoever holds the address reads
the calendar, so it is shown to its owner once, only its hash is stored, and replacing it or
turning the feed off stops the old address working.

What a feed holds:
- each action the person owns that is open (not started or in progress), on its due date,
  however long overdue; an action completed in the last KEEP_COMPLETED_FOR days stays, marked
  done, so that finishing it does not make it vanish from the calendar at once (as My actions
  keeps it); a cancelled action leaves;
- committee meetings from MEETINGS_SINCE ago onwards, and the dates within REPORTS_AHEAD on
  which each committee's next progress reports are due by its cadence: for a committee member
  or a partner, of the committees they belong to (or whose reports they own); for the
  council's own staff, of every committee of the council;
- each member's question the person is asked to answer, while the answer is awaited, on the
  date of the meeting it is due at: the committee's next meeting after the one it was asked
  at that has not passed (`tracker.questions.queries.answer_due`); none while no later
  meeting is set. Once answered, it leaves.

Every event is all-day and transparent (a deadline does not make anyone busy). The text
depends only on the data and today's date, so the same data gives the same bytes, and an
unchanged feed answers a conditional request with 304. Events keep their UID when they change,
and their SEQUENCE rises, so clients update them instead of adding copies.

Making a feed asks the database six questions whatever its size: the token (and its person),
the council, the person's actions, their committees, those committees' meetings, and the
members' questions waiting for their answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

from icalendar import Calendar, Event, vDuration
from sqlalchemy import and_, exists, or_, select

from tracker.access.models import AccessToken, TokenPurpose
from tracker.access.service import (
    NewToken,
    active_tokens,
    renew_calendar_token,
    revoke_token,
    user_for_token,
)
from tracker.accounts.models import Council, Role, User
from tracker.committees.models import Committee, CommitteeMeeting, ReportCadence, committee_member
from tracker.errors import RuleBroken
from tracker.extensions import db
from tracker.formatting import UK, clock_time, long_date
from tracker.inspections.models import Finding, Inspection
from tracker.items.models import OPEN_ACTION_STATUSES, Action, ActionStatus, Item
from tracker.items.status import days_overdue
from tracker.questions.queries import WaitingQuestion, waiting_questions_of
from tracker.reports.cadence import ReportSchedule, moments_between
from tracker.workingdays import working_days_before

KEEP_COMPLETED_FOR = timedelta(days=30)
MEETINGS_SINCE = timedelta(days=365)
REPORTS_AHEAD = timedelta(days=366)
# How often clients are asked to read the feed again. Google Calendar keeps to its own timing
# (several hours to a day); Outlook and Apple Calendar follow the hint.
REFRESH_EVERY = timedelta(hours=1)
SUMMARY_LENGTH = 100
PRODUCT = "-//Improvement tracker//Calendar feed//EN"

# Text values may hold line breaks (LF) and tabs; any other control character is not allowed
# in an iCalendar TEXT value, and a bare CR would end the line early.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


# --- the feed's address ---------------------------------------------------------------------


def current_feed(user: User) -> AccessToken | None:
    """The person's working calendar token, if their feed is on."""
    tokens = active_tokens(user, TokenPurpose.CALENDAR)
    return tokens[0] if tokens else None


def new_feed_address(user: User, *, now: datetime) -> NewToken:
    """Turn the person's feed on with a new address; any earlier address stops working."""
    return renew_calendar_token(user, now=now)


def turn_off_feed(user: User, *, now: datetime) -> bool:
    """Stop the person's feed: every address of it stops working. False if it was off."""
    tokens = active_tokens(user, TokenPurpose.CALENDAR)
    for token in tokens:
        revoke_token(token, actor=user, now=now)
    return bool(tokens)


def feed_address(secret: str, public_url: str) -> str:
    """The address a calendar subscribes to, on the address people reach the tracker on."""
    return f"{public_url.rstrip('/')}/calendar/{secret}.ics"


def person_for_feed(secret: str, *, now: datetime) -> User | None:
    """Whose feed an address opens: None for an unknown, revoked, malformed or non-calendar
    token and for a deactivated person, with no difference between them."""
    return user_for_token(secret, TokenPurpose.CALENDAR, now=now)


# --- what goes in it, as plain data ---------------------------------------------------------


@dataclass(frozen=True)
class ActionEntry:
    """One of the person's actions, as the feed shows it."""

    id: int
    description: str
    due_date: date
    status: ActionStatus
    completed_on: date | None
    version: int
    last_updated_at: datetime
    item_title: str
    item_version: int
    item_updated_at: datetime


@dataclass(frozen=True)
class CommitteeEntry:
    """A committee whose dates the person sees: its meetings and report schedule."""

    id: int
    name: str
    version: int
    created_at: datetime
    schedule: ReportSchedule
    meetings: tuple[tuple[int, date], ...]  # (meeting id, date), earliest first


def actions_in_feed(user: User, today: date) -> list[ActionEntry]:
    """The person's open actions and those they completed lately, by due date (one query)."""
    finished_since = today - KEEP_COMPLETED_FOR
    rows = db.session.execute(
        select(Action.id, Action.description, Action.due_date, Action.status,
               Action.completed_on, Action.version, Action.last_updated_at, Item.title,
               Item.version, Item.last_updated_at)
        .join(Item, Action.item_id == Item.id)
        .join(Finding, Item.finding_id == Finding.id)
        .join(Inspection, Finding.inspection_id == Inspection.id)
        .where(
            Inspection.council_id == user.council_id,
            Action.owner_id == user.id,
            or_(Action.status.in_(OPEN_ACTION_STATUSES),
                and_(Action.status == ActionStatus.COMPLETE,
                     Action.completed_on >= finished_since)),
        )
        .order_by(Action.due_date, Action.id)
    )
    return [ActionEntry(*row) for row in rows]


def sees_every_committee(user: User) -> bool:
    """The council's own staff see every committee's dates; committee members and partners
    from other agencies see those of the committees they belong to."""
    return user.role in (Role.ADMIN, Role.MANAGER) and not user.is_partner


def committees_in_feed(user: User, today: date) -> list[CommitteeEntry]:
    """The committees whose dates the person sees, with their meetings from MEETINGS_SINCE ago
    (two queries)."""
    query = select(Committee).where(Committee.council_id == user.council_id)
    if not sees_every_committee(user):
        member = exists().where(committee_member.c.committee_id == Committee.id,
                                committee_member.c.user_id == user.id)
        query = query.where(or_(member, Committee.report_owner_id == user.id))
    committees = list(db.session.scalars(query.order_by(Committee.name, Committee.id)))
    if not committees:
        return []
    meetings: dict[int, list[tuple[int, date]]] = {committee.id: [] for committee in committees}
    for meeting_id, committee_id, day in db.session.execute(
        select(CommitteeMeeting.id, CommitteeMeeting.committee_id, CommitteeMeeting.meeting_date)
        .where(CommitteeMeeting.committee_id.in_(list(meetings)),
               CommitteeMeeting.meeting_date >= today - MEETINGS_SINCE)
        .order_by(CommitteeMeeting.meeting_date, CommitteeMeeting.id)
    ):
        meetings[committee_id].append((meeting_id, day))
    return [
        CommitteeEntry(committee.id, committee.name, committee.version, committee.created_at,
                       ReportSchedule.of(committee), tuple(meetings[committee.id]))
        for committee in committees
    ]


# --- the calendar ---------------------------------------------------------------------------


def plain_text(text: str) -> str:
    """Text as an iCalendar TEXT value may hold it: line breaks as LF, no control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def one_line(text: str, length: int = SUMMARY_LENGTH) -> str:
    """Text on one line, cut at a word with an ellipsis when it is longer than `length`."""
    words = " ".join(plain_text(text).split())
    if len(words) <= length:
        return words
    cut = words[: length - 1]
    # A word cut part way is dropped, unless that would drop half the text or more.
    if words[length - 1] != " " and " " in cut[length // 2:]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


def _host(public_url: str) -> str:
    return urlsplit(public_url).hostname or "tracker"


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UK).astimezone(UTC)


def _all_day(uid: str, day: date, summary: str, description: str, url: str, *,
             stamp: datetime, sequence: int, last_modified: datetime | None = None) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(UTC))
    if last_modified is not None:
        event.add("last-modified", last_modified.astimezone(UTC))
    event.add("sequence", sequence)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", plain_text(summary))
    event.add("description", plain_text(description))
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    return event


def action_event(action: ActionEntry, *, today: date, public_url: str) -> Event:
    """An action on its due date: what it is, its item, its status and whether it is late."""
    late = days_overdue(action.status, action.due_date, today)
    if action.status is ActionStatus.COMPLETE:
        summary = f"Done: {one_line(action.description)}"
        when = f"Completed on {long_date(action.completed_on)} (due {long_date(action.due_date)})."
    else:
        summary = f"Due: {one_line(action.description)}"
        if late:
            when = (f"Overdue: it was due on {long_date(action.due_date)}, "
                    f"{late} day{'s' if late != 1 else ''} ago.")
        else:
            when = f"Due on {long_date(action.due_date)}."
    link = f"{public_url.rstrip('/')}/actions/{action.id}"
    description = "\n".join([
        f"Action: {action.description}", f"Item: {action.item_title}",
        f"Status: {action.status.label}", when, "", f"Open it in the tracker: {link}",
    ])
    # Revised whenever the action or its item is saved, and at the start of the day it became
    # overdue; SEQUENCE rises with each of those (twice per save, so that a due date moved
    # later, which ends "overdue", still raises it).
    overdue_since = _start_of(action.due_date + timedelta(days=1)) if late else None
    revised = max(moment for moment in (action.last_updated_at, action.item_updated_at,
                                        overdue_since) if moment is not None)
    sequence = 2 * (action.version - 1 + action.item_version - 1) + (1 if late else 0)
    return _all_day(f"action-{action.id}@{_host(public_url)}", action.due_date, summary,
                    description, link, stamp=revised, last_modified=revised,
                    sequence=sequence)


def meeting_event(committee: CommitteeEntry, meeting_id: int, day: date, *,
                  public_url: str) -> Event:
    """A committee meeting, all day (the tracker keeps no time of day for meetings)."""
    link = f"{public_url.rstrip('/')}/committees/{committee.id}"
    description = (f"{committee.name} meets on {long_date(day)}.\n\n"
                   f"The committee in the tracker: {link}")
    return _all_day(f"meeting-{meeting_id}@{_host(public_url)}", day,
                    f"Meeting: {one_line(committee.name)}", description, link,
                    stamp=committee.created_at, sequence=committee.version - 1)


def report_moments(committee: CommitteeEntry, today: date) -> list[datetime]:
    """When the committee's progress reports are due from today to REPORTS_AHEAD; none for a
    committee off a schedule or with a schedule that cannot run."""
    if committee.schedule.cadence is ReportCadence.NONE:
        return []
    start = datetime.combine(today, time(0), tzinfo=UK)
    try:
        return moments_between(committee.schedule, (day for _, day in committee.meetings),
                               start, start + REPORTS_AHEAD)
    except RuleBroken:
        return []  # its settings page says what to mend; the feed must still answer


def report_event(committee: CommitteeEntry, moment: datetime, *, public_url: str) -> Event:
    """The day a committee's progress report is due: the updates recorded before then are the
    ones it reports."""
    day = moment.astimezone(UK).date()
    link = f"{public_url.rstrip('/')}/committees/{committee.id}"
    text = (f"The progress report to {committee.name} is due on {long_date(day)} at "
            f"{clock_time(moment)}")
    days_before = committee.schedule.days_before
    if committee.schedule.cadence is ReportCadence.BEFORE_MEETING and days_before:
        meeting = next((meeting for _, meeting in committee.meetings
                        if working_days_before(meeting, days_before) == day), None)
        if meeting is not None:
            text += (f", {days_before} working day{'s' if days_before != 1 else ''} before "
                     f"the meeting on {long_date(meeting)}")
    description = (f"{text}. Updates recorded before then are in it.\n\n"
                   f"The committee in the tracker: {link}")
    return _all_day(f"report-{committee.id}-{day:%Y%m%d}@{_host(public_url)}", day,
                    f"Progress report due: {one_line(committee.name)}", description, link,
                    stamp=committee.created_at, sequence=committee.version - 1)


def question_event(question: WaitingQuestion, due: date, *, public_url: str) -> Event:
    """A member's question the person is to answer, on the date of the meeting its answer is
    due at."""
    link = f"{public_url.rstrip('/')}/questions/{question.id}/answer"
    lines = [f"Question: {question.question}", f"Asked by {question.asked_by} at "
             f"{question.committee_name} on {long_date(question.meeting_date)}."]
    if question.item_title:
        lines.append(f"About: {question.item_title}")
    lines += [f"The answer is due at the meeting on {long_date(due)}: write it in the "
              f"tracker, and the committee's next progress paper prints it.", "",
              f"Answer it in the tracker: {link}"]
    return _all_day(f"question-{question.id}@{_host(public_url)}", due,
                    f"Answer awaited: {one_line(question.question)}", "\n".join(lines), link,
                    stamp=question.changed_at, last_modified=question.changed_at,
                    sequence=question.version - 1)


def build_calendar(
    person_name: str, council_name: str, actions: Sequence[ActionEntry],
    committees: Iterable[CommitteeEntry], *, today: date, public_url: str,
    questions: Sequence[WaitingQuestion] = (),
) -> Calendar:
    """The whole feed from plain data, events in date order."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    name = f"{one_line(council_name)} improvement tracker"
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-caldesc", plain_text(
        f"Dates from the improvement tracker for {person_name}: due dates of actions, "
        f"committee meetings, progress reports and members' questions to answer."))
    calendar.add("refresh-interval", REFRESH_EVERY, parameters={"VALUE": "DURATION"})
    # An unknown property: its value would be written as text ("1:00:00") unless typed.
    calendar.add("x-published-ttl", vDuration(REFRESH_EVERY))
    events: list[tuple[date, int, Event]] = []
    for action in actions:
        events.append((action.due_date, 0,
                       action_event(action, today=today, public_url=public_url)))
    for committee in committees:
        for meeting_id, day in committee.meetings:
            events.append((day, 1, meeting_event(committee, meeting_id, day,
                                                 public_url=public_url)))
        for moment in report_moments(committee, today):
            events.append((moment.astimezone(UK).date(), 2,
                           report_event(committee, moment, public_url=public_url)))
    for question in questions:
        if question.answer_due is not None:
            events.append((question.answer_due, 3, question_event(
                question, question.answer_due, public_url=public_url)))
    # The sort is stable, so events of one day and kind keep the order they were loaded in.
    for _, _, event in sorted(events, key=lambda entry: entry[:2]):
        calendar.add_component(event)
    return calendar


def feed_for(user: User, *, today: date, public_url: str) -> bytes:
    """The person's calendar feed as iCalendar bytes (UTF-8)."""
    council = db.session.get(Council, user.council_id)
    calendar = build_calendar(
        user.name, council.name if council is not None else "", actions_in_feed(user, today),
        committees_in_feed(user, today), today=today, public_url=public_url,
        questions=waiting_questions_of(user, today))
    return calendar.to_ical()


def feed_by_address(secret: str, *, now: datetime, public_url: str) -> bytes | None:
    """The feed a calendar address opens, or None (see `person_for_feed`).

    The token is checked on every read, so a replaced or turned-off address, or a deactivated
    person, gets nothing."""
    person = person_for_feed(secret, now=now)
    if person is None:
        return None
    return feed_for(person, today=now.astimezone(UK).date(), public_url=public_url)
