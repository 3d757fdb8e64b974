"""Build a committee's progress report from the database, once, as plain data.

The words follow the council's own paper (numbered sections and paragraphs, "Action taken:"
lists with months, a recommendation and the contact officer). Everything is read here and
worded here; the renderers in this package only lay the result out, so the HTML page, the
PDF and the Word file always say the same thing.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import String, Text, cast, func, or_, select, type_coerce
from sqlalchemy.orm import joinedload, selectinload

from tracker.accounts.models import Council, User, shown_name
from tracker.audit.models import HistoryEntry, HistoryField, HistoryKind
from tracker.audit.values import from_json
from tracker.audit.words import People, value_in_words
from tracker.committees.models import Committee, committee_inspection
from tracker.extensions import db
from tracker.formatting import UK, long_date
from tracker.inspections.models import CATEGORY_ORDER, Finding, FindingCategory, Inspection
from tracker.inspections.service import ACTION_PLAN_WORKING_DAYS, PRIORITY_DRAFT_WORKING_DAYS
from tracker.items.models import (
    OPEN_ACTION_STATUSES,
    Action,
    ActionStatus,
    DueDateChange,
    DueDateChangeState,
    Item,
    ItemStatus,
)
from tracker.items.queries import facts_from_actions
from tracker.items.status import (
    ShownStatus,
    StatusResult,
    StatusRules,
    is_stale,
    work_out_status,
)
from tracker.questions.queries import questions_for_paper
from tracker.reports.document import (
    Block,
    Bullet,
    Bullets,
    Chart,
    Column,
    Contact,
    Heading,
    Para,
    Section,
    Snapshot,
    Table,
    clean,
)
from tracker.reports.trend import ActionHistory, ItemHistory, Point, trend
from tracker.workingdays import add_working_days

TRACKED_ORDER = [c for c in CATEGORY_ORDER if c.is_tracked]
# Most urgent first, as the items list: not planned, Red, Amber, Green, delivered, awaiting
# sign-off, complete.
STATUS_ORDER = list(ShownStatus)
# Each status inside a sentence ("4 are not planned, 2 Red and 1 awaiting sign-off").
_IN_PROSE = {
    ShownStatus.NOT_PLANNED: "not planned",
    ShownStatus.RED: "Red",
    ShownStatus.AMBER: "Amber",
    ShownStatus.GREEN: "Green",
    ShownStatus.DELIVERED: "delivered and awaiting evidence of impact",
    ShownStatus.AWAITING_SIGN_OFF: "awaiting sign-off",
    ShownStatus.COMPLETE: "complete",
}
# Without a later meeting on the calendar, "next steps" looks this far ahead.
NEXT_STEPS_HORIZON = timedelta(weeks=12)
# The body's table of what is off track lists at most this many items; appendix A has all.
OFF_TRACK_LIMIT = 25
# Commentary quoted in the body is cut at about this many characters.
COMMENTARY_CUT = 280
# Section 4 lists the areas for development one a line when there are at most this many;
# a longer list goes to appendix D, so that the body stays within eight pages.
DEVELOPMENT_LIMIT = 30
# Section 3's table of each inspection shows now and at most this many issued papers before.
PAPERS_SHOWN = 3
# The issued papers a snapshot remembers (for the trend across papers).
PAPERS_KEPT = 12
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


@dataclass(frozen=True)
class PreviousReport:
    """What the last issued report of the committee tells this one."""

    version: int
    issued_at: datetime
    item_rags: dict[str, str]
    # Its section 3 as numbers (`figures`); empty for a paper issued before they were kept.
    figures: dict[str, Any] = field(default_factory=dict)


# --- small wording helpers -------------------------------------------------------------------


def count(number: int, singular: str, plural: str | None = None) -> str:
    """"no actions", "one action", "12 actions": counts under ten in words (UK style)."""
    return count_words(number, singular, plural)


_NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def number_words(number: int) -> str:
    """A count as UK style writes it: words under ten, figures with thousands separators."""
    return _NUMBER_WORDS[number] if 0 <= number < 10 else f"{number:,}"


def count_words(number: int, singular: str, plural: str | None = None) -> str:
    """"no actions", "one action", "12 actions", "1,200 actions"."""
    word = singular if number == 1 else (plural or singular + "s")
    return f"{number_words(number)} {word}"


def sentence_start(text: str) -> str:
    """A sentence with its first letter a capital ("no item" → "No item")."""
    return text[:1].upper() + text[1:]


def is_are(number: int) -> str:
    return "is" if number == 1 else "are"


def join_words(words: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def month(day: date) -> str:
    """"November 2011"."""
    return f"{day:%B %Y}"


def days_text(days: list[date]) -> str:
    """Visit days as a person writes them: "18 and 19 October 2011"."""
    days = sorted(days)
    if not days:
        return ""
    if len({d.year for d in days}) > 1:
        return join_words([long_date(d) for d in days])
    months: dict[int, list[str]] = defaultdict(list)
    for day in days:
        months[day.month].append(str(day.day))
    parts = [f"{join_words(numbers)} {date(days[0].year, m, 1):%B}" for m, numbers in
             months.items()]
    return f"{join_words(parts)} {days[0].year}"


def in_sentence(title: str) -> str:
    """A title that starts a sentence, lower-cased to sit inside one ("the annual …"),
    unless it starts with an acronym or a name."""
    title = clean(title)
    if len(title) > 1 and title[0].isupper() and title[1].islower():
        first_word = title.split(" ", 1)[0]
        if first_word not in {"Ofsted", "Care", "Children's", "Local"}:
            return title[0].lower() + title[1:]
    return title


def _person(user: object | None) -> str:
    if user is None:
        return "Not assigned"
    name = clean(user.display_name)  # type: ignore[attr-defined]
    return name


def _person_with_title(user: object | None) -> str:
    if user is None:
        return "Not assigned"
    job = clean(user.job_title)  # type: ignore[attr-defined]
    return f"{_person(user)}, {job}" if job else _person(user)


class _Numbers:
    """Paragraph numbers within a section: 3.1, 3.2, …"""

    def __init__(self, section: str) -> None:
        self.section = section
        self.last = 0

    def next(self) -> str:
        self.last += 1
        return f"{self.section}.{self.last}"


# --- reading the database ---------------------------------------------------------------------


class _Update(NamedTuple):
    """One history entry the report reads, as plain values (typed, never words)."""

    item_id: int
    action_id: int | None
    created_at: datetime
    kind: HistoryKind
    field: HistoryField | None
    old: Any
    new: Any
    text: str


class _DateChange(NamedTuple):
    """A request to move an action's due date, as the report reads it."""

    state: DueDateChangeState
    decided_at: datetime | None
    from_date: date
    to_date: date


class _Owner(NamedTuple):
    """An action's owner as the report names them."""

    display_name: str


@dataclass(eq=False, slots=True)
class _Action:
    """An action as the report reads it: plain columns, its owner (one of a few people, read
    once each) and its requests to move the date. Compared by identity, like the model."""

    id: int
    item_id: int
    description: str
    owner: _Owner | None
    due_date: date
    original_due_date: date
    status: ActionStatus
    completed_on: date | None
    created_at: datetime
    due_date_changes: Sequence[_DateChange] = ()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    @property
    def date_moved(self) -> bool:
        return self.due_date != self.original_due_date


@dataclass
class _Data:
    committee: Committee
    inspections: list[Inspection]
    findings: list[Finding]
    items: list[Item]
    # Each item's actions, by item id, in the item's order (due date, then id).
    actions_of: dict[int, list[_Action]]
    refs: dict[int, str]
    statuses: dict[int, StatusResult]
    # The history the report reads (`_read_history`), as plain values.
    history: _History
    # Each item's latest commentary (on the item or one of its actions), by item id.
    commentary: dict[int, Commentary]
    today: date
    now: datetime
    rules: StatusRules
    # `off_track`'s answer, worked out once per paper (keyed by the previous paper's id()).
    late: dict[int, list[OffTrack]] = field(default_factory=dict)
    # Each inspection's findings in the paper's order, by inspection id (`_findings_of`).
    by_inspection: dict[int, list[Finding]] = field(default_factory=dict)

    @property
    def multiple(self) -> bool:
        return len(self.inspections) > 1

    def actions(self) -> Iterable[tuple[Item, _Action]]:
        for item in self.items:
            for action in self.actions_of[item.id]:
                yield item, action

    def overdue(self, action: _Action) -> bool:
        return action.status in OPEN_ACTION_STATUSES and action.due_date < self.today


def _category_rank(finding: Finding) -> int:
    return TRACKED_ORDER.index(finding.category) if finding.category.is_tracked else 99


# The history entries the report reads (the trend, the months actions were completed, the
# changes since the last report). Commentary, the bulk of any history, is never read, so it
# is never loaded.
KINDS_THE_REPORT_READS = (
    HistoryKind.CREATED, HistoryKind.STATUS_CHANGE, HistoryKind.DUE_DATE_CHANGE,
    HistoryKind.RAG_OVERRIDE, HistoryKind.MARKED_COMPLETE, HistoryKind.SIGN_OFF,
)
# The values the report words (statuses, dates, RAGs) name no one.
_NOBODY = People()
# Officers' commentary: a progress note on its own, or the words saved with a change of an
# action's status.
KINDS_WITH_COMMENTARY = (HistoryKind.COMMENTARY, HistoryKind.STATUS_CHANGE)


class Commentary(NamedTuple):
    """One entry of officers' commentary as the report quotes it: plain values."""

    item_id: int
    action_id: int | None
    created_at: datetime
    text: str
    # Its author's name as lists show it (a partner's with their organisation); None when
    # no author is recorded.
    author: str | None
    partner_link_id: int | None


def latest_commentary(item_ids: list[int]) -> dict[int, Commentary]:
    """Each item's latest commentary, on the item or any of its actions, with its author:
    one statement however many items (a window over the item's entries picks the latest)."""
    if not item_ids:
        return {}
    entries = _latest_commentary(HistoryEntry.item_id, HistoryEntry.item_id.in_(item_ids))
    return {entry.item_id: entry for entry in entries}


def latest_commentary_on_actions(action_ids: list[int]) -> dict[int, Commentary]:
    """Each action's latest commentary with its author, by action id: one statement that
    reads only these actions' entries."""
    if not action_ids:
        return {}
    entries = _latest_commentary(HistoryEntry.action_id, HistoryEntry.action_id.in_(action_ids))
    return {entry.action_id: entry for entry in entries if entry.action_id is not None}


def _latest_commentary(key: Any, chosen: Any) -> list[Commentary]:
    """The latest commentary of each `key` (item or action) among the `chosen` entries, with
    its author's name: one statement, plain columns."""
    ranked = (
        select(HistoryEntry.id, func.row_number().over(
            partition_by=key,
            order_by=(HistoryEntry.created_at.desc(), HistoryEntry.id.desc()),
        ).label("n"))
        .where(chosen,
               key.is_not(None),
               HistoryEntry.kind.in_(KINDS_WITH_COMMENTARY),
               HistoryEntry.text != "")
        .subquery()
    )
    rows = db.session.execute(
        select(HistoryEntry.item_id, HistoryEntry.action_id, HistoryEntry.created_at,
               HistoryEntry.text, User.name, User.organisation, HistoryEntry.partner_link_id)
        .outerjoin(User, User.id == HistoryEntry.author_id)
        .where(HistoryEntry.id.in_(select(ranked.c.id).where(ranked.c.n == 1)))
    )
    return [Commentary(item_id, action_id, created_at, text,
                       shown_name(name, organisation) if name is not None else None,
                       partner_link_id)
            for item_id, action_id, created_at, text, name, organisation, partner_link_id
            in rows]


# The history every paper reads, however old: status changes (the trend, the reasons actions
# were cancelled) and sign-offs (the trend). The other kinds are read only since the last
# issued paper (appendix C).
KINDS_READ_IN_FULL = (HistoryKind.STATUS_CHANGE, HistoryKind.SIGN_OFF)


@dataclass
class _History:
    """What the report takes from the history, sorted out in the one pass that reads it."""

    # Each action's changes of status, oldest first: (when, old status, new status).
    status_changes: dict[int, list[tuple[datetime, ActionStatus, ActionStatus]]] = field(
        default_factory=lambda: defaultdict(list))
    # When each item was last signed off.
    signed_off: dict[int, datetime] = field(default_factory=dict)
    # Each action's latest cancellation: when, and the reason given with it.
    cancelled: dict[int, tuple[datetime, str]] = field(default_factory=dict)
    # Every entry after `since` (the last issued paper), oldest first, for appendix C.
    recent: list[_Update] = field(default_factory=list)


def _read_history(item_ids: list[int], since: datetime | None) -> _History:
    """The history entries of the items the report reads, oldest first, sorted out as plain
    values: one statement, only the columns shown, only the kinds read in full and, after
    `since` (the last issued paper), the rest of KINDS_THE_REPORT_READS. The kind, the field
    and the values are read as their stored text, and each different field and value (there
    are a handful: the statuses) is turned into its Python value once, not once a row."""
    history = _History()
    if not item_ids:
        return history
    wanted = HistoryEntry.kind.in_(KINDS_READ_IN_FULL)
    if since is not None:
        wanted = or_(wanted, (HistoryEntry.kind.in_(KINDS_THE_REPORT_READS)
                              & (HistoryEntry.created_at > since)))
    rows = db.session.execute(
        select(HistoryEntry.item_id, HistoryEntry.action_id, HistoryEntry.created_at,
               type_coerce(HistoryEntry.kind, String), type_coerce(HistoryEntry.field, String),
               cast(HistoryEntry.old_value, Text), cast(HistoryEntry.new_value, Text),
               HistoryEntry.text)
        .where(HistoryEntry.item_id.in_(item_ids), wanted)
        .order_by(HistoryEntry.created_at, HistoryEntry.id)
    )
    values: dict[tuple[str | None, str | None], Any] = {}

    def value(field_text: str | None, stored: str | None) -> Any:
        key = (field_text, stored)
        if key not in values:
            values[key] = (None if stored is None or field_text is None
                           else from_json(HistoryField(field_text), json.loads(stored)))
        return values[key]

    status_change, status = HistoryKind.STATUS_CHANGE.value, HistoryField.STATUS.value
    sign_off = HistoryKind.SIGN_OFF.value
    for item_id, action_id, created_at, kind, field_text, old, new, text in rows:
        if kind == status_change and action_id is not None and field_text == status:
            old_status, new_status = value(field_text, old), value(field_text, new)
            if isinstance(old_status, ActionStatus) and isinstance(new_status, ActionStatus):
                history.status_changes[action_id].append((created_at, old_status, new_status))
            if new_status is ActionStatus.CANCELLED:
                history.cancelled[action_id] = (created_at, text)
        elif kind == sign_off:
            history.signed_off[item_id] = created_at
        if since is not None and created_at > since:
            history.recent.append(_Update(
                item_id, action_id, created_at, HistoryKind(kind),
                HistoryField(field_text) if field_text is not None else None,
                value(field_text, old), value(field_text, new), text))
    return history


def _read_actions(item_ids: list[int]) -> dict[int, list[_Action]]:
    """The items' actions as plain rows, by item id, each item's in its order (due date, then
    id): three statements however many there are (the actions, the date changes, the
    owners), each row only the columns the report shows."""
    actions: dict[int, list[_Action]] = {item_id: [] for item_id in item_ids}
    if not item_ids:
        return actions
    of_items = select(Action.id).where(Action.item_id.in_(item_ids))
    changes: dict[int, list[_DateChange]] = defaultdict(list)
    for action_id, *change in db.session.execute(
        select(DueDateChange.action_id, DueDateChange.state, DueDateChange.decided_at,
               DueDateChange.from_date, DueDateChange.to_date)
        .where(DueDateChange.action_id.in_(of_items))
        .order_by(DueDateChange.requested_at, DueDateChange.id)
    ):
        changes[action_id].append(_DateChange(*change))
    owned: dict[int, list[_Action]] = defaultdict(list)
    for (action_id, item_id, description, owner_id, due_date, original_due_date, status,
         completed_on, created_at) in db.session.execute(
        select(Action.id, Action.item_id, Action.description, Action.owner_id, Action.due_date,
               Action.original_due_date, Action.status, Action.completed_on,
               Action.created_at)
        .where(Action.item_id.in_(item_ids))
        .order_by(Action.due_date, Action.id)
    ):
        action = _Action(action_id, item_id, description, None, due_date, original_due_date,
                         status, completed_on, created_at, changes.get(action_id, ()))
        actions[item_id].append(action)
        if owner_id is not None:
            owned[owner_id].append(action)
    if owned:
        for user_id, name, organisation in db.session.execute(
            select(User.id, User.name, User.organisation).where(User.id.in_(sorted(owned)))
        ):
            owner = _Owner(shown_name(name, organisation))
            for action in owned[user_id]:
                action.owner = owner
    return actions


def _load(committee: Committee, today: date, now: datetime, rules: StatusRules,
          since: datetime | None = None) -> _Data:
    # A fixed number of statements whatever the size of the plan: the inspections followed
    # and the previous ones their letters name, with their visit days (two); every finding
    # with its item and lead officer (one); the items' actions as plain rows, their date
    # changes and their owners (three, `_read_actions`); the history read (one) and each
    # item's latest commentary (one).
    followed = select(committee_inspection.c.inspection_id).where(
        committee_inspection.c.committee_id == committee.id)
    named_before = select(Inspection.previous_inspection_id).where(Inspection.id.in_(followed))
    loaded = db.session.scalars(
        select(Inspection)
        .where(or_(Inspection.id.in_(followed), Inspection.id.in_(named_before)))
        .options(selectinload(Inspection.visit_days))
    ).all()
    inspections = sorted(
        committee.inspections, key=lambda i: (i.letter_date or date.min, i.id)
    )
    # The session keeps an object only while something refers to it: from here each
    # inspection refers to the previous one it names (found among `loaded`, no statement).
    for inspection in inspections:
        _ = inspection.previous_inspection
    del loaded
    inspection_rank = {inspection.id: n for n, inspection in enumerate(inspections)}
    findings = list(
        db.session.scalars(
            select(Finding)
            .where(Finding.inspection_id.in_(list(inspection_rank)))
            .options(
                joinedload(Finding.item).options(joinedload(Item.lead_officer))
            )
        ).unique()
    )
    findings.sort(key=lambda f: (_category_rank(f), inspection_rank[f.inspection_id],
                                 f.position, f.id))
    items = [f.item for f in findings if f.item is not None and f.category.is_tracked]
    refs = {item.id: f"5.{n}" for n, item in enumerate(items, start=1)}
    actions = _read_actions([item.id for item in items])
    # The status rule's facts are counted from the actions read, with no statement more.
    statuses = {item.id: work_out_status(facts_from_actions(item, actions[item.id]), today,
                                         rules) for item in items}
    history = _read_history([item.id for item in items], since)
    commentary = latest_commentary([item.id for item in items])
    return _Data(committee, inspections, findings, items, actions, refs, statuses, history,
                 commentary, today, now, rules)


# --- the sections -------------------------------------------------------------------------------


def _inspection_phrase(inspection: Inspection) -> str:
    phrase = f"the {in_sentence(inspection.title)}"
    if inspection.visit_dates:
        phrase += f", which took place on {days_text(inspection.visit_dates)}"
    elif inspection.letter_date:
        phrase += f" (letter of {long_date(inspection.letter_date)})"
    return phrase


def _to_attend(data: _Data, previous: PreviousReport | None) -> list[Item]:
    """The items whose lead officers the Committee is asked to call: Red or not planned."""
    chosen = {o.item.id for o in off_track(data, previous)
              if data.statuses[o.item.id].shown in (ShownStatus.RED, ShownStatus.NOT_PLANNED)}
    return [item for item in data.items if item.id in chosen]


def recommendation(data: _Data, previous: PreviousReport | None,
                   next_report: date | None) -> str:
    """What the Committee is asked to do, from the data: note progress, call the lead
    officers of the items off track, and when the next report comes."""
    parts = ["to note progress"]
    attend = _to_attend(data, previous)
    if len(attend) == 1:
        parts.append(f"to ask the lead officer for item {data.refs[attend[0].id]}, which is off "
                     f"track, to attend the next meeting")
    elif 1 < len(attend) <= 5:
        refs = join_words([data.refs[item.id] for item in attend])
        parts.append(f"to ask the lead officers for items {refs}, which are off track, to "
                     f"attend the next meeting")
    elif attend:
        parts.append(f"to ask the lead officers for the {count_words(len(attend), 'item')} that "
                     f"are Red or not planned (section 3) to attend the next meeting")
    further = (f"on {long_date(next_report)}" if next_report is not None
               else "at a future meeting")
    parts.append(f"to receive a further progress report {further}")
    if len(parts) == 2:
        return f"The Committee is asked {parts[0]} and {parts[1]}."
    return f"The Committee is asked {'; '.join(parts[:-1])}; and {parts[-1]}."


def _position_in_brief(data: _Data, previous: PreviousReport | None) -> str:
    """Page 1's one-sentence position: how many items are off track."""
    total = len(data.items)
    late = len(off_track(data, previous))
    if late == 0:
        return (f"None of the {count_words(total, 'item')} the Committee follows is off "
                f"track.")
    return (f"Of the {count_words(total, 'item')} the Committee follows, "
            f"{number_words(late)} {is_are(late)} off track (section 3).")


def _why(data: _Data, previous: PreviousReport | None,
         next_report: date | None = None) -> Section:
    numbers = _Numbers("1")
    committee = clean(data.committee.name)
    if not data.inspections:
        what = ("the inspections it follows. No inspection has been chosen for the Committee "
                "yet, so there is no progress to report")
    elif data.multiple:
        what = f"the {number_words(len(data.inspections))} inspections described in section 2"
    else:
        what = _inspection_phrase(data.inspections[0])
    blocks: list[Block] = [
        Para(f"This report is presented to the {committee} to update members on progress "
             f"with the actions agreed in response to {what}.", numbers.next()),
    ]
    if previous is not None:
        follow = (f"The Committee asked to receive regular progress reports on the actions "
                  f"identified. The last progress report (version {previous.version}) was "
                  f"issued on {long_date(previous.issued_at)}; Appendix C sets out what has "
                  f"changed since then.")
    else:
        follow = ("The Committee asked to receive regular progress reports on the actions "
                  "identified. This is the first such report.")
    blocks.append(Para(follow, numbers.next()))
    blocks.append(Para(f"The report sets out the position as at {long_date(data.today)}.",
                       numbers.next()))
    if data.items:
        blocks.append(Para(f"{_position_in_brief(data, previous)} "
                           f"{recommendation(data, previous, next_report)}", numbers.next(),
                           label="In brief:"))
    return Section("1", "Why has this report come to the Committee?", blocks)


def _previous_sentence(inspection: Inspection, shown: list[Inspection] | None = None) -> str:
    previous = inspection.previous_inspection
    if previous is not None and shown and previous in shown:
        return f"The previous inspection was the one in 2.{shown.index(previous) + 1}."
    if previous is not None:
        when = (days_text(previous.visit_dates) if previous.visit_dates
                else long_date(previous.letter_date) if previous.letter_date else "")
        return (f"The previous inspection was the {in_sentence(previous.title)}"
                f"{', on ' + when if when else ''}.")
    text = clean(inspection.previous_inspection_text)
    if not text:
        return ""
    if re.match(rf"^({_MONTHS}|\d)", text):
        return f"The previous inspection took place in {text}."
    return f"The previous inspection was {text}."


def _statutory_dates(data: _Data, inspection: Inspection) -> str:
    """The statutory dates while they run (a letter, no plan sent yet): the action plan 70
    working days after the letter, and a draft for areas for priority action after 20."""
    if inspection.letter_date is None or inspection.plan_submitted_on is not None:
        return ""
    plan_due = add_working_days(inspection.letter_date, ACTION_PLAN_WORKING_DAYS)
    verb = "was" if plan_due < data.today else "is"
    text = f"The action plan {verb} due by {long_date(plan_due)}."
    if any(f.category is FindingCategory.PRIORITY_ACTION for f in _findings_of(data, inspection)):
        draft_due = add_working_days(inspection.letter_date, PRIORITY_DRAFT_WORKING_DAYS)
        verb = "was" if draft_due < data.today else "is"
        text += (f" A draft plan for the areas for priority action {verb} due by "
                 f"{long_date(draft_due)}.")
    return text


def _background(data: _Data) -> Section:
    """Each inspection in a few sentences: when, what kind, what it found, the previous one,
    and the statutory dates while they run."""
    numbers = _Numbers("2")
    blocks: list[Block] = []
    for inspection in data.inspections:
        inspectorate = clean(inspection.inspectorate) or "The inspectorate"
        sentence = f"{inspectorate} carried out the {in_sentence(inspection.title)}"
        if inspection.visit_dates:
            sentence += f" on {days_text(inspection.visit_dates)}"
        if inspection.letter_date:
            sentence += f" (letter of {long_date(inspection.letter_date)})"
        sentence += "."
        if inspection.overall_judgement:
            sentence += f" The overall judgement was {clean(inspection.overall_judgement)}."
        sentence += f" {_found(data, inspection)}"
        previous = _previous_sentence(inspection, data.inspections)
        if previous:
            sentence += f" {previous}"
        statutory = _statutory_dates(data, inspection)
        if statutory:
            sentence += f" {statutory}"
        blocks.append(Para(sentence, numbers.next()))
        if not data.multiple:
            blocks.extend(_strengths(data, inspection, numbers))
    if any(f.category is FindingCategory.PRIORITY_ACTION for f in data.findings):
        blocks.append(Para(
            "Areas for priority action are serious weaknesses that place children at risk of "
            "inadequate protection from significant harm.", numbers.next()))
    if not blocks:
        blocks.append(Para("No inspection has been chosen for the Committee yet.",
                           numbers.next()))
    title = "Background: the inspections" if data.multiple else "Background: the inspection"
    return Section("2", title, blocks)


_FOUND_WORDS = {
    FindingCategory.STRENGTH: ("strength", "strengths"),
    FindingCategory.MEETS_REQUIREMENTS: ("area that met the requirements of statutory guidance",
                                         "areas that met the requirements of statutory guidance"),
    FindingCategory.AREA_FOR_DEVELOPMENT: ("area for development", "areas for development"),
    FindingCategory.PRIORITY_ACTION: ("area for priority action", "areas for priority action"),
    FindingCategory.AREA_FOR_IMPROVEMENT: ("area for improvement", "areas for improvement"),
}


def _findings_of(data: _Data, inspection: Inspection) -> list[Finding]:
    """The inspection's findings, in the paper's order: sorted out once for every inspection
    (a board follows dozens), not by reading all the findings each time."""
    if not data.by_inspection and data.findings:
        for finding in data.findings:
            data.by_inspection.setdefault(finding.inspection_id, []).append(finding)
    return list(data.by_inspection.get(inspection.id, []))


def _about(data: _Data, inspection: Inspection) -> str:
    """How a paragraph names its inspection when the Committee follows several."""
    if not data.multiple:
        return "The inspection"
    when = f" ({long_date(inspection.letter_date)})" if inspection.letter_date else ""
    return f"The {in_sentence(inspection.title)}{when}"


def _found(data: _Data, inspection: Inspection) -> str:
    """"It identified 18 areas for development and two areas for priority action …"."""
    findings = _findings_of(data, inspection)
    by_category = Counter(f.category for f in findings)
    # What needs action first, then what was found besides, so that no sentence runs long.
    tracked = [count(by_category[c], *_FOUND_WORDS[c]) for c in
               (FindingCategory.AREA_FOR_IMPROVEMENT, FindingCategory.AREA_FOR_DEVELOPMENT,
                FindingCategory.PRIORITY_ACTION)
               if by_category[c] or c is FindingCategory.PRIORITY_ACTION]
    text = f"It identified {join_words(tracked)}"
    repeats = sum(1 for f in findings if f.category.is_tracked and f.is_repeat)
    if repeats:
        text += (f"; {number_words(repeats)} of these {'was' if repeats == 1 else 'were'} "
                 f"also raised at the previous inspection")
    return text + "."


def _strengths(data: _Data, inspection: Inspection, numbers: _Numbers) -> list[Block]:
    """The strengths and what met requirements, listed (for a paper on one inspection)."""
    blocks: list[Block] = []
    findings = _findings_of(data, inspection)
    strengths = [f for f in findings if f.category is FindingCategory.STRENGTH]
    if strengths:
        noun = "strength" if len(strengths) == 1 else "strengths"
        blocks.append(Para(f"The inspectors recognised the following {noun}:",
                           numbers.next()))
        blocks.append(Bullets([Bullet(clean(f.text)) for f in strengths]))
    meets = [f for f in findings if f.category is FindingCategory.MEETS_REQUIREMENTS]
    if meets:
        blocks.append(Para("The inspection also found that the following met the "
                           "requirements of statutory guidance:", numbers.next()))
        blocks.append(Bullets([Bullet(clean(f.text)) for f in meets]))
    return blocks


def _counted_statuses(counts: Counter[ShownStatus], order: list[ShownStatus]) -> str:
    """"4 are not planned, 2 Red and 1 complete": the statuses that some items are in."""
    words = [f"{number_words(counts[shown])} {_IN_PROSE[shown]}" for shown in order
             if counts[shown]]
    if not words:
        return "none"
    first = next(shown for shown in order if counts[shown])
    words[0] = f"{number_words(counts[first])} {is_are(counts[first])} {_IN_PROSE[first]}"
    return join_words(words)


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _percent_words(value: int | None) -> str:
    return "–" if value is None else f"{value}%"


def _percent_chart(points: list[Point]) -> Chart:
    """Figure 1: the percentage of actions complete at each month end and today."""
    totals = [p.actions_on_time + p.actions_overdue + p.actions_complete for p in points]
    percents = [_percent(p.actions_complete, total) or 0 for p, total in zip(points, totals,
                                                                             strict=True)]
    first, last = points[0], points[-1]
    since = (f"at the end of each month from {month(first.day)} to {month(points[-2].day)} and "
             f"on {long_date(last.day)}" if len(points) > 1 else f"on {long_date(last.day)}")
    bars = "; ".join(f"{'today' if p.is_today else month(p.day)}, {value}%"
                     for p, value in zip(points, percents, strict=True))
    alt = (f"A bar chart of the percentage of actions complete {since}, worked out from the "
           f"history of every change. It went from {percents[0]}% to {percents[-1]}%. The bars "
           f"read: {bars}.")
    return Chart(
        chart="percent",
        title="Figure 1: percentage of actions complete at each month end",
        alt=alt,
        labels=[_trend_label(p) for p in points],
        series={"percent": percents, "complete": [p.actions_complete for p in points],
                "actions": totals},
    )


def _trend_label(point: Point) -> str:
    return "Today" if point.is_today else f"{point.day:%b %Y}"


def _action_figures(data: _Data, actions: list[_Action]) -> dict[str, int]:
    """The actions counted by state, in one pass."""
    complete = overdue = still_open = cancelled = extensions = 0
    today = data.today
    for action in actions:
        status = action.status
        if status in OPEN_ACTION_STATUSES:
            still_open += 1
            if action.due_date < today:
                overdue += 1
        elif status is ActionStatus.COMPLETE:
            complete += 1
        elif status is ActionStatus.CANCELLED:
            cancelled += 1
        for change in action.due_date_changes:
            if change.state is DueDateChangeState.APPROVED:
                extensions += 1
    return {
        "actions": len(actions),
        "complete": complete,
        "on_track": still_open - overdue,
        "overdue": overdue,
        "cancelled": cancelled,
        "extensions": extensions,
    }


def _items_of(data: _Data, inspection: Inspection) -> list[Item]:
    return [f.item for f in _findings_of(data, inspection)
            if f.item is not None and f.category.is_tracked]


def figures(data: _Data, previous: PreviousReport | None) -> dict[str, Any]:
    """Section 3's figures as plain numbers: each inspection's items by state and its actions
    now ("inspections"), and as each issued paper before told members ("papers", oldest
    first), read from the last issued paper's stored figures, never worked out again."""
    now: dict[str, Any] = {}
    for inspection in data.inspections:
        items = _items_of(data, inspection)
        states = Counter(data.statuses[item.id].shown for item in items)
        now[str(inspection.id)] = {
            "states": {shown.value: states[shown] for shown in STATUS_ORDER},
            **_action_figures(data, [a for item in items for a in data.actions_of[item.id]]),
        }
    papers: list[dict[str, Any]] = []
    if previous is not None:
        papers = list(previous.figures.get("papers", []))
        told = previous.figures.get("inspections")
        if told is None:
            # A paper issued before its figures were kept: its items' states, from its store.
            told = {}
            for inspection in data.inspections:
                states = Counter(previous.item_rags[str(item.id)]
                                 for item in _items_of(data, inspection)
                                 if str(item.id) in previous.item_rags)
                told[str(inspection.id)] = {"states": dict(states)}
        papers.append({"version": previous.version,
                       "issued_on": previous.issued_at.astimezone(UK).date().isoformat(),
                       "inspections": told})
    return {"inspections": now, "papers": papers[-PAPERS_KEPT:]}


_STATE_ROWS = [(f"Items {shown.label.lower()}" if shown in (ShownStatus.NOT_PLANNED,
                                                          ShownStatus.COMPLETE)
                else f"Items {shown.short_label}" if shown in (ShownStatus.RED,
                                                               ShownStatus.AMBER,
                                                               ShownStatus.GREEN)
                else f"Items {shown.short_label.lower()}", shown) for shown in STATUS_ORDER]
_ACTION_ROWS = [("Actions complete", "complete"), ("Actions on track", "on_track"),
                ("Actions overdue", "overdue")]


def _figure_cells(told: dict[str, Any] | None) -> dict[str, str]:
    """One column of an inspection's table: what a paper (or now) told, by row."""
    cells: dict[str, str] = {}
    if told is None:
        return cells
    states = told.get("states", {})
    for label, shown in _STATE_ROWS:
        cells[label] = f"{states.get(shown.value, 0):,}"
    if "actions" in told:
        for label, key in _ACTION_ROWS:
            cells[label] = f"{told[key]:,}"
        live = told["actions"] - told.get("cancelled", 0)
        cells["% of actions complete"] = _percent_words(_percent(told["complete"], live))
        cells["Date extensions granted"] = f"{told['extensions']:,}"
    return cells


def _position_tables(data: _Data, shown: dict[str, Any]) -> list[Block]:
    """One small table per inspection: its items by state and its actions, now and as the
    last issued papers told members (newest first). A state no item is in, now or then, is
    left out."""
    papers = list(reversed(shown["papers"]))[:PAPERS_SHOWN]
    blocks: list[Block] = []
    labels = [label for label, _shown in _STATE_ROWS] + [label for label, _k in _ACTION_ROWS] + [
        "% of actions complete", "Date extensions granted"]
    for inspection in data.inspections:
        key = str(inspection.id)
        columns = [_figure_cells(shown["inspections"][key])] + [
            _figure_cells(paper["inspections"].get(key)) for paper in papers]
        rows = []
        for label in labels:
            values = [column.get(label, "–") for column in columns]
            if label.startswith("Items ") and all(v in ("0", "–") for v in values):
                continue
            rows.append([label] + values)
        caption = sentence_start(in_sentence(inspection.title))
        if inspection.letter_date:
            caption += f" (letter of {long_date(inspection.letter_date)})"
        blocks.append(Table(
            caption=caption,
            columns=[Column("Measure", "label"), Column("Now", "count")]
            + [Column(f"Version {paper['version']}", "count") for paper in papers],
            rows=rows, paired=True))
    return blocks


def _histories(data: _Data) -> list[ItemHistory]:
    changes = data.history.status_changes
    signed_off = data.history.signed_off
    histories = []
    for item in data.items:
        completed_at = None
        if item.status is ItemStatus.COMPLETE:
            completed_at = item.signed_off_at or signed_off.get(item.id) or item.last_updated_at
        actions = [
            ActionHistory(
                created_at=action.created_at,
                status=action.status,
                due_date=action.due_date,
                completed_on=action.completed_on,
                status_changes=changes.get(action.id, ()),
                date_moves=sorted(
                    (c.decided_at, c.from_date, c.to_date)
                    for c in action.due_date_changes
                    if c.state is DueDateChangeState.APPROVED and c.decided_at is not None
                ) if action.due_date_changes else (),
            )
            for action in data.actions_of[item.id]
        ]
        histories.append(ItemHistory(item.created_at, item.target_date, completed_at, actions))
    return histories


def _current_position(data: _Data, previous: PreviousReport | None,
                      shown: dict[str, Any]) -> Section:
    numbers = _Numbers("3")
    blocks: list[Block] = []
    total = len(data.items)
    if not total:
        blocks.append(Para("No items are being tracked for the Committee yet.", numbers.next()))
        return Section("3", "Current position", blocks)
    actions = [action for _item, action in data.actions()]
    counted = _action_figures(data, actions)
    live = counted["actions"] - counted["cancelled"]
    share = _percent_words(_percent(counted["complete"], live))
    text = (f"The Committee follows {count(total, 'item')} with "
            f"{count(len(actions), 'action')}. Of the {count(live, 'action')} not cancelled, "
            f"{number_words(counted['complete'])} ({share}) "
            f"{is_are(counted['complete'])} complete, {number_words(counted['on_track'])} on "
            f"track and {number_words(counted['overdue'])} overdue.")
    blocks.append(Para(text, numbers.next()))
    tables = ("The table below shows" if not data.multiple
              else "The tables below show, for each inspection,")
    if shown["papers"]:
        versions = join_words([
            f"version {p['version']} on {long_date(date.fromisoformat(p['issued_on']))}"
            for p in list(reversed(shown["papers"]))[:PAPERS_SHOWN]])
        told = f" now and as the papers issued before told members ({versions})"
    else:
        told = " now; later papers will compare with this one"
    blocks.append(Para(f"{tables} the items by state and the actions{told}. The tracker's "
                       f"page “How status is worked out” gives the rule.", numbers.next()))
    blocks.extend(_position_tables(data, shown))
    points = trend(_histories(data), data.today)
    if points:
        blocks.append(Para("Figure 1 shows the percentage of actions complete at the end of "
                           "each month.", numbers.next()))
        blocks.append(_percent_chart(points))
    blocks.extend(_off_track_blocks(data, previous, numbers))
    return Section("3", "Current position", blocks)


def cut(text: str, limit: int = COMMENTARY_CUT) -> str:
    """Text cut at a word boundary near `limit` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    space = head.rfind(" ")
    if space > limit // 2:
        head = head[:space]
    return head.rstrip(" ,;:.") + "…"


def _author(entry: Commentary) -> str:
    if entry.author is not None:
        return clean(entry.author)
    return "a partner" if entry.partner_link_id is not None else "author not recorded"


def commentary_words(data: _Data, item: Item, limit: int | None = COMMENTARY_CUT) -> str:
    """The item's latest commentary quoted with its author and date; a Red item whose latest
    commentary is older than the stale limit says so first."""
    entry = data.commentary.get(item.id)
    red = data.statuses[item.id].shown is ShownStatus.RED
    if entry is None:
        return "No update recorded." if red else "No commentary recorded."
    text = clean(entry.text)
    if limit is not None:
        text = cut(text, limit)
    on = ""
    if entry.action_id is not None:
        # Said of one action: named, so the reader does not take it for the one late.
        action = next((a for a in data.actions_of[item.id] if a.id == entry.action_id), None)
        on = f", on {_action_named(action)}" if action is not None else ""
    quoted = f"“{text}” ({_author(entry)}, {long_date(entry.created_at)}{on})"
    if red and is_stale(entry.created_at, data.now, data.rules):
        return f"No update since {long_date(entry.created_at)}. Last update: {quoted}"
    return quoted


def _next_open_action(data: _Data, item: Item) -> _Action | None:
    open_actions = [a for a in data.actions_of[item.id] if a.is_open]
    return min(open_actions, key=lambda a: (a.due_date, a.id)) if open_actions else None


def doing_now(data: _Data, item: Item) -> str:
    """What is being done now: the open action due first, with its owner."""
    action = _next_open_action(data, item)
    if action is None:
        return "No open action."
    late = " (overdue)" if data.overdue(action) else ""
    return (f"{clean(action.description)}, due {long_date(action.due_date)}{late}; "
            f"{_person(action.owner)}.")


_RAG_RANK = {ShownStatus.GREEN.value: 0, ShownStatus.AMBER.value: 1, ShownStatus.RED.value: 2}
_IN_DELIVERY_OR_NOT_PLANNED = {ShownStatus.RED, ShownStatus.AMBER, ShownStatus.GREEN,
                               ShownStatus.NOT_PLANNED}


@dataclass(frozen=True)
class OffTrack:
    """An item the Committee should look at, and why it is listed."""

    item: Item
    past_target: bool
    worse_than: str  # the status the last issued paper gave, when it has got worse since
    # How serious: Red first, then not planned, then the rest; the longest late first.
    rank: tuple[int, int]


def off_track(data: _Data, previous: PreviousReport | None) -> list[OffTrack]:
    """Every item that is Red, not planned, past its target date or worse than the last issued
    paper said, the most serious first (Red longest overdue, then not planned longest).
    Worked out once for the paper; each section asks again for the same list."""
    if id(previous) in data.late:
        return data.late[id(previous)]
    found = []
    for item in data.items:
        shown = data.statuses[item.id].shown
        past_target = (shown in _IN_DELIVERY_OR_NOT_PLANNED and item.target_date is not None
                       and item.target_date < data.today)
        before = previous.item_rags.get(str(item.id), "") if previous else ""
        worse = (before in _RAG_RANK and shown.value in _RAG_RANK
                 and _RAG_RANK[shown.value] > _RAG_RANK[before])
        if not (shown in (ShownStatus.RED, ShownStatus.NOT_PLANNED) or past_target or worse):
            continue
        late_since = [d for d in (item.target_date,) if d is not None and d < data.today]
        action = _next_open_action(data, item)
        if action is not None and action.due_date < data.today:
            late_since.append(action.due_date)
        days_late = (data.today - min(late_since)).days if late_since else 0
        if shown is ShownStatus.RED:
            rank = (0, -days_late)
        elif shown is ShownStatus.NOT_PLANNED:
            rank = (1, -(data.today - item.created_at.date()).days)
        else:
            rank = (2, -days_late)
        found.append(OffTrack(item, past_target, _label_of(before) if worse else "", rank))
    found.sort(key=lambda o: (o.rank, data.refs[o.item.id]))
    data.late[id(previous)] = found
    return found


# An action named inside a cell of the off-track table is cut at about this many characters.
ACTION_NAME_CUT = 60


def _action_named(action: _Action) -> str:
    return f"“{cut(clean(action.description), ACTION_NAME_CUT)}”"


def date_changes(data: _Data, item: Item, since: datetime | None) -> str:
    """Each date change of the item's actions waiting for the lead officer, or granted since
    the last paper, naming its action: "Date change asked for “Recruit two social workers”:
    3 March 2027 (was 1 February 2027)."."""
    waiting, granted = [], []
    for action in data.actions_of[item.id]:
        for change in action.due_date_changes:
            moved = (f"{_action_named(action)}: {long_date(change.to_date)} "
                     f"(was {long_date(change.from_date)}).")
            if change.state is DueDateChangeState.PENDING:
                waiting.append(f"Date change asked for {moved}")
            elif (change.state is DueDateChangeState.APPROVED and change.decided_at is not None
                  and (since is None or change.decided_at > since)):
                granted.append(f"Date change granted for {moved}")
    return " ".join(waiting + granted)


def _state_words(data: _Data, entry: OffTrack) -> str:
    words = data.statuses[entry.item.id].label
    if entry.worse_than:
        words += f", was {entry.worse_than}"
    if entry.past_target:
        words += f"; target date {long_date(entry.item.target_date)} passed"
    return words


def _off_track_blocks(data: _Data, previous: PreviousReport | None,
                      numbers: _Numbers) -> list[Block]:
    listed = off_track(data, previous)
    blocks: list[Block] = [Heading("What is off track, and why")]
    if not listed:
        blocks.append(Para("No item is off track: none is Red, not planned or past its "
                           "target date.", numbers.next()))
        return blocks
    shown = listed[:OFF_TRACK_LIMIT]
    text = (f"There {is_are(len(listed))} {count_words(len(listed), 'item')} off track: Red, "
            f"not planned, past the target date or worse than the last paper said. The table "
            f"gives the "
            f"latest commentary on each and what is being done now.")
    if len(listed) > len(shown):
        more = len(listed) - len(shown)
        text += (f" It lists the {len(shown)} most serious; appendix A has the other "
                 f"{count_words(more, 'item')}.")
    blocks.append(Para(sentence_start(text), numbers.next()))
    blocks.append(Table(
        caption="Items off track: why, and what is being done",
        columns=[Column("No.", "ref"), Column("Title and lead officer", "text"),
                 Column("State", "status"), Column("Why: latest commentary", "wide"),
                 Column("Being done now; date changes", "text")],
        rows=[[data.refs[o.item.id], f"{clean(o.item.title)}. {_person(o.item.lead_officer)}.",
               _state_words(data, o), commentary_words(data, o.item),
               " ".join(filter(None, [doing_now(data, o.item),
                                      date_changes(data, o.item, _since(previous))]))]
              for o in shown],
    ))
    return blocks


def _areas_title(categories: list[FindingCategory]) -> str:
    names = [c.plural_label.lower() for c in categories]
    if not names:
        return "Areas for development"
    title = join_words(names)
    return title[0].upper() + title[1:]


_DEVELOPMENT = (FindingCategory.AREA_FOR_IMPROVEMENT, FindingCategory.AREA_FOR_DEVELOPMENT)


def _one_line(data: _Data, finding: Finding) -> str:
    """An area for development in one line: the title of the item that tracks it, or the
    finding's words cut short."""
    text = clean(finding.item.title) if finding.item is not None else cut(clean(finding.text),
                                                                           90)
    if finding.is_repeat:
        text += " (repeat finding)"
    return text


def _state_of(data: _Data, finding: Finding) -> str:
    item = finding.item
    if item is None or item.id not in data.statuses:
        return "Not tracked"
    return data.statuses[item.id].label


def development_table(data: _Data, category: FindingCategory, caption: str) -> Table:
    """The areas for development (or improvement), one a line, with their items' states."""
    findings = [f for f in data.findings if f.category is category]
    columns = [Column("No.", "ref"), Column(category.label, "wide")]
    if data.multiple:
        columns.append(Column("Letter", "date"))
    columns.append(Column("State", "status"))
    rows = []
    for finding in findings:
        row = [data.refs.get(finding.item.id, "") if finding.item is not None else "",
               _one_line(data, finding)]
        if data.multiple:
            letter = finding.inspection.letter_date
            row.append(month(letter) if letter else "")
        row.append(_state_of(data, finding))
        rows.append(row)
    return Table(caption=caption, columns=columns, rows=rows)


def _development_in_appendix(data: _Data) -> bool:
    return sum(1 for f in data.findings if f.category in _DEVELOPMENT) > DEVELOPMENT_LIMIT


def _areas(data: _Data) -> Section:
    """Areas for priority action each with the inspectors' finding in full; areas for
    development one a line (in appendix D when the list is long)."""
    numbers = _Numbers("4")
    present = [c for c in TRACKED_ORDER if any(f.category is c for f in data.findings)]
    blocks: list[Block] = []
    priority = [f for f in data.findings if f.category is FindingCategory.PRIORITY_ACTION]
    if priority:
        blocks.append(Para("The table gives each area for priority action with the inspectors' "
                           "finding in full, the item that tracks it and its state.",
                           numbers.next()))
        columns = [Column("No.", "ref"), Column("Area for priority action", "wide")]
        if data.multiple:
            columns.append(Column("Letter", "date"))
        columns.append(Column("State", "status"))
        rows = []
        for finding in priority:
            text = clean(finding.text)
            if finding.is_repeat:
                text = f"Repeat finding: {text}"
            row = [data.refs.get(finding.item.id, "") if finding.item is not None else "", text]
            if data.multiple:
                letter = finding.inspection.letter_date
                row.append(month(letter) if letter else "")
            row.append(_state_of(data, finding))
            rows.append(row)
        blocks.append(Table(caption="Areas for priority action", columns=columns, rows=rows))
    elif data.findings:
        blocks.append(Para("There were no areas for priority action.", numbers.next()))
    developing = [c for c in _DEVELOPMENT if c in present]
    for category in developing:
        found = [f for f in data.findings if f.category is category]
        plural = category.plural_label.lower()
        if _development_in_appendix(data):
            states = Counter(data.statuses[f.item.id].shown for f in found
                             if f.item is not None and f.item.id in data.statuses)
            blocks.append(Para(
                f"There are {count(len(found), category.label.lower(), plural)}: "
                f"{_counted_statuses(states, STATUS_ORDER)}. Appendix D lists them one a "
                f"line with the state of each.", numbers.next()))
        else:
            blocks.append(Para(f"The {plural}, one a line, with the state of each:",
                               numbers.next()))
            blocks.append(development_table(data, category, category.plural_label))
    if any(f.is_repeat for f in data.findings if f.category.is_tracked):
        blocks.append(Para("A repeat finding was also raised at the previous inspection.",
                           numbers.next()))
    if not present:
        blocks.append(Para("No areas for development or priority action have been recorded.",
                           numbers.next()))
    return Section("4", _areas_title(present), blocks)


def _development_appendix(data: _Data) -> Section:
    """Appendix D: the areas for development one a line, when section 4 cannot hold them."""
    blocks: list[Block] = [Para("Every area for development or improvement, one a line, with "
                                "the number of the item that tracks it and its state.")]
    for category in _DEVELOPMENT:
        if any(f.category is category for f in data.findings):
            blocks.append(development_table(data, category, category.plural_label))
    return Section("D", "Areas for development", blocks)


def _cancel_reasons(data: _Data) -> dict[int, str]:
    return {action_id: clean(text)
            for action_id, (_when, text) in data.history.cancelled.items()}


def _completed_month(action: _Action) -> str:
    return month(action.completed_on or action.due_date)


def _due_words(action: _Action) -> str:
    text = f"due {long_date(action.due_date)}"
    if action.date_moved:
        text += f" (originally {long_date(action.original_due_date)})"
    return text


def _since(previous: PreviousReport | None) -> datetime | None:
    return previous.issued_at if previous is not None else None


def _completed_since(action: _Action, since: datetime | None) -> bool:
    if action.status is not ActionStatus.COMPLETE:
        return False
    if since is None:
        return True
    done = action.completed_on or action.due_date
    # The day of issue counts as after it: better told twice than never.
    return done >= since.astimezone(UK).date()


# Section 5 names at most this many actions taken, and as many planned, for each item.
ACTIONS_NAMED = 2
# Section 5 cuts what it quotes (commentary, outcome evidence) at about this many characters.
FOCUS_CUT = 200


def _named(texts: list[str]) -> str:
    """Up to ACTIONS_NAMED of the texts, joined, the rest counted."""
    shown = "; ".join(texts[:ACTIONS_NAMED])
    more = len(texts) - ACTIONS_NAMED
    return f"{shown}; and {number_words(more)} more." if more > 0 else f"{shown}."


def _item_row(data: _Data, item: Item, previous: PreviousReport | None, end: date,
              cancel_reasons: dict[int, str], in_table: set[int]) -> list[str]:
    """One item in section 5's table: the item, what was done since the last paper, what is
    due before the next meeting (the rest of its actions counted), its state with the reason
    and its latest commentary (for an item off track, that is in section 3)."""
    finding = item.finding
    flags = []
    if finding.category is FindingCategory.PRIORITY_ACTION:
        flags.append("area for priority action")
    if finding.is_repeat:
        flags.append("repeat finding")
    result = data.statuses[item.id]
    about = f"{clean(item.title)}. {_person(item.lead_officer)}. {result.label}."
    if flags:
        about += f" {sentence_start(join_words(flags))}."
    if item.id not in in_table:
        about += f" {clean(result.reason)}"
    since = _since(previous)
    actions = data.actions_of[item.id]
    taken = [a for a in actions if _completed_since(a, since)]
    taken.sort(key=lambda a: (a.completed_on or a.due_date, a.id))
    if taken:
        taken_text = _named([f"{clean(a.description)}, {_completed_month(a)}" for a in taken])
    else:
        taken_text = ("None since the last paper." if since
                      else "No action has been completed yet.")
    planned = [a for a in actions if a.is_open and a.due_date <= end]
    planned.sort(key=lambda a: (a.due_date, a.id))
    planned_text = (_named([f"{clean(a.description)}, due {long_date(a.due_date)}"
                            + (" (overdue)" if data.overdue(a) else "") for a in planned])
                    if planned else "None due before the next meeting.")
    cancelled = [a for a in actions if a.status is ActionStatus.CANCELLED
                 and a.id in cancel_reasons and _cancelled_since(data, a, since)]
    for action in cancelled:
        reason = cancel_reasons.get(action.id, "")
        because = f". Reason: {cut(reason, FOCUS_CUT).rstrip('.')}" if reason else ""
        planned_text += f" Cancelled: {clean(action.description)}{because}."
    rest = [a for a in actions if a not in taken and a not in planned
            and a not in cancelled]
    if rest:
        still_open = sum(1 for a in rest if a.is_open)
        done = sum(1 for a in rest if a.status is ActionStatus.COMPLETE)
        parts = [f"{number_words(done)} complete" if done else "",
                 f"{number_words(still_open)} due later" if still_open else "",
                 f"{number_words(len(rest) - done - still_open)} cancelled"
                 if len(rest) - done - still_open else ""]
        planned_text += (f" Other actions: {number_words(len(rest))} "
                         f"({join_words([p for p in parts if p])}).")
    if item.outcome_evidence:
        taken_text += f" Outcome evidence: {cut(clean(item.outcome_evidence), FOCUS_CUT)}"
    return [data.refs[item.id], about, taken_text, planned_text]


def _cancelled_since(data: _Data, action: _Action, since: datetime | None) -> bool:
    if since is None:
        return True
    cancelled = data.history.cancelled.get(action.id)
    return cancelled is not None and cancelled[0] > since


# Section 5 sets out at most this many items (open areas for priority action first, then
# the most serious items off track); the others are counted and are in appendix A. Eight
# keep the body within eight pages at 200 items in the Word file as LibreOffice sets it.
FOCUS_LIMIT = 8


def _wanted(data: _Data, previous: PreviousReport | None) -> list[Item]:
    """Every item section 5 would set out, before its limit, the most serious first: the
    items off track that section 3 lists, in its order, then the open areas for priority
    action that are on track."""
    late = [o.item for o in off_track(data, previous)[:OFF_TRACK_LIMIT]]
    chosen = {item.id for item in late}
    priority = [item for item in data.items
                if item.finding.category is FindingCategory.PRIORITY_ACTION
                and item.status is not ItemStatus.COMPLETE and item.id not in chosen]
    return late + priority


def _in_focus(data: _Data, previous: PreviousReport | None) -> list[Item]:
    """The items section 5 and section 6 set out, the most serious first: at most
    FOCUS_LIMIT of `_wanted`."""
    return _wanted(data, previous)[:FOCUS_LIMIT]


def members_questions_blocks(data: _Data, previous: PreviousReport | None,
                             until: date) -> list[Block]:
    """The questions members asked at earlier meetings, each with its answer or "Answer
    awaited" (tracker.questions.queries.questions_for_paper decides which are printed)."""
    questions = questions_for_paper(data.committee.id, since=_since(previous), until=until)
    if not questions:
        return []
    bullets = []
    for question in questions:
        about = ""
        if question.item_id is not None and question.item_id in data.refs:
            about = f", about item {data.refs[question.item_id]}"
        text = (f"Asked by {clean(question.asked_by)} at the meeting of "
                f"{long_date(question.meeting_date)}{about}: “{clean(question.question)}” ")
        if question.answer is None:
            text += f"Answer awaited from {clean(question.officer)}."
        else:
            answered = long_date(question.answered_on) if question.answered_on else ""
            text += (f"Answer from {clean(question.answered_by or question.officer)}"
                     f"{', ' + answered if answered else ''}: “{clean(question.answer)}”")
            if question.corrected_on is not None:
                text += f" (corrected {long_date(question.corrected_on)})"
        bullets.append(Bullet(text))
    return [Heading("Members' questions"), Bullets(bullets)]


def _completed_items(data: _Data, previous: PreviousReport | None,
                     numbers: _Numbers) -> list[Block]:
    """Items signed off since the last paper, one line each, with their outcome evidence."""
    since = _since(previous)
    done = [item for item in data.items if item.status is ItemStatus.COMPLETE
            and (since is None or (item.signed_off_at is not None
                                   and item.signed_off_at > since))]
    if not done:
        return []
    bullets = []
    for item in done:
        text = f"{data.refs[item.id]} {clean(item.title)}"
        if item.signed_off_at is not None:
            text += f", signed off {long_date(item.signed_off_at)}"
        if item.outcome_evidence:
            text += f". Outcome evidence: {cut(clean(item.outcome_evidence))}"
        bullets.append(Bullet(text))
    heading = "Completed since the last paper" if since else "Completed so far"
    return [Heading(heading), Bullets(bullets)]


def _addressing(data: _Data, previous: PreviousReport | None, meeting_date: date | None,
                next_report: date | None) -> Section:
    numbers = _Numbers("5")
    blocks: list[Block] = []
    if not data.items:
        return Section("5", "How we are addressing them",
                       [Para("No items are being tracked yet.", "5.1")])
    cancel_reasons = _cancel_reasons(data)
    end, _when = _horizon(data, meeting_date, next_report)
    focus = _in_focus(data, previous)
    wanted = len(_wanted(data, previous))
    in_table = {o.item.id for o in off_track(data, previous)[:OFF_TRACK_LIMIT]}
    if not focus:
        intro = "No area for priority action is open and no item is off track."
    elif wanted > len(focus):
        intro = (f"The table sets out {number_words(len(focus))} of the "
                 f"{count_words(wanted, 'item')} that are off track in section 3 or open areas "
                 f"for priority action, the most serious first. It gives what has been done "
                 f"since the last paper and what is due before the next meeting. The other "
                 f"{number_words(wanted - len(focus))} are in appendix A.")
    else:
        intro = ("The table sets out each open area for priority action and each item off "
                 "track listed in section 3. It gives what has been done since the last paper "
                 "and what is due before the next meeting.")
    if focus:
        intro += " Appendix A gives each open item's latest commentary in full."
    # Unnumbered: in this section 5.1, 5.2 … are the items' own numbers.
    blocks.append(Para(intro))
    if focus:
        blocks.append(Table(
            caption="Action taken and planned",
            columns=[Column("No.", "ref"), Column("Item, lead officer and state", "text"),
                     Column("Action taken since the last paper" if previous is not None
                            else "Action taken", "text"),
                     Column("Action planned before the next meeting", "wide")],
            rows=[_item_row(data, item, previous, end, cancel_reasons, in_table)
                  for item in focus]))
    blocks.extend(_completed_items(data, previous, numbers))
    blocks.extend(members_questions_blocks(data, previous, meeting_date or data.today))
    return Section("5", "How we are addressing them", blocks)


def _horizon(data: _Data, meeting_date: date | None, next_report: date | None) -> tuple[date, str]:
    if next_report is not None:
        return next_report, (f"Before the Committee's meeting on {long_date(next_report)}, "
                             f"when the next progress report is due")
    end = (meeting_date or data.today) + NEXT_STEPS_HORIZON
    return end, f"In the next 12 weeks, up to {long_date(end)}"


def _refs_words(refs: list[str], most: int = 12) -> str:
    """"5.1, 5.4 and 5.9", or the first `most` and how many more."""
    if len(refs) <= most:
        return join_words(refs)
    return f"{', '.join(refs[:most])} and {number_words(len(refs) - most)} more"


def _next_steps(data: _Data, previous: PreviousReport | None, meeting_date: date | None,
                next_report: date | None) -> Section:
    numbers = _Numbers("6")
    end, when = _horizon(data, meeting_date, next_report)
    focus = {item.id for item in _in_focus(data, previous)}
    due = [(item, a) for item, a in data.actions()
           if item.id in focus and a.is_open and data.today <= a.due_date <= end]
    blocks: list[Block] = []
    if due:
        items = len({item.id for item, _a in due})
        blocks.append(Para(f"{when}, {count_words(len(due), 'action falls', 'actions fall')} "
                           f"due for {count_words(items, 'item')} in section 5, which names "
                           f"{'it' if len(due) == 1 else 'them'}.", numbers.next()))
    else:
        blocks.append(Para(f"{when}, no actions fall due for areas for priority action or "
                           f"items off track.", numbers.next()))
    targets = [item for item in data.items if item.status is not ItemStatus.COMPLETE
               and item.target_date is not None and data.today <= item.target_date <= end]
    if targets:
        targets.sort(key=lambda i: (i.target_date, data.refs[i.id]))
        noun = "Item" if len(targets) == 1 else "Items"
        blocks.append(Para(f"{noun} {_refs_words([data.refs[i.id] for i in targets])} "
                           f"{is_are(len(targets))} due to be completed by then.",
                           numbers.next()))
    overdue = sum(1 for _item, a in data.actions() if data.overdue(a))
    if overdue:
        them = "it with its owner and how late it is" if overdue == 1 else (
            "them with their owners and how late each is")
        blocks.append(Para(f"There {is_are(overdue)} {count(overdue, 'overdue action')}. "
                           f"Appendix B lists {them}.",
                           numbers.next()))
    elif data.items:
        blocks.append(Para("No actions are overdue.", numbers.next()))
    return Section("6", "Next steps", blocks)


def _conclusion(data: _Data, previous: PreviousReport | None,
                next_report: date | None) -> Section:
    numbers = _Numbers("7")
    blocks: list[Block] = []
    total = len(data.items)
    if total:
        counts = Counter(result.shown for result in data.statuses.values())
        overdue = sum(1 for _item, a in data.actions() if data.overdue(a))
        actions = sum(1 for _ in data.actions())
        blocks.append(Para(
            f"Of the {count(total, 'item')} the Committee follows, "
            f"{_counted_statuses(counts, list(reversed(STATUS_ORDER)))}. "
            f"Of the {count(actions, 'action')}, {number_words(overdue)} {is_are(overdue)} "
            f"overdue.", numbers.next()))
    blocks.append(Para(recommendation(data, previous, next_report), numbers.next(),
                       label="Recommendation:"))
    return Section("7", "Conclusion", blocks)


# --- appendices ----------------------------------------------------------------------------------


def _status_words(data: _Data, action: _Action) -> str:
    if action.status is ActionStatus.COMPLETE:
        return f"Complete{', ' + long_date(action.completed_on) if action.completed_on else ''}"
    if data.overdue(action):
        return f"Overdue ({action.status.label.lower()})"
    return action.status.label


def _due_cell(action: _Action) -> str:
    text = long_date(action.due_date)
    if action.date_moved:
        text += f" (originally {long_date(action.original_due_date)})"
    return text


def _open_items(data: _Data, previous: PreviousReport | None) -> Section:
    """Appendix A: every open item in brief, off track first, with its commentary in full."""
    late = off_track(data, previous)
    late_ids = {o.item.id for o in late}
    rest = [item for item in data.items if item.id not in late_ids
            and item.status is not ItemStatus.COMPLETE]
    ordered = [o.item for o in late] + rest
    if not ordered:
        return Section("A", "Open items in brief", [Para("No item is open.")])
    rows = []
    for item in ordered:
        result = data.statuses[item.id]
        rows.append([data.refs[item.id],
                     f"{clean(item.title)}. {_person(item.lead_officer)}.",
                     f"{result.label}. {clean(result.reason)}",
                     commentary_words(data, item, limit=None), doing_now(data, item)])
    return Section("A", "Open items in brief", [
        Para("Every item not yet signed off, those off track first, with the latest commentary "
             "in full and the next action due. The full action plan is the paper's Excel "
             "background paper."),
        Table(caption="Open items in brief",
              columns=[Column("No.", "ref"), Column("Title and lead officer", "text"),
                       Column("State and reason", "status"),
                       Column("Latest commentary", "wide"), Column("Next action due", "text")],
              rows=rows),
    ])


def _overdue_actions(data: _Data) -> Section:
    late = [(item, a) for item, a in data.actions() if data.overdue(a)]
    late.sort(key=lambda pair: (pair[1].due_date, pair[1].id))
    if not late:
        return Section("B", "Overdue actions", [Para("No actions are overdue.")])
    updates = latest_commentary_on_actions(sorted(a.id for _item, a in late))

    def latest(action: _Action) -> str:
        entry = updates.get(action.id)
        if entry is None:
            return "No update recorded."
        return (f"“{cut(clean(entry.text), FOCUS_CUT)}” ({_author(entry)}, "
                f"{long_date(entry.created_at)})")

    rows = [[data.refs[item.id], clean(a.description), _person(a.owner), _due_cell(a),
             f"{(data.today - a.due_date).days:,}", latest(a)] for item, a in late]
    return Section("B", "Overdue actions", [
        Para(f"Actions not complete or cancelled whose due date has passed, as at "
             f"{long_date(data.today)}, the longest overdue first, with the latest update on "
             f"each."),
        Table(caption="Overdue actions",
              columns=[Column("Item", "ref"), Column("Action", "text"),
                       Column("Owner", "person"), Column("Due date", "date"),
                       Column("Days overdue", "count"), Column("Latest update", "wide")],
              rows=rows),
    ])


def _label_of(value: str) -> str:
    """A status an earlier report stored, in words ("red", "complete" and the other values
    of `ShownStatus`)."""
    try:
        return ShownStatus(value).label
    except ValueError:
        return value.capitalize()


@dataclass
class _Changed:
    """What changed for one item since the last paper."""

    state: list[str] = field(default_factory=list)
    moved: int = 0
    completed: int = 0
    added_actions: int = 0
    other: list[str] = field(default_factory=list)


def _changes(data: _Data, previous: PreviousReport | None) -> Section:
    """Appendix C: what changed since the last issued paper, one row per item that changed:
    its change of state with the reason, due dates moved and actions completed (counted),
    and sign-off, completion or addition."""
    if previous is None:
        return Section("C", "Changes since the last report", [Para(
            "This is the first progress report issued to the Committee, so there is no "
            "earlier report to compare with.")])
    items = {item.id: item for item in data.items}
    changed: dict[int, _Changed] = defaultdict(_Changed)
    for update in data.history.recent:
        if not (previous.issued_at < update.created_at <= data.now):
            continue
        if update.item_id not in items:
            continue
        row = changed[update.item_id]
        kind = update.kind
        if kind is HistoryKind.CREATED and update.action_id is None:
            row.other.append(f"Added {long_date(update.created_at)}")
        elif kind is HistoryKind.CREATED:
            row.added_actions += 1
        elif kind is HistoryKind.STATUS_CHANGE and update.action_id is not None:
            if update.new is ActionStatus.COMPLETE:
                row.completed += 1
            elif update.new is ActionStatus.CANCELLED:
                row.other.append("An action cancelled" + (f": {cut(clean(update.text), 120)}"
                                                          if update.text else ""))
        elif kind is HistoryKind.DUE_DATE_CHANGE and update.action_id is not None:
            row.moved += 1
        elif kind is HistoryKind.RAG_OVERRIDE:
            new = value_in_words(update.field, update.new, _NOBODY)
            set_how = (f"Status set by hand to {new}" if update.new is not None
                       else "Status no longer set by hand")
            row.state.append(f"{set_how}: {cut(clean(update.text), 120)}")
        elif kind is HistoryKind.MARKED_COMPLETE:
            row.other.append(f"Marked complete {long_date(update.created_at)}")
        elif kind is HistoryKind.SIGN_OFF:
            row.other.append(f"Signed off {long_date(update.created_at)}")
    moved_states = 0
    for item in data.items:
        before = previous.item_rags.get(str(item.id))
        result = data.statuses[item.id]
        if before is not None and before != result.shown.value:
            moved_states += 1
            changed[item.id].state.insert(0, f"From {_label_of(before)} to {result.label}: "
                                             f"{clean(result.reason)}")
    rows = []
    for item in data.items:
        row = changed.get(item.id)
        if row is None:
            continue
        other = list(row.other)
        if row.added_actions:
            other.append(f"Added: {count_words(row.added_actions, 'action')}")
        rows.append([data.refs[item.id], clean(item.title), " ".join(row.state) or "–",
                     f"{row.moved:,}", f"{row.completed:,}", "; ".join(other) or "–"])
    since = (f"Between the issue of version {previous.version} on "
             f"{long_date(previous.issued_at)} and {long_date(data.today)}")
    if not rows:
        return Section("C", "Changes since the last report", [
            Para(f"{since}, nothing has changed.")])
    moved = sum(r.moved for r in changed.values())
    done = sum(r.completed for r in changed.values())
    summary = (f"{since}, {count_words(moved_states, 'item')} changed state, "
               f"{count_words(done, 'action was', 'actions were')} completed and "
               f"{count_words(moved, 'due date was', 'due dates were')} moved. The table "
               f"gives each item that changed, from the history of every change.")
    return Section("C", "Changes since the last report", [
        Para(summary),
        Table(caption="Changes since the last report",
              columns=[Column("No.", "ref"), Column("Title", "text"),
                       Column("Change of state and why", "wide"),
                       Column("Due dates moved", "count"), Column("Actions completed", "count"),
                       Column("Signed off, added or cancelled", "text")],
              rows=rows),
    ])


# --- the whole report --------------------------------------------------------------------------


def default_title(inspections: list[Inspection]) -> str:
    """The report's title when the committee has not set one."""
    if len(inspections) == 1:
        return f"Progress on the improvement plan: {clean(inspections[0].title)}"
    return "Progress on the improvement plan following inspection"


def _meetings(committee: Committee, today: date) -> tuple[date | None, date | None]:
    upcoming = sorted(m.meeting_date for m in committee.meetings if m.meeting_date >= today)
    meeting = upcoming[0] if upcoming else None
    following = upcoming[1] if len(upcoming) > 1 else None
    return meeting, following


def build_snapshot(
    committee: Committee,
    *,
    today: date,
    now: datetime,
    rules: StatusRules,
    version: int | None = None,
    previous: PreviousReport | None = None,
) -> Snapshot:
    """The committee's progress report as at `now`: every section worded, every figure counted.

    `version` is None for a draft. `previous` is the last issued report, which the appendix
    of changes compares with.
    """
    data = _load(committee, today, now, rules, _since(previous))
    shown = figures(data, previous)
    meeting_date, next_report = _meetings(committee, today)
    contact = None
    if committee.contact_name.strip():
        contact = Contact(
            name=clean(committee.contact_name),
            job_title=clean(committee.contact_job_title),
            telephone=clean(committee.contact_telephone),
            email=clean(committee.contact_email),
        )
    return Snapshot(
        council_name=clean(committee_council_name(committee)),
        committee_id=committee.id,
        committee_name=clean(committee.name),
        title=clean(committee.report_title) or default_title(data.inspections),
        report_of=clean(committee.report_of),
        meeting_date=meeting_date,
        next_report_date=next_report,
        as_at=today,
        generated_at=now.astimezone(UK).replace(microsecond=0),
        version=version,
        sections=[
            _why(data, previous, next_report),
            _background(data),
            _current_position(data, previous, shown),
            _areas(data),
            _addressing(data, previous, meeting_date, next_report),
            _next_steps(data, previous, meeting_date, next_report),
            _conclusion(data, previous, next_report),
        ],
        appendices=[_open_items(data, previous), _overdue_actions(data),
                    _changes(data, previous)]
        + ([_development_appendix(data)] if _development_in_appendix(data) else []),
        contact=contact,
        item_rags={str(item_id): result.shown.value
                   for item_id, result in data.statuses.items()},
        figures=shown,
    )


def committee_council_name(committee: Committee) -> str:
    name = db.session.scalar(select(Council.name).where(Council.id == committee.council_id))
    return name or ""
