"""Who gets which reminder on a given day, and the delivery log that sends every email once.

The design is plain, on the one queue (tracker.jobs.queue):

1. Planning. `queue_reminders` works out the day's emails (`plan_reminders` reads only),
   renders each message (`email.message.EmailMessage`, tracker.mail) and writes one
   delivery row per email, waiting to be sent, in one transaction. The row's unique key
   (recipient, kind, day, topic) stops a second copy: a second run, a restart or a second
   scheduler finds the row and adds nothing. A run that dies before that commit leaves
   nothing, and the scheduler runs it again the same day (tracker.jobs.run).
2. Sending. `send_due_deliveries` takes the waiting rows one at a time: claim the row with a
   lease (a conditional UPDATE, so of two runs at once exactly one gets it) and commit; send
   it (`smtplib.SMTP.send_message` over one connection for the run, or Notify, or the
   outbox); record the outcome and commit. A failure is kept with its reason and tried
   again after a doubling wait (REMINDER_RETRY_MINUTES, 15, 30, 60 … minutes), at most
   REMINDER_MAX_ATTEMPTS times in all, then shown as given up: never dropped silently.
3. A run that dies while sending leaves at most one row claimed but not recorded. Once its
   lease (DELIVERY_LEASE_SECONDS) runs out it is sent again, so after a crash exactly
   between the server accepting a message and the commit of its outcome, that one message
   may arrive twice. Nothing else can go twice, and nothing is lost.

Members' questions ride in the daily digest (`_question_lines`): a question waiting for its
answer is listed in its officer's digest on the morning after it was assigned to them, every
Monday, and every day in the REMINDER_UPCOMING_DAYS before the meeting its answer is due at;
on those days a digest goes to the officer even with no action to remind them of. On other
days it is listed in any digest that goes to them anyway. Nothing goes to an officer who has
paused their reminders (an administrator reassigns the question instead).

What waits for a person rides in the digest too (tracker.reminders.notices): requests and
items marked complete waiting for their decision, their items that are not planned, decisions
on what they asked, and actions they were given. Each change notes who is to be told (a
`Notice`); a digest goes to them the next morning for any notice no email has told yet, and
the notices are marked with that digest's delivery row in the transaction that writes it:
nothing twice, nothing lost. A partner's digest carries a fresh partner link for each of
their actions, not a sign-in link; once sent, its stored copy is blanked, as a partner link's
email is.

Emails other than reminders (report notices, partner links) go into the same log with
`queue_email` and are sent by the same loop. The functions that commit say so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from tracker import clock
from tracker.accounts.models import Council, Role, User
from tracker.errors import RuleBroken
from tracker.extensions import db
from tracker.formatting import UK, long_date, plural
from tracker.inspections.models import Finding, Inspection
from tracker.items.models import OPEN_ACTION_STATUSES, Action, Item
from tracker.items.queries import ItemToPlan, items_to_plan
from tracker.items.status import ItemState
from tracker.jobs import queue
from tracker.jobs.models import JobLock, RunState
from tracker.mail import (
    Mailer,
    MailError,
    blank_outbox_copy,
    build_message,
    parse_message,
    subject_line,
)
from tracker.questions.queries import WaitingQuestion, waiting_questions
from tracker.reminders.models import Delivery, DeliveryKind, NoticeKind
from tracker.reminders.notices import (
    DecisionLine,
    NoticeLine,
    mark_emailed,
    notices_not_yet_emailed,
    waiting_for_decision,
)
from tracker.settings import ReminderSettings, Settings
from tracker.settings import settings as current_settings

LONGEST_PAUSE = timedelta(days=366)
GAVE_UP_MID_SEND = ("The scheduler stopped while sending this email on its last attempt; it "
                    "may or may not have arrived.")
# What a sent email with partner links in it becomes in the delivery log: the links would
# otherwise work for anyone who reads the database or a backup of it.
# How long a partner link in a partner's daily reminder works: the next reminder replaces it.
PARTNER_REMINDER_LINK_DAYS = 14
LINKS_REMOVED = "(The message held a partner link. It was removed once the email was sent.)"
RESET_LINK_REMOVED = ("(The message held a password reset link. It was removed once the email "
                      "was sent.)")


def link_removed_note(kind: DeliveryKind, holds_partner_links: bool) -> str | None:
    """What replaces the stored copy of a sent email whose link must live on only in the
    recipient's mailbox (partner links, password reset links), or None to keep the copy."""
    if kind is DeliveryKind.PASSWORD_RESET:
        return RESET_LINK_REMOVED
    return LINKS_REMOVED if holds_partner_links else None


@dataclass(frozen=True)
class Recipient:
    """What a reminder needs of a person: a plain value read with the plan, not a `User`."""

    id: int
    name: str
    email: str
    organisation: str
    active: bool
    paused_until: date | None
    council_name: str

    @property
    def display_name(self) -> str:
        """As `User.display_name`: the agency of a partner after the name."""
        return f"{self.name} ({self.organisation})" if self.organisation else self.name

    @property
    def reachable(self) -> bool:
        return self.active and bool(self.email)

    def paused_on(self, day: date) -> bool:
        """As `User.reminders_paused_on`: paused up to and including the end date."""
        return self.paused_until is not None and day <= self.paused_until

    @property
    def is_partner(self) -> bool:
        """As `User.is_partner`: from a partner agency."""
        return bool(self.organisation)


@dataclass(frozen=True)
class Line:
    """One action in an email."""

    action_id: int
    item_title: str
    description: str
    due_date: date
    due_text: str  # the due date written out once ("9 January 2012"), not in every template
    days_overdue: int
    owner_name: str
    link: str


@dataclass(frozen=True)
class ItemLine:
    """One item in the weekly planning reminder, with why it is not planned."""

    item_id: int
    title: str
    status: str  # its name in words: "Not planned", "Awaiting sign-off" ...
    reason: str
    link: str


@dataclass
class Reminder:
    """One email to one person: their own actions, and any they cover for someone paused;
    or, once a week, the items they lead that are not planned and (to administrators) the
    items with no lead officer."""

    recipient: Recipient
    kind: DeliveryKind
    key_day: date
    # Members' questions waiting for this person's answer (digests only).
    questions: list[QuestionLine] = field(default_factory=list)
    overdue: list[Line] = field(default_factory=list)
    coming_up: list[Line] = field(default_factory=list)
    # Actions of people whose reminders are paused, by owner name: (paused until, lines).
    covering: dict[str, tuple[date | None, list[Line]]] = field(default_factory=dict)
    not_planned: list[ItemLine] = field(default_factory=list)
    no_lead: list[ItemLine] = field(default_factory=list)
    # Digests: what waits for this person's decision, and what they are told of (decisions on
    # what they asked, actions they were given), with the ids of every notice it tells.
    waiting: list[DecisionLine] = field(default_factory=list)
    news: list[NoticeLine] = field(default_factory=list)
    notice_ids: list[int] = field(default_factory=list)
    # A partner's actions' fresh partner links, by action id (made as the digest is written).
    partner_links: dict[int, str] = field(default_factory=dict)

    @property
    def subject(self) -> str:
        """The subject line: the council's tracker, then what the email is about."""
        return subject_line(self.recipient.council_name, self.about)

    @property
    def decisions(self) -> list[NoticeLine]:
        return [line for line in self.news if line.kind is not NoticeKind.ACTION_OWNED]

    @property
    def new_actions(self) -> list[NoticeLine]:
        return [line for line in self.news if line.kind is NoticeKind.ACTION_OWNED]

    @property
    def about(self) -> str:
        if self.kind is DeliveryKind.PLANNING:
            parts = []
            if self.not_planned:
                mine = len(self.not_planned)
                parts.append(f"{mine} of your items {'is' if mine == 1 else 'are'} not planned")
            if self.no_lead:
                unled = len(self.no_lead)
                parts.append(f"{plural(unled, 'item')} {'has' if unled == 1 else 'have'} no "
                             f"lead officer")
            return "; ".join(parts)
        if self.kind is DeliveryKind.ESCALATION:
            return f"{plural(len(self.overdue), 'long-overdue action')} on items you lead"
        overdue = len(self.overdue) + sum(len(lines) for _, lines in self.covering.values())
        parts = [f"{plural(overdue, 'overdue action')} to update" if overdue
                 else f"{plural(len(self.coming_up), 'action')} due soon"
                 if self.coming_up else ""]
        if self.waiting:
            parts.append(f"{plural(len(self.waiting), 'request')} waiting for your decision")
        if self.decisions:
            parts.append(f"{plural(len(self.decisions), 'decision')} on what you asked")
        if self.new_actions:
            parts.append(f"{plural(len(self.new_actions), 'new action')} for you")
        if self.questions:
            parts.append(f"{plural(len(self.questions), 'question')} to answer")
        if self.not_planned and not any(parts):
            parts.append(f"{plural(len(self.not_planned), 'item')} not planned")
        return "; ".join(part for part in parts if part) or "your reminder"

    def summary(self) -> str:
        if self.kind is DeliveryKind.PLANNING:
            return (f"{self.recipient.name} <{self.recipient.email}>: {self.kind.label}, "
                    f"{len(self.not_planned)} not planned, {len(self.no_lead)} with no lead "
                    f"officer")
        covering = sum(len(lines) for _, lines in self.covering.values())
        return (f"{self.recipient.name} <{self.recipient.email}>: {self.kind.label}, "
                f"{len(self.overdue)} overdue, {len(self.coming_up)} coming up, "
                f"{covering} covering for others, "
                f"{plural(len(self.questions), 'question')} to answer, "
                f"{len(self.waiting)} waiting for a decision, {len(self.news)} to tell")


@dataclass
class Planned:
    """How a reminder run's planning went."""

    planned: int = 0
    already: int = 0  # in the delivery log already (sent, or waiting)

    def __str__(self) -> str:
        return f"{self.planned} planned, {self.already} already in the delivery log"


@dataclass
class RunResult:
    """How sending went: sent, failed (with the reasons), and emails planned before."""

    sent: int = 0
    failed: int = 0
    already_done: int = 0
    errors: list[str] = field(default_factory=list)

    def count(self, to_address: str, error: str | None) -> None:
        """Count one message's outcome: sent, or failed with its reason."""
        if error is None:
            self.sent += 1
        else:
            self.failed += 1
            self.errors.append(f"{to_address}: {error}")


# --- when the day's run is due ---------------------------------------------------------------


def reminder_moment(day: date, rules: ReminderSettings) -> datetime:
    """When `day`'s reminders are due: REMINDER_TIME in the UK on that day, in UTC."""
    return datetime.combine(day, rules.time, tzinfo=UK).astimezone(UTC)


def _finished_run_started_at(lock: JobLock | None) -> datetime | None:
    """When the daily job's last run that finished began; None if the last one did not."""
    return lock.last_started_at if lock is not None and lock.state is RunState.DONE else None


def reminder_run_due(now: datetime, rules: ReminderSettings, lock: JobLock | None) -> bool:
    """Whether the daily reminder run should run now: the day's REMINDER_TIME has come and no
    run has finished since (`lock` is the daily job's lock row). A run that died, or a
    scheduler that was stopped at that time, runs again later the same day."""
    moment = reminder_moment(now.astimezone(UK).date(), rules)
    done_at = _finished_run_started_at(lock)
    return now >= moment and (done_at is None or done_at < moment)


def next_reminder_run(now: datetime, rules: ReminderSettings, lock: JobLock | None) -> datetime:
    """When the daily reminder run is next due: today's REMINDER_TIME (perhaps passed, when
    it is due now), or tomorrow's once today's run has finished."""
    today = now.astimezone(UK).date()
    if reminder_run_due(now, rules, lock) or now < reminder_moment(today, rules):
        return reminder_moment(today, rules)
    return reminder_moment(today + timedelta(days=1), rules)


# --- planning ------------------------------------------------------------------------------


def week_start(day: date) -> date:
    """The Monday of the week of `day`: the key day of that week's escalation."""
    return day - timedelta(days=day.weekday())


def _link(public_url: str, action_id: int) -> str:
    return f"{public_url.rstrip('/')}/actions/{action_id}/update"


def _item_link(public_url: str, item_id: int) -> str:
    return f"{public_url.rstrip('/')}/items/{item_id}"


def _people(ids: set[int], admins_of: set[int]) -> tuple[dict[int, Recipient],
                                                           dict[int, list[Recipient]]]:
    """The people with these ids, as Recipients; and the administrators of these councils,
    by council. One statement."""
    if not ids and not admins_of:
        return {}, {}
    rows = db.session.execute(
        select(User.id, User.name, User.email, User.organisation, User.active,
               User.reminders_paused_until, Council.name, User.council_id, User.role)
        .join(Council, User.council_id == Council.id)
        .where(or_(User.id.in_(ids),
                   and_(User.role == Role.ADMIN, User.council_id.in_(admins_of))))
        .order_by(User.id)
    )
    people: dict[int, Recipient] = {}
    admins: dict[int, list[Recipient]] = {}
    for *values, council_id, role in rows:
        person = people[values[0]] = Recipient(*values)
        if role is Role.ADMIN and council_id in admins_of:
            admins.setdefault(council_id, []).append(person)
    return people, admins


def plan_reminders(
    day: date, *, settings: Settings, council_id: int | None = None
) -> list[Reminder]:
    """Every email due on `day`: one digest per person (own overdue and coming-up actions,
    plus those of paused owners they lead), the weekly escalation of long-overdue actions
    to each item's lead officer, and the weekly planning reminder (`plan_planning`). Reads
    only."""
    upcoming_days = settings.reminders.upcoming_days
    escalate_after = settings.reminders.escalate_after_days
    public_url = settings.public_url
    query = (
        select(Action.id, Action.description, Action.due_date, Item.title, Action.owner_id,
               Item.lead_officer_id)
        .join(Item, Action.item_id == Item.id)
        .where(Action.status.in_(OPEN_ACTION_STATUSES),
               Action.due_date <= day + timedelta(days=upcoming_days))
        .order_by(Action.due_date, Action.id)
    )
    if council_id is not None:
        query = (query.join(Finding, Item.finding_id == Finding.id)
                 .join(Inspection, Finding.inspection_id == Inspection.id)
                 .where(Inspection.council_id == council_id))
    rows = db.session.execute(query).all()
    to_plan = items_to_plan(council_id, day, settings.status_rules)
    notices = notices_not_yet_emailed(council_id)
    # Each person once, not on every row of their actions.
    people, admins = _people(
        {person_id for row in rows for person_id in row[4:] if person_id}
        | {item.lead_officer_id for item in to_plan if item.lead_officer_id is not None}
        | notices.people,
        {item.council_id for item in to_plan if item.lead_officer_id is None})
    due_texts: dict[date, str] = {}
    digests: dict[int, Reminder] = {}
    escalations: dict[int, Reminder] = {}

    escalation_day = week_start(day)
    questions, asking = _question_lines(day, settings=settings, council_id=council_id)

    def reminder_for(person: Recipient, found: dict[int, Reminder], kind: DeliveryKind,
                     key_day: date) -> Reminder:
        reminder = found.get(person.id)
        if reminder is None:
            reminder = found[person.id] = Reminder(person, kind, key_day)
            if kind is DeliveryKind.DIGEST:
                reminder.questions = questions.get(person.id, [])
        return reminder

    for officer in asking:
        reminder_for(officer, digests, DeliveryKind.DIGEST, day)
    # Anyone with something new to be told of gets a digest (unless paused: it waits).
    for person_id in sorted(notices.people):
        person = people.get(person_id)
        if person is not None and person.reachable and not person.paused_on(day):
            reminder_for(person, digests, DeliveryKind.DIGEST, day)

    for action_id, description, due_date, item_title, owner_id, lead_id in rows:
        owner, lead = people.get(owner_id), people.get(lead_id)
        overdue_by = (day - due_date).days
        due_text = due_texts.get(due_date) or due_texts.setdefault(due_date, long_date(due_date))
        line = Line(action_id, item_title, description, due_date, due_text, max(overdue_by, 0),
                    owner.name if owner else "No owner", _link(public_url, action_id))
        lead_available = (lead is not None and lead.reachable and lead is not owner
                          and not lead.paused_on(day))
        if owner is not None and owner.reachable and not owner.paused_on(day):
            reminder = reminder_for(owner, digests, DeliveryKind.DIGEST, day)
            (reminder.overdue if overdue_by > 0 else reminder.coming_up).append(line)
        elif lead_available:
            # Someone on leave (or gone): their lead officer sees what is waiting.
            name = owner.name if owner else "Nobody (no owner)"
            until = owner.paused_until if owner else None
            covering = reminder_for(lead, digests, DeliveryKind.DIGEST, day).covering
            covering.setdefault(name, (until, []))[1].append(line)
        if overdue_by > escalate_after and lead_available:
            reminder_for(lead, escalations, DeliveryKind.ESCALATION,
                         escalation_day).overdue.append(line)
    _what_waits(digests, to_plan, notices.lines, notices.ids, council_id=council_id,
                public_url=public_url)
    planning = plan_planning(to_plan, people, admins, day=day, public_url=public_url)
    return [*digests.values(), *escalations.values(), *planning]


def _what_waits(digests: dict[int, Reminder], to_plan: list[ItemToPlan],
                news: dict[int, list[NoticeLine]], notice_ids: dict[int, list[int]], *,
                council_id: int | None, public_url: str) -> None:
    """Fill each digest's "waiting for you" part: what waits for the person's decision, their
    items that are not planned, and the decisions and new actions they are told of."""
    if not digests:
        return
    deciding = waiting_for_decision(council_id)
    for person_id, reminder in digests.items():
        reminder.waiting = deciding.get(person_id, [])
        reminder.news = news.get(person_id, [])
        reminder.notice_ids = notice_ids.get(person_id, [])
    for item in to_plan:
        reminder = digests.get(item.lead_officer_id) if item.lead_officer_id else None
        if reminder is not None and item.status.state is ItemState.NOT_PLANNED:
            reminder.not_planned.append(ItemLine(item.item_id, item.title, item.status.label,
                                                 item.status.reason,
                                                 _item_link(public_url, item.item_id)))


def plan_planning(to_plan: list[ItemToPlan], people: dict[int, Recipient],
                  admins: dict[int, list[Recipient]], *, day: date,
                  public_url: str) -> list[Reminder]:
    """The weekly planning reminder (keyed to the Monday of `day`'s week, as the
    escalation): each lead officer is told which of their items are not planned and why,
    and each administrator which of the council's items have no lead officer at all. One
    email a person, whoever is both gets both; nobody paused or unreachable."""
    found: dict[int, Reminder] = {}

    def reminder_for(person: Recipient) -> Reminder | None:
        if not person.reachable or person.paused_on(day):
            return None
        reminder = found.get(person.id)
        if reminder is None:
            reminder = found[person.id] = Reminder(person, DeliveryKind.PLANNING,
                                                   week_start(day))
        return reminder

    for item in to_plan:
        line = ItemLine(item.item_id, item.title, item.status.label, item.status.reason,
                        _item_link(public_url, item.item_id))
        if item.lead_officer_id is None:
            for admin in admins.get(item.council_id, []):
                reminder = reminder_for(admin)
                if reminder is not None:
                    reminder.no_lead.append(line)
        elif item.status.state is ItemState.NOT_PLANNED:
            lead = people.get(item.lead_officer_id)
            reminder = reminder_for(lead) if lead is not None else None
            if reminder is not None:
                reminder.not_planned.append(line)
    return list(found.values())


@dataclass(frozen=True)
class QuestionLine:
    """A member's question waiting for the officer's answer, in their digest."""

    question_id: int
    question: str
    asked_by: str
    committee_name: str
    asked_on: str  # the meeting's date written out ("9 January 2027")
    due_on: str  # the date of the meeting the answer is due at; empty when none is set
    item_title: str
    link: str


def question_reminder_due(question: WaitingQuestion, day: date, *,
                          rules: ReminderSettings) -> bool:
    """Whether a waiting question calls for a digest on `day`: on the morning after it was
    assigned (assigned since the previous day's reminder time and before this day's), on a
    Monday, or within REMINDER_UPCOMING_DAYS of the meeting its answer is due at."""
    assigned_lately = (reminder_moment(day - timedelta(days=1), rules) <= question.assigned_at
                       < reminder_moment(day, rules))
    due_soon = (question.answer_due is not None
                and 0 <= (question.answer_due - day).days <= rules.upcoming_days)
    return assigned_lately or day.weekday() == 0 or due_soon


def _question_lines(day: date, *, settings: Settings, council_id: int | None
                    ) -> tuple[dict[int, list[QuestionLine]], list[Recipient]]:
    """The waiting questions by officer, as digest lines; and the officers (reachable, not
    paused) with a question that calls for a digest today. Two statements."""
    waiting = waiting_questions(day, council_id=council_id)
    public_url = settings.public_url.rstrip("/")
    lines: dict[int, list[QuestionLine]] = {}
    called: set[int] = set()
    for question in waiting:
        lines.setdefault(question.officer_id, []).append(QuestionLine(
            question.id, question.question, question.asked_by, question.committee_name,
            long_date(question.meeting_date), long_date(question.answer_due),
            question.item_title or "", f"{public_url}/questions/{question.id}/answer"))
        if question_reminder_due(question, day, rules=settings.reminders):
            called.add(question.officer_id)
    if not called:
        return lines, []
    rows = db.session.execute(
        select(User.id, User.name, User.email, User.organisation, User.active,
               User.reminders_paused_until, Council.name)
        .join(Council, User.council_id == Council.id)
        .where(User.id.in_(called)).order_by(User.id))
    officers = [Recipient(*row) for row in rows]
    return lines, [officer for officer in officers
                   if officer.reachable and not officer.paused_on(day)]


def render_reminder(reminder: Reminder, *, day: date, settings: Settings) -> tuple[str, str]:
    """The plain-text and HTML bodies of one reminder (autoescaped HTML)."""
    env = current_app.jinja_env
    public_url = settings.public_url

    def action_link(action_id: int) -> str:
        """A partner's own action: its partner link; otherwise the action's page."""
        return reminder.partner_links.get(action_id) or f"{public_url}/actions/{action_id}"

    context = {"reminder": reminder, "day": day, "public_url": public_url,
               "action_link": action_link, "link_days": PARTNER_REMINDER_LINK_DAYS,
               "council_name": reminder.recipient.council_name,
               "upcoming_days": settings.reminders.upcoming_days,
               "escalate_after": settings.reminders.escalate_after_days}
    name = reminder.kind.value
    return (env.get_template(f"emails/{name}.txt").render(context),
            env.get_template(f"emails/{name}.html").render(context))


def _logged_keys(days: set[date]) -> set[tuple[int, DeliveryKind, date]]:
    """The (recipient, kind, day) keys already in the delivery log for these days."""
    return {
        (row.recipient_id, row.kind, row.day)
        for row in db.session.execute(
            select(Delivery.recipient_id, Delivery.kind, Delivery.day)
            .where(Delivery.day.in_(days))
        )
    }


def queue_email(message: EmailMessage, *, recipient_id: int, kind: DeliveryKind, day: date,
                now: datetime, topic: str = "",
                holds_partner_links: bool = False) -> Delivery | None:
    """Write one email into the delivery log, waiting to be sent (the scheduler's deliveries
    job sends it within a minute); None when its key (recipient, kind, day, topic) is in the
    log already. `holds_partner_links`: its stored copy is blanked once sent. Flushes, in a
    savepoint of its own."""
    return _queue(message.as_string(), to_address=str(message["To"]),
                  subject=str(message["Subject"]), recipient_id=recipient_id, kind=kind,
                  day=day, now=now, topic=topic, holds_partner_links=holds_partner_links)


UNBUILT = "The email could not be built, so it was not sent: {reason}"


def _record_unbuilt(error: ValueError, *, to_address: str, subject: str, recipient_id: int,
                    kind: DeliveryKind, day: date, now: datetime,
                    topic: str = "") -> Delivery | None:
    row = Delivery(recipient_id=recipient_id, kind=kind, day=day, topic=topic,
                   state=RunState.FAILED, to_address=to_address[:254],
                   subject=" ".join(subject.split())[:200], message="", attempts=0,
                   last_error=UNBUILT.format(reason=error)[:2000], lease_until=None,
                   created_at=now)
    return _added_unless_logged(row)


def queue_built(build: Callable[[], EmailMessage], *, to_address: str, subject: str,
                recipient_id: int, kind: DeliveryKind, day: date, now: datetime,
                topic: str = "") -> Delivery | None:
    """Build one email with `build` and queue it (`queue_email`). An email that cannot be
    built (a line break in its subject, from a name typed before such names were refused) is
    not lost silently: it is recorded in the delivery log as failed, with the reason, for the
    reminders page. None when the key is in the log already."""
    try:
        message = build()
    except ValueError as error:
        return _record_unbuilt(error, to_address=to_address, subject=subject,
                               recipient_id=recipient_id, kind=kind, day=day, now=now,
                               topic=topic)
    return queue_email(message, recipient_id=recipient_id, kind=kind, day=day, now=now,
                       topic=topic)


def _queue(raw: str, *, to_address: str, subject: str, recipient_id: int, kind: DeliveryKind,
           day: date, now: datetime, topic: str = "",
           holds_partner_links: bool = False) -> Delivery | None:
    row = Delivery(recipient_id=recipient_id, kind=kind, day=day, topic=topic,
                   state=RunState.QUEUED, to_address=to_address, subject=subject[:200],
                   message=raw, attempts=0, last_error="", lease_until=None, created_at=now,
                   holds_partner_links=holds_partner_links)
    return _added_unless_logged(row)


def _added_unless_logged(row: Delivery) -> Delivery | None:
    # Another run may have written the same email since we looked: its key refuses ours.
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return None
    return row


def queue_reminders(day: date, *, now: datetime, council_id: int | None = None) -> Planned:
    """Write every reminder due on `day` into the delivery log, waiting to be sent: the
    messages are rendered first (and kept as text, a tenth of the memory of message objects),
    then the rows written, in one short transaction. Commits."""
    settings = current_settings()
    sender = settings.mail.sender
    reminders = plan_reminders(day, settings=settings, council_id=council_id)
    logged = _logged_keys({reminder.key_day for reminder in reminders})
    new = [reminder for reminder in reminders
           if (reminder.recipient.id, reminder.kind, reminder.key_day) not in logged]

    def message_of(reminder: Reminder) -> str | ValueError:
        text, html = render_reminder(reminder, day=day, settings=settings)
        try:
            return build_message(sender=sender, to=reminder.recipient.email,
                                 subject=reminder.subject, text=text, html=html,
                                 now=now).as_string()
        except ValueError as error:
            # Not lost silently: recorded as failed, with the reason, for the reminders page.
            return error

    def write(reminder: Reminder, message: str | ValueError, *,
              holds_partner_links: bool = False) -> Delivery | None:
        # Another run may have written the row since we looked: its key refuses ours.
        key = {"to_address": reminder.recipient.email, "subject": reminder.subject,
               "recipient_id": reminder.recipient.id, "kind": reminder.kind,
               "day": reminder.key_day, "now": now}
        if isinstance(message, ValueError):
            return _record_unbuilt(message, **key)
        return _queue(message, **key, holds_partner_links=holds_partner_links)

    # A partner's digest carries partner links, made in the savepoint that writes its row.
    with_links = [reminder for reminder in new if _wants_partner_links(reminder)]
    plain = [reminder for reminder in new if not _wants_partner_links(reminder)]
    messages = [message_of(reminder) for reminder in plain]
    result = Planned(already=len(reminders) - len(new))
    for reminder, message in zip(plain, messages, strict=True):
        _count(result, reminder, write(reminder, message))
    for reminder in with_links:
        savepoint = db.session.begin_nested()
        _make_partner_links(reminder, now=now)
        message = message_of(reminder)
        if isinstance(message, ValueError):
            savepoint.rollback()  # no email, so no links
            _count(result, reminder, write(reminder, message))
            continue
        row = write(reminder, message, holds_partner_links=True)
        if row is None:
            savepoint.rollback()  # its links go with it: nothing was sent
        else:
            savepoint.commit()
        _count(result, reminder, row)
    db.session.commit()
    return result


def _count(result: Planned, reminder: Reminder, row: Delivery | None) -> None:
    """Count a reminder written (its notices now told by it) or found in the log already."""
    if row is None:
        result.already += 1
    else:
        result.planned += 1
        mark_emailed(reminder.notice_ids, row.id)


def _partner_action_ids(reminder: Reminder) -> list[int]:
    """The partner's own actions the digest names: each gets a partner link."""
    ids = [line.action_id for line in [*reminder.overdue, *reminder.coming_up]]
    ids += [line.action_id for line in reminder.new_actions if line.action_id is not None]
    return list(dict.fromkeys(ids))


def _wants_partner_links(reminder: Reminder) -> bool:
    return (reminder.kind is DeliveryKind.DIGEST and reminder.recipient.is_partner
            and bool(_partner_action_ids(reminder)))


def _make_partner_links(reminder: Reminder, *, now: datetime) -> None:
    """A fresh partner link for each of the partner's actions in the digest (one the partner
    still owns and may update), in place of the sign-in links."""
    from tracker.partners.service import reminder_link

    links: dict[int, str] = {}
    for action in db.session.scalars(
            select(Action).where(Action.id.in_(_partner_action_ids(reminder)))
            .options(joinedload(Action.owner), joinedload(Action.item))):
        address = reminder_link(action, recipient_id=reminder.recipient.id, now=now,
                                days=PARTNER_REMINDER_LINK_DAYS)
        if address is not None:
            links[action.id] = address
    reminder.partner_links = links
    for name in ("overdue", "coming_up"):
        setattr(reminder, name, [replace(line, link=links.get(line.action_id, line.link))
                                 for line in getattr(reminder, name)])


# --- sending -------------------------------------------------------------------------------


def next_try_after(now: datetime, attempts: int, *, max_attempts: int,
                   retry_wait: timedelta) -> datetime | None:
    """When a delivery that has failed `attempts` times is tried again: doubling waits, and
    None after the last attempt (the row is then given up, on the admin page)."""
    return now + retry_wait * 2 ** (attempts - 1) if attempts < max_attempts else None


def _due_ids(now: datetime, max_attempts: int, council_id: int | None,
             ids: Iterable[int] | None) -> list[int]:
    query = select(Delivery.id).where(queue.waiting(Delivery, now, max_attempts))
    if council_id is not None:
        query = query.join(User, User.id == Delivery.recipient_id).where(
            User.council_id == council_id)
    if ids is not None:
        query = query.where(Delivery.id.in_(list(ids)))
    return list(db.session.scalars(query.order_by(Delivery.id)))


def send_due_deliveries(*, council_id: int | None = None,
                        ids: Iterable[int] | None = None) -> RunResult:
    """Send every email in the delivery log whose time has come (of one council's people
    when `council_id` is given: an administrator's "run now"; only `ids` when given), one at
    a time: claim with a lease and commit, send, record the outcome and commit. Commits.

    Safe to run twice, or in two processes at once: each row is claimed by a conditional
    UPDATE before its email leaves, so one run sends it."""
    settings = current_settings()
    max_attempts = settings.reminders.max_attempts
    retry_wait = settings.reminders.retry_wait
    lease = settings.reminders.delivery_lease
    queue.give_up(Delivery, now=clock.now(), max_attempts=max_attempts, why=GAVE_UP_MID_SEND)
    due = _due_ids(clock.now(), max_attempts, council_id, ids)
    db.session.commit()
    result = RunResult()
    with Mailer(settings.mail, current_app.instance_path) as mailer:
        for row_id in due:
            now = clock.now()
            attempt = queue.claim(Delivery, Delivery.id == row_id,
                                  queue.waiting(Delivery, now, max_attempts),
                                  now=now, lease=lease)
            if attempt is None:
                db.session.rollback()  # sent or being sent by another run meanwhile
                continue
            to_address, raw, kind, holds_links = db.session.execute(
                select(Delivery.to_address, Delivery.message, Delivery.kind,
                       Delivery.holds_partner_links)
                .where(Delivery.id == row_id)
            ).one()
            db.session.commit()  # claimed before it leaves
            error = None
            try:
                mailer.send(parse_message(raw))
            except MailError as failure:
                error = str(failure)
            now = clock.now()
            if error is None:
                outcome: dict[str, Any] = {"state": RunState.DONE, "lease_until": None,
                                           "sent_at": now, "last_error": ""}
                removed = link_removed_note(kind, holds_links)
                if removed is not None:
                    # The links live on only in the recipient's mailbox: not in the log, and
                    # not in the outbox folder's copy.
                    outcome["message"] = removed
                    blank_outbox_copy(current_app.instance_path,
                                      str(parse_message(raw)["Message-ID"] or ""), removed)
            else:
                retry = next_try_after(now, attempt, max_attempts=max_attempts,
                                       retry_wait=retry_wait)
                outcome = {"state": RunState.QUEUED if retry else RunState.FAILED,
                           "lease_until": retry, "last_error": error[:2000]}
            db.session.execute(
                queue.held(Delivery, Delivery.id == row_id, attempt=attempt).values(**outcome))
            db.session.commit()
            result.count(to_address, error)
    return result


def send_reminders(day: date, *, now: datetime, council_id: int | None = None) -> RunResult:
    """Plan every reminder due on `day` (`queue_reminders`), then send what is due in the
    delivery log, retries included (`send_due_deliveries`): what `reminders send` and an
    administrator's "Run reminders now" do. Commits."""
    planned = queue_reminders(day, now=now, council_id=council_id)
    result = send_due_deliveries(council_id=council_id)
    result.already_done = planned.already
    return result


def recent_deliveries(council_id: int, limit: int = 200) -> list[Delivery]:
    """The delivery log of a council's people: failures first, then newest first."""
    return list(db.session.scalars(
        select(Delivery).join(Delivery.recipient)
        .where(User.council_id == council_id)
        .options(joinedload(Delivery.recipient))
        .order_by((Delivery.state == RunState.FAILED).desc(), (Delivery.last_error != "").desc(),
                  Delivery.created_at.desc(), Delivery.id.desc())
        .limit(limit)
    ))


def pause_reminders(user: User, *, actor: User, now: datetime, until: date | None) -> None:
    """Pause `user`'s reminders up to and including `until` (None resumes them)."""
    today = now.astimezone(UK).date()
    if until is not None:
        if until < today:
            raise RuleBroken("The end date must be today or in the future", "until")
        if until > today + LONGEST_PAUSE:
            raise RuleBroken("The end date must be within a year", "until")
    user.reminders_paused_until = until
    db.session.flush()
