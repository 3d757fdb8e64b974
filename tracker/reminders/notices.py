"""Telling people what waits for them: the notices the services write as they make a change,
and the lines a daily email and the dashboard show of them.

A notice is a fact: who is to be told (`Notice.recipient`), why (`NoticeKind`) and of which
change (its history entry, which holds who made it, when, and the reason or the dates). The
words are made when it is shown. Notices of something that waits for a decision (a request,
an item marked complete) make sure the person gets an email the next morning; what the email
and the dashboard list is what waits at that moment, so a request withdrawn in the meantime is
not shown. The other notices (a decision, an action given to someone) are shown themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import aliased, joinedload

from tracker.accounts.models import Role, User, shown_name
from tracker.audit.models import HistoryEntry
from tracker.audit.values import from_json
from tracker.audit.words import THE_TRACKER
from tracker.extensions import db
from tracker.formatting import UK, long_date
from tracker.inspections.models import Finding, Inspection
from tracker.items.models import (
    Action,
    CancellationRequest,
    DueDateChange,
    Item,
    ItemStatus,
    RequestState,
)
from tracker.reminders.models import Notice, NoticeKind

# How long a decision or a new action stays on the person's dashboard.
SHOWN_FOR = timedelta(days=14)


def tell(recipient: User | None, kind: NoticeKind, entry: HistoryEntry, *,
         now: datetime, actor: User) -> None:
    """Note that `recipient` is to be told of the change `entry` records: in their next daily
    email, and on their dashboard at once. Nobody is told of their own change, and nobody
    inactive. Adds; the caller flushes."""
    if recipient is None or recipient.id == actor.id or not recipient.active:
        return
    db.session.add(Notice(recipient=recipient, kind=kind, history_entry=entry, created_at=now))


def deciders(item: Item, *, asker: User) -> list[User]:
    """Who decides what `asker` asks about the item: its lead officer; when it has none, or
    the lead is the one asking or cannot act, the council's administrators (but the asker)."""
    lead = item.lead_officer
    if (lead is not None and lead.active and lead.id != asker.id
            and lead.role is not Role.COMMITTEE_MEMBER):
        return [lead]
    council_id = item.finding.inspection.council_id
    return list(db.session.scalars(
        select(User).where(User.council_id == council_id, User.role == Role.ADMIN,
                           User.active.is_(True), User.id != asker.id).order_by(User.id)))


def tell_deciders(item: Item, kind: NoticeKind, entry: HistoryEntry, *, now: datetime,
                  actor: User) -> None:
    """`tell` everyone who decides what `actor` asks about the item (`deciders`)."""
    for person in deciders(item, asker=actor):
        tell(person, kind, entry, now=now, actor=actor)


# --- lines for people -----------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeLine:
    """A notice as an email or the dashboard shows it: plain values, words made by the
    template from `kind`."""

    notice_id: int
    kind: NoticeKind
    item_id: int
    item_title: str
    action_id: int | None
    action_description: str
    by: str  # who made the change
    at: datetime
    # The reason for a refusal or a sending back; the reason given with a request.
    reason: str
    from_date: date | None  # a due date's old and new values
    to_date: date | None

    @property
    def on_action(self) -> bool:
        return self.action_id is not None


# What a line shows of a notice, read as plain columns: the change's item and action and who
# made it (`_read_lines`).
_AUTHOR = aliased(User, name="author")
_LINE_COLUMNS = (Notice.id, Notice.kind, Notice.recipient_id, HistoryEntry.item_id, Item.title,
                 HistoryEntry.action_id, Action.description, _AUTHOR.name,
                 _AUTHOR.organisation, HistoryEntry.created_at, HistoryEntry.text,
                 HistoryEntry.field, HistoryEntry.old_value, HistoryEntry.new_value)


def _as_lines(query: Select[Any]) -> Select[Any]:
    """A query over `Notice` made to read what `_read_lines` needs, as plain columns."""
    return (query.with_only_columns(*_LINE_COLUMNS)
            .join(HistoryEntry, HistoryEntry.id == Notice.history_entry_id)
            .join(Item, Item.id == HistoryEntry.item_id)
            .outerjoin(Action, Action.id == HistoryEntry.action_id)
            .outerjoin(_AUTHOR, _AUTHOR.id == HistoryEntry.author_id))


def _read_lines(statement: Select[Any], parameters: dict[str, Any] | None = None
                ) -> list[tuple[int, NoticeLine]]:
    """The notices a statement made by `_as_lines` selects, each with its recipient's id and
    its line: one statement, no object loaded."""
    rows = db.session.execute(statement, parameters)
    lines = []
    for (notice_id, kind, recipient_id, item_id, item_title, action_id, action_description,
         author, organisation, at, text, field, old_value, new_value) in rows:
        dated = kind in (NoticeKind.DATE_CHANGE_APPROVED, NoticeKind.DATE_CHANGE_REFUSED)
        lines.append((recipient_id, NoticeLine(
            notice_id=notice_id, kind=kind, item_id=item_id, item_title=item_title,
            action_id=action_id,
            action_description=action_description if action_id is not None else "",
            by=shown_name(author, organisation) if author is not None else THE_TRACKER,
            at=at,
            reason=text if kind in (NoticeKind.DATE_CHANGE_REFUSED,
                                    NoticeKind.CANCELLATION_REFUSED,
                                    NoticeKind.SENT_BACK) else "",
            from_date=from_json(field, old_value) if dated else None,
            to_date=from_json(field, new_value) if dated else None)))
    return lines


@dataclass
class WaitingNotices:
    """The notices no email has told yet, by person: the lines to show (decisions, actions
    given) and every notice's id (to mark them told once the email is in the delivery log)."""

    lines: dict[int, list[NoticeLine]]
    ids: dict[int, list[int]]

    @property
    def people(self) -> set[int]:
        return set(self.ids)


def notices_not_yet_emailed(council_id: int | None) -> WaitingNotices:
    """Every notice not yet in an email (of one council's people, or of all): one statement."""
    query = select(Notice).where(Notice.delivery_id.is_(None))
    if council_id is not None:
        query = query.join(User, User.id == Notice.recipient_id).where(
            User.council_id == council_id)
    found = WaitingNotices({}, {})
    for recipient_id, line in _read_lines(
            _as_lines(query.order_by(Notice.created_at, Notice.id))):
        found.ids.setdefault(recipient_id, []).append(line.notice_id)
        if not line.kind.waits_for_decision:
            found.lines.setdefault(recipient_id, []).append(line)
    return found


def mark_emailed(notice_ids: Iterable[int], delivery_id: int) -> None:
    """The notices are in the email of this delivery row, written in this transaction: no
    later email shows them again. Only notices no other email has taken."""
    ids = list(notice_ids)
    if ids:
        db.session.execute(
            update(Notice).where(Notice.id.in_(ids), Notice.delivery_id.is_(None))
            .values(delivery_id=delivery_id).execution_options(synchronize_session=False))


def recent_notices(user: User, now: datetime, *, limit: int = 10) -> list[NoticeLine]:
    """What the person has been told of in the last `SHOWN_FOR` (decisions on what they
    asked, actions given to them), newest first: the dashboard shows them at once. One
    statement, plain values."""
    return [line for _, line in _read_lines(
        _recent_statement(limit), {"user_id": user.id, "since": now - SHOWN_FOR})]


@cache
def _recent_statement(limit: int) -> Select[Any]:
    """`recent_notices`'s statement, built once (it runs on every dashboard): the person and
    the moment are bound parameters."""
    return _as_lines(
        select(Notice).where(
            Notice.recipient_id == bindparam("user_id"),
            Notice.created_at >= bindparam("since"),
            Notice.kind.not_in([kind for kind in NoticeKind if kind.waits_for_decision]))
        .order_by(Notice.created_at.desc(), Notice.id.desc()).limit(limit))


# --- what waits for a decision, by person -----------------------------------------------------


class WaitingKind:
    """What waits for a person's decision (the values a template tells apart)."""

    DATE_CHANGE = "date change"
    CANCELLATION = "cancellation"
    SIGN_OFF = "sign-off"


@dataclass(frozen=True)
class DecisionLine:
    """A request or an item marked complete that waits for the person's decision."""

    kind: str  # a WaitingKind value
    item_id: int
    item_title: str
    action_id: int | None
    action_description: str
    asked_by: str
    asked_on: date
    reason: str
    from_date: date | None
    to_date: date | None
    path: str  # where it is decided, from the tracker's address ("/due-date-changes/5")


def _with_council(query: Select[Any], council_id: int | None) -> Select[Any]:
    """The query's items with their council's id, of one council (or of all)."""
    query = (query.join(Finding, Item.finding_id == Finding.id)
             .join(Inspection, Finding.inspection_id == Inspection.id))
    return query if council_id is None else query.where(Inspection.council_id == council_id)


def waiting_for_decision(council_id: int | None) -> dict[int, list[DecisionLine]]:
    """Requests waiting for a lead officer's decision and items waiting for sign-off, by who
    decides (`deciders`: the lead officer, or the administrators when there is none), the
    oldest first. A few statements, whatever the number."""
    found: dict[int, list[DecisionLine]] = {}
    admins: dict[int, list[int]] = {}

    def deciders_of(item: Item, council: int, asker_id: int | None) -> list[int]:
        lead = item.lead_officer
        if (lead is not None and lead.active and lead.id != asker_id
                and lead.role is not Role.COMMITTEE_MEMBER):
            return [lead.id]
        if council not in admins:
            admins[council] = list(db.session.scalars(
                select(User.id).where(User.council_id == council, User.role == Role.ADMIN,
                                      User.active.is_(True))))
        return [admin for admin in admins[council] if admin != asker_id]

    for model, kind, page in ((DueDateChange, WaitingKind.DATE_CHANGE, "due-date-changes"),
                              (CancellationRequest, WaitingKind.CANCELLATION, "cancellations")):
        query = _with_council(select(model, Inspection.council_id).join(model.action)
                              .join(Action.item), council_id)
        rows = db.session.execute(
            query.where(model.state == RequestState.PENDING)
            .options(joinedload(model.action).joinedload(Action.item)
                     .joinedload(Item.lead_officer), joinedload(model.requested_by))
            .order_by(model.requested_at, model.id)).unique().all()
        for request, council in rows:
            action = request.action
            line = DecisionLine(
                kind, action.item_id, action.item.title, action.id, action.description,
                request.requested_by.display_name, request.requested_at.astimezone(UK).date(),
                request.reason, getattr(request, "from_date", None),
                getattr(request, "to_date", None), f"/{page}/{request.id}")
            for person in deciders_of(action.item, council, request.requested_by_id):
                found.setdefault(person, []).append(line)
    query = _with_council(select(Item, Inspection.council_id), council_id)
    rows = db.session.execute(
        query.where(Item.status == ItemStatus.AWAITING_SIGN_OFF)
        .options(joinedload(Item.lead_officer), joinedload(Item.marked_complete_by))
        .order_by(Item.id)).unique().all()
    for item, council in rows:
        marker = item.marked_complete_by
        line = DecisionLine(WaitingKind.SIGN_OFF, item.id, item.title, None, "",
                            marker.display_name if marker is not None else "",
                            item.last_updated_at.astimezone(UK).date(),
                            item.outcome_evidence, None, None, f"/items/{item.id}/sign-off")
        for person in deciders_of(item, council, item.marked_complete_by_id):
            found.setdefault(person, []).append(line)
    return found



# --- words, made when shown ---------------------------------------------------------------------
# Plain text: an HTML page or email escapes them as it shows them, a text email does not.


def notice_title(line: NoticeLine) -> str:
    """What a notice is about: its action, or its item for a sign-off."""
    return line.action_description if line.on_action else line.item_title


def notice_words(line: NoticeLine) -> str:
    """What happened, in a sentence without its subject ("Lee Lead refused to move the due
    date from 1 December 2026 to 15 January 2027, on 22 November 2026")."""
    moved = (f"from {long_date(line.from_date)} to {long_date(line.to_date)}"
             if line.from_date and line.to_date else "")
    what = {
        NoticeKind.DATE_CHANGE_APPROVED: f"agreed to move the due date {moved}",
        NoticeKind.DATE_CHANGE_REFUSED: f"refused to move the due date {moved}",
        NoticeKind.CANCELLATION_APPROVED: "cancelled the action, as you asked",
        NoticeKind.CANCELLATION_REFUSED: "refused to cancel the action",
        NoticeKind.SIGNED_OFF: "signed off the item: it is complete",
        NoticeKind.SENT_BACK: "sent the item back at sign-off: it is open again",
        NoticeKind.ACTION_OWNED: "made you the owner of this action",
    }.get(line.kind, line.kind.value)
    return f"{line.by} {what.strip()}, on {long_date(line.at)}"


def waiting_words(line: DecisionLine) -> str:
    """What waits for the person's decision, without its subject ("Ola Owner asks to move the
    due date from 1 December 2026 to 15 January 2027")."""
    if line.kind == WaitingKind.DATE_CHANGE:
        return (f"{line.asked_by} asks to move the due date from {long_date(line.from_date)} "
                f"to {long_date(line.to_date)}")
    if line.kind == WaitingKind.CANCELLATION:
        return f"{line.asked_by} asks to cancel it"
    return f"{line.asked_by or 'Someone'} marked it complete: it waits for your sign-off"
