"""Who gets which reminder on a given day, and the send step that never sends twice.

`plan_reminders` decides (reads only). `send_reminders` is the job: it claims a delivery row
per email in the database (unique key recipient, kind, day), commits, then sends, and records
each outcome. It is the one function here that commits, because an email must never leave
before the commit that decided it.

Built for speed as well (benchmarks/reminders.py: 600 emails about 5,000 overdue actions in
about 1.4 times what raw smtplib takes to send the same messages), at these costs:

- Planning reads plain columns, not ORM objects: one query for the actions (with item
  title, owner and lead officer ids), one for the people they name (with their councils'
  names). Recipients are `Recipient` values, not `User` rows: ORM objects cost more to
  load, and would stay in the session, where every commit expires them all.
- Messages are written by `tracker.mail.format_message`, not the `email` package.
- New rows are claimed in batches of CLAIM_BATCH, each with one multi-row INSERT in a
  savepoint, and each batch is committed before any of its messages leaves. If any row
  breaks the unique key (another scheduler claimed it after this run looked), that
  savepoint is rolled back and the batch is claimed row by row, each in its own savepoint,
  so a row claimed elsewhere is skipped and every other row is still claimed. The first
  batch is written before the first message goes; each later one is rendered one message
  at a time while the server works on the messages of the batch before (below), so that
  the rendering costs little extra time. A run that dies leaves the rest unclaimed, for
  the next run.
- Each outcome is still committed on its own, so a crash loses the outcome of at most the
  one message in flight: that row stays pending and is sent again once its lease runs out
  (the only way a message can go twice). Batching outcomes would widen that window to the
  whole batch. The commit is made cheap instead (one UPDATE by id through a connection
  held for the loop, nothing loaded in the session), and it is done in time the job
  would otherwise spend waiting: `Mailer.send_stored` runs it while the server answers
  the next message's first command, before that message is complete (a server keeps
  nothing of a message whose end never came, RFC 5321, section 3.8), so the window stays
  one message wide.
- Messages go from claim to send in memory (about two batches at a time) instead of being
  read back from the log one row at a time.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from tracker.accounts.models import Council, User
from tracker.errors import RuleBroken
from tracker.extensions import db
from tracker.formatting import UK, long_date, plural
from tracker.inspections.models import Finding, Inspection
from tracker.items.models import OPEN_ACTION_STATUSES, Action, Item
from tracker.mail import Mailer, MailError, format_message
from tracker.reminders.models import Delivery, DeliveryKind, DeliveryStatus, next_try_after

# How long a run holds a claimed row before another run may take it over (a crash mid-send).
LEASE = timedelta(minutes=30)
LONGEST_PAUSE = timedelta(days=366)
# New rows are claimed in batches: the first is claimed before the first message goes, and
# each later one is rendered while the server works on the messages of the one before.
CLAIM_BATCH = 50


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


@dataclass
class Reminder:
    """One email to one person: their own actions, and any they cover for someone paused."""

    recipient: Recipient
    kind: DeliveryKind
    key_day: date
    overdue: list[Line] = field(default_factory=list)
    coming_up: list[Line] = field(default_factory=list)
    # Actions of people whose reminders are paused, by owner name: (paused until, lines).
    covering: dict[str, tuple[date | None, list[Line]]] = field(default_factory=dict)

    @property
    def subject(self) -> str:
        if self.kind is DeliveryKind.ESCALATION:
            return f"{plural(len(self.overdue), 'long-overdue action')} on items you lead"
        overdue = len(self.overdue) + sum(len(lines) for _, lines in self.covering.values())
        if overdue:
            return f"{plural(overdue, 'overdue action')} to update"
        return f"{plural(len(self.coming_up), 'action')} due soon"

    def summary(self) -> str:
        covering = sum(len(lines) for _, lines in self.covering.values())
        return (f"{self.recipient.name} <{self.recipient.email}>: {self.kind.label}, "
                f"{len(self.overdue)} overdue, {len(self.coming_up)} coming up, "
                f"{covering} covering for others")


@dataclass
class RunResult:
    sent: int = 0
    failed: int = 0
    already_done: int = 0
    errors: list[str] = field(default_factory=list)

    def count(self, claim: Claim, error: str | None) -> None:
        """Count one message's outcome: sent, or failed with its reason."""
        if error is None:
            self.sent += 1
        else:
            self.failed += 1
            self.errors.append(f"{claim.to_address}: {error}")


@dataclass(frozen=True)
class Claim:
    """A delivery row this run holds, with the message to send."""

    id: int
    to_address: str
    message: str
    attempts: int


def week_start(day: date) -> date:
    """The Monday of the week of `day`: the key day of that week's escalation."""
    return day - timedelta(days=day.weekday())


def _link(public_url: str, action_id: int) -> str:
    return f"{public_url.rstrip('/')}/actions/{action_id}/update"


def _people(ids: set[int]) -> dict[int, Recipient]:
    """The people with these ids, as Recipients."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(User.id, User.name, User.email, User.organisation, User.active,
               User.reminders_paused_until, Council.name)
        .join(Council, User.council_id == Council.id)
        .where(User.id.in_(ids))
    )
    return {row[0]: Recipient(*row) for row in rows}


def plan_reminders(
    day: date, *, config: Mapping[str, Any], council_id: int | None = None
) -> list[Reminder]:
    """Every email due on `day`: one digest per person (own overdue and coming-up actions,
    plus those of paused owners they lead), and the weekly escalation of long-overdue actions
    to each item's lead officer. Reads only."""
    upcoming_days = int(config.get("REMINDER_UPCOMING_DAYS", 7))
    escalate_after = int(config.get("REMINDER_ESCALATE_AFTER_DAYS", 14))
    public_url = str(config.get("PUBLIC_URL", ""))
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
    # Each person once, not on every row of their actions.
    people = _people({person_id for row in rows for person_id in row[4:] if person_id})
    due_texts: dict[date, str] = {}
    digests: dict[int, Reminder] = {}
    escalations: dict[int, Reminder] = {}

    escalation_day = week_start(day)

    def reminder_for(person: Recipient, found: dict[int, Reminder], kind: DeliveryKind,
                     key_day: date) -> Reminder:
        reminder = found.get(person.id)
        if reminder is None:
            reminder = found[person.id] = Reminder(person, kind, key_day)
        return reminder

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
    return [*digests.values(), *escalations.values()]


def render_reminder(reminder: Reminder, *, day: date, config: Mapping[str, Any]) -> tuple[str, str]:
    """The plain-text and HTML bodies of one reminder (autoescaped HTML)."""
    env = current_app.jinja_env
    context = {"reminder": reminder, "day": day, "public_url": config.get("PUBLIC_URL", ""),
               "council_name": reminder.recipient.council_name,
               "upcoming_days": config.get("REMINDER_UPCOMING_DAYS", 7),
               "escalate_after": config.get("REMINDER_ESCALATE_AFTER_DAYS", 14)}
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


def _claim_row(reminder: Reminder, *, sender: str, day: date, now: datetime,
               config: Mapping[str, Any]) -> dict[str, Any]:
    """The pending delivery row of one reminder, with its message rendered and written."""
    text, html = render_reminder(reminder, day=day, config=config)
    subject = reminder.subject
    return {
        "recipient_id": reminder.recipient.id, "kind": reminder.kind,
        "day": reminder.key_day, "status": DeliveryStatus.PENDING,
        "to_address": reminder.recipient.email, "subject": subject,
        "message": format_message(sender=sender, to=reminder.recipient.email,
                                  subject=subject, text=text, html=html, now=now),
        "attempts": 0, "last_error": "", "next_attempt_at": now + LEASE, "created_at": now,
    }


def _insert_claims(rows: list[dict[str, Any]]) -> list[Claim]:
    """Insert the rows in one statement; if the unique key refuses any (claimed by another
    run since we looked), insert them one by one and skip those refused."""
    if not rows:
        return []
    statement = insert(Delivery).returning(Delivery.id, sort_by_parameter_order=True)

    def claims(ids: Sequence[int], inserted: list[dict[str, Any]]) -> list[Claim]:
        return [Claim(row_id, row["to_address"], row["message"], 0)
                for row_id, row in zip(ids, inserted, strict=True)]

    try:
        with db.session.begin_nested():
            return claims(db.session.scalars(statement, rows).all(), rows)
    except IntegrityError:
        pass
    claimed: list[Claim] = []
    for row in rows:
        try:
            # A savepoint per row: another scheduler may have claimed it a moment ago.
            with db.session.begin_nested():
                claimed += claims(db.session.scalars(statement, [row]).all(), [row])
        except IntegrityError:
            continue
    return claimed


def _claim_retries(*, now: datetime, config: Mapping[str, Any],
                   council_id: int | None = None) -> list[Claim]:
    """Take over failed rows whose wait is over, and pending rows whose run died (of one
    council's people when `council_id` is given: an administrator's "run now")."""
    max_attempts = int(config.get("REMINDER_MAX_ATTEMPTS", 5))
    query = select(Delivery.id, Delivery.next_attempt_at, Delivery.to_address, Delivery.message,
                   Delivery.attempts).where(
        Delivery.status.in_((DeliveryStatus.FAILED, DeliveryStatus.PENDING)),
        Delivery.next_attempt_at.is_not(None),
        Delivery.next_attempt_at <= now,
        Delivery.attempts < max_attempts,
    )
    if council_id is not None:
        query = query.join(User, User.id == Delivery.recipient_id).where(
            User.council_id == council_id)
    due = db.session.execute(query).all()
    claimed = []
    for row_id, seen_at, to_address, message, attempts in due:
        # Conditional UPDATE: only one run wins a row, however many look at it at once.
        result = db.session.execute(
            update(Delivery)
            .where(Delivery.id == row_id, Delivery.next_attempt_at == seen_at)
            .values(status=DeliveryStatus.PENDING, next_attempt_at=now + LEASE)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            claimed.append(Claim(row_id, to_address, message, attempts))
    return claimed


_deliveries = Delivery.__table__
# One outcome, by id, built once: the per-message cost is the execution, not SQL building.
_RECORD_OUTCOME = (
    update(_deliveries)
    .where(_deliveries.c.id == bindparam("row_id"))
    .values(attempts=bindparam("new_attempts"),
            status=bindparam("new_status", type_=_deliveries.c.status.type),
            sent_at=bindparam("new_sent_at", type_=_deliveries.c.sent_at.type),
            next_attempt_at=bindparam("new_next_attempt_at",
                                      type_=_deliveries.c.next_attempt_at.type),
            last_error=bindparam("new_last_error"))
)


def _record(connection: Connection, claim: Claim, *, now: datetime, error: str | None,
            config: Mapping[str, Any]) -> None:
    """Write one outcome with a single UPDATE by id (nothing is loaded)."""
    attempts = claim.attempts + 1
    values: dict[str, Any] = {"row_id": claim.id, "new_attempts": attempts}
    if error is None:
        values.update(new_status=DeliveryStatus.SENT, new_sent_at=now,
                      new_next_attempt_at=None, new_last_error="")
    else:
        values.update(new_status=DeliveryStatus.FAILED, new_sent_at=None,
                      new_last_error=error[:2000],
                      new_next_attempt_at=next_try_after(
                          now, attempts,
                          max_attempts=int(config.get("REMINDER_MAX_ATTEMPTS", 5)),
                          retry_wait=timedelta(
                              minutes=int(config.get("REMINDER_RETRY_MINUTES", 15)))))
    connection.execute(_RECORD_OUTCOME, values)


def send_reminders(day: date, *, now: datetime, council_id: int | None = None) -> RunResult:
    """Claim, commit, send and record every reminder due on `day`, and retry failures.

    Safe to run twice or in two processes at once: a row is claimed (unique key or
    conditional update) and committed before its email leaves, so nothing goes twice; a
    failure is recorded with its reason and retried by a later run, with a limit.
    """
    config = current_app.config
    sender = str(config.get("MAIL_DEFAULT_SENDER", "tracker@localhost"))
    reminders = plan_reminders(day, config=config, council_id=council_id)
    logged = _logged_keys({r.key_day for r in reminders})
    waiting = deque(r for r in reminders if (r.recipient.id, r.kind, r.key_day) not in logged)
    result = RunResult(already_done=len(reminders) - len(waiting))

    def prepare(count: int) -> list[dict[str, Any]]:
        """Render and write the messages of the next `count` reminders."""
        return [_claim_row(waiting.popleft(), sender=sender, day=day, now=now, config=config)
                for _ in range(min(count, len(waiting)))]

    def claim(rows: list[dict[str, Any]]) -> list[Claim]:
        claimed = _insert_claims(rows)
        result.already_done += len(rows) - len(claimed)
        return claimed

    claims = deque([*claim(prepare(CLAIM_BATCH)),
                    *_claim_retries(now=now, config=config, council_id=council_id)])
    db.session.commit()
    # The next batch's rows, rendered while the server works on messages of this one.
    prepared: list[dict[str, Any]] = []
    # The claim whose message went last, and how it went: not yet recorded.
    unrecorded: tuple[Claim, str | None] | None = None

    def record_last() -> None:
        nonlocal unrecorded
        if unrecorded is None:
            return
        (done, error), unrecorded = unrecorded, None
        _record(connection, done, now=now, error=error, config=config)
        connection.commit()
        result.count(done, error)

    def prepare_next() -> None:
        if len(prepared) < CLAIM_BATCH:
            prepared.extend(prepare(1))

    # Outcomes are written through one connection held for the whole loop: a session commit
    # hands its connection back to the pool, and taking it again pings the database.
    with db.engine.connect() as connection, \
            Mailer(config, current_app.instance_path) as mailer:
        try:
            while claims or prepared or waiting:
                if not claims:
                    # The next batch is claimed and committed before any of it goes.
                    claims.extend(claim([*prepared, *prepare(CLAIM_BATCH - len(prepared))]))
                    db.session.commit()
                    prepared.clear()
                    continue
                current = claims.popleft()
                error = None
                try:
                    # While the server works on this message, and before it can deliver
                    # it: commit the previous outcome (so a crash still loses at most
                    # one), then render one more message for the next batch.
                    mailer.send_stored(current.message, current.to_address,
                                       meanwhile=(record_last, prepare_next))
                except MailError as failure:
                    error = str(failure)
                unrecorded = (current, error)
        finally:
            record_last()
    return result


def recent_deliveries(council_id: int, limit: int = 200) -> list[Delivery]:
    """The delivery log of a council's people: failures first, then newest first."""
    return list(db.session.scalars(
        select(Delivery).join(Delivery.recipient)
        .where(User.council_id == council_id)
        .options(joinedload(Delivery.recipient))
        .order_by((Delivery.status == DeliveryStatus.FAILED).desc(), Delivery.created_at.desc(),
                  Delivery.id.desc())
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



def send_due_deliveries(*, now: datetime) -> RunResult:
    """Send every delivery whose time has come, of any kind: emails the app queued to go at
    once (a partner's link), failed ones whose wait is over, and pending ones whose run died.

    The scheduler runs this every minute, so no web request waits for the mail server. Each
    row is claimed by a conditional UPDATE and committed before its email leaves (never two
    runs on one row, nor this and the daily run); each outcome is committed on its own, with
    the same retry rules as reminders (REMINDER_MAX_ATTEMPTS, doubling waits)."""
    config = current_app.config
    claims = _claim_retries(now=now, config=config)
    db.session.commit()
    result = RunResult()
    if not claims:
        return result
    with db.engine.connect() as connection, \
            Mailer(config, current_app.instance_path) as mailer:
        for claim in claims:
            error = None
            try:
                mailer.send_stored(claim.message, claim.to_address)
            except MailError as failure:
                error = str(failure)
            _record(connection, claim, now=now, error=error, config=config)
            connection.commit()
            result.count(claim, error)
    return result
