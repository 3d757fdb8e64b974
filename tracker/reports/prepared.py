"""The draft report page of a large committee, prepared by the scheduler instead of in the
request.

A committee that follows more tracked items than DRAFT_PAGE_LIVE_ITEMS (500 by default) has a
paper that takes seconds of work and hundreds of megabytes to work out (2,000 items: 1.7 s).
No web request does that. Its draft page shows the newest *prepared* draft: the paper's page
body rendered by the scheduler's report queue (a `ReportRun` of kind PAGE, `produce_page`)
and kept on the run with the moment it was worked out and the *data stamp* it was worked out
from; the page sends the stored bytes as they are (render_html.with_prepared_body).

The data stamp is one short statement of index look-ups that moves whenever anything the
paper shows may have changed:
- the UK day (statuses, overdue and "due soon" move with the date);
- the status rules (the RAG_* settings and STALE_AFTER_DAYS) and the tracker's version;
- the newest history entry: every change to an item or action, its commentary, evidence,
  due date and cancellation requests, sign-off and partners' updates writes one
  (tracker.items.service, tracker.partners, tracker.plan_import, tracker.evidence.files);
- the newest history entry and the newest "last updated" of an item to have passed the
  "not updated" line (STALE_AFTER_DAYS): the line is crossed by time alone, within the day;
- the committee's own row (its version: report title, contact officer, schedule), its
  meetings, the inspections it follows and their plan dates, findings added, its issued
  versions (the paper compares with the last one), members' questions and answers, and
  people's names (each user's version).

The page compares the newest prepared draft's stamp with the stamp now. When they differ (or
there is none yet) it queues a preparation, unless one is waiting or under way already: at
most one waits per committee (a partial unique index), so eight people opening the page at
once queue one. A preparation that failed is not asked for again until the data changes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib.metadata import PackageNotFoundError, version

from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import load_only

from tracker.accounts.models import User
from tracker.audit.models import HistoryEntry
from tracker.committees.models import Committee, CommitteeMeeting, committee_inspection
from tracker.extensions import db
from tracker.inspections.models import Finding, Inspection
from tracker.items.models import Item
from tracker.items.service import local_day
from tracker.items.status import StatusRules
from tracker.jobs.models import RunState
from tracker.questions.models import MemberQuestion
from tracker.reports.models import IssuedReport, ReportRun, RunKind
from tracker.reports.render_html import body_of, render_html
from tracker.reports.service import draft_snapshot

try:
    _TRACKER_VERSION = version("tracker")
except PackageNotFoundError:  # pragma: no cover - run from a checkout that is not installed
    _TRACKER_VERSION = "unknown"


_ITEMS = (
    select(func.count(Item.id))
    .join(Finding, Item.finding_id == Finding.id)
    .join(committee_inspection, committee_inspection.c.inspection_id == Finding.inspection_id)
    .where(committee_inspection.c.committee_id == bindparam("committee_id"))
)


def committee_items(committee: Committee) -> int:
    """How many tracked items the committee's paper covers (those of the inspections it
    follows)."""
    return db.session.scalar(_ITEMS, {"committee_id": committee.id}) or 0


def large_committee_draft(committee: Committee, *, live_items: int, actor: User,
                          now: datetime, rules: StatusRules) -> PreparedDraft | None:
    """For a committee following more than `live_items` items, its prepared draft
    (`prepared_draft`, which may queue a preparation); None for a smaller committee, whose
    draft page is worked out from live data. Flushes."""
    items = committee_items(committee)
    if items <= live_items:
        return None
    return prepared_draft(committee, items=items, actor=actor, now=now, rules=rules)


def files_are_prepared(committee: Committee, *, live_items: int) -> bool:
    """Whether the committee's draft files (Word, HTML) come from a draft run rather than
    from the request: it follows more than `live_items` items."""
    return committee_items(committee) > live_items


def _stamp_statement() -> Select:
    """The data stamp's one statement, with the committee, its council and the "not updated"
    line as bound parameters: built once, as building it costs more than running it."""
    committee_id, council_id = bindparam("committee_id"), bindparam("council_id")
    stale_line = bindparam("stale_line", type_=HistoryEntry.created_at.type)
    of_committee = committee_inspection.c.committee_id == committee_id
    followed = select(committee_inspection.c.inspection_id).where(of_committee)
    meetings = select(CommitteeMeeting.id).where(CommitteeMeeting.committee_id == committee_id)
    questions = MemberQuestion.meeting_id.in_(meetings)
    looks = [
        select(func.max(HistoryEntry.id)),
        select(func.max(HistoryEntry.created_at)).where(HistoryEntry.created_at <= stale_line),
        select(func.max(Item.last_updated_at)).where(Item.last_updated_at <= stale_line),
        select(Committee.version).where(Committee.id == committee_id),
        select(func.count(CommitteeMeeting.id)).where(CommitteeMeeting.id.in_(meetings)),
        select(func.sum(CommitteeMeeting.id)).where(CommitteeMeeting.id.in_(meetings)),
        select(func.count()).select_from(committee_inspection).where(of_committee),
        select(func.sum(committee_inspection.c.inspection_id)).where(of_committee),
        select(func.count(Inspection.plan_submitted_on)).where(Inspection.id.in_(followed)),
        select(func.max(Finding.id)),
        select(func.max(IssuedReport.id)).where(IssuedReport.committee_id == committee_id),
        select(func.count(MemberQuestion.id)).where(questions),
        select(func.sum(MemberQuestion.version)).where(questions),
        select(func.sum(User.version)).where(User.council_id == council_id),
    ]
    return select(*(look.scalar_subquery() for look in looks))


_STAMP = _stamp_statement()


def data_stamp(committee: Committee, *, now: datetime, rules: StatusRules) -> str:
    """What the committee's draft was worked out from, as a SHA-256 that moves whenever
    anything the paper shows may have changed (the module's docstring lists what). One
    statement of index look-ups and small sums."""
    parts = db.session.execute(_STAMP, {
        "committee_id": committee.id, "council_id": committee.council_id,
        "stale_line": now - timedelta(days=rules.stale_after_days)}).one()
    words = "|".join(str(part) for part in (
        local_day(now).isoformat(), rules, _TRACKER_VERSION, *parts))
    return hashlib.sha256(words.encode()).hexdigest()


@dataclass(frozen=True)
class PreparedDraft:
    """What a large committee's draft page shows: the newest prepared draft (if any), the
    preparation waiting or under way (if any), and whether the prepared one is up to date."""

    items: int
    shown: ReportRun | None
    preparing: ReportRun | None
    failed: ReportRun | None
    up_to_date: bool
    # The prepared draft's page body as the scheduler rendered it (UTF-8), or None.
    body: bytes | None = None


def _page_runs(committee: Committee) -> list[ReportRun]:
    """The committee's latest page runs, newest first, without their HTML."""
    return list(db.session.scalars(
        select(ReportRun)
        .where(ReportRun.committee_id == committee.id, ReportRun.kind == RunKind.PAGE)
        .options(load_only(ReportRun.id, ReportRun.committee_id, ReportRun.kind,
                           ReportRun.state, ReportRun.requested_at, ReportRun.started_at,
                           ReportRun.finished_at, ReportRun.data_stamp, ReportRun.last_error,
                           ReportRun.requested_by_id, ReportRun.attempts,
                           ReportRun.lease_until))
        .order_by(ReportRun.id.desc()).limit(5)
    ))


def _stored_body(run_id: int) -> bytes | None:
    """A page run's stored body (megabytes for a large committee). On PostgreSQL it is asked
    for in binary: psycopg otherwise receives a bytea as hex text, twice its size, and eight
    requests at once would each hold both."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        return db.session.scalar(select(ReportRun.html).where(ReportRun.id == run_id))
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor(binary=True) as cursor:
        cursor.execute("SELECT html FROM report_run WHERE id = %s", (run_id,))
        row = cursor.fetchone()
    return None if row is None or row[0] is None else bytes(row[0])


def prepared_draft(committee: Committee, *, items: int, actor: User, now: datetime,
                   rules: StatusRules) -> PreparedDraft:
    """The newest prepared draft of the committee and whether it is up to date; queues a
    preparation when it is out of date (or there is none) and none is waiting or under way.
    A preparation that failed on the same data is not queued again. Flushes."""
    stamp = data_stamp(committee, now=now, rules=rules)
    runs = _page_runs(committee)
    shown = next((run for run in runs if run.state is RunState.DONE and run.finished_at
                  and run.data_stamp is not None), None)
    # Read once: a newer preparation finishing meanwhile clears this one's HTML.
    html = _stored_body(shown.id) if shown is not None else None
    if html is None:
        shown = None
    preparing = next((run for run in runs if not run.state.finished), None)
    newest = runs[0] if runs else None
    failed = newest if newest is not None and newest.state is RunState.FAILED else None
    up_to_date = shown is not None and shown.data_stamp == stamp
    if not up_to_date and preparing is None and not (failed and failed.data_stamp == stamp):
        preparing = queue_preparation(committee, actor=actor, now=now, stamp=stamp)
        failed = None
    return PreparedDraft(items, shown, preparing, failed, up_to_date, html)


def queue_preparation(committee: Committee, *, actor: User | None, now: datetime,
                      stamp: str) -> ReportRun:
    """Queue a preparation of the committee's draft page, or give the one already waiting
    (two requests at once: the database lets one in). Flushes."""
    run = ReportRun(committee_id=committee.id, kind=RunKind.PAGE, state=RunState.QUEUED,
                    requested_by_id=actor.id if actor else None, requested_at=now,
                    data_stamp=stamp)
    try:
        with db.session.begin_nested():
            db.session.add(run)
    except IntegrityError:
        waiting = db.session.scalars(
            select(ReportRun).where(ReportRun.committee_id == committee.id,
                                    ReportRun.kind == RunKind.PAGE,
                                    ReportRun.state == RunState.QUEUED)).first()
        if waiting is None:  # it was claimed in between: it is under way
            waiting = db.session.scalars(
                select(ReportRun).where(ReportRun.committee_id == committee.id,
                                        ReportRun.kind == RunKind.PAGE)
                .order_by(ReportRun.id.desc()).limit(1)).one()
        return waiting
    return run


def produce_page(run: ReportRun, *, rules: StatusRules, now: datetime) -> None:
    """The scheduler's side: work the draft out, render its page and keep it on the run with
    the data stamp read *before* the data (a change committed in between leaves the stamp
    behind, so the page asks again rather than missing it). Clears the HTML of the
    committee's older page runs: only the newest is kept (their rows stay). Flushes."""
    committee = run.committee
    stamp = data_stamp(committee, now=now, rules=rules)
    snapshot = draft_snapshot(committee, today=local_day(now), now=now, rules=rules)
    # Only the body, which the page shows as it stands (render_html.with_prepared_body).
    # Written once the paper is worked out: a change to the run made before would be flushed
    # by the snapshot's first query, and on SQLite hold the database's write lock (and every
    # person saving an update) for the seconds the paper takes.
    run.data_stamp, run.html = stamp, body_of(render_html(snapshot))
    db.session.execute(
        update(ReportRun)
        .where(ReportRun.committee_id == committee.id, ReportRun.kind == RunKind.PAGE,
               ReportRun.id < run.id, ReportRun.html.is_not(None))
        .values(html=None)
        .execution_options(synchronize_session=False))
    db.session.flush()
