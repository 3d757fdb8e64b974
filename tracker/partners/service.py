"""Partner links: sending one, checking one when it is opened, posting through it, revoking it.

A link is `<PUBLIC_URL>/partner/<token>`. The token is the link row's id and a random secret,
signed with the app's SECRET_KEY (itsdangerous, with a salt used for nothing else); only the
secret's SHA-256 is stored. A token that is not signed by this app, names no link, or carries
the wrong secret is "not recognised" (404); one that was genuine but has stopped working
(expired, revoked, the action closed or given to someone else) "no longer works" (410).

The email is not sent here: `send_partner_link` queues it in the delivery log (a row waiting
to be sent, with the whole message), and the scheduler's delivery job sends it within a
minute, with the usual retries (tracker.reminders.service.send_due_deliveries). No web request
waits for the mail server, and nothing leaves before the commit that decided it.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from tracker.access.service import fingerprint
from tracker.accounts.models import User
from tracker.audit.models import HistoryEntry, HistoryField, HistoryKind
from tracker.audit.service import record_history
from tracker.errors import RuleBroken
from tracker.evidence.files import Upload
from tracker.extensions import db
from tracker.formatting import UK, long_date
from tracker.inspections.models import Finding, Inspection
from tracker.items import service as items
from tracker.items.models import Action, ActionStatus, Item, ItemStatus
from tracker.jobs.models import RunState
from tracker.mail import blank_outbox_copy, build_message, parse_message, subject_line
from tracker.partners.models import PartnerLink
from tracker.reminders.models import Delivery, DeliveryKind
from tracker.reminders.service import LINKS_REMOVED, RESET_LINK_REMOVED, queue_email
from tracker.settings import settings

SALT = "tracker.partner-link"
SHORTEST_DAYS = 1
LONGEST_DAYS = 60
DEFAULT_DAYS = 14
# What a sent link's email becomes in the delivery log once it has gone (see
# `forget_sent_link_messages`): the link in it would otherwise work for anyone who reads
# the database or a backup of it.
SENT_MESSAGE_REMOVED = LINKS_REMOVED
# The statuses a partner may choose: cancelling an action is the lead officer's decision.
PARTNER_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS, ActionStatus.COMPLETE)


@dataclass(frozen=True)
class SentLink:
    """A link just made: the row, the token in it (never stored), and its queued email."""

    link: PartnerLink
    token: str
    delivery: Delivery


class LinkRefused(Exception):
    """A token that does not open a page: unknown (404) or no longer working (410).

    `link` is the genuine link when there is one, to say whom to ask for a new one."""

    def __init__(self, reason: str, *, status: int, link: PartnerLink | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.link = link


class DailyLimitReached(RuleBroken):
    """The link has posted PARTNER_LINK_DAILY_POSTS updates today already."""

    status = 429


# --- tokens -------------------------------------------------------------------------------


def _serializer(secret_key: str | bytes) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=SALT)



def make_token(link_id: int, secret: str, *, secret_key: str | bytes) -> str:
    """The signed token of a link: its id and its secret."""
    return str(_serializer(secret_key).dumps([link_id, secret]))


def _read_token(token: str, secret_key: str | bytes) -> tuple[int, str] | None:
    """The id and secret a genuine token carries, or None for anything else."""
    try:
        payload = _serializer(secret_key).loads(token)
    except (BadData, UnicodeError, ValueError):
        return None
    if (not isinstance(payload, list) or len(payload) != 2
            or not isinstance(payload[0], int) or isinstance(payload[0], bool)
            or not isinstance(payload[1], str) or not 0 < payload[0] < 2**31):
        return None
    return payload[0], payload[1]


def link_address(token: str) -> str:
    """The full address of the partner's page, as the email gives it."""
    return f"{settings().public_url}/partner/{token}"


# --- days ---------------------------------------------------------------------------------


def end_of_day(day: date) -> datetime:
    """The moment a link valid through `day` stops: midnight at the end of it, UK time."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UK).astimezone(UTC)


def last_day(link: PartnerLink) -> date:
    """The last whole UK day the link works on."""
    return (link.expires_at - timedelta(microseconds=1)).astimezone(UK).date()


def _start_of_today(now: datetime) -> datetime:
    return datetime.combine(items.local_day(now), time(0), tzinfo=UK).astimezone(UTC)


# --- reading ------------------------------------------------------------------------------


def links_of_action(action: Action) -> list[PartnerLink]:
    """Every link sent for the action, newest first, with the people it names (one query)."""
    return list(db.session.scalars(
        select(PartnerLink)
        .where(PartnerLink.action_id == action.id)
        .options(joinedload(PartnerLink.recipient), joinedload(PartnerLink.created_by),
                 joinedload(PartnerLink.revoked_by))
        .order_by(PartnerLink.created_at.desc(), PartnerLink.id.desc())
    ))


@dataclass(frozen=True)
class LinkRow:
    """One link in the action page's list."""

    link: PartnerLink
    state: str  # "Working", "Revoked" or "Expired"
    last_day: date

    @property
    def working(self) -> bool:
        return self.state == "Working"


def link_rows(action: Action, now: datetime) -> list[LinkRow]:
    """The action's links, newest first, each with its state at `now` (one query)."""
    return [LinkRow(link, link_state(link, now), last_day(link))
            for link in links_of_action(action)]


def get_link(council_id: int, link_id: int) -> PartnerLink | None:
    """One link for an action of the council, or None."""
    return db.session.scalars(
        select(PartnerLink)
        .join(PartnerLink.action).join(Action.item).join(Item.finding).join(Finding.inspection)
        .where(PartnerLink.id == link_id, Inspection.council_id == council_id)
    ).first()


def link_state(link: PartnerLink, now: datetime) -> str:
    """"Working", "Revoked" or "Expired", for the lead officer's list."""
    if link.revoked_at is not None:
        return "Revoked"
    return "Working" if link.usable_at(now) else "Expired"


def partner_can_be_sent_a_link(action: Action) -> bool:
    """Whether the action is one a link can be sent for: owned by an active partner with an
    email address, not cancelled, its item not signed off."""
    owner = action.owner
    return (owner is not None and owner.is_partner and owner.active and bool(owner.email)
            and action.status is not ActionStatus.CANCELLED
            and action.item.status is not ItemStatus.COMPLETE)


def whom_to_ask(link: PartnerLink) -> User | None:
    """Who a partner should ask about a link: the item's lead officer, else who sent it."""
    return link.action.item.lead_officer or link.created_by


# --- sending ------------------------------------------------------------------------------


def _check_days(days: int) -> None:
    if not SHORTEST_DAYS <= days <= LONGEST_DAYS:
        raise RuleBroken(
            f"Enter a number of days from {SHORTEST_DAYS} to {LONGEST_DAYS}", field="days")


def _check_action(action: Action) -> None:
    owner = action.owner
    if owner is None or not owner.is_partner:
        raise RuleBroken("Links are only for owners from a partner agency: this action's "
                         "owner is not one")
    if not owner.active or not owner.email:
        raise RuleBroken(f"{owner.name}'s account is deactivated or has no email address: "
                         "an administrator can change that on the Users page")
    if action.item.status is ItemStatus.COMPLETE:
        raise RuleBroken("This item is complete and signed off: its actions can no longer "
                         "change")
    if action.status is ActionStatus.CANCELLED:
        raise RuleBroken("This action is cancelled: there is nothing for a partner to update")


def _email(link: PartnerLink, *, address: str, actor: User, now: datetime) -> EmailMessage:
    """A link's email."""
    action, recipient = link.action, link.recipient
    council_name = action.item.finding.inspection.council.name
    contact = whom_to_ask(link) or actor
    context = {"link": link, "action": action, "item": action.item, "recipient": recipient,
               "address": address, "sender": actor, "contact": contact,
               "last_day": last_day(link), "council_name": council_name}
    env = current_app.jinja_env
    text = env.get_template("partners/email.txt").render(context)
    html = env.get_template("partners/email.html").render(context)
    subject = subject_line(council_name, "please update an action you own")
    return build_message(sender=settings().mail.sender, to=recipient.email,
                         subject=subject, text=text, html=html, now=now)


def send_partner_link(
    action: Action, *, actor: User, now: datetime, days: int,
) -> SentLink:
    """Make a link for the action's partner owner, working for `days` whole days after today,
    and queue its email in the delivery log (the scheduler sends it within a minute).

    Any earlier link of the same partner for this action stops working: the newest email is
    the one to use. Both are recorded in the action's history."""
    _check_days(days)
    _check_action(action)
    recipient = action.owner
    assert recipient is not None  # checked above
    for earlier in links_of_action(action):
        if earlier.recipient_id == recipient.id and earlier.usable_at(now):
            _revoke(earlier, actor=actor, now=now, why="replaced by a new link")
    secret = secrets.token_urlsafe(32)
    until = items.local_day(now) + timedelta(days=days)
    link = PartnerLink(action=action, recipient=recipient, secret_sha256=fingerprint(secret),
                       created_by=actor, created_at=now, expires_at=end_of_day(until))
    db.session.add(link)
    db.session.flush()
    token = make_token(link.id, secret, secret_key=current_app.secret_key or "")
    message = _email(link, address=link_address(token), actor=actor, now=now)
    # Its key is the link's own, so nothing is in the log before it.
    delivery = queue_email(message, recipient_id=recipient.id, kind=DeliveryKind.PARTNER_LINK,
                           day=items.local_day(now), topic=f"partner link {link.id}", now=now,
                           holds_partner_links=True)
    assert delivery is not None
    record_history(
        item=action.item, action=action, author=actor, now=now,
        kind=HistoryKind.PARTNER_LINK_SENT,
        field=HistoryField.RECIPIENT, new_value=recipient,
        text=f"It works until the end of {long_date(until)}.",
    )
    items.note_updated(action.item, now, action)
    db.session.flush()
    return SentLink(link, token, delivery)


def reminder_link(action: Action, *, recipient_id: int, now: datetime, days: int) -> str | None:
    """A fresh link for a partner's daily reminder: the address of a new link for the action,
    working for `days` whole days after today; None when the action is not one the
    partner may update through a link (no longer theirs, cancelled, signed off).

    As with `send_partner_link`, the partner's earlier links for the action stop working: the
    newest email is the one to use. Sent by the tracker, not a person, so the link names no
    sender, and (a reminder being no update) nothing is written to the history and "last
    updated" stays. Flushes."""
    if action.owner_id != recipient_id or not partner_can_be_sent_a_link(action):
        return None
    for earlier in links_of_action(action):
        if earlier.recipient_id == recipient_id and earlier.usable_at(now):
            earlier.revoked_at = now
    secret = secrets.token_urlsafe(32)
    until = items.local_day(now) + timedelta(days=days)
    link = PartnerLink(action=action, recipient_id=recipient_id,
                       secret_sha256=fingerprint(secret), created_by=None, created_at=now,
                       expires_at=end_of_day(until))
    db.session.add(link)
    db.session.flush()
    return link_address(make_token(link.id, secret, secret_key=current_app.secret_key or ""))


def _revoke(link: PartnerLink, *, actor: User, now: datetime, why: str = "") -> None:
    link.revoked_at = now
    link.revoked_by = actor
    items.note_updated(link.action.item, now, link.action)
    record_history(
        item=link.action.item, action=link.action, author=actor, now=now,
        kind=HistoryKind.PARTNER_LINK_REVOKED,
        field=HistoryField.RECIPIENT, new_value=link.recipient,
        text=f"The link sent on {long_date(link.created_at)} no longer works"
             f"{f' ({why})' if why else ''}.",
    )


def revoke_partner_link(link: PartnerLink, *, actor: User, now: datetime) -> bool:
    """Stop a link at once, recorded in the history. False when it had already stopped
    (revoked or expired), when nothing changes."""
    if not link.usable_at(now):
        return False
    _revoke(link, actor=actor, now=now)
    db.session.flush()
    return True


def revoke_links_sent_to(user: User, *, actor: User, now: datetime, why: str) -> int:
    """Stop for good every link sent to `user` that still works (they were deactivated,
    anonymised or their access ended); each is recorded in its action's history. How many."""
    links = list(db.session.scalars(
        select(PartnerLink).where(PartnerLink.recipient_id == user.id,
                                  PartnerLink.revoked_at.is_(None),
                                  PartnerLink.expires_at > now)))
    for link in links:
        _revoke(link, actor=actor, now=now, why=why)
    db.session.flush()
    return len(links)


def revoke_links_of_earlier_owners(action: Action, *, actor: User, now: datetime) -> int:
    """When an action is given to someone else, links sent to anyone but its new owner stop
    for good: giving the action back does not bring them back. How many stopped."""
    links = [link for link in links_of_action(action)
             if link.recipient_id != action.owner_id and link.usable_at(now)]
    for link in links:
        _revoke(link, actor=actor, now=now, why="the action was given to someone else")
    db.session.flush()
    return len(links)


# --- opening and posting ------------------------------------------------------------------


def open_partner_link(token: str, *, now: datetime,
                      secret_key: str | bytes | None = None) -> PartnerLink:
    """The link a token opens, if it still works; otherwise raise LinkRefused saying why."""
    found = _read_token(token, secret_key if secret_key is not None
                        else current_app.secret_key or "")
    if found is None:
        raise LinkRefused("not recognised", status=404)
    link_id, secret = found
    link = db.session.scalars(
        select(PartnerLink).where(PartnerLink.id == link_id)
        .options(joinedload(PartnerLink.recipient),
                 joinedload(PartnerLink.action).joinedload(Action.item)
                 .joinedload(Item.finding).joinedload(Finding.inspection))
    ).first()
    # Compared in constant time: how long a wrong guess takes says nothing about the secret.
    if link is None or not hmac.compare_digest(link.secret_sha256, fingerprint(secret)):
        raise LinkRefused("not recognised", status=404)
    reason = _why_not_working(link, now)
    if reason is not None:
        raise LinkRefused(reason, status=410, link=link)
    return link


def _why_not_working(link: PartnerLink, now: datetime) -> str | None:
    """Why a genuine link no longer opens its page, in a sentence for the partner; None
    while it works."""
    action, recipient = link.action, link.recipient
    if link.revoked_at is not None and link.revoked_by_id is None:
        return (f"A newer reminder replaced it on {long_date(link.revoked_at)}: use the link "
                "in the newest email.")
    if link.revoked_at is not None:
        return f"It was withdrawn on {long_date(link.revoked_at)}."
    if not link.usable_at(now):
        return f"It worked until the end of {long_date(last_day(link))}."
    if action.owner_id != recipient.id or not recipient.active or not recipient.is_partner:
        return "The action it was sent for now has a different owner."
    if action.item.status is ItemStatus.COMPLETE:
        return "The work it was sent for is complete and signed off."
    if action.status is ActionStatus.CANCELLED:
        return "The action it was sent for has been cancelled."
    return None


def posts_today(link: PartnerLink, now: datetime) -> int:
    """How many updates the link has posted since midnight, UK time. One post writes up to
    three history entries (status, commentary, evidence), all at the same moment."""
    return db.session.scalar(
        select(func.count(func.distinct(HistoryEntry.created_at)))
        .where(HistoryEntry.partner_link_id == link.id,
               HistoryEntry.created_at >= _start_of_today(now))
    ) or 0


def _note_use(link: PartnerLink, now: datetime) -> None:
    # Counted in SQL, so two posts at once both count; and only while the link is still
    # unrevoked: a revocation committed while this post was being made wins (on PostgreSQL
    # the UPDATE waits for it and then matches nothing).
    result = db.session.execute(
        update(PartnerLink)
        .where(PartnerLink.id == link.id, PartnerLink.revoked_at.is_(None),
               PartnerLink.expires_at > now)
        .values(uses=PartnerLink.uses + 1, last_used_at=now)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        db.session.expire(link)
        raise LinkRefused("It was withdrawn a moment ago.", status=410, link=link)
    db.session.expire(link, ["uses", "last_used_at"])


def post_partner_update(
    link: PartnerLink, *, now: datetime, expected_version: int | None, status: ActionStatus,
    commentary: str, evidence_link: str, daily_posts: int, files: Sequence[Upload] = (),
) -> None:
    """The partner's progress update through a link: status, commentary and evidence, by the
    same rules as the owner's own update, written by the partner and marked as a partner
    update; counts a use. Flushes; the request commits it all at once, or nothing.

    Raises LinkRefused if the link has stopped working, RuleBroken (DailyLimitReached when
    the day's allowance is used up) or EditConflict as `items.update_action` does."""
    reason = _why_not_working(link, now)
    if reason is not None:
        raise LinkRefused(reason, status=410, link=link)
    if status not in PARTNER_STATUSES:
        raise RuleBroken("Choose a status", field="status")
    if posts_today(link, now) >= daily_posts:
        raise DailyLimitReached(
            f"This link has sent {daily_posts} updates today, the most it can send in a day. "
            "You can send more tomorrow.")
    items.update_action(
        link.action, actor=link.recipient, now=now, expected_version=expected_version,
        status=status, commentary=commentary, evidence_link=evidence_link, files=files,
        partner_link=link)
    _note_use(link, now)
    db.session.flush()


# --- the scheduler side -------------------------------------------------------------------


def forget_sent_link_messages(instance_path: str | None = None) -> int:
    """Blank out the delivery log's copy of link emails that have gone (partner links and
    password reset links), and their copy in the outbox folder, so the link in them lives only
    in the recipient's mailbox; the number blanked. Sending blanks them already; this catches
    any sent before it did. The row (to whom, when, the subject) stays, and so do the outbox
    file's headers. A message still to be sent or retried is kept whole."""
    folder = instance_path if instance_path is not None else current_app.instance_path
    blanked = 0
    for holds_a_link, note in ((Delivery.holds_partner_links.is_(True), LINKS_REMOVED),
                               (Delivery.kind == DeliveryKind.PASSWORD_RESET,
                                RESET_LINK_REMOVED)):
        rows = db.session.execute(
            select(Delivery.id, Delivery.message)
            .where(holds_a_link, Delivery.state == RunState.DONE,
                   Delivery.message != note)).all()
        if not rows:
            continue
        for _, raw in rows:
            blank_outbox_copy(folder, str(parse_message(raw)["Message-ID"] or ""), note)
        db.session.execute(
            update(Delivery).where(Delivery.id.in_([row_id for row_id, _ in rows]))
            .values(message=note).execution_options(synchronize_session=False))
        blanked += len(rows)
    return blanked
