"""Build a committee's progress report from the database, once, as plain data.

The words follow the council's own paper (numbered sections and paragraphs, "Action taken:"
lists with months, a recommendation and the contact officer). Everything is read here and
worded here; the renderers in this package only lay the result out, so the HTML page, the
PDF and the Word file always say the same thing.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload, subqueryload

from tracker.accounts.models import Council
from tracker.audit.models import HistoryEntry, HistoryField, HistoryKind
from tracker.audit.words import People, value_in_words
from tracker.committees.models import Committee, committee_inspection
from tracker.extensions import db
from tracker.formatting import UK, long_date
from tracker.inspections.models import CATEGORY_ORDER, Finding, FindingCategory, Inspection
from tracker.items.models import (
    Action,
    ActionStatus,
    DueDateChangeState,
    Item,
    ItemStatus,
    Priority,
)
from tracker.items.queries import item_facts
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
COMMENTARY_CUT = 300
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


@dataclass(frozen=True)
class PreviousReport:
    """What the last issued report of the committee tells this one."""

    version: int
    issued_at: datetime
    item_rags: dict[str, str]


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


@dataclass
class _Data:
    committee: Committee
    inspections: list[Inspection]
    findings: list[Finding]
    items: list[Item]
    refs: dict[int, str]
    statuses: dict[int, StatusResult]
    # The history the report reads (KINDS_THE_REPORT_READS), oldest first: typed values only.
    updates: list[HistoryEntry]
    # Each item's latest commentary (on the item or one of its actions), by item id.
    commentary: dict[int, HistoryEntry]
    today: date
    now: datetime
    rules: StatusRules

    @property
    def multiple(self) -> bool:
        return len(self.inspections) > 1

    def actions(self) -> Iterable[tuple[Item, Action]]:
        for item in self.items:
            for action in item.actions:
                yield item, action

    def overdue(self, action: Action) -> bool:
        return action.is_open and action.due_date < self.today


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


def latest_commentary(item_ids: list[int], *, per_action: bool = False
                      ) -> dict[int, HistoryEntry]:
    """Each item's latest commentary, on the item or any of its actions, with its author:
    one statement however many items (a window over the item's entries picks the latest).
    `per_action`: each action's latest instead, keyed by action id."""
    if not item_ids:
        return {}
    key = HistoryEntry.action_id if per_action else HistoryEntry.item_id
    ranked = (
        select(HistoryEntry.id, func.row_number().over(
            partition_by=key,
            order_by=(HistoryEntry.created_at.desc(), HistoryEntry.id.desc()),
        ).label("n"))
        .where(HistoryEntry.item_id.in_(item_ids),
               key.is_not(None),
               HistoryEntry.kind.in_(KINDS_WITH_COMMENTARY),
               HistoryEntry.text != "")
        .subquery()
    )
    entries = db.session.scalars(
        select(HistoryEntry)
        .where(HistoryEntry.id.in_(select(ranked.c.id).where(ranked.c.n == 1)))
        .options(joinedload(HistoryEntry.author))
    )
    if per_action:
        return {entry.action_id: entry for entry in entries if entry.action_id is not None}
    return {entry.item_id: entry for entry in entries}


def _load(committee: Committee, today: date, now: datetime, rules: StatusRules) -> _Data:
    # A fixed number of statements whatever the size of the plan: the inspections followed
    # and the previous ones their letters name, with their visit days (two); then every
    # finding with its item and lead officer, their actions with owners, and date changes
    # (three).
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
                joinedload(Finding.item).options(
                    joinedload(Item.lead_officer),
                    # One statement each however many there are (selectinload would take
                    # 500 parents at a time), and narrower rows than a join all the way.
                    subqueryload(Item.actions).options(
                        joinedload(Action.owner), subqueryload(Action.due_date_changes)
                    ),
                )
            )
        ).unique()
    )
    findings.sort(key=lambda f: (_category_rank(f), inspection_rank[f.inspection_id],
                                 f.position, f.id))
    items = [f.item for f in findings if f.item is not None and f.category.is_tracked]
    refs = {item.id: f"5.{n}" for n, item in enumerate(items, start=1)}
    facts = item_facts(items)
    statuses = {item.id: work_out_status(facts[item.id], today, rules) for item in items}
    updates = list(
        db.session.scalars(
            select(HistoryEntry)
            .where(HistoryEntry.item_id.in_([item.id for item in items]),
                   HistoryEntry.kind.in_(KINDS_THE_REPORT_READS))
            .order_by(HistoryEntry.created_at, HistoryEntry.id)
        )
    ) if items else []
    commentary = latest_commentary([item.id for item in items])
    return _Data(committee, inspections, findings, items, refs, statuses, updates, commentary,
                 today, now, rules)


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


def _previous_sentence(inspection: Inspection) -> str:
    previous = inspection.previous_inspection
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


def _background(data: _Data) -> Section:
    numbers = _Numbers("2")
    blocks: list[Block] = []
    for inspection in data.inspections:
        inspectorate = clean(inspection.inspectorate) or "The inspectorate"
        sentence = f"{inspectorate} carried out the {in_sentence(inspection.title)}"
        if inspection.visit_dates:
            sentence += f" on {days_text(inspection.visit_dates)}"
        sentence += "."
        if inspection.letter_date:
            author = clean(inspection.inspector)
            if author and inspection.inspector_role:
                author += f", {clean(inspection.inspector_role)}"
            source = f", from {author}," if author else ""
            sentence += (f" The letter confirming the outcome{source} is dated "
                         f"{long_date(inspection.letter_date)}.")
        if inspection.overall_judgement:
            sentence += f" The overall judgement was {clean(inspection.overall_judgement)}."
        previous = _previous_sentence(inspection)
        if previous:
            sentence += f" {previous}"
        if inspection.plan_submitted_on:
            sentence += (f" The action plan was sent to {inspectorate} on "
                         f"{long_date(inspection.plan_submitted_on)}.")
        blocks.append(Para(sentence, numbers.next()))
    categories = {f.category for f in data.findings}
    if categories & {FindingCategory.AREA_FOR_DEVELOPMENT, FindingCategory.PRIORITY_ACTION,
                     FindingCategory.STRENGTH, FindingCategory.MEETS_REQUIREMENTS}:
        blocks.append(Para(
            "These inspections do not grade the service. They identify areas of particular "
            "strength, where the council meets the requirements of statutory guidance, areas "
            "for development and any areas for priority action: serious weaknesses that place "
            "children at risk of inadequate protection from significant harm.",
            numbers.next()))
    if FindingCategory.AREA_FOR_IMPROVEMENT in categories:
        blocks.append(Para(
            "Graded inspections set out areas for improvement, which the council tracks in "
            "the same way.", numbers.next()))
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
    return [f for f in data.findings if f.inspection_id == inspection.id]


def _about(data: _Data, inspection: Inspection) -> str:
    """How a paragraph names its inspection when the Committee follows several."""
    if not data.multiple:
        return "The inspection"
    when = f" ({long_date(inspection.letter_date)})" if inspection.letter_date else ""
    return f"The {in_sentence(inspection.title)}{when}"


def _outcomes(data: _Data, numbers: _Numbers) -> list[Block]:
    blocks: list[Block] = []
    for inspection in data.inspections:
        findings = _findings_of(data, inspection)
        by_category = Counter(f.category for f in findings)
        # Two sentences, what needs action first, so that neither runs over 40 words.
        tracked = [count(by_category[c], *_FOUND_WORDS[c]) for c in
                   (FindingCategory.AREA_FOR_DEVELOPMENT, FindingCategory.PRIORITY_ACTION)
                   if by_category[c] or c is FindingCategory.PRIORITY_ACTION]
        if by_category[FindingCategory.AREA_FOR_IMPROVEMENT]:
            tracked.insert(0, count(by_category[FindingCategory.AREA_FOR_IMPROVEMENT],
                                    *_FOUND_WORDS[FindingCategory.AREA_FOR_IMPROVEMENT]))
        text = f"{_about(data, inspection)} identified {join_words(tracked)}."
        found = [count(by_category[c], *_FOUND_WORDS[c]) for c in
                 (FindingCategory.STRENGTH, FindingCategory.MEETS_REQUIREMENTS)
                 if by_category[c]]
        if found:
            text += f" It also found {join_words(found)}."
        repeats = sum(1 for f in findings if f.category.is_tracked and f.is_repeat)
        if repeats:
            text += (f" {sentence_start(count(repeats, 'of these was', 'of these were'))} also "
                     f"raised at the previous inspection.")
        blocks.append(Para(text, numbers.next()))
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


def _status_chart(counts: Counter[ShownStatus], total: int) -> Chart:
    words = [f"{counts[shown]} {shown.short_label}" for shown in STATUS_ORDER]
    return Chart(
        # "rag": the kind of chart, as issued reports have stored it since the first.
        chart="rag",
        title="Figure 1: items by status",
        alt=f"A bar chart of the {count(total, 'item')} by status: {join_words(words)}.",
        labels=[shown.short_label for shown in STATUS_ORDER],
        series={"items": [counts[shown] for shown in STATUS_ORDER]},
    )


def _counted_statuses(counts: Counter[ShownStatus], order: list[ShownStatus]) -> str:
    """"4 are not planned, 2 Red and 1 complete": the statuses that some items are in."""
    words = [f"{number_words(counts[shown])} {_IN_PROSE[shown]}" for shown in order
             if counts[shown]]
    if not words:
        return "none"
    first = next(shown for shown in order if counts[shown])
    words[0] = f"{number_words(counts[first])} {is_are(counts[first])} {_IN_PROSE[first]}"
    return join_words(words)


def _trend_label(point: Point) -> str:
    return "Today" if point.is_today else f"{point.day:%b %Y}"


def _trend_blocks(points: list[Point]) -> list[Block]:
    first, last = points[0], points[-1]
    since = (f"at the end of each month from {month(first.day)} to {month(points[-2].day)} and "
             f"on {long_date(last.day)}" if len(points) > 1 else f"on {long_date(last.day)}")
    alt = (f"Two stacked bar charts, items and actions, {since}. Items complete went from "
           f"{first.items_complete} to {last.items_complete} and items overdue from "
           f"{first.items_overdue} to {last.items_overdue}; actions complete went from "
           f"{first.actions_complete} to {last.actions_complete} and actions overdue from "
           f"{first.actions_overdue} to {last.actions_overdue}. The table after the chart "
           f"gives every figure.")
    fields = ["items_on_time", "items_overdue", "items_complete",
              "actions_on_time", "actions_overdue", "actions_complete"]
    chart = Chart(
        chart="trend",
        title="Figure 2: items and actions at each month end",
        alt=alt,
        labels=[_trend_label(p) for p in points],
        series={name: [getattr(p, name) for p in points] for name in fields},
    )
    table = Table(
        caption="Figure 2 in figures: items and actions at each month end",
        columns=[Column("Month end", "label"),
                 Column("Items on time", "count"), Column("Items overdue", "count"),
                 Column("Items complete", "count"), Column("Actions on time", "count"),
                 Column("Actions overdue", "count"), Column("Actions complete", "count")],
        rows=[[long_date(p.day) + (" (today)" if p.is_today else "")]
              + [str(getattr(p, name)) for name in fields] for p in points],
    )
    return [chart, table]


def _histories(data: _Data) -> list[ItemHistory]:
    changes: dict[int, list[tuple[datetime, ActionStatus, ActionStatus]]] = defaultdict(list)
    signed_off: dict[int, datetime] = {}
    for update in data.updates:
        if (update.kind is HistoryKind.STATUS_CHANGE and update.action_id is not None
                and update.field is HistoryField.STATUS):
            old, new = update.old, update.new
            if isinstance(old, ActionStatus) and isinstance(new, ActionStatus):
                changes[update.action_id].append((update.created_at, old, new))
        elif update.kind is HistoryKind.SIGN_OFF:
            signed_off[update.item_id] = update.created_at
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
                status_changes=changes.get(action.id, []),
                date_moves=sorted(
                    (c.decided_at, c.from_date, c.to_date)
                    for c in action.due_date_changes
                    if c.state is DueDateChangeState.APPROVED and c.decided_at is not None
                ),
            )
            for action in item.actions
        ]
        histories.append(ItemHistory(item.created_at, item.target_date, completed_at, actions))
    return histories


def _current_position(data: _Data, previous: PreviousReport | None) -> Section:
    numbers = _Numbers("3")
    blocks = _outcomes(data, numbers)
    total = len(data.items)
    counts = Counter(result.shown for result in data.statuses.values())
    if total:
        blocks.append(Para(
            f"The Committee follows {count(total, 'tracked item')}. As at "
            f"{long_date(data.today)}, {_counted_statuses(counts, STATUS_ORDER)}. Figure 1 and the "
            f"table below show them by status and priority.", numbers.next()))
        blocks.append(_status_chart(counts, total))
        by_priority: dict[Priority, Counter[ShownStatus]] = {p: Counter() for p in Priority}
        for item in data.items:
            by_priority[item.priority][data.statuses[item.id].shown] += 1
        rows = [[p.label] + [str(by_priority[p][s]) for s in STATUS_ORDER]
                + [str(sum(by_priority[p].values()))] for p in Priority]
        rows.append(["All items"] + [str(counts[s]) for s in STATUS_ORDER] + [str(total)])
        blocks.append(Table(
            caption="Items by priority and status",
            columns=[Column("Priority", "label")]
            + [Column(s.short_label, "count") for s in STATUS_ORDER] + [Column("Total", "count")],
            rows=rows,
        ))
    else:
        blocks.append(Para("No items are being tracked for the Committee yet.", numbers.next()))
    actions = [action for _item, action in data.actions()]
    if actions:
        complete = sum(1 for a in actions if a.status is ActionStatus.COMPLETE)
        overdue = sum(1 for a in actions if data.overdue(a))
        on_track = sum(1 for a in actions if a.is_open) - overdue
        cancelled = sum(1 for a in actions if a.status is ActionStatus.CANCELLED)
        text = (f"Of the {count(len(actions), 'action')}, {number_words(complete)} "
                f"{is_are(complete)} complete, {number_words(on_track)} {is_are(on_track)} on "
                f"track and {number_words(overdue)} {is_are(overdue)} overdue")
        text += (f"; {number_words(cancelled)} {'was' if cancelled == 1 else 'were'} cancelled."
                 if cancelled else ".")
        blocks.append(Para(text, numbers.next()))
        moved = [a for a in actions if a.date_moved]
        moves = sum(
            1 for a in actions for c in a.due_date_changes
            if c.state is DueDateChangeState.APPROVED
        )
        if moved:
            blocks.append(Para(
                f"{sentence_start(count(len(moved), 'action has', 'actions have'))} had "
                f"{'its' if len(moved) == 1 else 'their'} due date extended "
                f"({count(max(moves, len(moved)), 'time')} in all).", numbers.next()))
        else:
            blocks.append(Para("No action has had its due date extended.", numbers.next()))
    elif total:
        blocks.append(Para("No actions have been planned yet.", numbers.next()))
    if total:
        blocks.append(Para("Each item's status is worked out by a written rule, the same for "
                           "every item; the tracker's page “How status is worked out” sets it "
                           "out.", numbers.next()))
        points = trend(_histories(data), data.today)
        blocks.append(Para("Figure 2 shows how many items and actions were on time, overdue "
                           "and complete at the end of each month, worked out from the "
                           "history of every change. An item counts as overdue when its "
                           "target date has passed or one of its actions is overdue.",
                           numbers.next()))
        blocks.extend(_trend_blocks(points))
    if total:
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


def _author(entry: HistoryEntry) -> str:
    if entry.author is not None:
        return clean(entry.author.display_name)
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
    quoted = f"“{text}” ({_author(entry)}, {long_date(entry.created_at)})"
    if red and is_stale(entry.created_at, data.now, data.rules):
        return f"No update since {long_date(entry.created_at)}. Last update: {quoted}"
    return quoted


def _next_open_action(item: Item) -> Action | None:
    open_actions = [a for a in item.actions if a.is_open]
    return min(open_actions, key=lambda a: (a.due_date, a.id)) if open_actions else None


def doing_now(data: _Data, item: Item) -> str:
    """What is being done now: the open action due first, with its owner."""
    action = _next_open_action(item)
    if action is None:
        return "No open action."
    late = " (overdue)" if data.overdue(action) else ""
    return (f"{clean(action.description)}, due {long_date(action.due_date)}{late}; "
            f"{_person(action.owner)}")


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
    paper said, the most serious first (Red longest overdue, then not planned longest)."""
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
        action = _next_open_action(item)
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
    return found


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
    text = (f"{count_words(len(listed), 'item is', 'items are')} off track: Red, not planned, "
            f"past the target date or worse than the last paper said. The table gives the "
            f"latest commentary on each and what is being done now.")
    if len(listed) > len(shown):
        more = len(listed) - len(shown)
        text += (f" It lists the {len(shown)} most serious; appendix A has the other "
                 f"{count_words(more, 'item')}.")
    blocks.append(Para(sentence_start(text), numbers.next()))
    blocks.append(Table(
        caption="What is off track, and why",
        columns=[Column("No.", "ref"), Column("Title", "text"), Column("Lead officer", "person"),
                 Column("State", "status"), Column("Why: latest commentary", "text"),
                 Column("Being done now", "text")],
        rows=[[data.refs[o.item.id], clean(o.item.title), _person(o.item.lead_officer),
               _state_words(data, o), commentary_words(data, o.item), doing_now(data, o.item)]
              for o in shown],
    ))
    return blocks


def _areas_title(categories: list[FindingCategory]) -> str:
    names = [c.plural_label.lower() for c in categories]
    if not names:
        return "Areas for development"
    title = join_words(names)
    return title[0].upper() + title[1:]


def _areas(data: _Data) -> Section:
    numbers = _Numbers("4")
    present = [c for c in TRACKED_ORDER if any(f.category is c for f in data.findings)]
    blocks: list[Block] = []
    lead_in = {
        FindingCategory.PRIORITY_ACTION: "The following areas for priority action were "
                                         "identified:",
        FindingCategory.AREA_FOR_DEVELOPMENT: "The following areas were identified for "
                                              "development:",
        FindingCategory.AREA_FOR_IMPROVEMENT: "The following areas for improvement were "
                                              "identified:",
    }
    item_refs = {item.finding_id: data.refs[item.id] for item in data.items}
    for category in present:
        bullets = []
        for finding in (f for f in data.findings if f.category is category):
            text = clean(finding.text)
            if data.multiple and finding.inspection.letter_date:
                text += f" (letter of {long_date(finding.inspection.letter_date)})"
            if finding.id in item_refs:
                text += f" See {item_refs[finding.id]}."
            bullets.append(Bullet(text, flag="Repeat finding" if finding.is_repeat else ""))
        blocks.append(Para(lead_in[category], numbers.next()))
        blocks.append(Bullets(bullets))
    if any(f.is_repeat for f in data.findings if f.category.is_tracked):
        blocks.append(Para("Findings marked “Repeat finding” were also raised at the previous "
                           "inspection.", numbers.next()))
    if data.findings and FindingCategory.PRIORITY_ACTION not in present:
        blocks.append(Para("There were no areas for priority action.", numbers.next()))
    if not present:
        blocks.append(Para("No areas for development or priority action have been recorded.",
                           numbers.next()))
    return Section("4", _areas_title(present), blocks)


def _cancel_reasons(data: _Data) -> dict[int, str]:
    reasons = {}
    for update in data.updates:
        if (update.kind is HistoryKind.STATUS_CHANGE and update.action_id is not None
                and update.field is HistoryField.STATUS
                and update.new is ActionStatus.CANCELLED):
            reasons[update.action_id] = clean(update.text)
    return reasons


def _completed_month(action: Action) -> str:
    return month(action.completed_on or action.due_date)


def _due_words(action: Action) -> str:
    text = f"due {long_date(action.due_date)}"
    if action.date_moved:
        text += f" (originally {long_date(action.original_due_date)})"
    return text


def _since(previous: PreviousReport | None) -> datetime | None:
    return previous.issued_at if previous is not None else None


def _completed_since(action: Action, since: datetime | None) -> bool:
    if action.status is not ActionStatus.COMPLETE:
        return False
    if since is None:
        return True
    done = action.completed_on or action.due_date
    # The day of issue counts as after it: better told twice than never.
    return done >= since.astimezone(UK).date()


def _item_blocks(data: _Data, item: Item, previous: PreviousReport | None, end: date,
                 cancel_reasons: dict[int, str]) -> list[Block]:
    """One item in section 5: what was done since the last paper, what is due before the
    next meeting, its state with the reason and its latest commentary; the rest counted."""
    finding = item.finding
    flags = []
    if finding.category is FindingCategory.PRIORITY_ACTION:
        flags.append("Area for priority action")
    if finding.is_repeat:
        flags.append("Repeat finding")
    blocks: list[Block] = [Heading(clean(item.title), data.refs[item.id], flags)]
    details = f"{_person_with_title(item.lead_officer)}. Priority: {item.priority.label.lower()}."
    if item.target_date:
        details += f" Target date: {long_date(item.target_date)}."
    blocks.append(Para(details, label="Lead officer:"))
    since = _since(previous)
    taken = [a for a in item.actions if _completed_since(a, since)]
    taken.sort(key=lambda a: (a.completed_on or a.due_date, a.id))
    if taken:
        blocks.append(Bullets([Bullet(f"{clean(a.description)}, {_completed_month(a)}")
                               for a in taken], label="Action taken:"))
    else:
        none_yet = ("No action has been completed since the last paper." if since
                    else "No action has been completed yet.")
        blocks.append(Para(none_yet, label="Action taken:"))
    planned = [a for a in item.actions if a.is_open and a.due_date <= end]
    planned.sort(key=lambda a: (a.due_date, a.id))
    if planned:
        blocks.append(Bullets(
            [Bullet(f"{clean(a.description)}, {_due_words(a)}",
                    flag="Overdue" if data.overdue(a) else "") for a in planned],
            label="Action planned:"))
    cancelled = [a for a in item.actions if a.status is ActionStatus.CANCELLED
                 and a.id in cancel_reasons and _cancelled_since(data, a, since)]
    if cancelled:
        bullets = []
        for action in cancelled:
            reason = cancel_reasons.get(action.id, "")
            bullets.append(Bullet(clean(action.description) + (f". Reason: {reason}"
                                                               if reason else "")))
        blocks.append(Bullets(bullets, label="Action cancelled:"))
    rest = [a for a in item.actions if a not in taken and a not in planned
            and a not in cancelled]
    if rest:
        still_open = sum(1 for a in rest if a.is_open)
        done = sum(1 for a in rest if a.status is ActionStatus.COMPLETE)
        parts = [f"{number_words(done)} complete" if done else "",
                 f"{number_words(still_open)} due later" if still_open else "",
                 f"{number_words(len(rest) - done - still_open)} cancelled"
                 if len(rest) - done - still_open else ""]
        blocks.append(Para(
            f"{sentence_start(count_words(len(rest), 'other action'))}: "
            f"{join_words([p for p in parts if p])}.", label="Other actions:"))
    result = data.statuses[item.id]
    blocks.append(Para(f"{result.label}. {clean(result.reason)}", label="Status:"))
    blocks.append(Para(commentary_words(data, item), label="Latest commentary:"))
    if item.measure_of_success:
        blocks.append(Para(clean(item.measure_of_success), label="Measure of success:"))
    if item.outcome_evidence:
        blocks.append(Para(clean(item.outcome_evidence), label="Outcome evidence:"))
    return blocks


def _cancelled_since(data: _Data, action: Action, since: datetime | None) -> bool:
    if since is None:
        return True
    return any(u.action_id == action.id and u.kind is HistoryKind.STATUS_CHANGE
               and u.new is ActionStatus.CANCELLED and u.created_at > since
               for u in data.updates)


def _in_focus(data: _Data, previous: PreviousReport | None) -> list[Item]:
    """The items section 5 and section 6 set out: areas for priority action and every item
    off track, in the order of section 5."""
    late = {o.item.id for o in off_track(data, previous)}
    return [item for item in data.items
            if item.finding.category is FindingCategory.PRIORITY_ACTION or item.id in late]


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
    others = len(data.items) - len(focus)
    intro = ("This section sets out each area for priority action and each item off track: "
             "what has been done since the last paper and what is due before the next "
             "meeting.")
    if others:
        intro += (f" The other {count_words(others, 'item')} {is_are(others)} in appendix A "
                  f"in brief.")
    # Unnumbered: in this section 5.1, 5.2 … are the items' own numbers.
    blocks.append(Para(intro))
    for item in focus:
        blocks.extend(_item_blocks(data, item, previous, end, cancel_reasons))
    blocks.extend(_completed_items(data, previous, numbers))
    blocks.extend(members_questions_blocks(data, previous, meeting_date or data.today))
    return Section("5", "How we are addressing them", blocks)


def _horizon(data: _Data, meeting_date: date | None, next_report: date | None) -> tuple[date, str]:
    if next_report is not None:
        return next_report, (f"Before the Committee's meeting on {long_date(next_report)}, "
                             f"when the next progress report is due")
    end = (meeting_date or data.today) + NEXT_STEPS_HORIZON
    return end, f"In the next 12 weeks, up to {long_date(end)}"


def _next_steps(data: _Data, previous: PreviousReport | None, meeting_date: date | None,
                next_report: date | None) -> Section:
    numbers = _Numbers("6")
    end, when = _horizon(data, meeting_date, next_report)
    focus = {item.id for item in _in_focus(data, previous)}
    due = [(item, a) for item, a in data.actions()
           if item.id in focus and a.is_open and data.today <= a.due_date <= end]
    due.sort(key=lambda pair: (pair[1].due_date, data.refs[pair[0].id], pair[1].id))
    blocks: list[Block] = []
    if due:
        blocks.append(Para(f"{when}, {count_words(len(due), 'action falls', 'actions fall')} "
                           f"due for areas for priority action and items off track:",
                           numbers.next()))
        blocks.append(Bullets([
            Bullet(f"{clean(a.description)} ({data.refs[item.id]}), due {long_date(a.due_date)}"
                   f"; owner: {_person(a.owner)}") for item, a in due]))
    else:
        blocks.append(Para(f"{when}, no actions fall due for areas for priority action or "
                           f"items off track.", numbers.next()))
    targets = [item for item in data.items if item.status is not ItemStatus.COMPLETE
               and item.target_date is not None and data.today <= item.target_date <= end]
    if targets:
        blocks.append(Para("These items are due to be completed by then:", numbers.next()))
        blocks.append(Bullets([Bullet(f"{data.refs[i.id]} {clean(i.title)}, target date "
                                      f"{long_date(i.target_date)}") for i in targets]))
    overdue = sum(1 for _item, a in data.actions() if data.overdue(a))
    if overdue:
        blocks.append(Para(f"{sentence_start(count(overdue, 'action is', 'actions are'))} "
                           f"overdue. Appendix B "
                           f"lists them with their owners and how late each is.",
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
            f"{sentence_start(number_words(overdue))} of the {count(actions, 'action')} "
            f"{is_are(overdue)} overdue.", numbers.next()))
    blocks.append(Para(recommendation(data, previous, next_report), numbers.next(),
                       label="Recommendation:"))
    return Section("7", "Conclusion", blocks)


# --- appendices ----------------------------------------------------------------------------------


def _status_words(data: _Data, action: Action) -> str:
    if action.status is ActionStatus.COMPLETE:
        return f"Complete{', ' + long_date(action.completed_on) if action.completed_on else ''}"
    if data.overdue(action):
        return f"Overdue ({action.status.label.lower()})"
    return action.status.label


def _due_cell(action: Action) -> str:
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
        rows.append([data.refs[item.id], clean(item.title), _person(item.lead_officer),
                     f"{result.label}. {clean(result.reason)}",
                     commentary_words(data, item, limit=None), doing_now(data, item)])
    return Section("A", "Open items in brief", [
        Para("Every item not yet signed off, those off track first, with the latest commentary "
             "in full and the next action due. The full action plan is the paper's Excel "
             "background paper."),
        Table(caption="Open items in brief",
              columns=[Column("No.", "ref"), Column("Title", "text"),
                       Column("Lead officer", "person"), Column("State and reason", "text"),
                       Column("Latest commentary", "text"), Column("Next action due", "text")],
              rows=rows),
    ])


def _overdue_actions(data: _Data) -> Section:
    late = [(item, a) for item, a in data.actions() if data.overdue(a)]
    late.sort(key=lambda pair: (pair[1].due_date, pair[1].id))
    if not late:
        return Section("B", "Overdue actions", [Para("No actions are overdue.")])
    updates = latest_commentary(sorted({item.id for item, _a in late}), per_action=True)

    def latest(action: Action) -> str:
        entry = updates.get(action.id)
        if entry is None:
            return "No update recorded."
        return (f"“{cut(clean(entry.text))}” ({_author(entry)}, "
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
                       Column("Days overdue", "count"), Column("Latest update", "text")],
              rows=rows),
    ])


def _label_of(value: str) -> str:
    """A status an earlier report stored, in words ("red", "complete" and the other values
    of `ShownStatus`)."""
    try:
        return ShownStatus(value).label
    except ValueError:
        return value.capitalize()


def _changes(data: _Data, previous: PreviousReport | None) -> Section:
    if previous is None:
        return Section("C", "Changes since the last report", [Para(
            "This is the first progress report issued to the Committee, so there is no "
            "earlier report to compare with.")])
    actions = {a.id: (item, a) for item, a in data.actions()}
    items = {item.id: item for item in data.items}

    def action_name(update: HistoryEntry) -> str:
        item, action = actions[update.action_id]  # type: ignore[index]
        return f"{clean(action.description)} ({data.refs[item.id]})"

    def item_name(update: HistoryEntry) -> str:
        item = items[update.item_id]
        return f"{data.refs[item.id]} {clean(item.title)}"

    groups: dict[str, list[Bullet]] = {
        "New items:": [], "New actions:": [], "Actions completed:": [],
        "Other changes of status:": [], "Due dates moved:": [],
        "Status changes:": [], "Items completed:": [],
    }
    for update in data.updates:
        if not (previous.issued_at < update.created_at <= data.now):
            continue
        if update.item_id not in items or (update.action_id is not None
                                           and update.action_id not in actions):
            continue
        kind = update.kind
        old = value_in_words(update.field, update.old, _NOBODY)
        new = value_in_words(update.field, update.new, _NOBODY)
        if kind is HistoryKind.CREATED and update.action_id is None:
            groups["New items:"].append(Bullet(item_name(update)))
        elif kind is HistoryKind.CREATED:
            groups["New actions:"].append(Bullet(
                f"{action_name(update)}, due {new}" if new else action_name(update)))
        elif kind is HistoryKind.STATUS_CHANGE and update.action_id is not None:
            if update.new is ActionStatus.COMPLETE:
                groups["Actions completed:"].append(Bullet(
                    f"{action_name(update)}, {long_date(update.created_at)}"))
            else:
                text = f"{action_name(update)}: from {old.lower()} to {new.lower()}"
                if update.text:
                    text += f". {clean(update.text)}"
                groups["Other changes of status:"].append(Bullet(text))
        elif kind is HistoryKind.DUE_DATE_CHANGE and update.action_id is not None:
            groups["Due dates moved:"].append(Bullet(
                f"{action_name(update)}: from {old} to {new}. Reason: {clean(update.text)}"))
        elif kind is HistoryKind.RAG_OVERRIDE:
            if update.old is None:
                change = f"status set by hand to {new}"
            elif update.new is None:
                change = f"status no longer set by hand (it was {old})"
            else:
                change = f"status set by hand from {old} to {new}"
            groups["Status changes:"].append(Bullet(
                f"{item_name(update)}: {change}. Reason: {clean(update.text)}"))
        elif kind is HistoryKind.MARKED_COMPLETE:
            groups["Items completed:"].append(Bullet(
                f"{item_name(update)}: marked complete, {long_date(update.created_at)}"))
        elif kind is HistoryKind.SIGN_OFF:
            groups["Items completed:"].append(Bullet(
                f"{item_name(update)}: signed off, {long_date(update.created_at)}"))
    for item in data.items:
        before = previous.item_rags.get(str(item.id))
        now = data.statuses[item.id].shown
        if before is not None and before != now.value:
            groups["Status changes:"].append(Bullet(
                f"{data.refs[item.id]} {clean(item.title)}: from {_label_of(before)} to "
                f"{now.label}"))
    blocks: list[Block] = [Para(
        f"What has changed between the issue of version {previous.version} on "
        f"{long_date(previous.issued_at)} and {long_date(data.today)}, from the history of "
        f"every change.")]
    for label, bullets in groups.items():
        if bullets:
            blocks.append(Bullets(bullets, label=label))
    if len(blocks) == 1:
        blocks.append(Para("Nothing has changed since the last report."))
    return Section("C", "Changes since the last report", blocks)


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
    data = _load(committee, today, now, rules)
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
            _current_position(data, previous),
            _areas(data),
            _addressing(data, previous, meeting_date, next_report),
            _next_steps(data, previous, meeting_date, next_report),
            _conclusion(data, previous, next_report),
        ],
        appendices=[_open_items(data, previous), _overdue_actions(data),
                    _changes(data, previous)],
        contact=contact,
        item_rags={str(item_id): result.shown.value
                   for item_id, result in data.statuses.items()},
    )


def committee_council_name(committee: Committee) -> str:
    name = db.session.scalar(select(Council.name).where(Council.id == committee.council_id))
    return name or ""
