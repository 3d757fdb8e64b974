"""Reports produced in the scheduler process: asked for in the app, or due on a schedule.

A long report takes many seconds to print as a PDF, so no web request waits for one. The
app queues a `ReportRun` and shows its progress; the scheduler process (tracker.jobs.run)
claims queued runs one at a time and produces them:
- a draft run renders the three files from live data and keeps them on the run;
- an issue run issues the committee's next version (tracker.reports.service.issue_report);
- a page run prepares the draft report page of a large committee, which its page queues and
  shows (tracker.reports.prepared).

Scheduled reports: `queue_scheduled_reports` looks at each committee's cadence
(tracker.reports.cadence) and queues one run per due moment; the moment is part of the run's
unique key, so a second look, a restart or a second scheduler queues nothing more. When a
scheduled run is ready its committee's report owner gets one email (the delivery log's key is
owner, kind, day and committee), written to the delivery log in the transaction that records
the run as done and sent by the deliveries job within a minute, with its retries.

Runs are on the one queue (tracker.jobs.queue): each is claimed with a lease, and its outcome
is written only while the claim is still its own. These functions commit: each run's claim
and outcome is its own transaction, so a crash in one report leaves the others as they were
and the person who asked sees what happened.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from tracker import clock
from tracker.accounts.models import Role, User
from tracker.committees.models import Committee, ReportCadence
from tracker.errors import RuleBroken
from tracker.extensions import db
from tracker.formatting import UK, date_and_time
from tracker.items.service import local_day
from tracker.items.status import StatusRules
from tracker.jobs import queue
from tracker.jobs.queue import QueueResult
from tracker.mail import build_message, subject_line
from tracker.reminders.models import DeliveryKind
from tracker.reminders.service import queue_built
from tracker.reports import cadence
from tracker.reports.models import ReportRun, RunKind, RunState
from tracker.reports.prepared import produce_page
from tracker.reports.render_html import render_html
from tracker.reports.render_pdf import render_pdf
from tracker.reports.service import council_docx, draft_snapshot, issue_report
from tracker.settings import settings

# Draft files are kept this long; the run page then says they have been cleared.
KEEP_DRAFT_FILES = timedelta(days=7)



def _check_asker(committee: Committee, user: User, kind: RunKind) -> None:
    if user.council_id != committee.council_id or user.role is Role.COMMITTEE_MEMBER:
        raise RuleBroken("Only the council's staff can ask for a draft report")
    if kind is RunKind.ISSUE and user.role is not Role.ADMIN:
        raise RuleBroken("Only an administrator of the committee's council can issue a report")


def pending_run(committee: Committee, kind: RunKind) -> ReportRun | None:
    """A run of this kind for the committee that has not finished yet, if any."""
    return db.session.scalars(
        select(ReportRun)
        .where(ReportRun.committee_id == committee.id, ReportRun.kind == kind,
               ReportRun.state.in_((RunState.QUEUED, RunState.RUNNING)))
        .order_by(ReportRun.id)
        .limit(1)
    ).first()


def request_run(committee: Committee, kind: RunKind, *, actor: User, now: datetime) -> ReportRun:
    """Queue a draft (files to download) or an issue of the committee's report.

    Asking again while one of the same kind is waiting gives the waiting one: a double click
    never issues two versions.
    """
    _check_asker(committee, actor, kind)
    waiting = pending_run(committee, kind)
    if waiting is not None:
        return waiting
    run = ReportRun(committee_id=committee.id, kind=kind, state=RunState.QUEUED,
                    requested_by_id=actor.id, requested_at=now)
    db.session.add(run)
    db.session.flush()
    return run


def get_run(council_id: int, run_id: int) -> ReportRun | None:
    """One run of a committee of the council, or None."""
    return db.session.scalars(
        select(ReportRun).join(ReportRun.committee)
        .where(Committee.council_id == council_id, ReportRun.id == run_id)
    ).first()


def recent_runs(committee: Committee, limit: int = 10) -> list[ReportRun]:
    """The committee's latest runs of files and issues (not its page's preparations), newest
    first."""
    return list(db.session.scalars(
        select(ReportRun).where(ReportRun.committee_id == committee.id,
                                ReportRun.kind != RunKind.PAGE)
        .options(selectinload(ReportRun.requested_by))
        .order_by(ReportRun.requested_at.desc(), ReportRun.id.desc()).limit(limit)
    ))


def run_file(run: ReportRun, fmt: str) -> bytes | None:
    """A finished draft run's stored file, or None once cleared (or for an issue run, or a
    page run, which keeps a page's body, not a file)."""
    if run.kind is RunKind.PAGE:
        return None
    return {"html": run.html, "pdf": run.pdf, "docx": run.docx}[fmt]


# --- the scheduler side -------------------------------------------------------------------


def queue_scheduled_reports(now: datetime) -> int:
    """Queue a run for every committee whose report has come due; the number queued.

    Commits. Safe to call often and from two processes: a due moment already queued (or
    produced) is skipped by the run's unique key.
    """
    committees = db.session.scalars(
        select(Committee).where(Committee.report_cadence != ReportCadence.NONE)
        .options(selectinload(Committee.meetings))
    ).all()
    queued = 0
    for committee in committees:
        schedule = cadence.ReportSchedule.of(committee)
        try:
            moments = cadence.due_moments(
                schedule, [m.meeting_date for m in committee.meetings], now)
        except RuleBroken as error:
            current_app.logger.warning("Committee %s has a schedule that cannot run: %s",
                                       committee.id, error.message)
            continue
        for moment in moments:
            run = ReportRun(
                committee_id=committee.id,
                kind=RunKind.ISSUE if committee.auto_issue else RunKind.DRAFT,
                state=RunState.QUEUED, requested_at=now, scheduled_for=moment,
                email_owner=True,
            )
            try:
                with db.session.begin_nested():
                    db.session.add(run)
            except IntegrityError:
                continue  # that moment has its run already
            queued += 1
    db.session.commit()
    return queued


def _produce(run: ReportRun, *, rules: StatusRules, now: datetime) -> None:
    committee = run.committee
    if run.kind is RunKind.ISSUE:
        report = issue_report(committee, actor=run.requested_by, now=now, rules=rules)
        run.issued_report_id = report.id
        return
    if run.kind is RunKind.PAGE:
        produce_page(run, rules=rules, now=now)
        return
    snapshot = draft_snapshot(committee, today=local_day(now), now=now, rules=rules)
    run.html, run.pdf, run.docx = (render_html(snapshot), render_pdf(snapshot),
                                    council_docx(snapshot))


def produce_queued_reports() -> QueueResult:
    """Produce every queued run, oldest first, each in its own transaction; commits."""
    rules = settings().status_rules
    result = QueueResult("produced")
    queue.give_up_stale(
        ReportRun, now=clock.now(),
        why="The scheduler stopped while producing this report, more than once. Ask for it "
            "again; if it fails again, tell the tracker's support.")
    _clear_old_drafts(clock.now())
    while (claim := queue.claim_next(ReportRun, now=clock.now())) is not None:
        run_id, attempt = claim
        run = db.session.get(ReportRun, run_id)
        assert run is not None
        try:
            _produce(run, rules=rules, now=clock.now())
        except RuleBroken as error:
            db.session.rollback()
            _finish(run_id, attempt, RunState.FAILED, error.message)
            result.failed += 1
            continue
        except Exception as error:
            db.session.rollback()
            current_app.logger.exception("Report run %s failed", run_id)
            _finish(run_id, attempt, RunState.FAILED,
                    f"The report could not be produced ({type(error).__name__}). Ask for it "
                    f"again; if it fails again, tell the tracker's support.")
            result.failed += 1
            continue
        if run.email_owner:
            tell_report_owner(run, now=clock.now())
        if not _finish(run_id, attempt, RunState.DONE, ""):
            current_app.logger.warning("Report run %s was taken back while being produced",
                                       run_id)
            continue
        result.done += 1
    return result


def _finish(run_id: int, attempt: int, state: RunState, error: str) -> bool:
    """Record the run's outcome, with whatever the session holds, if the claim is still
    this attempt's (and commit); else undo it all. Whether it was recorded."""
    written = db.session.execute(
        queue.held(ReportRun, ReportRun.id == run_id, attempt=attempt)
        .values(state=state, finished_at=clock.now(), lease_until=None, last_error=error))
    if written.rowcount != 1:
        db.session.rollback()
        return False
    db.session.commit()
    return True


def _clear_old_drafts(now: datetime) -> None:
    db.session.execute(
        update(ReportRun)
        .where(ReportRun.kind == RunKind.DRAFT, ReportRun.state == RunState.DONE,
               ReportRun.finished_at < now - KEEP_DRAFT_FILES, ReportRun.pdf.is_not(None))
        .values(html=None, pdf=None, docx=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


# --- the email to the report owner ----------------------------------------------------------


def _owner_message(run: ReportRun) -> tuple[str, str, str]:
    committee = run.committee
    public_url = settings().public_url
    meeting = next((m.meeting_date for m in committee.meetings
                    if run.scheduled_for and m.meeting_date >= run.scheduled_for.date()), None)
    if run.kind is RunKind.ISSUE and run.issued_report is not None:
        about = (f"progress report to {committee.name} issued "
                 f"(version {run.issued_report.version})")
        link = f"{public_url}/reports/{run.issued_report.id}"
    else:
        about = f"draft progress report to {committee.name} ready"
        link = f"{public_url}/report-runs/{run.id}"
    council_name = committee.report_owner.council.name if committee.report_owner else ""
    subject = subject_line(council_name, about)
    context = {"run": run, "committee": committee, "owner": committee.report_owner,
               "meeting": meeting, "link": link,
               "council_name": council_name,
               "draft_link": f"{public_url}/committees/{committee.id}/report"}
    env = current_app.jinja_env
    return (subject[:200], env.get_template("emails/report_ready.txt").render(context),
            env.get_template("emails/report_ready.html").render(context))


def tell_report_owner(run: ReportRun, *, now: datetime) -> bool:
    """Queue the email telling the committee's report owner that a scheduled report is
    ready, once (the deliveries job sends it); whether it was queued now. Flushes."""
    owner = run.committee.report_owner
    if owner is None or not owner.active or not owner.email:
        return False
    subject, text, html = _owner_message(run)
    return queue_built(
        lambda: build_message(sender=settings().mail.sender, to=owner.email,
                              subject=subject, text=text, html=html, now=now),
        to_address=owner.email, subject=subject, recipient_id=owner.id,
        kind=DeliveryKind.REPORT, day=local_day(now), topic=f"committee-{run.committee_id}",
        now=now) is not None


def describe_moment(moment: datetime) -> str:
    """'Monday 4 January 2027 at 9:00am', in UK time."""
    return f"{moment.astimezone(UK):%A} {date_and_time(moment)}"
