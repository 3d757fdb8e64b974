"""How long an inspection is kept, the notice before it goes, and its removal.

The rule: an inspection is kept for its council's retention period (7 years unless an
administrator changes it), or the period set for that inspection, counted from the day its
plan closed: the day the last of its tracked items was signed off, once every one is
complete (an inspection with no tracked items: its letter's date, else its import). An
inspection whose plan is still open is kept.

30 days before the day it is due to go, every active administrator of the council is
emailed, once, through the delivery log (kind "retention notice", keyed by the removal day
and the inspection). The scheduler's `retention` job removes the inspection on its removal
day, or 30 days after the first notice was sent if that is later: never without 30 days'
notice.

The removal (`remove_inspection`) takes every row under the inspection, found through the
foreign keys of the models' tables (`tables_under_inspection`): a table whose rows refer to a
removed row is removed too, so a new table of an inspection's, an item's or an action's rows
is covered without a change here. The history's guard is passed in the one documented way:
the items are released (`HistoryRelease`) in the same transaction, their history deleted,
and the release deleted again. What went is recorded in an `ErasureRecord`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    case,
    delete,
    false,
    func,
    insert,
    or_,
    select,
    update,
)

from tracker.accounts.models import Council, Role, User
from tracker.data_protection.models import (
    NOTICE_DAYS,
    ErasureKind,
    ErasureRecord,
    HistoryRelease,
    RetentionBasis,
)
from tracker.errors import RuleBroken
from tracker.evidence.models import EvidencePack
from tracker.extensions import db
from tracker.formatting import UK, long_date
from tracker.inspections.models import Finding, Inspection
from tracker.items.models import Item, ItemStatus
from tracker.jobs.models import RunState
from tracker.mail import build_message
from tracker.reminders.models import Delivery, DeliveryKind
from tracker.reports.models import IssuedReport, ReportRun
from tracker.settings import settings

MOST_YEARS = 100

# Tables whose rows are never removed with an inspection, whatever they refer to. A reference
# from one of them to a removed row is emptied (one that cannot be empty stops the removal).
KEPT_TABLES = frozenset({
    "council", "user", "committee", "committee_meeting", "committee_member", "issued_report",
    "report_run", "delivery", "erasure_record", "history_release", "sign_in_event",
    "access_token", "job_lock", "apscheduler_jobs", "word_template", "import_draft",
})


class RemovalBlocked(Exception):
    """A kept row refers to a row the removal would take, and cannot do without it."""


# --- the rule ----------------------------------------------------------------------------------


def years_later(day: date, years: int) -> date:
    """The same day `years` later (29 February becomes 28 February in other years)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Retention:
    """How long one inspection is kept, and why."""

    inspection_id: int
    council_id: int
    title: str
    letter_date: date | None
    # None while the plan is open: kept.
    plan_closed_on: date | None
    years: int
    basis: RetentionBasis

    @property
    def removal_on(self) -> date | None:
        """The day its period ends; None while the plan is open."""
        if self.plan_closed_on is None:
            return None
        return years_later(self.plan_closed_on, self.years)

    @property
    def notice_from(self) -> date | None:
        """The first day administrators are told it is to go."""
        removal = self.removal_on
        return removal - timedelta(days=NOTICE_DAYS) if removal is not None else None


def _local_day(moment: datetime) -> date:
    return moment.astimezone(UK).date()


def retentions(council_id: int | None = None,
               inspection_id: int | None = None) -> list[Retention]:
    """Every inspection's retention (of one council, or one inspection), oldest letter
    first: worked out in one statement."""
    tracked = func.count(Item.id)
    still_open = func.sum(case((Item.status != ItemStatus.COMPLETE, 1), else_=0))
    query = (
        select(Inspection.id, Inspection.council_id, Inspection.title, Inspection.letter_date,
               Inspection.created_at, Inspection.retention_years, Council.retention_years,
               tracked, still_open, func.max(Item.signed_off_at))
        .join(Council, Council.id == Inspection.council_id)
        .outerjoin(Finding, Finding.inspection_id == Inspection.id)
        .outerjoin(Item, Item.finding_id == Finding.id)
        .group_by(Inspection.id, Inspection.council_id, Inspection.title,
                  Inspection.letter_date, Inspection.created_at, Inspection.retention_years,
                  Council.retention_years)
        .order_by(Inspection.letter_date.asc().nulls_first(), Inspection.id)
    )
    if council_id is not None:
        query = query.where(Inspection.council_id == council_id)
    if inspection_id is not None:
        query = query.where(Inspection.id == inspection_id)
    found = []
    for (inspection, council, title, letter_date, created_at, own_years, council_years,
         items, open_items, last_sign_off) in db.session.execute(query):
        if not items:
            closed: date | None = letter_date or _local_day(created_at)
        elif open_items or last_sign_off is None:
            closed = None
        else:
            closed = _local_day(last_sign_off)
        found.append(Retention(
            inspection_id=inspection, council_id=council, title=title, letter_date=letter_date,
            plan_closed_on=closed, years=own_years or council_years,
            basis=RetentionBasis.INSPECTION if own_years else RetentionBasis.COUNCIL))
    return found


def retention_of(inspection: Inspection) -> Retention:
    """How long this inspection is kept, and why."""
    return retentions(inspection_id=inspection.id)[0]


def _check_years(years: int | None, field: str) -> None:
    if years is not None and not 1 <= years <= MOST_YEARS:
        raise RuleBroken(f"Enter a number of years from 1 to {MOST_YEARS}", field=field)


def set_council_retention(council: Council, *, years: int) -> None:
    """Set the years the council's inspections are kept after their plans close."""
    _check_years(years, "years")
    council.retention_years = years
    db.session.flush()


def set_inspection_retention(inspection: Inspection, *, years: int | None) -> None:
    """Set the years this inspection is kept after its plan closes; None: the council's."""
    _check_years(years, "years")
    inspection.retention_years = years
    db.session.flush()


# --- the notice --------------------------------------------------------------------------------


def _topic(inspection_id: int) -> str:
    return f"inspection-{inspection_id}"


def notice_sent_at(retention: Retention) -> datetime | None:
    """When the first notice of this removal day was sent; None before."""
    return db.session.scalar(
        select(func.min(Delivery.sent_at)).where(
            Delivery.kind == DeliveryKind.RETENTION_NOTICE,
            Delivery.topic == _topic(retention.inspection_id),
            Delivery.day == retention.removal_on, Delivery.state == RunState.DONE))


def removable_on(retention: Retention, sent_at: datetime | None) -> date | None:
    """The day the inspection may go: its removal day, or 30 days after the first notice if
    that is later; None while its plan is open or no notice has been sent."""
    removal = retention.removal_on
    if removal is None or sent_at is None:
        return None
    return max(removal, _local_day(sent_at) + timedelta(days=NOTICE_DAYS))


def _admins(council_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.council_id == council_id, User.role == Role.ADMIN,
                           User.active.is_(True), User.email != "")
        .order_by(User.id)))


def _counts_under(inspection_id: int) -> dict[str, int]:
    tree = _inspection_tree(inspection_id)
    return {table.name: db.session.scalar(
        select(func.count()).select_from(table).where(tree.rows_of(table))) or 0
        for table in tree.tables}


def _notice(retention: Retention, admin: User, *, today: date, now: datetime) -> Any:
    removal = retention.removal_on
    assert removal is not None
    goes_on = max(removal, today + timedelta(days=NOTICE_DAYS))
    public_url = settings().public_url
    context = {
        "admin": admin, "retention": retention, "goes_on": goes_on,
        "counts": _counts_under(retention.inspection_id),
        "link": f"{public_url}/inspections/{retention.inspection_id}/retention",
        "council_name": admin.council.name,
    }
    env = current_app.jinja_env
    subject = f"An inspection will be removed on {long_date(goes_on)}: {retention.title}"
    return build_message(
        sender=settings().mail.sender, to=admin.email, subject=subject[:200],
        text=env.get_template("emails/retention_notice.txt").render(context),
        html=env.get_template("emails/retention_notice.html").render(context), now=now)


def queue_retention_notices(*, today: date, now: datetime) -> int:
    """Write the notice of each inspection whose removal day is within 30 days into the
    delivery log, for every active administrator of its council, once (the log's key is the
    administrator, the removal day and the inspection); how many were written. Flushes."""
    from tracker.reminders.service import queue_email

    written = 0
    for retention in retentions():
        notice_from = retention.notice_from
        if notice_from is None or notice_from > today:
            continue
        for admin in _admins(retention.council_id):
            already = db.session.scalar(select(Delivery.id).where(
                Delivery.recipient_id == admin.id,
                Delivery.kind == DeliveryKind.RETENTION_NOTICE,
                Delivery.day == retention.removal_on,
                Delivery.topic == _topic(retention.inspection_id)))
            if already is not None:
                continue
            message = _notice(retention, admin, today=today, now=now)
            if queue_email(message, recipient_id=admin.id, kind=DeliveryKind.RETENTION_NOTICE,
                           day=retention.removal_on, topic=_topic(retention.inspection_id),
                           now=now) is not None:
                written += 1
    return written


# --- the removal -------------------------------------------------------------------------------


@functools.cache
def _tables_under(root: str) -> tuple[Table, ...]:
    """`root` and every table (but the kept ones) with a foreign key to one of them, children
    before parents."""
    under = {root}
    grew = True
    while grew:
        grew = False
        for table in db.metadata.sorted_tables:
            if table.name in under or table.name in KEPT_TABLES:
                continue
            if any(key.column.table.name in under for key in table.foreign_keys):
                under.add(table.name)
                grew = True
    return tuple(table for table in reversed(db.metadata.sorted_tables) if table.name in under)


def tables_under_inspection() -> list[Table]:
    """The tables whose rows an inspection's removal takes, children before parents: every
    table (but the kept ones) with a foreign key to one of them, starting from `inspection`."""
    return list(_tables_under("inspection"))


@dataclass(frozen=True)
class _Tree:
    """The rows of `root` that `condition` picks, and every row under them."""

    root: Table
    condition: ColumnElement[bool]

    @property
    def tables(self) -> tuple[Table, ...]:
        return _tables_under(self.root.name)

    def rows_of(self, table: Table) -> ColumnElement[bool]:
        """The rows of `table` in the tree, as a condition on `table`."""
        if table.name == self.root.name:
            return self.condition
        under = {t.name: t for t in self.tables}
        conditions = []
        for key in table.foreign_keys:
            parent = key.column.table
            if parent.name in under and parent.name != table.name:
                conditions.append(key.parent.in_(
                    select(key.column).where(self.rows_of(under[parent.name]))))
        return or_(false(), *conditions)

    def let_go(self) -> None:
        """Empty every reference to a row of the tree from a row that stays: a later
        inspection's link to this one as its previous, a later finding's to the one it
        repeats. A reference that cannot be empty stops the removal."""
        names = {table.name for table in self.tables}
        for table in db.metadata.sorted_tables:
            staying = ~self.rows_of(table) if table.name in names else None
            for key in table.foreign_keys:
                parent = key.column.table
                if parent.name not in names:
                    continue
                if table.name in names and parent.name != table.name:
                    continue  # removed with it
                refers = key.parent.in_(select(key.column).where(self.rows_of(parent)))
                where = and_(refers, staying) if staying is not None else refers
                if not key.parent.nullable:
                    if db.session.scalar(select(func.count()).select_from(table).where(where)):
                        raise RemovalBlocked(f"{table.name}.{key.parent.name} refers to a row "
                                             f"of {parent.name} the removal would take")
                    continue
                db.session.execute(update(table).where(where).values({key.parent.name: None}))

    def remove(self, removed: dict[str, int]) -> None:
        """Delete the tree's rows, children first, adding their counts to `removed`."""
        self.let_go()
        for table in self.tables:
            result = db.session.execute(delete(table).where(self.rows_of(table)))
            removed[table.name] = removed.get(table.name, 0) + (result.rowcount or 0)


def _inspection_tree(inspection_id: int) -> _Tree:
    table = Inspection.__table__
    return _Tree(table, table.c.id == inspection_id)


def _papers_of_only(inspection_id: int) -> list[int]:
    """The committees that follow this inspection and no other: their papers go with it."""
    from tracker.committees.models import committee_inspection as link

    others = select(link.c.committee_id).where(link.c.inspection_id != inspection_id)
    return list(db.session.scalars(
        select(link.c.committee_id).where(link.c.inspection_id == inspection_id,
                                          link.c.committee_id.not_in(others))))


def remove_inspection(inspection: Inspection, *, now: datetime, rule: Retention,
                      notice_sent: datetime | None, actor: User | None = None) -> ErasureRecord:
    """Remove the inspection and every row under it (`tables_under_inspection`), with the
    papers and draft runs of committees that follow it alone and the council-wide evidence
    packs made since it was imported; record what went, when and by which rule. The one path
    past the history's guard: its items are released for the length of this transaction.
    Flushes; the caller commits."""
    inspection_id = inspection.id
    tree = _inspection_tree(inspection_id)
    record = ErasureRecord(
        council_id=inspection.council_id, kind=ErasureKind.INSPECTION_REMOVED, at=now,
        by_id=actor.id if actor is not None else None, subject_id=inspection_id,
        subject_title=inspection.title, letter_date=inspection.letter_date,
        plan_closed_on=rule.plan_closed_on, retention_years=rule.years, basis=rule.basis,
        notice_sent_at=notice_sent, removed={})
    db.session.add(record)
    db.session.flush()
    committees = _papers_of_only(inspection_id)
    imported_on = _local_day(inspection.created_at)
    council_id = inspection.council_id
    item_table = Item.__table__
    db.session.execute(insert(HistoryRelease.__table__).from_select(
        ["item_id", "erasure_record_id"],
        select(item_table.c.id, record.id).where(tree.rows_of(item_table))))
    removed: dict[str, int] = {}
    tree.remove(removed)
    packs, runs, papers = (EvidencePack.__table__, ReportRun.__table__,
                           IssuedReport.__table__)
    for extra in (
        # Every council-wide pack made as of a day since the import holds its items.
        _Tree(packs, and_(packs.c.council_id == council_id, packs.c.inspection_id.is_(None),
                          packs.c.as_of >= imported_on)),
        # The papers of committees that followed it alone, drafts first.
        _Tree(runs, runs.c.committee_id.in_(committees)),
        _Tree(papers, papers.c.committee_id.in_(committees)),
    ):
        extra.remove(removed)
    db.session.execute(delete(HistoryRelease).where(
        HistoryRelease.erasure_record_id == record.id))
    record.removed = {name: count for name, count in removed.items() if count}
    db.session.flush()
    # The session's copies of removed rows are gone from the database.
    db.session.expire_all()
    return record


@dataclass
class RetentionRun:
    notices: int = 0
    removed: int = 0

    def __str__(self) -> str:
        return f"{self.notices} notices written, {self.removed} inspections removed"


def apply_retention(*, today: date, now: datetime) -> RetentionRun:
    """What the scheduler's `retention` job does each day: write the notices now due, then
    remove every inspection whose time has come (30 days' notice at least). Flushes."""
    run = RetentionRun(notices=queue_retention_notices(today=today, now=now))
    for retention in retentions():
        sent = notice_sent_at(retention) if retention.removal_on is not None else None
        goes_on = removable_on(retention, sent)
        if goes_on is None or goes_on > today:
            continue
        inspection = db.session.get(Inspection, retention.inspection_id)
        if inspection is None:
            continue
        remove_inspection(inspection, now=now, rule=retention, notice_sent=sent)
        run.removed += 1
    return run


def erasure_records(council_id: int, limit: int = 100) -> list[ErasureRecord]:
    """The council's record of removals and anonymisations, newest first."""
    return list(db.session.scalars(
        select(ErasureRecord).where(ErasureRecord.council_id == council_id)
        .order_by(ErasureRecord.at.desc(), ErasureRecord.id.desc()).limit(limit)))


# Rows of each table, in words for the record (a table not named here is named by itself).
_TABLE_WORDS = {
    "inspection": ("inspection", "inspections"),
    "inspection_day": ("visit day", "visit days"),
    "committee_inspection": ("committee's link to it", "committees' links to it"),
    "finding": ("finding", "findings"),
    "item": ("tracked item", "tracked items"),
    "action": ("action", "actions"),
    "due_date_change": ("due date change", "due date changes"),
    "cancellation_request": ("cancellation request", "cancellation requests"),
    "partner_link": ("partner link", "partner links"),
    "history_entry": ("history entry", "history entries"),
    "member_question": ("member's question", "members' questions"),
    "evidence_pack": ("evidence pack", "evidence packs"),
    "plan_import": ("plan import", "plan imports"),
    "issued_report": ("issued paper", "issued papers"),
    "report_run": ("report run", "report runs"),
}


def removed_in_words(removed: dict[str, int]) -> str:
    """'1 inspection, 2 findings, 14 history entries', in the order of `_TABLE_WORDS`."""
    order = list(_TABLE_WORDS)
    names = sorted(removed, key=lambda name: (order.index(name) if name in order
                                              else len(order), name))
    parts = []
    for name in names:
        one, many = _TABLE_WORDS.get(name, (f"row of {name}", f"rows of {name}"))
        count = removed[name]
        parts.append(f"{count} {one if count == 1 else many}")
    return ", ".join(parts)
