"""Changes to tracked items and actions. Each function checks the rules, writes the change and
its history entry, and flushes; the caller's request, job or command commits once.

The functions an import calls many times take `flush=False`: the rules are checked the same
way, and the caller flushes once at the end, so thousands of rows are saved in a few batched
statements rather than one round trip each."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import inspect, or_, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from tracker.accounts.models import Role
from tracker.audit.models import HistoryField, HistoryKind
from tracker.audit.service import history_of_item, last_entry_of_action, record_history
from tracker.errors import EditConflict, RuleBroken
from tracker.extensions import db
from tracker.formatting import UK, long_date
from tracker.inspections.models import Finding, FindingCategory
from tracker.inspections.service import add_finding
from tracker.items.models import (
    Action,
    ActionStatus,
    DueDateChange,
    DueDateChangeState,
    Item,
    ItemStatus,
    Priority,
    Rag,
)
from tracker.permissions import can_move_due_date_directly

if TYPE_CHECKING:
    from tracker.accounts.models import User
    from tracker.inspections.models import Inspection
    from tracker.partners.models import PartnerLink


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


def _add_action(
    item: Item, *, actor: User, now: datetime, description: str, owner: User | None,
    due_date: date, flush: bool, past_due_allowed: bool,
) -> Action:
    _check_owner(owner, item.finding.inspection.council_id)
    created_on = local_day(item.created_at)
    if due_date < created_on and not past_due_allowed:
        raise RuleBroken(
            f"The due date must be on or after {long_date(created_on)}, when the item was created",
            field="due_date",
        )
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
    record_history(
        item=item, action=action, author=actor, now=now, kind=HistoryKind.CREATED,
        text=action.description, field=HistoryField.DUE_DATE, new_value=due_date,
    )
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
        record_history(
            item=action.item, action=action, author=actor, now=now, kind=HistoryKind.EDITED,
            field=field, old_value=old, new_value=new,
        )
    if changed:
        note_updated(action.item, now, action)
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
    partner_link: PartnerLink | None = None,
    flush: bool = True,
) -> None:
    """A progress update: new status, a commentary and an evidence link, all in one save.

    `partner_link` is the link a partner posted it through: its entries are partner updates.
    `flush=False`: the caller flushes (see the module's docstring)."""
    _check_version(action, expected_version)
    commentary = commentary.strip()
    evidence_link = evidence_link.strip()
    status_changes = status is not action.status
    evidence_changes = evidence_link != action.evidence_link
    if not (status_changes or commentary or evidence_changes):
        raise RuleBroken("Change the status, add a commentary or add evidence", field="status")
    if status is ActionStatus.CANCELLED and status_changes and not commentary:
        raise RuleBroken("Say in the commentary why the action is cancelled", field="commentary")
    if action.item.status is ItemStatus.COMPLETE:
        raise RuleBroken("This item is complete and signed off: its actions can no longer change")
    item = action.item
    if status_changes:
        record_history(
            item=item, action=action, author=actor, now=now, kind=HistoryKind.STATUS_CHANGE,
            partner_link=partner_link,
            field=HistoryField.STATUS, old_value=action.status, new_value=status,
            text=commentary,
        )
        action.status = status
        action.completed_on = local_day(now) if status is ActionStatus.COMPLETE else None
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
    note_updated(item, now, action)
    if flush:
        _flush(action)


def pending_due_date_change(action: Action) -> DueDateChange | None:
    """The request to move this action's date that is waiting for a decision, if any."""
    for change in action.due_date_changes:
        if change.state is DueDateChangeState.PENDING:
            return change
    return None


def change_due_date(
    action: Action, *, actor: User, now: datetime, new_date: date, reason: str
) -> DueDateChange:
    """Move an action's due date, or ask the lead officer to.

    The lead officer and administrators move it at once; anyone else's change waits for the
    lead officer's decision. The original due date is always kept.
    """
    reason = reason.strip()
    if not reason:
        raise RuleBroken("Give a reason for changing the due date", field="reason")
    if not action.is_open:
        raise RuleBroken("Only an action that is not complete or cancelled can be moved")
    if new_date == action.due_date:
        raise RuleBroken("Enter a due date different from the current one", field="new_date")
    created_on = local_day(action.item.created_at)
    if new_date < created_on:
        raise RuleBroken(
            f"The due date must be on or after {long_date(created_on)}, when the item was created",
            field="new_date",
        )
    if pending_due_date_change(action) is not None:
        raise RuleBroken("A change to this date is already waiting for the lead officer")
    change = DueDateChange(
        action=action,
        from_date=action.due_date,
        to_date=new_date,
        reason=reason,
        requested_by=actor,
        requested_at=now,
    )
    db.session.add(change)
    if can_move_due_date_directly(actor, action):
        _apply_due_date_change(change, decided_by=actor, now=now, note="")
    else:
        record_history(
            item=action.item, action=action, author=actor, now=now,
            kind=HistoryKind.DUE_DATE_REQUESTED, field=HistoryField.DUE_DATE,
            old_value=action.due_date, new_value=new_date, text=reason,
        )
    note_updated(action.item, now, action)
    _flush(action)
    return change


def _apply_due_date_change(
    change: DueDateChange, *, decided_by: User, now: datetime, note: str
) -> None:
    action = change.action
    change.state = DueDateChangeState.APPROVED
    change.decided_by = decided_by
    change.decided_at = now
    change.decision_note = note
    record_history(
        item=action.item, action=action, author=decided_by, now=now,
        kind=HistoryKind.DUE_DATE_CHANGE, field=HistoryField.DUE_DATE,
        old_value=action.due_date, new_value=change.to_date,
        text=change.reason if not note else f"{change.reason} (approved: {note})",
    )
    action.due_date = change.to_date


def decide_due_date_change(
    change: DueDateChange, *, actor: User, now: datetime, approve: bool, note: str
) -> None:
    """The lead officer approves a requested date (it takes effect) or refuses it, saying why."""
    if change.state is not DueDateChangeState.PENDING:
        raise RuleBroken("This request has already been decided")
    note = note.strip()
    if approve:
        if change.from_date != change.action.due_date:
            raise RuleBroken("The due date has moved since this request was made: refuse it")
        _apply_due_date_change(change, decided_by=actor, now=now, note=note)
    else:
        if not note:
            raise RuleBroken("Say why the change is refused", field="note")
        change.state = DueDateChangeState.REFUSED
        change.decided_by = actor
        change.decided_at = now
        change.decision_note = note
        record_history(
            item=change.action.item, action=change.action, author=actor, now=now,
            kind=HistoryKind.DUE_DATE_REFUSED, field=HistoryField.DUE_DATE,
            old_value=change.from_date, new_value=change.to_date,
            text=note,
        )
    note_updated(change.action.item, now, change.action)
    _flush(change.action)


def extension_count(action: Action) -> int:
    """How many times the action's due date has been moved."""
    return sum(1 for c in action.due_date_changes if c.state is DueDateChangeState.APPROVED)


def override_rag(
    item: Item, *, actor: User, now: datetime, rag: Rag | None, reason: str
) -> None:
    """Set the RAG by hand, with a written reason (kept in the history), or go back to the rule."""
    reason = reason.strip()
    if not reason:
        raise RuleBroken("Give a reason for the status you set", field="reason")
    if rag is Rag.COMPLETE:
        raise RuleBroken(
            "Complete comes only from marking the item complete and its sign-off", field="rag"
        )
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


def mark_item_complete(
    item: Item, *, actor: User, now: datetime, outcome_evidence: str
) -> None:
    """Say the item's outcome is achieved, with the evidence; a second person must sign it off."""
    outcome_evidence = outcome_evidence.strip()
    if not outcome_evidence:
        raise RuleBroken("Describe the evidence that the outcome is achieved",
                         field="outcome_evidence")
    if item.status is not ItemStatus.OPEN:
        raise RuleBroken("This item has already been marked complete")
    still_open = [a for a in item.actions if a.is_open]
    if still_open:
        count = len(still_open)
        raise RuleBroken(
            f"Complete or cancel the {count} open action{'s' if count != 1 else ''} first"
        )
    item.outcome_evidence = outcome_evidence
    item.status = ItemStatus.AWAITING_SIGN_OFF
    item.marked_complete_by_id = actor.id
    record_history(
        item=item, author=actor, now=now, kind=HistoryKind.MARKED_COMPLETE,
        field=HistoryField.ITEM_STATUS, old_value=ItemStatus.OPEN,
        new_value=ItemStatus.AWAITING_SIGN_OFF, text=outcome_evidence,
    )
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
    record_history(
        item=item, author=actor, now=now, kind=HistoryKind.SIGN_OFF,
        field=HistoryField.ITEM_STATUS, old_value=ItemStatus.AWAITING_SIGN_OFF,
        new_value=ItemStatus.COMPLETE, text=comment.strip(),
    )
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
    item.marked_complete_by_id = None
    record_history(
        item=item, author=actor, now=now, kind=HistoryKind.SIGN_OFF_REFUSED,
        field=HistoryField.ITEM_STATUS, old_value=ItemStatus.AWAITING_SIGN_OFF,
        new_value=ItemStatus.OPEN, text=reason,
    )
    note_updated(item, now)
    _flush(item)
