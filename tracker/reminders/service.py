"""Who gets which reminder on a given day, and the send step that never sends twice.

`plan_reminders` decides (reads only). `send_reminders` is the job: it claims a delivery row
per email in the database (unique key recipient, kind, day), commits, then sends, and records
each outcome. It is the one function here that commits, because an email must never leave
before the commit that decided it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from tracker.accounts.models import User
from tracker.errors import RuleBroken
from tracker.extensions import db
from tracker.formatting import UK, plural
from tracker.inspections.models import Finding, Inspection
from tracker.items.models import OPEN_ACTION_STATUSES, Action, Item
from tracker.mail import Mailer, MailError, build_message
from tracker.reminders.models import Delivery, DeliveryKind, DeliveryStatus

# How long a run holds a claimed row before another run may take it over (a crash mid-send).
LEASE = timedelta(minutes=30)
LONGEST_PAUSE = timedelta(days=366)


@dataclass(frozen=True)
class Line:
    """One action in an email."""

    action_id: int
    item_title: str
    description: str
    due_date: date
    days_overdue: int
    owner_name: str
    link: str


@dataclass
class Reminder:
    """One email to one person: their own actions, and any they cover for someone paused."""

    recipient: User
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


def week_start(day: date) -> date:
    """The Monday of the week of `day`: the key day of that week's escalation."""
    return day - timedelta(days=day.weekday())


def _link(public_url: str, action_id: int) -> str:
    return f"{public_url.rstrip('/')}/actions/{action_id}/update"


def _reachable(user: User | None) -> bool:
    return user is not None and user.active and bool(user.email)


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
        select(Action)
        .join(Action.item)
        .where(Action.status.in_(OPEN_ACTION_STATUSES),
               Action.due_date <= day + timedelta(days=upcoming_days))
        .options(joinedload(Action.owner), joinedload(Action.item).joinedload(Item.lead_officer))
        .order_by(Action.due_date, Action.id)
    )
    if council_id is not None:
        query = (query.join(Item.finding).join(Finding.inspection)
                 .where(Inspection.council_id == council_id))
    digests: dict[int, Reminder] = {}
    escalations: dict[int, Reminder] = {}

    def digest_for(user: User) -> Reminder:
        return digests.setdefault(user.id, Reminder(user, DeliveryKind.DIGEST, day))

    for action in db.session.scalars(query).unique():
        owner, lead = action.owner, action.item.lead_officer
        overdue_by = (day - action.due_date).days
        line = Line(action.id, action.item.title, action.description, action.due_date,
                    max(overdue_by, 0), owner.name if owner else "No owner",
                    _link(public_url, action.id))
        owner_away = owner is None or not _reachable(owner) or owner.reminders_paused_on(day)
        if not owner_away:
            reminder = digest_for(owner)
            (reminder.overdue if overdue_by > 0 else reminder.coming_up).append(line)
        elif _reachable(lead) and lead is not owner and not lead.reminders_paused_on(day):
            # Someone on leave (or gone): their lead officer sees what is waiting.
            name = owner.name if owner else "Nobody (no owner)"
            until = owner.reminders_paused_until if owner else None
            digest_for(lead).covering.setdefault(name, (until, []))[1].append(line)
        if (overdue_by > escalate_after and _reachable(lead) and lead is not owner
                and not lead.reminders_paused_on(day)):
            escalations.setdefault(
                lead.id, Reminder(lead, DeliveryKind.ESCALATION, week_start(day))
            ).overdue.append(line)
    return [*digests.values(), *escalations.values()]


def render_reminder(reminder: Reminder, *, day: date, config: Mapping[str, Any]) -> tuple[str, str]:
    """The plain-text and HTML bodies of one reminder (autoescaped HTML)."""
    env = current_app.jinja_env
    context = {"reminder": reminder, "day": day, "public_url": config.get("PUBLIC_URL", ""),
               "council_name": reminder.recipient.council.name,
               "upcoming_days": config.get("REMINDER_UPCOMING_DAYS", 7),
               "escalate_after": config.get("REMINDER_ESCALATE_AFTER_DAYS", 14)}
    name = reminder.kind.value
    return (env.get_template(f"emails/{name}.txt").render(context),
            env.get_template(f"emails/{name}.html").render(context))


def _claim_new(reminders: list[Reminder], *, day: date, now: datetime,
               config: Mapping[str, Any]) -> tuple[list[int], int]:
    """Insert a pending row for each reminder not yet in the log; skip those that are."""
    sender = str(config.get("MAIL_DEFAULT_SENDER", "tracker@localhost"))
    claimed: list[int] = []
    already = 0
    existing = {
        (row.recipient_id, row.kind, row.day)
        for row in db.session.execute(
            select(Delivery.recipient_id, Delivery.kind, Delivery.day)
            .where(Delivery.day.in_({r.key_day for r in reminders}))
        )
    }
    for reminder in reminders:
        if (reminder.recipient.id, reminder.kind, reminder.key_day) in existing:
            already += 1
            continue
        text, html = render_reminder(reminder, day=day, config=config)
        message = build_message(sender=sender, to=reminder.recipient.email,
                                subject=reminder.subject, text=text, html=html, now=now)
        row = Delivery(recipient_id=reminder.recipient.id, kind=reminder.kind,
                       day=reminder.key_day, status=DeliveryStatus.PENDING,
                       to_address=reminder.recipient.email, subject=reminder.subject,
                       message=message.as_string(), next_attempt_at=now + LEASE, created_at=now)
        try:
            # A savepoint per row: another scheduler may have claimed it a moment ago.
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:
            already += 1
            continue
        claimed.append(row.id)
    return claimed, already


def _claim_retries(*, now: datetime, config: Mapping[str, Any]) -> list[int]:
    """Take over failed rows whose wait is over, and pending rows whose run died."""
    max_attempts = int(config.get("REMINDER_MAX_ATTEMPTS", 5))
    due = db.session.execute(
        select(Delivery.id, Delivery.next_attempt_at).where(
            Delivery.status.in_((DeliveryStatus.FAILED, DeliveryStatus.PENDING)),
            Delivery.next_attempt_at.is_not(None),
            Delivery.next_attempt_at <= now,
            Delivery.attempts < max_attempts,
        )
    ).all()
    claimed = []
    for row_id, seen_at in due:
        # Conditional UPDATE: only one run wins a row, however many look at it at once.
        result = db.session.execute(
            update(Delivery)
            .where(Delivery.id == row_id, Delivery.next_attempt_at == seen_at)
            .values(status=DeliveryStatus.PENDING, next_attempt_at=now + LEASE)
        )
        if result.rowcount == 1:
            claimed.append(row_id)
    return claimed


def _record(row: Delivery, *, now: datetime, error: str | None,
            config: Mapping[str, Any]) -> None:
    row.attempts += 1
    if error is None:
        row.status, row.sent_at, row.next_attempt_at, row.last_error = (
            DeliveryStatus.SENT, now, None, "")
        return
    max_attempts = int(config.get("REMINDER_MAX_ATTEMPTS", 5))
    wait = timedelta(minutes=int(config.get("REMINDER_RETRY_MINUTES", 15)))
    row.status, row.last_error = DeliveryStatus.FAILED, error[:2000]
    # Doubling waits; after the last attempt the row stays failed, on the admin page.
    row.next_attempt_at = (
        now + wait * 2 ** (row.attempts - 1) if row.attempts < max_attempts else None
    )


def send_reminders(day: date, *, now: datetime, council_id: int | None = None) -> RunResult:
    """Claim, commit, send and record every reminder due on `day`, and retry failures.

    Safe to run twice or in two processes at once: a row is claimed (unique key or
    conditional update) and committed before its email leaves, so nothing goes twice; a
    failure is recorded with its reason and retried by a later run, with a limit.
    """
    config = current_app.config
    reminders = plan_reminders(day, config=config, council_id=council_id)
    new_ids, already = _claim_new(reminders, day=day, now=now, config=config)
    retry_ids = _claim_retries(now=now, config=config)
    db.session.commit()

    result = RunResult(already_done=already)
    with Mailer(config, current_app.instance_path) as mailer:
        for row_id in [*new_ids, *retry_ids]:
            row = db.session.get(Delivery, row_id)
            if row is None:
                continue
            error = None
            try:
                mailer.send_stored(row.message, row.to_address)
            except MailError as failure:
                error = str(failure)
            _record(row, now=now, error=error, config=config)
            # Commit each outcome at once: a crash later in the run keeps what is known.
            db.session.commit()
            if error is None:
                result.sent += 1
            else:
                result.failed += 1
                result.errors.append(f"{row.to_address}: {error}")
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

