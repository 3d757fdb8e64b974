"""Bench data: a made-up council at any scale, for timing pages and counting queries.

`flask --app tracker bench-data --scale N [--council NAME] [--password P]`

Scale 1 is a large county: 200 tracked items, 2,000 actions, 20,000 history entries, 50 users
(administrators, managers, partners from other agencies, committee members), 3 committees with
8 issued reports in all that split the plan between them, and a board that follows every
inspection (its paper is the whole plan: 200 items at scale 1) with one issued report. Scale
10 is ten times that; scale 0.05 a twentieth (with at least two administrators, two managers,
a partner and a councillor, one committee and one report, and the board).

The spread is meant to look like a real plan, not a grid:
- inspections over six and a half years, each of one of five kinds (the older UCRA letters
  with strengths, "meets the requirements", areas for development and priority actions; the
  graded inspections with areas for improvement), later ones naming the earlier one of their
  kind and repeating some of its findings; a small focused visit followed by its own panel;
- items in every progress state (open, awaiting sign-off, complete) and, by the RAG rule,
  every RAG: the older the inspection, the likelier its items are complete; a few statuses
  set by hand, some items not updated for over a month;
- 2 to about 30 actions an item, due dates spread around today (long and just overdue,
  coming up within the fortnight, months ahead, complete and cancelled ones in the past),
  dates moved once or more (approved, refused, and a few requests waiting);
- owners spread unevenly: in every ten staff, a few own many actions and most own a handful,
  so the busiest person's load is the same at every scale;
- commentary of one sentence to a few paragraphs, mostly by the action's owner.

Nothing goes through the domain services: rows are written with bulk inserts (lists of
dicts, in chunks) with ids given here; the history table only refuses changes to rows, not
inserts. On PostgreSQL the id sequences are moved past the new rows afterwards. Scale 10
takes about a minute on two cores, most of it rendering the issued reports.

Issued reports are real rows with real files. Each version's snapshot is built from the data
as it is now, dated at its issue, and rendered to HTML and Word. Typesetting a PDF of every
report would take most of the build, so ONE PDF is typeset per
build, from the latest report of the committee with the fewest items (the focused visit's
panel, a few pages), and that same file (with its hash) is stored as every report's PDF: a
report's PDF download is a real PDF, but a short one and not of its own committee.

All accounts share one password (printed at the end; `--password` chooses it). No committee
is on a report schedule and no delivery is left to retry, so a scheduler started beside the
bench data sends nothing and prints nothing.
"""

from __future__ import annotations

import bisect
import random
import re
import secrets
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import Table, func, insert, select
from werkzeug.security import generate_password_hash

from tracker import clock
from tracker.accounts.models import Council, Role, User
from tracker.audit.models import HistoryEntry, HistoryField, HistoryKind
from tracker.audit.values import to_json
from tracker.committees.models import (
    Committee,
    CommitteeMeeting,
    ReportCadence,
    committee_inspection,
    committee_member,
)
from tracker.demo import bench_plan as vocab
from tracker.demo.bench_plan import Kind, Sizes, round_half_up, share
from tracker.errors import RuleBroken
from tracker.extensions import db
from tracker.formatting import UK, long_date
from tracker.inspections.models import Finding, FindingCategory, Inspection, InspectionDay
from tracker.items.facts import recompute_item_facts
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
from tracker.items.status import ItemFacts, ShownStatus, StatusRules, work_out_status
from tracker.jobs.models import RunState
from tracker.reminders.models import Delivery, DeliveryKind
from tracker.reports.models import IssuedReport
from tracker.reports.render_docx import render_docx
from tracker.reports.render_html import render_html
from tracker.reports.render_pdf import render_pdf
from tracker.reports.service import sha256
from tracker.reports.snapshot import PreviousReport, build_snapshot
from tracker.settings import settings

DEFAULT_COUNCIL = "Benchshire County Council"
CHUNK = 5000


def _slug(text_: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text_.lower()).strip("-") or "council"


# --- the plan in memory ------------------------------------------------------------------------


@dataclass
class _Ids:
    """The next free id of each table, so rows can point at each other before insertion."""

    next: dict[str, int] = field(default_factory=dict)

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


@dataclass
class _Rows:
    """Everything to insert, table by table, in insertion order."""

    tables: dict[Any, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, target: Any, row: dict[str, Any]) -> None:
        self.tables.setdefault(target, []).append(row)


@dataclass
class _Person:
    id: int
    role: Role
    partner: bool = False


@dataclass
class _Action:
    id: int
    row: dict[str, Any]
    created: datetime
    end: datetime  # no event after this (completion, or the item's last activity)
    open: bool
    updates: int = 0


class _Builder:
    """Makes every row of one council at one scale."""

    def __init__(self, *, scale: float, council_name: str, today: date, now: datetime,
                 password_hash: str, ids: _Ids) -> None:
        self.sizes = Sizes.at(scale)
        # Made-up data, the same for the same council and scale: not for secrets.
        self.rng = random.Random(f"{council_name}|{scale}")  # noqa: S311
        self.today, self.now = today, now
        self.slug = _slug(council_name.replace("County Council", "").replace("Council", ""))
        self.council_name = council_name
        # The council's id, once it is made: items and actions keep it.
        self.council_id = 0
        self.password_hash = password_hash
        self.ids = ids
        self.rows = _Rows()
        self.admins: list[_Person] = []
        self.managers: list[_Person] = []
        self.partners: list[_Person] = []
        self.councillors: list[_Person] = []
        self.actions: list[_Action] = []
        self.item_rows: list[dict[str, Any]] = []
        self.owner_load: Counter[int] = Counter()
        self.inspection_ids: list[int] = []
        self.focused_inspection: int | None = None

    # -- small helpers

    def moment(self, day: date, minutes: int | None = None) -> datetime:
        """A time in office hours on `day`, UK time, as UTC."""
        if minutes is None:
            minutes = self.rng.randrange(9 * 60, 17 * 60 + 30)
        local = datetime.combine(day, clock_time(minutes // 60, minutes % 60), tzinfo=UK)
        return min(local, self.now - timedelta(minutes=5))

    def between(self, start: datetime, end: datetime) -> datetime:
        if end <= start:
            return start
        return start + timedelta(seconds=self.rng.uniform(0, (end - start).total_seconds()))

    def days_ago(self, days: int) -> datetime:
        return self.moment(self.today - timedelta(days=days))

    def weekday(self, day: date) -> date:
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return day

    def update(self, *, item_id: int, at: datetime, kind: HistoryKind, author: int | None,
               action: _Action | None = None, field_: HistoryField | None = None,
               old: Any = None, new: Any = None, words: str = "") -> None:
        self.rows.add(HistoryEntry, {
            "id": self.ids.take("history_entry"), "item_id": item_id,
            "action_id": action.id if action else None, "author_id": author,
            "created_at": at, "kind": kind, "field": field_,
            "old_value": to_json(field_, old), "new_value": to_json(field_, new),
            "text": words, "partner_link_id": None,
        })
        if action is not None:
            action.updates += 1
            action.row["last_updated_at"] = max(action.row["last_updated_at"], at)

    def commentary(self) -> str:
        length = self.rng.choice([1, 1, 1, 2, 2, 3, 4, 6, 12])
        return " ".join(self.rng.choice(vocab.SENTENCES) for _ in range(length))

    # -- people

    def people(self, council_id: int) -> None:
        domain = f"{self.slug}.example"
        plan: list[tuple[Role, str, str, list[_Person]]] = []
        admin_titles, manager_titles = vocab.ADMIN_TITLES, vocab.MANAGER_TITLES
        plan += [(Role.ADMIN, "", admin_titles[n % len(admin_titles)], self.admins)
                 for n in range(self.sizes.admins)]
        plan += [(Role.MANAGER, "", manager_titles[n % len(manager_titles)], self.managers)
                 for n in range(self.sizes.managers)]
        plan += [(Role.MANAGER, *vocab.PARTNERS[n % len(vocab.PARTNERS)], self.partners)
                 for n in range(self.sizes.partners)]
        plan += [(Role.COMMITTEE_MEMBER, "", "Councillor", self.councillors)
                 for n in range(self.sizes.councillors)]
        for n, (role, organisation, job_title, group) in enumerate(plan):
            user_id = self.ids.take("user")
            first = vocab.FIRST_NAMES[n % len(vocab.FIRST_NAMES)]
            last = vocab.LAST_NAMES[(n * 7 + n // len(vocab.FIRST_NAMES)) % len(vocab.LAST_NAMES)]
            where = f"{_slug(organisation)}.{domain}" if organisation else domain
            self.rows.add(User, {
                "id": user_id, "council_id": council_id,
                "name": f"{'Cllr ' if role is Role.COMMITTEE_MEMBER else ''}{first} {last}",
                "email": f"{_slug(first)}.{_slug(last)}.{user_id}@{where}",
                "job_title": job_title, "organisation": organisation,
                "telephone": f"01632 {960000 + user_id % 40000:06d}"[:40],
                "role": role, "active": True, "password_hash": self.password_hash,
                "created_at": self.now - timedelta(days=6 * 365 + 300), "version": 1,
                "reminders_paused_until": None,
            })
            group.append(_Person(user_id, role, partner=bool(organisation)))
        # One in twenty staff is on leave this week: their reminders go to their lead.
        for person in self.managers[3::20]:
            row = next(r for r in self.rows.tables[User] if r["id"] == person.id)
            row["reminders_paused_until"] = self.today + timedelta(days=5)

    @staticmethod
    def uneven(people: list[_Person], rng: random.Random) -> tuple[list[int], list[float]]:
        """In every ten people, a few carry most of the work: the same shape at any scale."""
        pattern = [6.0, 3.0, 2.0, 1.5, 1.0, 1.0, 0.7, 0.5, 0.5, 0.3]
        shuffled = people[:]
        rng.shuffle(shuffled)
        return [p.id for p in shuffled], [pattern[n % 10] for n in range(len(shuffled))]

    # -- inspections and findings

    def inspections(self, council_id: int) -> list[tuple[int, date, Kind, list[int]]]:
        """Inspections oldest first, each with the finding ids of the items it gets."""
        count = self.sizes.inspections
        oldest, newest = int(6.5 * 365), 75
        step = (oldest - newest) / (count - 1)
        focused = count - 2 if count >= 3 and self.sizes.committees >= 2 else None
        kinds = [vocab.FOCUSED if j == focused else vocab.KINDS[j % len(vocab.KINDS)]
                 for j in range(count)]
        # Newer inspections have more items; the focused visit a handful.
        weights = [0.6 + 1.4 * j / (count - 1) for j in range(count)]
        focused_items = min(4, self.sizes.items // 10) if focused is not None else 0
        if focused is not None:
            weights[focused] = 0.0
        others = [j for j in range(count) if j != focused]
        shares = share(self.sizes.items - focused_items, [weights[j] for j in others], 1)
        per_inspection = dict(zip(others, shares, strict=True))
        if focused is not None:
            per_inspection[focused] = focused_items
        made = []
        last_of_kind: dict[str, tuple[int, list[int]]] = {}
        for j in range(count):
            kind = kinds[j]
            letter = self.weekday(self.today - timedelta(days=round_half_up(oldest - j * step)))
            inspection_id = self.ids.take("inspection")
            previous = last_of_kind.get(kind.title)
            self.rows.add(Inspection, {
                "id": inspection_id, "council_id": council_id, "inspectorate": "Ofsted",
                "title": kind.title, "letter_date": letter,
                "inspector": f"{vocab.FIRST_NAMES[j % 40]} {vocab.LAST_NAMES[(j * 3) % 40]}",
                "inspector_role": "Her Majesty's Inspector" if j % 2 else "Lead inspector",
                "recipient": "Director of Children's Services",
                "previous_inspection_id": previous[0] if previous else None,
                "previous_inspection_text": long_date(self._letter_of(previous)) if previous
                else "",
                "overall_judgement": vocab.JUDGEMENTS[j % len(vocab.JUDGEMENTS)]
                if kind.graded else "",
                "source_filename": "", "source_text": "", "source_sha256": None,
                # The newest letter's action plan is still being written: its clock runs.
                "plan_submitted_on": None if j == count - 1 else letter + timedelta(days=90),
                "created_at": self.moment(letter + timedelta(days=3)),
            })
            visit = self.weekday(letter - timedelta(days=28))
            for day in range(self.rng.choice([2, 3, 4])):
                self.rows.add(InspectionDay, {"id": self.ids.take("inspection_day"),
                                              "inspection_id": inspection_id,
                                              "day": visit - timedelta(days=day)})
            tracked = self.findings(inspection_id, kind, per_inspection[j],
                                    previous[1] if previous else [])
            last_of_kind[kind.title] = (inspection_id, tracked)
            self.inspection_ids.append(inspection_id)
            if j == focused:
                self.focused_inspection = inspection_id
            made.append((inspection_id, letter, kind, tracked))
        return made

    def _letter_of(self, previous: tuple[int, list[int]] | None) -> date | None:
        if previous is None:
            return None
        return next(r["letter_date"] for r in self.rows.tables[Inspection]
                    if r["id"] == previous[0])

    def findings(self, inspection_id: int, kind: Kind, tracked: int,
                 earlier: list[int]) -> list[int]:
        position = 0

        def add(category: FindingCategory, words: str, group: str = "",
                repeat_of: int | None = None) -> int:
            nonlocal position
            finding_id = self.ids.take("finding")
            self.rows.add(Finding, {
                "id": finding_id, "inspection_id": inspection_id, "category": category,
                "text": words, "position": position, "group": group,
                "repeat_of_id": repeat_of,
                "repeat_evidence": ("This was an area for development at the last "
                                    "inspection.") if repeat_of else "",
            })
            position += 1
            return finding_id

        if not kind.graded:
            for words in self.rng.sample(vocab.STRENGTHS, 3):
                add(FindingCategory.STRENGTH, words)
            for words in self.rng.sample(vocab.MEETS, 2):
                add(FindingCategory.MEETS_REQUIREMENTS, words)
        priority = max(1, tracked // 8) if tracked >= 3 else 0
        ids = []
        for n in range(tracked):
            category = FindingCategory.PRIORITY_ACTION if n < priority else kind.tracked
            repeat_of = (self.rng.choice(earlier)
                         if earlier and self.rng.random() < 0.2 else None)
            words = (f"{self.rng.choice(vocab.SUBJECTS)} {self.rng.choice(vocab.PROBLEMS)}. "
                     f"{self.rng.choice(vocab.SUBJECTS)} {self.rng.choice(vocab.PROBLEMS)}.")
            group = ("Immediately" if n == 0 else "Within three months") if n < priority else ""
            ids.append(add(category, words, group, repeat_of))
        return ids

    # -- items, actions and their history

    def states(self, count: int) -> list[str]:
        """Each item's intended state, oldest inspection's items first: complete most often
        there, green most often in the newest."""
        names = ["complete", "awaiting", "red", "amber", "green"]
        quotas = share(count, [0.25, 0.05, 0.18, 0.20, 0.32], 1 if count >= 5 else 0)
        return [name for name, quota in zip(names, quotas, strict=True) for _ in range(quota)]

    def items(self, inspections: list[tuple[int, date, Kind, list[int]]]) -> None:
        staff = self.managers + self.partners
        owner_ids, owner_weights = self.uneven(staff, self.rng)
        # Administrators own the odd action too.
        owner_ids += [p.id for p in self.admins]
        owner_weights += [0.3] * len(self.admins)
        lead_ids, lead_weights = self.uneven(self.managers + self.admins, self.rng)
        findings = [(inspection_id, letter, finding_id)
                    for inspection_id, letter, _kind, tracked in inspections
                    for finding_id in tracked]
        # Noise in the order, so states are likely, not certain, by age.
        order = sorted(range(len(findings)),
                       key=lambda n: n + self.rng.uniform(-0.3, 0.3) * len(findings))
        states = self.states(len(findings))
        planned = {n: states[rank] for rank, n in enumerate(order)}
        per_item = share(self.sizes.actions, [self.rng.lognormvariate(0, 0.6)
                                               for _ in findings], 2)
        # A few statuses set by hand (Red to Amber, Amber to Red), never the last of a RAG.
        per_state = Counter(planned.values())
        candidates = [n for n in range(len(findings))
                      if planned[n] in ("red", "amber") and per_state[planned[n]] >= 2]
        overrides = set(self.rng.sample(candidates,
                                        k=min(len(candidates), max(1, len(findings) // 25))))
        for n, (_inspection, letter, finding_id) in enumerate(findings):
            lead = self.rng.choices(lead_ids, lead_weights)[0] if self.rng.random() > 0.02 \
                else None
            self.item(n, finding_id, letter, planned[n], lead, per_item[n],
                      owner_ids, owner_weights, override=n in overrides)
        self.fill_commentary()

    def item(self, n: int, finding_id: int, letter: date, state: str, lead: int | None,
             action_count: int, owner_ids: list[int], owner_weights: list[float], *,
             override: bool) -> None:
        rng = self.rng
        item_id = self.ids.take("item")
        creator = rng.choice(self.admins).id
        created = self.moment(letter + timedelta(days=rng.randint(10, 40)))
        created = min(created, self.now - timedelta(days=20))
        created_day = created.astimezone(UK).date()
        planner = lead or creator
        age = (self.now - created).days
        # The item's last activity: nothing is recorded after it.
        marked = signed = None
        if state == "complete":
            marked = self.between(created + timedelta(days=min(60, age // 2)),
                                  self.now - timedelta(days=3))
            signed = self.between(marked + timedelta(hours=2),
                                  min(self.now - timedelta(hours=1), marked + timedelta(days=20)))
            last = signed
        elif state == "awaiting":
            marked = self.between(max(created + timedelta(days=age // 2),
                                      self.now - timedelta(days=20)),
                                  self.now - timedelta(hours=2))
            last = marked
        elif rng.random() < 0.15 and age > 45:
            last = self.days_ago(rng.randint(31, min(180, age - 10)))  # not updated lately
        else:
            last = self.days_ago(rng.randint(0, min(20, max(0, age - 1))))
        last = max(last, created + timedelta(hours=1))
        closed = state in ("complete", "awaiting")
        subject = rng.choice(vocab.SUBJECTS)
        target: date | None
        if closed:
            target = created_day + timedelta(days=rng.randint(120, 400))
            if state == "awaiting":
                target = max(target, self.today + timedelta(days=rng.randint(5, 120)))
        elif state == "red" and rng.random() < 0.3 and age > 60:
            target = self.today - timedelta(days=rng.randint(1, min(200, age - 30)))
        else:
            target = self.today + timedelta(days=rng.randint(30, 500)) \
                if rng.random() > 0.1 else None
        row = {
            "id": item_id, "finding_id": finding_id, "council_id": self.council_id,
            "title": f"{subject}: {rng.choice(vocab.THEMES).lower()}"[:200],
            "lead_officer_id": lead, "theme": rng.choice(vocab.THEMES),
            "priority": rng.choices(list(Priority), [3, 5, 2])[0],
            "target_date": target,
            "measure_of_success": f"{rng.randint(7, 9)} in 10 audited files judged good or "
                                  f"better for {subject.lower()} by the target date.",
            "outcome_evidence": "", "status": ItemStatus.OPEN, "rag_override": None,
            "rag_override_reason": "", "marked_complete_by_id": None,
            "signed_off_by_id": None, "signed_off_at": None, "created_by_id": creator,
            "created_at": created, "last_updated_at": created, "version": 1,
        }
        self.item_rows.append(row)
        self.rows.add(Item, row)
        self.update(item_id=item_id, at=created, kind=HistoryKind.CREATED, author=creator,
                    words=row["title"])
        if rng.random() < 0.2 and target is not None:
            moved_from = target - timedelta(days=rng.randint(30, 120))
            if moved_from >= letter:
                self.update(item_id=item_id, at=self.between(created, last),
                            kind=HistoryKind.EDITED, author=planner,
                            field_=HistoryField.TARGET_DATE, old=moved_from, new=target)

        # Which actions are still open, and where their due dates fall for the planned RAG.
        open_count = 0 if closed else max(1, round_half_up(action_count * rng.uniform(0.3, 0.9)))
        statuses: list[ActionStatus] = []
        for k in range(action_count):
            if k < action_count - open_count:
                statuses.append(ActionStatus.CANCELLED if rng.random() < 0.12
                                else ActionStatus.COMPLETE)
            else:
                statuses.append(ActionStatus.IN_PROGRESS if rng.random() < 0.6
                                else ActionStatus.NOT_STARTED)
        earliest_due = created_day + timedelta(days=7)
        open_dues = self.open_due_dates(state, statuses[action_count - open_count:],
                                        earliest_due)
        for k, status in enumerate(statuses):
            owner = rng.choices(owner_ids, owner_weights)[0]
            plan_time = created + timedelta(hours=rng.randint(1, 72)) if k < 3 or \
                rng.random() < 0.5 else self.between(created, last)
            horizon = marked if marked is not None else last
            action_created = max(created, min(plan_time, horizon - timedelta(days=1)))
            if status.is_open:
                due = open_dues[k - (action_count - open_count)]
                end = last
                done = None
            else:
                done = min(self.between(action_created + timedelta(days=3), horizon), horizon)
                due = max(earliest_due, done.astimezone(UK).date()
                          + timedelta(days=rng.randint(-20, 30)))
                end = done
            self.action(item_id, planner, owner, lead, status, action_created, due, done,
                        end, subject, k)
            self.owner_load[owner] += 1
        if not closed:
            # The item's last activity is a commentary on one of its open actions.
            latest = [a for a in self.actions[-action_count:] if a.open][-1]
            self.update(item_id=item_id, at=last, kind=HistoryKind.COMMENTARY,
                        author=latest.row["owner_id"], action=latest, words=self.commentary())
        if override:
            rag = Rag.AMBER if state == "red" else Rag.RED
            row["rag_override"] = rag
            row["rag_override_reason"] = ("Partner data shows the work is further on than the "
                                          "dates suggest." if rag is Rag.AMBER else
                                          "Staffing gaps put the whole plan at risk.")
            self.update(item_id=item_id, at=last, kind=HistoryKind.RAG_OVERRIDE, author=planner,
                        field_=HistoryField.RAG, old=None, new=rag,
                        words=row["rag_override_reason"])
        if marked is not None:
            evidence = (f"Re-audit of {rng.randint(15, 40)} files shows the standard is met "
                        f"in {rng.randint(85, 100)} per cent.")
            row.update(outcome_evidence=evidence, status=ItemStatus.AWAITING_SIGN_OFF,
                       marked_complete_by_id=planner)
            self.update(item_id=item_id, at=marked, kind=HistoryKind.MARKED_COMPLETE,
                        author=planner, field_=HistoryField.ITEM_STATUS, old=ItemStatus.OPEN,
                        new=ItemStatus.AWAITING_SIGN_OFF, words=evidence)
        if signed is not None:
            signer = next(p.id for p in self.admins if p.id != planner)
            row.update(status=ItemStatus.COMPLETE, signed_off_by_id=signer,
                       signed_off_at=signed)
            self.update(item_id=item_id, at=signed, kind=HistoryKind.SIGN_OFF, author=signer,
                        field_=HistoryField.ITEM_STATUS, old=ItemStatus.AWAITING_SIGN_OFF,
                        new=ItemStatus.COMPLETE, words="Evidence checked.")

    def open_due_dates(self, state: str, statuses: list[ActionStatus],
                       earliest: date) -> list[date]:
        """Due dates for an open item's open actions that give it the planned RAG."""
        rng, today = self.rng, self.today

        def on_track(status: ActionStatus) -> date:
            soonest = 1 if status is ActionStatus.IN_PROGRESS else 15
            return today + timedelta(days=rng.randint(soonest, 300))

        dues = [on_track(status) for status in statuses]
        first = 0
        if state == "red":
            dues[first] = today - timedelta(days=rng.randint(15, 300))
            for k in range(1, len(dues)):
                if rng.random() < 0.3:
                    dues[k] = today - timedelta(days=rng.randint(1, 200))
        elif state == "amber":
            not_started = [k for k, s in enumerate(statuses) if s is ActionStatus.NOT_STARTED]
            if not_started and rng.random() < 0.4:
                dues[not_started[0]] = today + timedelta(days=rng.randint(0, 14))
            else:
                dues[first] = today - timedelta(days=rng.randint(1, 14))
        return [max(due, earliest) for due in dues]

    def action(self, item_id: int, planner: int, owner: int, lead: int | None,
               status: ActionStatus, created: datetime, due: date, done: datetime | None,
               end: datetime, subject: str, number: int) -> None:
        rng = self.rng
        action_id = self.ids.take("action")
        row = {
            "id": action_id, "item_id": item_id, "council_id": self.council_id,
            "description": f"{rng.choice(vocab.ACTION_VERBS)} {subject.lower()} "
                           f"({rng.choice(vocab.THEMES).lower()}, step {number + 1})",
            "owner_id": owner, "due_date": due, "original_due_date": due, "status": status,
            "completed_on": done.astimezone(UK).date() if done and status is
            ActionStatus.COMPLETE else None,
            "evidence_link": "", "created_by_id": planner, "created_at": created,
            "last_updated_at": created, "version": 1,
        }
        self.rows.add(Action, row)
        action = _Action(action_id, row, created, end, status.is_open)
        self.actions.append(action)
        self.update(item_id=item_id, at=created, kind=HistoryKind.CREATED, author=planner,
                    action=action, words=row["description"], field_=HistoryField.DUE_DATE,
                    new=due)
        decider = lead or planner
        # Moves of the due date: approved ones went before today's date.
        if rng.random() < 0.15:
            moves = rng.choice([1, 1, 1, 2, 3])
            dates = [due]
            for _ in range(moves):
                dates.insert(0, dates[0] - timedelta(days=rng.randint(7, 60)))
            earliest = created.astimezone(UK).date()
            if dates[0] >= earliest:
                row["original_due_date"] = dates[0]
                times = sorted(self.between(created, end) for _ in range(moves))
                for (old, new), at in zip(zip(dates, dates[1:], strict=False), times, strict=True):
                    direct = owner == decider or rng.random() < 0.5
                    decided = at if direct else min(at + timedelta(days=rng.randint(0, 5)), end)
                    reason = rng.choice(["Waiting for partner data.", "Staff absence.",
                                         "The audit tool needed changing first.",
                                         "Agreed at the performance meeting."])
                    self.change(action, old, new, reason, owner if not direct else decider,
                                at, DueDateChangeState.APPROVED, decider, decided)
        if rng.random() < 0.03 and owner != decider:
            self.change(action, due, due + timedelta(days=rng.randint(30, 90)),
                        "More time needed to complete the audit.", owner,
                        self.between(created, end), DueDateChangeState.REFUSED, decider,
                        end, note="The committee expects this by the date agreed.")
        if status.is_open and owner != decider and rng.random() < 0.04 and \
                owner not in {p.id for p in self.admins}:
            self.change(action, due, due + timedelta(days=rng.randint(14, 60)),
                        "The partner agency cannot supply the data in time.", owner,
                        self.between(created, end), DueDateChangeState.PENDING, None, None)
        if status is not ActionStatus.NOT_STARTED:
            started = self.between(created, done or end)
            self.update(item_id=item_id, at=started, kind=HistoryKind.STATUS_CHANGE,
                        author=owner, action=action, field_=HistoryField.STATUS,
                        old=ActionStatus.NOT_STARTED, new=ActionStatus.IN_PROGRESS,
                        words=self.commentary() if rng.random() < 0.5 else "")
        if done is not None:
            words = rng.choice(vocab.CANCEL_REASONS) if status is ActionStatus.CANCELLED \
                else self.commentary()
            self.update(item_id=item_id, at=done, kind=HistoryKind.STATUS_CHANGE, author=owner,
                        action=action, field_=HistoryField.STATUS, old=ActionStatus.IN_PROGRESS,
                        new=status, words=words)
            if status is ActionStatus.COMPLETE and rng.random() < 0.5:
                link = f"https://intranet.{self.slug}.example/evidence/{action_id}"
                row["evidence_link"] = link
                self.update(item_id=item_id, at=done, kind=HistoryKind.EVIDENCE, author=owner,
                            action=action, field_=HistoryField.EVIDENCE_LINK, old="", new=link)

    def change(self, action: _Action, old: date, new: date, reason: str, by: int,
               at: datetime, state: DueDateChangeState, decider: int | None,
               decided: datetime | None, note: str = "") -> None:
        item_id = action.row["item_id"]
        self.rows.add(DueDateChange, {
            "id": self.ids.take("due_date_change"), "action_id": action.id, "from_date": old,
            "to_date": new, "reason": reason, "requested_by_id": by, "requested_at": at,
            "state": state, "decided_by_id": decider, "decided_at": decided,
            "decision_note": note,
        })
        if by != decider:
            self.update(item_id=item_id, at=at, kind=HistoryKind.DUE_DATE_REQUESTED, author=by,
                        action=action, field_=HistoryField.DUE_DATE, old=old, new=new,
                        words=reason)
        if state is DueDateChangeState.APPROVED:
            assert decided is not None
            self.update(item_id=item_id, at=decided, kind=HistoryKind.DUE_DATE_CHANGE,
                        author=decider, action=action, field_=HistoryField.DUE_DATE, old=old,
                        new=new, words=reason)
        elif state is DueDateChangeState.REFUSED:
            assert decided is not None
            self.update(item_id=item_id, at=decided, kind=HistoryKind.DUE_DATE_REFUSED,
                        author=decider, action=action, field_=HistoryField.DUE_DATE, old=old,
                        new=new, words=note)

    def fill_commentary(self) -> None:
        """Commentary until the history reaches its size: busier on open actions."""
        spare = self.sizes.updates - len(self.rows.tables.get(HistoryEntry, []))
        if spare <= 0 or not self.actions:
            return
        weights = [(2.0 if a.open else 1.0) * self.rng.lognormvariate(0, 0.8)
                   for a in self.actions]
        cumulative = list(_accumulate(weights))
        total = cumulative[-1]
        for _ in range(spare):
            action = self.actions[bisect.bisect(cumulative, self.rng.random() * total)
                                  if total else 0]
            author = action.row["owner_id"] if self.rng.random() < 0.85 \
                else action.row["created_by_id"]
            self.update(item_id=action.row["item_id"], at=self.between(action.created,
                                                                       action.end),
                        kind=HistoryKind.COMMENTARY, author=author, action=action,
                        words=self.commentary())

    def finish_items(self) -> None:
        """Each item's last update time: the latest entry in its history."""
        latest: dict[int, datetime] = {}
        for row in self.rows.tables[HistoryEntry]:
            at = row["created_at"]
            if at > latest.get(row["item_id"], at - timedelta(seconds=1)):
                latest[row["item_id"]] = at
        for row in self.item_rows:
            row["last_updated_at"] = latest[row["id"]]

    # -- committees, deliveries

    def committees(self, council_id: int,
                   inspections: list[tuple[int, date, Kind, list[int]]]) -> list[int]:
        count = self.sizes.committees
        panel = count >= 2 and self.focused_inspection is not None
        names = []
        main = count - 1 if panel else count
        for c in range(main):
            base = vocab.COMMITTEE_NAMES[c % len(vocab.COMMITTEE_NAMES)]
            names.append(base if c < len(vocab.COMMITTEE_NAMES) else f"{base} ({c // 2 + 1})")
        if panel:
            names.append(vocab.PANEL_NAME)
        # The board follows every inspection: its paper is the whole plan (200 items at
        # scale 1), the size the paper's speed and page targets are set for.
        names.append(vocab.WHOLE_PLAN_NAME)
        followed: list[list[int]] = [[] for _ in range(count)]
        others = [i for i, *_ in inspections if i != self.focused_inspection]
        for n, inspection_id in enumerate(others):
            followed[n % main].append(inspection_id)
        if panel:
            followed[-1].append(self.focused_inspection)  # type: ignore[arg-type]
        followed.append([i for i, *_ in inspections])
        contact = (self.admins + self.managers)[0]
        contact_row = next(r for r in self.rows.tables[User] if r["id"] == contact.id)
        ids = []
        for c, name in enumerate(names):
            committee_id = self.ids.take("committee")
            ids.append(committee_id)
            self.rows.add(Committee, {
                "id": committee_id, "council_id": council_id, "name": name,
                "report_of": "Report of the Executive Director of Children's Services",
                "report_title": "", "contact_name": contact_row["name"],
                "contact_job_title": contact_row["job_title"],
                "contact_telephone": contact_row["telephone"],
                "contact_email": contact_row["email"], "report_cadence": ReportCadence.NONE,
                "report_rule_months": "", "report_rule_day": "", "report_days_before": None,
                "report_time": "09:00", "report_owner_id": None, "auto_issue": False,
                "created_at": self.now - timedelta(days=6 * 365), "version": 1,
            })
            members = (self.councillors[c::count] if c < count else self.councillors[::2]) \
                or [self.councillors[c % len(self.councillors)]]
            for member in members:
                self.rows.add(committee_member, {"committee_id": committee_id,
                                                 "user_id": member.id})
            for inspection_id in followed[c]:
                self.rows.add(committee_inspection, {"committee_id": committee_id,
                                                     "inspection_id": inspection_id})
            thursday = self.today - timedelta(days=(self.today.weekday() - 3) % 7)
            first = thursday - timedelta(weeks=8 * 2) + timedelta(weeks=c % 4)
            for meeting in range(5):
                self.rows.add(CommitteeMeeting, {
                    "id": self.ids.take("committee_meeting"), "committee_id": committee_id,
                    "meeting_date": first + timedelta(weeks=8 * meeting)})
        return ids

    def deliveries(self) -> None:
        """The delivery log of the last month: daily reminders, a few given up."""
        owners = sorted(self.owner_load)
        pairs = set()
        while len(pairs) < min(self.sizes.deliveries, len(owners) * 30):
            pairs.add((self.rng.choice(owners), self.rng.randint(1, 30)))
        emails = {r["id"]: r["email"] for r in self.rows.tables[User]}
        for owner, days in sorted(pairs):
            day = self.today - timedelta(days=days)
            failed = self.rng.random() < 0.03
            sent_at = self.moment(day, 7 * 60 + 5)
            self.rows.add(Delivery, {
                "id": self.ids.take("delivery"), "recipient_id": owner,
                "kind": DeliveryKind.DIGEST, "day": day, "topic": "",
                "state": RunState.FAILED if failed else RunState.DONE,
                "to_address": emails[owner], "subject": "Your actions: overdue and coming up",
                "message": "Subject: Your actions: overdue and coming up\n\n(bench data)",
                "attempts": 5 if failed else 1,
                "last_error": "Mailbox unavailable" if failed else "",
                "lease_until": None, "created_at": sent_at,
                "sent_at": None if failed else sent_at,
            })


def _accumulate(values: Iterable[float]) -> Iterable[float]:
    total = 0.0
    for value in values:
        total += value
        yield total


# --- writing -----------------------------------------------------------------------------------

# Tables in the order rows must go in, with the ids this module gives out.
ID_TABLES = {"user": User, "inspection": Inspection, "inspection_day": InspectionDay,
             "finding": Finding, "item": Item, "action": Action,
             "due_date_change": DueDateChange, "history_entry": HistoryEntry,
             "committee": Committee,
             "committee_meeting": CommitteeMeeting, "delivery": Delivery,
             "issued_report": IssuedReport}


# Parents before children: foreign keys are checked row by row.
INSERT_ORDER: list[Any] = [User, Inspection, InspectionDay, Finding, Item, Action,
                           DueDateChange, HistoryEntry, Committee, committee_member,
                           committee_inspection, CommitteeMeeting, Delivery]


def _next_ids() -> _Ids:
    ids = _Ids()
    for name, model in ID_TABLES.items():
        ids.next[name] = (db.session.scalar(select(func.max(model.id))) or 0) + 1
    return ids


def _insert(target: Any, rows: list[dict[str, Any]]) -> None:
    statement = insert(target) if isinstance(target, Table) else insert(target.__table__)
    for start in range(0, len(rows), CHUNK):
        db.session.execute(statement, rows[start:start + CHUNK])


def _move_sequences_on() -> None:
    """PostgreSQL hands out ids from sequences, which rows inserted with ids do not move."""
    if db.engine.dialect.name != "postgresql":
        return
    for name in ID_TABLES:
        table = db.metadata.tables[name]
        # Names go as bound values: the table's name quoted for pg_get_serial_sequence.
        sequence = func.pg_get_serial_sequence(f'"{name}"', "id")
        db.session.execute(select(func.setval(
            sequence, select(func.max(table.c.id)).scalar_subquery())))


# --- issued reports ----------------------------------------------------------------------------


def _issue_reports(builder: _Builder, committee_ids: list[int], rules: StatusRules,
                   ids: _Ids) -> int:
    """Every committee's issued versions, newest about a week before its last meeting; one
    PDF printed for the build (see the module's docstring)."""
    committees = {c.id: c for c in db.session.scalars(
        select(Committee).where(Committee.id.in_(committee_ids)))}
    # The sizes' reports among the committees that split the plan; one version of the whole
    # plan's board besides (the last committee), so its next paper has one to compare with.
    versions = share(builder.sizes.reports, [1.0] * (len(committee_ids) - 1)) + [1]
    issuer = builder.admins[0].id
    made: list[tuple[dict[str, Any], Any]] = []
    for committee_id, count in zip(committee_ids, versions, strict=True):
        committee = committees[committee_id]
        previous: PreviousReport | None = None
        for version in range(1, count + 1):
            issued_at = builder.moment(
                builder.weekday(builder.today - timedelta(days=27 + 56 * (count - version))),
                10 * 60)
            snapshot = build_snapshot(committee, today=issued_at.astimezone(UK).date(),
                                      now=issued_at, rules=rules, version=version,
                                      previous=previous)
            html, docx = render_html(snapshot), render_docx(snapshot)
            row = {
                "id": ids.take("issued_report"), "committee_id": committee_id,
                "version": version, "title": snapshot.title,
                "meeting_date": snapshot.meeting_date, "issued_at": issued_at,
                "issued_by_id": issuer, "snapshot_json": snapshot.to_json(), "html": html,
                "html_sha256": sha256(html), "docx": docx, "docx_sha256": sha256(docx),
            }
            made.append((row, snapshot))
            previous = PreviousReport(version, issued_at, snapshot.item_rags, snapshot.figures)
    # The one PDF: the latest report of the committee with the fewest items.
    smallest = min((len(snapshot.item_rags), -row["version"], n)
                   for n, (row, snapshot) in enumerate(made))[2]
    pdf = render_pdf(made[smallest][1])
    digest = sha256(pdf)
    rows = [{**row, "pdf": pdf, "pdf_sha256": digest} for row, _ in made]
    _insert(IssuedReport, rows)
    return len(rows)


# --- the whole build ---------------------------------------------------------------------------


@dataclass
class BenchSummary:
    """What a build made, for the command to print and tests to check."""

    council_id: int
    council_name: str
    scale: float
    seconds: float
    password: str
    counts: dict[str, int]
    statuses: Counter[ShownStatus]
    progress: Counter[ItemStatus]
    action_states: Counter[ActionStatus]
    admin_email: str
    busiest_manager_email: str
    councillor_email: str

    def lines(self) -> list[str]:
        c = self.counts

        def n(key: str, word: str, words: str | None = None) -> str:
            return f"{c[key]:,} {word if c[key] == 1 else (words or word + 's')}"

        return [
            f"Bench data for {self.council_name} at scale {self.scale:g} built in "
            f"{self.seconds:.1f} s:",
            f"  {n('users', 'user')} ({n('admins', 'administrator')}, "
            f"{n('managers', 'manager')}, {n('partners', 'partner')}, "
            f"{n('councillors', 'committee member')})",
            f"  {n('inspections', 'inspection')}, {n('findings', 'finding')}, "
            f"{n('items', 'tracked item')}",
            "    status: " + ", ".join(f"{self.statuses[s]:,} {s.label}" for s in ShownStatus),
            "    progress: " + ", ".join(f"{self.progress[s]:,} {s.label.lower()}"
                                         for s in ItemStatus),
            f"  {n('actions', 'action')} ("
            + ", ".join(f"{self.action_states[s]:,} {s.label.lower()}" for s in ActionStatus)
            + f"), {c['overdue']:,} overdue, {n('due_date_changes', 'due-date change')}",
            f"  {n('updates', 'history entry', 'history entries')}",
            f"  {n('committees', 'committee')}, {n('issued_reports', 'issued report')}, "
            f"{n('deliveries', 'email')} in the delivery log",
            f"Every account's password: {self.password}",
            f"  administrator: {self.admin_email}",
            f"  manager with the most actions: {self.busiest_manager_email}",
            f"  committee member: {self.councillor_email}",
        ]


def build_bench_data(scale: float, *, council_name: str | None, today: date, now: datetime,
                     rules: StatusRules, password: str | None = None) -> BenchSummary:
    """Add a made-up council of the given scale; the caller commits.

    Refuses (RuleBroken) a database that already holds data unless `council_name` names a
    council it does not hold yet.
    """
    started = time.perf_counter()
    sizes = Sizes.at(scale)
    councils = db.session.scalar(select(func.count(Council.id))) or 0
    if council_name is None:
        if councils:
            raise RuleBroken(
                f"The database already holds data ({councils} council"
                f"{'s' if councils != 1 else ''}). Bench data goes into an empty database, "
                f"or beside the data as a new council: add --council \"A NEW NAME\".")
        council_name = DEFAULT_COUNCIL
    council_name = council_name.strip()
    if not council_name or len(council_name) > 200:
        raise RuleBroken("Give the council a name of 1 to 200 characters", field="council")
    if db.session.scalar(select(Council.id).where(Council.name == council_name)):
        raise RuleBroken(f"The database already has a council called {council_name}: "
                         f"choose a new name with --council.", field="council")
    password = password or secrets.token_urlsafe(12)
    council = Council(name=council_name, created_at=now - timedelta(days=7 * 365))
    db.session.add(council)
    db.session.flush()
    ids = _next_ids()
    builder = _Builder(scale=scale, council_name=council_name, today=today, now=now,
                       password_hash=generate_password_hash(password), ids=ids)
    builder.council_id = council.id
    builder.people(council.id)
    inspections = builder.inspections(council.id)
    builder.items(inspections)
    builder.finish_items()
    committee_ids = builder.committees(council.id, inspections)
    builder.deliveries()
    for target in INSERT_ORDER:
        _insert(target, builder.rows.tables.get(target, []))
    # The actions went in without the ORM: their items' facts are counted as a flush would.
    recompute_item_facts(db.session, [row["id"] for row in builder.item_rows])
    _move_sequences_on()
    db.session.flush()
    reports = _issue_reports(builder, committee_ids, rules, ids)
    _move_sequences_on()

    statuses, progress = _item_states(builder.item_rows, today, rules)
    actions = builder.rows.tables[Action]
    tables = builder.rows.tables
    busiest = max((p for p in builder.managers + builder.partners),
                  key=lambda p: (builder.owner_load[p.id], -p.id))
    emails = {r["id"]: r["email"] for r in tables[User]}
    return BenchSummary(
        council_id=council.id, council_name=council_name, scale=scale,
        seconds=time.perf_counter() - started, password=password,
        counts={
            "users": sizes.users, "admins": sizes.admins,
            "managers": sizes.managers, "partners": sizes.partners,
            "councillors": sizes.councillors, "inspections": len(tables[Inspection]),
            "findings": len(tables[Finding]), "items": len(builder.item_rows),
            "actions": len(actions),
            "overdue": sum(1 for a in actions if a["status"].is_open and a["due_date"] < today),
            "due_date_changes": len(tables.get(DueDateChange, [])),
            "updates": len(tables[HistoryEntry]), "committees": len(committee_ids),
            "issued_reports": reports, "deliveries": len(tables.get(Delivery, [])),
        },
        statuses=statuses, progress=progress,
        action_states=Counter(a["status"] for a in actions),
        admin_email=emails[builder.admins[0].id],
        busiest_manager_email=emails[busiest.id],
        councillor_email=emails[builder.councillors[0].id],
    )


def _item_states(item_rows: list[dict[str, Any]], today: date,
                 rules: StatusRules) -> tuple[Counter[ShownStatus], Counter[ItemStatus]]:
    """Each item's status by the rule, from the rows just written."""
    open_due: dict[int, date] = {}
    not_started_due: dict[int, date] = {}
    counts: dict[int, Counter[ActionStatus]] = {row["id"]: Counter() for row in item_rows}
    for row in db.session.execute(select(Action.item_id, Action.status, Action.due_date).where(
            Action.item_id.in_([r["id"] for r in item_rows]))):
        counts[row.item_id][row.status] += 1
        if row.status.is_open:
            open_due[row.item_id] = min(open_due.get(row.item_id, row.due_date), row.due_date)
        if row.status is ActionStatus.NOT_STARTED:
            not_started_due[row.item_id] = min(not_started_due.get(row.item_id, row.due_date),
                                               row.due_date)
    statuses: Counter[ShownStatus] = Counter()
    for row in item_rows:
        of_item = counts[row["id"]]
        facts = ItemFacts(status=row["status"], target_date=row["target_date"],
                          has_lead_officer=row["lead_officer_id"] is not None,
                          open_actions=of_item[ActionStatus.NOT_STARTED]
                          + of_item[ActionStatus.IN_PROGRESS],
                          complete_actions=of_item[ActionStatus.COMPLETE],
                          cancelled_actions=of_item[ActionStatus.CANCELLED],
                          rag_override=row["rag_override"],
                          rag_override_reason=row["rag_override_reason"],
                          earliest_open_due=open_due.get(row["id"]),
                          earliest_not_started_due=not_started_due.get(row["id"]))
        statuses[work_out_status(facts, today, rules).shown] += 1
    return statuses, Counter(row["status"] for row in item_rows)


@click.command("bench-data")
@click.option("--scale", type=float, required=True,
              help="1 is a large county (200 items, 2,000 actions); 10 is ten times that.")
@click.option("--council", "council_name", default=None,
              help=f"Name of a new council to add (default: {DEFAULT_COUNCIL}, into an empty "
                   f"database only).")
@click.option("--password", default=None,
              help="The password of every bench account (default: a new random one, printed).")
@with_appcontext
def bench_data_command(scale: float, council_name: str | None, password: str | None) -> None:
    """Add a made-up council at a scale, for timing pages (see tracker/demo/bench.py)."""
    try:
        summary = build_bench_data(
            scale, council_name=council_name, today=clock.today(), now=clock.now(),
            rules=settings().status_rules, password=password)
    except RuleBroken as error:
        db.session.rollback()
        raise click.ClickException(f"Bench data not built: {error.message}") from error
    started = time.perf_counter()
    db.session.commit()
    summary.seconds += time.perf_counter() - started
    for line in summary.lines():
        click.echo(line)

