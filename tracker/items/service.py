"""Changes to tracked items and actions. Each function checks the rules, writes the change and
its history entry, and flushes; the caller's request, job or command commits once.

The functions an import calls many times take `flush=False`: the rules are checked the same
way, and the caller flushes once at the end, so thousands of rows are saved in a few batched
statements rather than one round trip each."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import inspect, or_, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from tracker.accounts.models import Role
from tracker.audit.models import HistoryEntry, HistoryField, HistoryKind
from tracker.audit.service import history_of_item, last_entry_of_action, record_history
from tracker.errors import EditConflict, RuleBroken
from tracker.evidence.files import Upload, add_link, attach_files, check_uploads
from tracker.extensions import db
from tracker.formatting import UK, long_date
from tracker.inspections.models import Finding, FindingCategory
from tracker.inspections.service import add_finding
from tracker.items.models import (
    Action,
    ActionStatus,
    CancellationRequest,
    DueDateChange,
    Item,
    ItemStatus,
    Priority,
    Rag,
    RequestState,
)
from tracker.permissions import (
    can_add_item_evidence,
    can_ask_to_cancel_action,
    can_cancel_action_directly,
    can_move_due_date_directly,
    can_withdraw_request,
)
from tracker.reminders.models import NoticeKind
from tracker.reminders.notices import tell, tell_deciders

if TYPE_CHECKING:
    from tracker.accounts.models import User
    from tracker.inspections.models import Inspection
    from tracker.items.queries import ActionLine
    from tracker.partners.models import PartnerLink

R = TypeVar("R", DueDateChange, CancellationRequest)


def local_day(moment: datetime) -> date:
    """The calendar day in the UK at a given moment."""
    return moment.astimezone(UK).date()


def _check_lead_officer(lead: User | None, council_id: int) -> None:
    if lead is None:
        return
    if lead.council_id != council_id or not lead.active:
        raise RuleBroken("Choose a lead officer who is an active user", field="lead_officer")
    if lead.role is Role.COMMITTEE_MEMBER:
        raise RuleBroken(
            "Choose a lead officer who is a manager or administrator, not a committee member",
            field="lead_officer",
        )


def _check_owner(owner: User | None, council_id: int) -> None:
    if owner is None:
        raise RuleBroken("Choose who owns this action", field="owner")
    if owner.council_id != council_id or not owner.active:
        raise RuleBroken("Choose an owner who is an active user", field="owner")
    if owner.role is Role.COMMITTEE_MEMBER:
        raise RuleBroken(
            "Committee members cannot own actions: choose a manager or partner", field="owner"
        )


def _check_version(record: Item | Action, expected_version: int | None) -> None:
    """Refuse a save made from a form opened before someone else's change."""
    if expected_version is not None and record.version != expected_version:
        if isinstance(record, Action):
            last_author = _last_author_of(record.item, record)
        else:
            last_author = _last_author_of(record)
        raise EditConflict(record, last_author, record.last_updated_at)


def _flush(record: Item | Action) -> None:
    """Flush, turning a save that lost a race into the same conflict a stale form gets."""
    try:
        db.session.flush()
    except StaleDataError as error:
        db.session.rollback()
        raise EditConflict(record, "someone else", None) from error


def note_updated(item: Item, now: datetime, action: Action | None = None) -> None:
    """Move the item's (and the action's) "last updated" on to `now`, never back: an entry
    recorded late must not make a record look stale. Every function here that records a
    change calls it beside the change.

    "Last updated" is a value the tracker works out, not an edit: a saved record's is moved by
    an UPDATE of its own, which leaves the record's version alone, so two people saving two
    different actions of one item at the same moment do not conflict over the item; only a
    real concurrent edit of the same record does (`_check_version`, the version column)."""
    for record in (item, action):
        if record is not None:
            _move_last_updated(record, now)


def _move_last_updated(record: Item | Action, now: datetime) -> None:
    current = record.last_updated_at
    if current is not None and current >= now:
        return
    state = inspect(record)
    if not state.persistent:
        # Not in the database yet: the value goes in with its INSERT.
        record.last_updated_at = now
        return
    table = type(record).__table__
    # Without flushing first: the caller's changes are saved when it flushes (an import adds
    # thousands of rows and flushes once).
    with db.session.no_autoflush:
        db.session.execute(
            update(table)
            .where(table.c.id == record.id,
                   or_(table.c.last_updated_at.is_(None), table.c.last_updated_at < now))
            .values(last_updated_at=now))
    # As if read back: nothing for the ORM to save, so no version moves.
    set_committed_value(record, "last_updated_at", now)


def _last_author_of(item: Item, action: Action | None = None) -> str:
    if action is not None:
        last = last_entry_of_action(action)
    else:
        entries = history_of_item(item)
        last = entries[0] if entries else None
    if last is None or last.author is None:
        return "someone else"
    return last.author.name


def _check_target_date(target_date: date | None, inspection: Inspection) -> None:
    letter_date = inspection.letter_date
    if target_date is not None and letter_date and target_date < letter_date:
        raise RuleBroken(
            f"The target date must be on or after the letter date, {long_date(letter_date)}",
            field="target_date",
        )


def create_item(
    *,
    inspection: Inspection,
    category: FindingCategory,
    finding_text: str,
    title: str,
    lead_officer: User | None,
    theme: str,
    priority: Priority,
    target_date: date | None,
    measure_of_success: str,
    actor: User,
    now: datetime,
    group: str = "",
    repeat_evidence: str = "",
    flush: bool = True,
) -> Item:
    """Create a tracked item from a finding's text, with the finding it tracks.

    `flush=False`: the caller flushes (see the module's docstring)."""
    if not category.is_tracked:
        raise RuleBroken(
            "Only areas for priority action, areas for development and areas for improvement "
            "are tracked",
            field="category",
        )
    # Check everything before the finding is added, so a refusal leaves nothing behind.
    _check_lead_officer(lead_officer, inspection.council_id)
    _check_target_date(target_date, inspection)
    finding = add_finding(
        inspection, category=category, text=finding_text, group=group,
        repeat_evidence=repeat_evidence, flush=flush,
    )
    return track_finding(
        finding=finding,
        title=title,
        lead_officer=lead_officer,
        actor=actor,
        now=now,
        theme=theme,
        priority=priority,
        target_date=target_date,
        measure_of_success=measure_of_success,
        flush=flush,
    )


def track_finding(
    *,
    finding: Finding,
    title: str,
    lead_officer: User | None,
    actor: User,
    now: datetime,
    theme: str = "",
    priority: Priority | None = None,
    target_date: date | None = None,
    measure_of_success: str = "",
    flush: bool = True,
) -> Item:
    """Create the tracked item for a finding; priority actions default to high priority.

    `flush=False`: the caller flushes (see the module's docstring)."""
    if not finding.category.is_tracked:
        raise RuleBroken("This kind of finding is not tracked", field="category")
    if finding.item is not None:
        raise RuleBroken("This finding is already tracked", field="finding")
    _check_lead_officer(lead_officer, finding.inspection.council_id)
    _check_target_date(target_date, finding.inspection)
    if priority is None:
        priority = (
            Priority.HIGH if finding.category is FindingCategory.PRIORITY_ACTION
            else Priority.MEDIUM
        )
    item = Item(
        finding=finding,
        council_id=finding.inspection.council_id,
        title=title.strip(),
        lead_officer=lead_officer,
        theme=theme.strip(),
        priority=priority,
        target_date=target_date,
        measure_of_success=measure_of_success.strip(),
        # Set here, not left to the column's default, so it reads right before a flush.
        status=ItemStatus.OPEN,
        created_by_id=actor.id,
        created_at=now,
        last_updated_at=now,
    )
    db.session.add(item)
    record_history(item=item, author=actor, now=now, kind=HistoryKind.CREATED, text=item.title)
    if flush:
        db.session.flush()
    return item


def edit_item(
    item: Item,
    *,
    actor: User,
    now: datetime,
    expected_version: int | None,
    title: str,
    theme: str,
    priority: Priority,
    target_date: date | None,
    measure_of_success: str,
    lead_officer: User | None,
    may_change_lead: bool,
) -> list[str]:
    """Save an item's details; record one history entry per field that changed."""
    _check_version(item, expected_version)
    council_id = item.finding.inspection.council_id
    if may_change_lead:
        _check_lead_officer(lead_officer, council_id)
    _check_target_date(target_date, item.finding.inspection)
    wanted: dict[str, tuple[HistoryField, object]] = {
        "title": (HistoryField.TITLE, title.strip()),
        "theme": (HistoryField.THEME, theme.strip()),
        "priority": (HistoryField.PRIORITY, priority),
        "target_date": (HistoryField.TARGET_DATE, target_date),
        "measure_of_success": (HistoryField.MEASURE_OF_SUCCESS, measure_of_success.strip()),
    }
    if may_change_lead:
        wanted["lead_officer"] = (HistoryField.LEAD_OFFICER, lead_officer)
    changed = []
    for name, (field, new) in wanted.items():
        old = getattr(item, name)
        if old == new:
            continue
        setattr(item, name, new)
        changed.append(name)
        record_history(
            item=item, author=actor, now=now, kind=HistoryKind.EDITED,
            field=field, old_value=old, new_value=new,
        )
    if changed:
        note_updated(item, now)
    _flush(item)
    return changed


def assign_lead_officers(
    leads: list[tuple[Item, User | None]], *, actor: User, now: datetime
) -> int:
    """Give each item its lead officer at once (an inspection's next steps): each change
    recorded in the item's history; the items whose lead changed, counted. RuleBroken, and
    nothing saved, when one of the people cannot lead an item."""
    changed = 0
    for item, lead in leads:
        _check_lead_officer(lead, item.finding.inspection.council_id)
        if item.lead_officer == lead:
            continue
        record_history(item=item, author=actor, now=now, kind=HistoryKind.EDITED,
                       field=HistoryField.LEAD_OFFICER, old_value=item.lead_officer,
                       new_value=lead)
        item.lead_officer = lead
        note_updated(item, now)
        changed += 1
    db.session.flush()
    return changed


def add_action(
    item: Item,
    *,
    actor: User,
    now: datetime,
    description: str,
    owner: User | None,
    due_date: date,
    flush: bool = True,
) -> Action:
    """Plan a new dated action against an item.

    `flush=False`: the caller flushes (see the module's docstring)."""
    return _add_action(item, actor=actor, now=now, description=description, owner=owner,
                       due_date=due_date, flush=flush, past_due_allowed=False)


def add_action_from_plan(
    item: Item,
    *,
    actor: User,
    now: datetime,
    description: str,
    owner: User | None,
    due_date: date,
    flush: bool = True,
) -> Action:
    """Add an action from an existing action plan (an imported spreadsheet) with the plan's
    own due date, which may already have passed: it is tracked as it stands, overdue, where
    `add_action`, planning from today, refuses a date before the item was created. The other
    rules of `add_action` apply, and its history entry is the same.

    `flush=False`: the caller flushes (see the module's docstring)."""
    return _add_action(item, actor=actor, now=now, description=description, owner=owner,
                       due_date=due_date, flush=flush, past_due_allowed=True)


def earliest_action_date(item: Item) -> date:
    """The earliest due date an action of the item may have: the inspection's letter date,
    so that a plan made since the letter can be entered by hand as it stands; without a
    letter date, the day the item was created."""
    created_on = local_day(item.created_at)
    letter_date = item.finding.inspection.letter_date
    return min(letter_date, created_on) if letter_date else created_on


def _too_early(item: Item, day: date, field: str) -> RuleBroken | None:
    earliest = earliest_action_date(item)
    if day >= earliest:
        return None
    since = ("the date of the inspection's letter" if earliest != local_day(item.created_at)
             else "when the item was created")
    return RuleBroken(f"The due date must be on or after {long_date(earliest)}, {since}",
                      field=field)


def due_after_target(action: Action) -> bool:
    """Whether the action is due after its item's target date: saved, but the lead is
    warned, as the item cannot then be delivered on time."""
    return due_after(action, action.item.target_date)


def due_after(action: Action | ActionLine, target: date | None) -> bool:
    """Whether an open action is due after this target date (`due_after_target`)."""
    return target is not None and action.is_open and action.due_date > target


def _add_action(
    item: Item, *, actor: User, now: datetime, description: str, owner: User | None,
    due_date: date, flush: bool, past_due_allowed: bool,
) -> Action:
    _check_owner(owner, item.finding.inspection.council_id)
    too_early = _too_early(item, due_date, "due_date")
    if too_early is not None and not past_due_allowed:
        raise too_early
    if item.status is ItemStatus.COMPLETE:
        raise RuleBroken("This item is complete and signed off: actions cannot be added")
    action = _new_action(
        item, actor=actor, now=now, description=description, owner=owner, due_date=due_date
    )
    if flush:
        db.session.flush()
    return action


def _new_action(
    item: Item, *, actor: User, now: datetime, description: str, owner: User | None,
    due_date: date,
) -> Action:
    action = Action(
        item=item,
        council_id=item.council_id,
        description=description.strip(),
        owner=owner,
        due_date=due_date,
        original_due_date=due_date,
        # Set here, not left to the columns' defaults, so they read right before a flush.
        status=ActionStatus.NOT_STARTED,
        evidence_link="",
        created_by_id=actor.id,
        created_at=now,
        last_updated_at=now,
    )
    db.session.add(action)
    entry = record_history(
        item=item, action=action, author=actor, now=now, kind=HistoryKind.CREATED,
        text=action.description, field=HistoryField.DUE_DATE, new_value=due_date,
    )
    # Its owner is told they own it (not someone recording their own action).
    tell(owner, NoticeKind.ACTION_OWNED, entry, now=now, actor=actor)
    note_updated(item, now, action)
    return action


def record_action_taken(
    item: Item, *, actor: User, now: datetime, description: str, done_on: date, note: str
) -> Action:
    """Record an action already taken before it reached the tracker (a committee report's
    "Action taken" bullet): complete on the day it gives, which may be in the past, unlike
    the actions `add_action` plans."""
    action = _new_action(
        item, actor=actor, now=now, description=description, owner=actor, due_date=done_on
    )
    action.status = ActionStatus.COMPLETE
    action.completed_on = done_on
    record_history(
        item=item, action=action, author=actor, now=now, kind=HistoryKind.STATUS_CHANGE,
        field=HistoryField.STATUS, old_value=ActionStatus.NOT_STARTED,
        new_value=ActionStatus.COMPLETE, text=note,
    )
    db.session.flush()
    return action


def edit_action(
    action: Action,
    *,
    actor: User,
    now: datetime,
    expected_version: int | None,
    description: str,
    owner: User | None,
) -> list[str]:
    """Change what an action is or who owns it (its dates move through `change_due_date`)."""
    _check_version(action, expected_version)
    _check_owner(owner, action.item.finding.inspection.council_id)
    changed = []
    for name, field, new in (("description", HistoryField.DESCRIPTION, description.strip()),
                             ("owner", HistoryField.OWNER, owner)):
        old = getattr(action, name)
        if old == new:
            continue
        setattr(action, name, new)
        changed.append(name)
        entry = record_history(
            item=action.item, action=action, author=actor, now=now, kind=HistoryKind.EDITED,
            field=field, old_value=old, new_value=new,
        )
        if field is HistoryField.OWNER:
            tell(owner, NoticeKind.ACTION_OWNED, entry, now=now, actor=actor)
    if changed:
        note_updated(action.item, now, action)
    if "owner" in changed:
        from tracker.partners.service import revoke_links_of_earlier_owners

        revoke_links_of_earlier_owners(action, actor=actor, now=now)
    _flush(action)
    return changed


def update_action(
    action: Action,
    *,
    actor: User,
    now: datetime,
    expected_version: int | None,
    status: ActionStatus,
    commentary: str,
    evidence_link: str,
    files: Sequence[Upload] = (),
    partner_link: PartnerLink | None = None,
    flush: bool = True,
) -> None:
    """A progress update: new status, a commentary, an evidence link and evidence files, all
    in one save. Each file is checked by its content first (tracker.evidence.files): one
    refused refuses the update, naming the file.

    `partner_link` is the link a partner posted it through: its entries are partner updates.
    `flush=False`: the caller flushes (see the module's docstring)."""
    _check_version(action, expected_version)
    commentary = commentary.strip()
    evidence_link = evidence_link.strip()
    status_changes = status is not action.status
    evidence_changes = evidence_link != action.evidence_link
    checked = check_uploads(files)
    if not (status_changes or commentary or evidence_changes or checked):
        raise RuleBroken("Change the status, add a commentary or add evidence", field="status")
    cancelling = status is ActionStatus.CANCELLED and status_changes
    if cancelling and not can_cancel_action_directly(actor, action):
        raise _only_the_lead_cancels(actor, action, field="status")
    if cancelling and not commentary:
        raise RuleBroken("Say in the commentary why the action is cancelled", field="commentary")
    if action.item.status is ItemStatus.COMPLETE:
        raise RuleBroken("This item is complete and signed off: its actions can no longer change")
    item = action.item
    if cancelling:
        _cancel(action, actor=actor, now=now, text=commentary)
    elif status_changes:
        _set_status(action, status, actor=actor, now=now, text=commentary,
                    partner_link=partner_link)
    elif commentary:
        record_history(
            item=item, action=action, author=actor, now=now, kind=HistoryKind.COMMENTARY,
            partner_link=partner_link,
            text=commentary,
        )
    if evidence_changes:
        record_history(
            item=item, action=action, author=actor, now=now, kind=HistoryKind.EVIDENCE,
            partner_link=partner_link,
            field=HistoryField.EVIDENCE_LINK, old_value=action.evidence_link,
            new_value=evidence_link,
        )
        action.evidence_link = evidence_link
    attach_files(checked, item=item, action=action, actor=actor, now=now,
                 partner_link=partner_link)
    note_updated(item, now, action)
    if flush:
        _flush(action)


def add_item_evidence(item: Item, *, actor: User, now: datetime, link: str,
                      files: Sequence[Upload]) -> None:
    """Evidence of the item itself (of its outcome, not of one action): a web link, files, or
    both, each kept in the history. The lead officer or an administrator adds it, until the
    item is signed off."""
    if not can_add_item_evidence(actor, item):
        raise RuleBroken("Only the item's lead officer or an administrator can add evidence "
                         "to it")
    if item.status is ItemStatus.COMPLETE:
        raise RuleBroken("This item is complete and signed off: evidence can no longer be "
                         "added")
    link = link.strip()
    checked = check_uploads(files)
    if not (link or checked):
        raise RuleBroken("Choose a file or enter a link", field="files")
    if link:
        add_link(link, item=item, actor=actor, now=now)
    attach_files(checked, item=item, action=None, actor=actor, now=now)
    note_updated(item, now)
    _flush(item)


def _set_status(
    action: Action, status: ActionStatus, *, actor: User, now: datetime, text: str,
    partner_link: PartnerLink | None = None,
) -> HistoryEntry:
    """Change an action's status, with its history entry (`text`: the commentary or reason),
    which it returns."""
    entry = record_history(
        item=action.item, action=action, author=actor, now=now, kind=HistoryKind.STATUS_CHANGE,
        partner_link=partner_link,
        field=HistoryField.STATUS, old_value=action.status, new_value=status,
        text=text,
    )
    action.status = status
    action.completed_on = local_day(now) if status is ActionStatus.COMPLETE else None
    note_updated(action.item, now, action)
    return entry


# Requests to the lead officer ----------------------------------------------------------------
#
# An owner who is not the item's lead officer asks the lead to move an action's due date or to
# cancel it. Both kinds of request are asked, decided, withdrawn and replaced by the functions
# below; only what an approval does differs.

Request = DueDateChange | CancellationRequest

def _only_the_lead_cancels(actor: User, action: Action, field: str | None = None) -> RuleBroken:
    message = "Only the item's lead officer or an administrator can cancel an action"
    if can_ask_to_cancel_action(actor, action):
        message += ": ask them with “Ask to cancel” on the action's page"
    return RuleBroken(message, field=field)


@dataclass(frozen=True)
class _RequestKind:
    """How one kind of request is named in messages, and the kinds of its history entries."""

    what: str
    asked: HistoryKind
    refused: HistoryKind
    withdrawn: HistoryKind
    # Who is told: the deciders that it was asked, the person who asked of the decision.
    asked_notice: NoticeKind
    refused_notice: NoticeKind


_KIND_OF: dict[type, _RequestKind] = {
    DueDateChange: _RequestKind("change", HistoryKind.DUE_DATE_REQUESTED,
                                HistoryKind.DUE_DATE_REFUSED, HistoryKind.DUE_DATE_WITHDRAWN,
                                NoticeKind.DATE_CHANGE_ASKED, NoticeKind.DATE_CHANGE_REFUSED),
    CancellationRequest: _RequestKind("cancellation", HistoryKind.CANCELLATION_REQUESTED,
                                      HistoryKind.CANCELLATION_REFUSED,
                                      HistoryKind.CANCELLATION_WITHDRAWN,
                                      NoticeKind.CANCELLATION_ASKED,
                                      NoticeKind.CANCELLATION_REFUSED),
}


def _waiting(requests: Sequence[R]) -> R | None:
    for request in requests:
        if request.is_waiting:
            return request
    return None


def pending_due_date_change(action: Action) -> DueDateChange | None:
    """The request to move this action's date that is waiting for a decision, if any."""
    return _waiting(action.due_date_changes)


def pending_cancellation(action: Action) -> CancellationRequest | None:
    """The request to cancel this action that is waiting for a decision, if any."""
    return _waiting(action.cancellation_requests)


def _record_request(request: Request, kind: HistoryKind, *, actor: User, now: datetime,
                    text: str) -> HistoryEntry:
    """A history entry about a request: what it asks for (the dates, or the statuses)."""
    action = request.action
    if isinstance(request, DueDateChange):
        entry = record_history(item=action.item, action=action, author=actor, now=now,
                               kind=kind, field=HistoryField.DUE_DATE,
                               old_value=request.from_date, new_value=request.to_date, text=text)
    else:
        entry = record_history(item=action.item, action=action, author=actor, now=now,
                               kind=kind, field=HistoryField.STATUS, old_value=action.status,
                               new_value=ActionStatus.CANCELLED, text=text)
    note_updated(action.item, now, action)
    return entry


def _close(request: Request, state: RequestState, *, actor: User, now: datetime,
           note: str) -> None:
    request.state = state
    request.decided_by = actor
    request.decided_at = now
    request.decision_note = note


def _withdraw(request: Request, *, actor: User, now: datetime, note: str) -> None:
    _close(request, RequestState.WITHDRAWN, actor=actor, now=now, note=note)
    _record_request(request, _KIND_OF[type(request)].withdrawn, actor=actor, now=now, text=note)


def _make_way(waiting: Request | None, *, actor: User, now: datetime) -> None:
    """Before a new request: the asker's own request still waiting is replaced by it (kept, as
    withdrawn); another person's must be decided first."""
    if waiting is None:
        return
    if waiting.requested_by_id != actor.id:
        raise RuleBroken(f"{waiting.requested_by.name} has already asked: the lead officer "
                         "must decide on that request first")
    _withdraw(waiting, actor=actor, now=now, note="Replaced by a new request")


def _ask(request: Request, *, actor: User, now: datetime) -> None:
    """Put a request to the lead officer (after `_make_way`)."""
    db.session.add(request)
    kind = _KIND_OF[type(request)]
    entry = _record_request(request, kind.asked, actor=actor, now=now, text=request.reason)
    tell_deciders(request.action.item, kind.asked_notice, entry, now=now, actor=actor)


def _no_longer_waiting(request: Request) -> RuleBroken:
    return RuleBroken(f"This request is no longer waiting: it was {request.state.value}")


def _decide(request: Request, *, actor: User, now: datetime, approve: bool, note: str,
            carry_out: Callable[[str], None]) -> None:
    """The lead officer's decision: `carry_out(note)` does what was asked; a refusal needs a
    note saying why."""
    if not request.is_waiting:
        raise _no_longer_waiting(request)
    note = note.strip()
    if approve:
        carry_out(note)
    else:
        if not note:
            raise RuleBroken(f"Say why the {_KIND_OF[type(request)].what} is refused",
                             field="note")
        _close(request, RequestState.REFUSED, actor=actor, now=now, note=note)
        kind = _KIND_OF[type(request)]
        entry = _record_request(request, kind.refused, actor=actor, now=now, text=note)
        tell(request.requested_by, kind.refused_notice, entry, now=now, actor=actor)
    _flush(request.action)


def _reason_approved(request: Request, note: str) -> str:
    return request.reason if not note else f"{request.reason} (approved: {note})"


def withdraw_request(request: Request, *, actor: User, now: datetime) -> None:
    """The person who asked (or an administrator) takes back a request still waiting for the
    lead officer. It is kept, as withdrawn, and the history says so."""
    if not request.is_waiting:
        raise _no_longer_waiting(request)
    if not can_withdraw_request(actor, request):
        raise RuleBroken("Only the person who made a request can withdraw it")
    _withdraw(request, actor=actor, now=now, note="")
    _flush(request.action)


# Due dates


def change_due_date(
    action: Action, *, actor: User, now: datetime, new_date: date, reason: str
) -> DueDateChange:
    """Move an action's due date, or ask the lead officer to.

    The lead officer and administrators move it at once, to any day from the item's creation;
    anyone else asks for a day from today on, and the date waits for the lead officer's
    decision. Asking again replaces one's own waiting request. The original due date is
    always kept.
    """
    reason = reason.strip()
    if not reason:
        raise RuleBroken("Give a reason for changing the due date", field="reason")
    if not action.is_open:
        raise RuleBroken("Only an action that is not complete or cancelled can be moved")
    if new_date == action.due_date:
        raise RuleBroken("Enter a due date different from the current one", field="new_date")
    direct = can_move_due_date_directly(actor, action)
    today = local_day(now)
    if not direct and new_date < today:
        raise RuleBroken(
            f"A new due date cannot be in the past: ask for {long_date(today)} or later",
            field="new_date",
        )
    too_early = _too_early(action.item, new_date, "new_date")
    if too_early is not None:
        raise too_early
    waiting = pending_due_date_change(action)
    if direct and waiting is not None:
        raise RuleBroken(f"{waiting.requested_by.name} has asked to move this date: approve or "
                         "refuse that request first")
    if not direct:
        _make_way(waiting, actor=actor, now=now)
    change = DueDateChange(
        action=action,
        from_date=action.due_date,
        to_date=new_date,
        reason=reason,
        requested_by=actor,
        requested_at=now,
        state=RequestState.PENDING,
    )
    if direct:
        db.session.add(change)
        _apply_due_date_change(change, decided_by=actor, now=now, note="")
    else:
        # Both ways record the change and note the update (_apply_due_date_change, _ask).
        _ask(change, actor=actor, now=now)
    _flush(action)
    return change


def _apply_due_date_change(
    change: DueDateChange, *, decided_by: User, now: datetime, note: str
) -> None:
    action = change.action
    _close(change, RequestState.APPROVED, actor=decided_by, now=now, note=note)
    entry = record_history(
        item=action.item, action=action, author=decided_by, now=now,
        kind=HistoryKind.DUE_DATE_CHANGE, field=HistoryField.DUE_DATE,
        old_value=action.due_date, new_value=change.to_date,
        text=_reason_approved(change, note),
    )
    action.due_date = change.to_date
    # The person who asked is told (a lead officer's own move tells nobody).
    tell(change.requested_by, NoticeKind.DATE_CHANGE_APPROVED, entry, now=now,
         actor=decided_by)
    note_updated(action.item, now, action)


def decide_due_date_change(
    change: DueDateChange, *, actor: User, now: datetime, approve: bool, note: str
) -> None:
    """The lead officer approves a requested date (it takes effect) or refuses it, saying why."""

    def move_the_date(note: str) -> None:
        if change.from_date != change.action.due_date:
            raise RuleBroken("The due date has moved since this request was made: refuse it")
        _apply_due_date_change(change, decided_by=actor, now=now, note=note)

    _decide(change, actor=actor, now=now, approve=approve, note=note, carry_out=move_the_date)


def decide_request(
    request: Request, *, actor: User, now: datetime, approve: bool, note: str
) -> None:
    """The lead officer's decision on a request of either kind (see the two functions)."""
    if isinstance(request, DueDateChange):
        decide_due_date_change(request, actor=actor, now=now, approve=approve, note=note)
    else:
        decide_cancellation(request, actor=actor, now=now, approve=approve, note=note)


# Cancelling


def _cancel(action: Action, *, actor: User, now: datetime, text: str, note: str = "") -> None:
    """Cancel the action; an owner's request to cancel it, if one waits, is approved by it."""
    waiting = pending_cancellation(action)
    if waiting is not None:
        _close(waiting, RequestState.APPROVED, actor=actor, now=now, note=note)
    entry = _set_status(action, ActionStatus.CANCELLED, actor=actor, now=now, text=text)
    if waiting is not None:
        tell(waiting.requested_by, NoticeKind.CANCELLATION_APPROVED, entry, now=now,
             actor=actor)


def cancel_action(
    action: Action, *, actor: User, now: datetime, reason: str
) -> CancellationRequest | None:
    """Cancel an action, or ask the lead officer to; a reason is always needed.

    The item's lead officer and administrators cancel at once (None is returned). The action's
    owner, if neither, asks: the action stays as it is until the lead officer decides (the
    request is returned), and asking again replaces one's own waiting request. Partners never
    cancel, nor ask to."""
    reason = reason.strip()
    if not can_ask_to_cancel_action(actor, action):
        raise _only_the_lead_cancels(actor, action)
    if not reason:
        raise RuleBroken("Give the reason for cancelling the action", field="reason")
    if action.item.status is ItemStatus.COMPLETE:
        raise RuleBroken("This item is complete and signed off: its actions can no longer change")
    if not action.is_open:
        raise RuleBroken("Only an action that is not complete or cancelled can be cancelled")
    if can_cancel_action_directly(actor, action):
        _cancel(action, actor=actor, now=now, text=reason)
        _flush(action)
        return None
    _make_way(pending_cancellation(action), actor=actor, now=now)
    request = CancellationRequest(action=action, reason=reason, requested_by=actor,
                                  requested_at=now, state=RequestState.PENDING)
    _ask(request, actor=actor, now=now)
    _flush(action)
    return request


def decide_cancellation(
    request: CancellationRequest, *, actor: User, now: datetime, approve: bool, note: str
) -> None:
    """The lead officer agrees to an owner's request to cancel an action (it is cancelled, the
    owner's reason recorded) or refuses it, saying why."""

    def cancel(note: str) -> None:
        if not request.action.is_open:
            raise RuleBroken("The action is no longer open, so it cannot be cancelled: refuse "
                             "the request, saying why")
        _cancel(request.action, actor=actor, now=now, text=_reason_approved(request, note),
                note=note)

    _decide(request, actor=actor, now=now, approve=approve, note=note, carry_out=cancel)


def extension_count(action: Action) -> int:
    """How many times the action's due date has been moved."""
    return sum(1 for c in action.due_date_changes if c.state is RequestState.APPROVED)


def override_rag(
    item: Item, *, actor: User, now: datetime, rag: Rag | None, reason: str
) -> None:
    """Set the RAG by hand, with a written reason (kept in the history), or go back to the rule."""
    reason = reason.strip()
    if not reason:
        raise RuleBroken("Give a reason for the status you set", field="reason")
    old = item.rag_override
    item.rag_override = rag
    item.rag_override_reason = reason if rag else ""
    # No value is the rule's own: "Worked out by the rule" (tracker.audit.words).
    record_history(
        item=item, author=actor, now=now, kind=HistoryKind.RAG_OVERRIDE, field=HistoryField.RAG,
        old_value=old, new_value=rag, text=reason,
    )
    note_updated(item, now)
    _flush(item)


@dataclass(frozen=True)
class CompletionCheck:
    """Whether an item's actions let it be marked complete: none still open, and at least one
    complete (an item whose actions were all cancelled, or that has none, has delivered
    nothing)."""

    open_actions: tuple[Action | ActionLine, ...]
    complete_actions: int
    cancelled_actions: int

    @property
    def ready(self) -> bool:
        return not self.open_actions and self.complete_actions > 0

    @property
    def reason(self) -> str:
        """Why the item cannot be marked complete yet, naming the open actions; "" when it
        can."""
        if self.open_actions:
            count = len(self.open_actions)
            names = "; ".join(f"“{_shortened(a.description)}”" for a in self.open_actions)
            return (f"Complete or cancel the {count} open action{'s' if count != 1 else ''} "
                    f"first: {names}")
        if self.complete_actions:
            return ""
        if self.cancelled_actions:
            return ("Every action of this item was cancelled: an item is marked complete only "
                    "once at least one of its actions is complete")
        return ("This item has no actions: an item is marked complete only once at least one "
                "of its actions is complete")


def _shortened(text: str, most: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def completion_check(item: Item) -> CompletionCheck:
    """What stands between an item and being marked complete (see `CompletionCheck`)."""
    return completion_of(item.actions)


def completion_of(actions: Sequence[Action] | Sequence[ActionLine]) -> CompletionCheck:
    """`completion_check` of the item whose actions these are (Actions, or plain rows of
    them read for its page)."""
    return CompletionCheck(
        open_actions=tuple(a for a in actions if a.is_open),
        complete_actions=sum(1 for a in actions if a.status is ActionStatus.COMPLETE),
        cancelled_actions=sum(1 for a in actions if a.status is ActionStatus.CANCELLED),
    )


def mark_item_complete(
    item: Item, *, actor: User, now: datetime, outcome_evidence: str
) -> None:
    """Say the item's outcome is achieved, with the evidence; a second person must sign it off.
    Every action must be complete or cancelled first, and at least one complete."""
    outcome_evidence = outcome_evidence.strip()
    if item.status is not ItemStatus.OPEN:
        raise RuleBroken("This item has already been marked complete")
    check = completion_check(item)
    if not check.ready:
        raise RuleBroken(check.reason)
    if not outcome_evidence:
        raise RuleBroken("Describe the evidence that the outcome is achieved",
                         field="outcome_evidence")
    item.outcome_evidence = outcome_evidence
    item.status = ItemStatus.AWAITING_SIGN_OFF
    item.marked_complete_by_id = actor.id
    entry = record_history(
        item=item, author=actor, now=now, kind=HistoryKind.MARKED_COMPLETE,
        field=HistoryField.ITEM_STATUS, old_value=ItemStatus.OPEN,
        new_value=ItemStatus.AWAITING_SIGN_OFF, text=outcome_evidence,
    )
    tell_deciders(item, NoticeKind.SIGN_OFF_ASKED, entry, now=now, actor=actor)
    note_updated(item, now)
    _flush(item)


def sign_off_item(item: Item, *, actor: User, now: datetime, comment: str = "") -> None:
    """Sign off a completed item: it becomes Complete. The signer must not be its marker."""
    if item.status is not ItemStatus.AWAITING_SIGN_OFF:
        raise RuleBroken("Only an item marked complete can be signed off")
    if item.marked_complete_by_id == actor.id:
        raise RuleBroken("Someone other than the person who marked it complete must sign it off")
    item.status = ItemStatus.COMPLETE
    item.signed_off_by_id = actor.id
    item.signed_off_at = now
    entry = record_history(
        item=item, author=actor, now=now, kind=HistoryKind.SIGN_OFF,
        field=HistoryField.ITEM_STATUS, old_value=ItemStatus.AWAITING_SIGN_OFF,
        new_value=ItemStatus.COMPLETE, text=comment.strip(),
    )
    tell(item.marked_complete_by, NoticeKind.SIGNED_OFF, entry, now=now, actor=actor)
    note_updated(item, now)
    _flush(item)


def refuse_sign_off(item: Item, *, actor: User, now: datetime, reason: str) -> None:
    """Send an item back to open, saying what is missing."""
    reason = reason.strip()
    if item.status is not ItemStatus.AWAITING_SIGN_OFF:
        raise RuleBroken("Only an item marked complete can be sent back")
    if not reason:
        raise RuleBroken("Say what is missing before it can be signed off", field="comment")
    item.status = ItemStatus.OPEN
    marked_by = item.marked_complete_by
    item.marked_complete_by_id = None
    # Shown with the item's status until it is marked complete again.
    item.sent_back_reason = reason
    item.sent_back_at = now
    entry = record_history(
        item=item, author=actor, now=now, kind=HistoryKind.SIGN_OFF_REFUSED,
        field=HistoryField.ITEM_STATUS, old_value=ItemStatus.AWAITING_SIGN_OFF,
        new_value=ItemStatus.OPEN, text=reason,
    )
    tell(marked_by, NoticeKind.SENT_BACK, entry, now=now, actor=actor)
    note_updated(item, now)
    _flush(item)
