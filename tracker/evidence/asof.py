"""An item as it stood at the end of a day: what its page of the evidence pack shows.

Everything is worked out from the history (tracker.audit), which is append-only and dated, and
from its typed values only (enums, dates, user ids: tracker.audit.values), never from words:
- items, actions and history entries recorded after the day are left out;
- each action's status is the one its status changes say it had then, and its due date the
  one its approved moves say (both as tracker.reports.trend works them out for the report's
  trend, with the same `ActionHistory`);
- an edited field (an item's title, target date or lead officer, an action's owner) has
  the value it had then: the "from" of the first edit after the day, or the value now when
  nothing changed it since;
- the outcome evidence, who marked the item complete and who signed it off appear only if
  recorded by the end of the day.

Nothing here touches the database: it reads objects already loaded and returns plain data
(strings, dates and enums in dataclasses), so a template never reaches back into the ORM. The
words in it (names, the history's "what changed") are made here, from the values, with the
labels and date format of the day the pack is made.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from tracker.audit.models import HistoryField, HistoryKind
from tracker.audit.values import Person, person
from tracker.audit.words import THE_TRACKER, People, change_in_words, entry_text
from tracker.formatting import UK
from tracker.inspections.models import CATEGORY_ORDER, FindingCategory
from tracker.items.models import ActionStatus, DueDateChangeState, ItemStatus, Priority
from tracker.items.status import ItemFacts, StatusResult, StatusRules, is_overdue, work_out_status
from tracker.reports.document import clean
from tracker.reports.trend import ActionHistory

if TYPE_CHECKING:
    from tracker.accounts.models import User
    from tracker.audit.models import HistoryEntry
    from tracker.audit.service import LoadedHistory
    from tracker.items.models import Action, Item

NOBODY = "Nobody"

# The item's own status moves: marked complete, signed off, sent back.
_ITEM_STATUS_KINDS = (HistoryKind.MARKED_COMPLETE, HistoryKind.SIGN_OFF,
                      HistoryKind.SIGN_OFF_REFUSED)


def end_of_day(day: date) -> datetime:
    """The first moment after `day` ends in the UK: what was recorded before it counts."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UK)


def category_rank(category: FindingCategory) -> int:
    """Priority actions first, as a reader expects."""
    return CATEGORY_ORDER.index(category)


@dataclass(frozen=True)
class EntryRecord:
    """One history entry, in words."""

    at: datetime
    author: str
    partner: bool
    kind: str
    # What changed, in words ("Status change: status from “Not started” to “Complete”").
    what: str
    # The action it is about ("" for the item itself), as it was described then.
    action: str
    text: str
    evidence_link: str


@dataclass(frozen=True)
class ActionRecord:
    """One action as it stood at the end of the day."""

    description: str
    owner: str
    due_date: date
    original_due_date: date
    status: ActionStatus
    completed_on: date | None
    overdue: bool
    evidence_link: str
    created_at: datetime


@dataclass(frozen=True)
class ItemRecord:
    """One tracked item as it stood at the end of `as_of`: everything its PDF prints."""

    item_id: int
    as_of: date
    title: str
    finding_text: str
    category: FindingCategory
    repeat_evidence: str
    is_repeat: bool
    inspection_title: str
    inspectorate: str
    letter_date: date | None
    visit_dates: list[date]
    lead_officer: str
    theme: str
    priority: Priority
    target_date: date | None
    measure_of_success: str
    status: ItemStatus
    rag: StatusResult
    actions: list[ActionRecord]
    # Oldest first: the record reads as it happened.
    entries: list[EntryRecord]
    outcome_evidence: str
    marked_complete_by: str
    marked_complete_at: datetime | None
    signed_off_by: str
    signed_off_at: datetime | None
    created_at: datetime

    @property
    def actions_complete(self) -> int:
        return sum(1 for action in self.actions if action.status is ActionStatus.COMPLETE)

    @property
    def actions_open(self) -> int:
        return sum(1 for action in self.actions if action.status.is_open)

    @property
    def actions_overdue(self) -> int:
        return sum(1 for action in self.actions if action.overdue)

    @property
    def partner_updates(self) -> int:
        return sum(1 for entry in self.entries if entry.partner)


def _person(user: User | None, default: str = NOBODY) -> str:
    return user.display_name if user is not None else default


def _someone(user: User | None) -> Person | None:
    return person(user) if user is not None else None


def value_then(now_value: Any, edits: list[HistoryEntry], moment: datetime) -> Any:
    """A field's value at `moment`, from its edits (oldest first): the "from" of the first
    edit at or after `moment`, or the value now when nothing changed it since. Values are
    typed (tracker.audit.values): a status, a date, a Person, text."""
    for edit in edits:
        if edit.created_at >= moment:
            return edit.old
    return now_value


def _edits(entries: list[HistoryEntry], *, action_id: int | None,
           kinds: tuple[HistoryKind, ...] = (HistoryKind.EDITED,),
           ) -> dict[HistoryField | None, list[HistoryEntry]]:
    by_field: dict[HistoryField | None, list[HistoryEntry]] = defaultdict(list)
    for entry in entries:
        if entry.kind in kinds and entry.action_id == action_id:
            by_field[entry.field].append(entry)
    return by_field


def _action_record(action: Action, entries: list[HistoryEntry], moment: datetime,
                   as_of: date, people: People) -> ActionRecord:
    changes = [
        (u.created_at, u.old, u.new)
        for u in entries
        if u.kind is HistoryKind.STATUS_CHANGE and u.action_id == action.id
        and u.field is HistoryField.STATUS
        and isinstance(u.old, ActionStatus) and isinstance(u.new, ActionStatus)
    ]
    history = ActionHistory(
        created_at=action.created_at, status=action.status, due_date=action.due_date,
        completed_on=action.completed_on, status_changes=changes,
        date_moves=sorted(
            (change.decided_at, change.from_date, change.to_date)
            for change in action.due_date_changes
            if change.state is DueDateChangeState.APPROVED and change.decided_at is not None
        ),
    )
    status = history.status_at(moment)
    assert status is not None  # the caller leaves out actions created after the moment
    due = history.due_at(moment)
    completed_on = None
    if status is ActionStatus.COMPLETE:
        to_complete = [when for when, _old, new in changes
                       if new is ActionStatus.COMPLETE and when < moment]
        later = [when for when, _old, _new in changes if when >= moment]
        if to_complete and later:
            # Completed then, reopened since: the day it was completed then.
            completed_on = to_complete[-1].astimezone(UK).date()
        else:
            # Still complete now: the day it gives (an action recorded as already taken
            # gives the day it was taken, before its history entry).
            completed_on = action.completed_on or (
                to_complete[-1].astimezone(UK).date() if to_complete else None)
    edits = _edits(entries, action_id=action.id,
                   kinds=(HistoryKind.EDITED, HistoryKind.EVIDENCE))
    owner = value_then(_someone(action.owner), edits[HistoryField.OWNER], moment)
    return ActionRecord(
        description=clean(value_then(action.description, edits[HistoryField.DESCRIPTION],
                                     moment) or ""),
        owner=clean(people.name_of(owner, display=True)) or NOBODY,
        due_date=due,
        original_due_date=action.original_due_date,
        status=status,
        completed_on=completed_on,
        overdue=is_overdue(status, due, as_of),
        evidence_link=clean(value_then(action.evidence_link, edits[HistoryField.EVIDENCE_LINK],
                                       moment) or ""),
        created_at=action.created_at,
    )


def _what(entry: HistoryEntry, people: People) -> str:
    """What an entry changed, in words: "Status change: status from “A” to “B”"."""
    if entry.kind is HistoryKind.CREATED:
        if entry.action_id is None:
            return "Item created"
        planned = change_in_words(entry, people)
        return f"Action planned, {planned}" if planned else "Action planned"
    words = entry.kind.label
    # The evidence link is shown as the link; the one it replaced is in an earlier entry.
    change = "" if entry.kind is HistoryKind.EVIDENCE else change_in_words(entry, people)
    return f"{words}: {change}" if change else words


def _entry(entry: HistoryEntry, descriptions: dict[int, str], people: People) -> EntryRecord:
    link = (entry.new or "") if entry.kind is HistoryKind.EVIDENCE else ""
    return EntryRecord(
        at=entry.created_at,
        author=_person(entry.author, THE_TRACKER),
        partner=entry.partner_link_id is not None,
        kind=entry.kind.label,
        what=clean(_what(entry, people)),
        action=descriptions.get(entry.action_id, "") if entry.action_id else "",
        # A creation's text is the name of what was created, shown already.
        text="" if entry.kind is HistoryKind.CREATED else clean(entry_text(entry)),
        evidence_link=clean(link),
    )


def item_as_of(item: Item, history: LoadedHistory, as_of: date,
               rules: StatusRules) -> ItemRecord:
    """The item as it stood at the end of `as_of` (UK time).

    `item` comes with its finding, inspection (and visit days), people, actions (with
    owners and due date changes); `history` is its whole history (its actions' included),
    oldest first, with everyone it names (tracker.audit.service.load_history). Entries
    recorded later are read only to undo later edits.
    """
    moment = end_of_day(as_of)
    # Everyone the history names, and the item's lead officer and owners now.
    people = People({**history.people.users, **{
        user.id: user for user in (item.lead_officer, *(a.owner for a in item.actions))
        if user is not None}})
    ordered = sorted(history.entries, key=lambda u: (u.created_at, u.id))
    before = [u for u in ordered if u.created_at < moment]
    actions = [a for a in item.actions if a.created_at < moment]
    records = [_action_record(action, ordered, moment, as_of, people) for action in actions]
    descriptions = {action.id: record.description
                    for action, record in zip(actions, records, strict=True)}
    # As the item's page lists them: by due date (here the due date then).
    records.sort(key=lambda record: (record.due_date, record.created_at))

    edits = _edits(ordered, action_id=None)
    title = clean(value_then(item.title, edits[HistoryField.TITLE], moment) or "")
    target_date = value_then(item.target_date, edits[HistoryField.TARGET_DATE], moment)
    priority = value_then(item.priority, edits[HistoryField.PRIORITY], moment) or item.priority

    status_moves = [u for u in ordered if u.kind in _ITEM_STATUS_KINDS
                    and u.action_id is None and u.field is HistoryField.ITEM_STATUS]
    status = value_then(item.status, status_moves, moment) or ItemStatus.OPEN

    overrides = [u for u in ordered if u.kind is HistoryKind.RAG_OVERRIDE]
    override_then = [u for u in overrides if u.created_at < moment]
    override = value_then(item.rag_override, overrides, moment)
    if override_then:
        reason = override_then[-1].text
    else:
        # Never set by hand then; or set before the history kept it, as it is now.
        reason = "" if overrides else item.rag_override_reason

    open_dues = [r.due_date for r in records if r.status.is_open]
    not_started = [r.due_date for r in records if r.status is ActionStatus.NOT_STARTED]
    lead_officer = clean(people.name_of(
        value_then(_someone(item.lead_officer), edits[HistoryField.LEAD_OFFICER], moment),
        display=True)) or NOBODY
    refused = next((u for u in reversed(before) if u.kind is HistoryKind.SIGN_OFF_REFUSED
                    and u.action_id is None), None)
    rag = work_out_status(ItemFacts(
        status=status, target_date=target_date, has_lead_officer=lead_officer != NOBODY,
        open_actions=len(open_dues),
        complete_actions=sum(1 for r in records if r.status is ActionStatus.COMPLETE),
        cancelled_actions=sum(1 for r in records if r.status is ActionStatus.CANCELLED),
        rag_override=override, rag_override_reason=clean(reason),
        earliest_open_due=min(open_dues, default=None),
        earliest_not_started_due=min(not_started, default=None),
        tracked_since=item.created_at.astimezone(UK).date(),
        sent_back_reason=clean(refused.text) if refused else "",
        sent_back_on=refused.created_at.astimezone(UK).date() if refused else None,
    ), as_of, rules)

    marked = next((u for u in reversed(before) if u.kind is HistoryKind.MARKED_COMPLETE
                   and u.action_id is None), None)
    signed = next((u for u in reversed(before) if u.kind is HistoryKind.SIGN_OFF
                   and u.action_id is None), None)
    outcome = marked_by = signed_by = ""
    marked_at = signed_at = None
    # Marked complete and signed off by then; without an entry (recorded before the history
    # kept one), as the item says now.
    if status is not ItemStatus.OPEN and marked is not None:
        outcome, marked_by = marked.text, _person(marked.author, THE_TRACKER)
        marked_at = marked.created_at
    elif status is not ItemStatus.OPEN:
        outcome, marked_by = item.outcome_evidence, _person(item.marked_complete_by)
    if status is ItemStatus.COMPLETE and signed is not None:
        signed_by, signed_at = _person(signed.author, THE_TRACKER), signed.created_at
    elif status is ItemStatus.COMPLETE:
        signed_by, signed_at = _person(item.signed_off_by), item.signed_off_at

    finding = item.finding
    inspection = finding.inspection
    return ItemRecord(
        item_id=item.id,
        as_of=as_of,
        title=title,
        finding_text=clean(finding.text),
        category=finding.category,
        repeat_evidence=clean(finding.repeat_evidence),
        is_repeat=finding.is_repeat,
        inspection_title=clean(inspection.title),
        inspectorate=clean(inspection.inspectorate),
        letter_date=inspection.letter_date,
        visit_dates=inspection.visit_dates,
        lead_officer=lead_officer,
        theme=clean(value_then(item.theme, edits[HistoryField.THEME], moment) or ""),
        priority=priority,
        target_date=target_date,
        measure_of_success=clean(value_then(
            item.measure_of_success, edits[HistoryField.MEASURE_OF_SUCCESS], moment) or ""),
        status=status,
        rag=rag,
        actions=records,
        entries=[_entry(u, descriptions, people) for u in before],
        outcome_evidence=clean(outcome),
        marked_complete_by=marked_by,
        marked_complete_at=marked_at,
        signed_off_by=signed_by,
        signed_off_at=signed_at,
        created_at=item.created_at,
    )
