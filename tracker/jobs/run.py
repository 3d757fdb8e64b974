"""The job functions APScheduler calls, as "tracker.jobs.run:<function>".

Each is a thin wrapper: open the app context, take the job's database lock (a lease that a
heartbeat renews while the job runs), call one domain function, record the outcome, commit.
APScheduler only ticks: whether there is anything to do is for the database to say, so every
job is safe to run twice. Keep them importable without side effects: APScheduler stores only
the reference and imports it in the scheduler process.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable

from flask import Flask, current_app, has_app_context

from tracker import clock
from tracker.extensions import db
from tracker.jobs.lock import claim_lock, heartbeat, release_lock
from tracker.jobs.models import JobLock
from tracker.settings import settings

_app: Flask | None = None


def use_app(app: Flask) -> None:
    """Let job threads use this app (the scheduler command's), instead of building one."""
    global _app
    _app = app


def _application() -> Flask:
    global _app
    if _app is None:
        from tracker import create_app

        _app = create_app()
    return _app


def run_job(name: str, work: Callable[[], str]) -> str | None:
    """Run `work` under job `name`'s lock; None when another process holds it."""
    if not has_app_context():
        with _application().app_context():
            return run_job(name, work)
    lease = settings().scheduler.job_lease
    holder = f"{socket.gethostname()}:{os.getpid()}"
    attempt = claim_lock(name, holder=holder, now=clock.now(), lease=lease)
    if attempt is None:
        db.session.rollback()
        current_app.logger.info("Job %s is running elsewhere; skipped", name)
        return None
    db.session.commit()
    with heartbeat(db.engine, name, attempt=attempt, lease=lease):
        try:
            outcome = work()
        except Exception as error:
            db.session.rollback()
            release_lock(name, attempt=attempt, now=clock.now(),
                         error=f"{type(error).__name__}: {error}")
            db.session.commit()
            raise
    release_lock(name, attempt=attempt, now=clock.now(), outcome=outcome)
    db.session.commit()
    return outcome


def daily_reminders() -> str | None:
    """Plan today's reminders once REMINDER_TIME has come, unless a run finished today after
    it (a run that died is done again the same day), then send them."""
    if not has_app_context():
        with _application().app_context():
            return daily_reminders()
    from tracker.reminders.service import queue_reminders, reminder_run_due

    if not reminder_run_due(clock.now(), settings().reminders,
                            db.session.get(JobLock, "daily-reminders")):
        return None

    def work() -> str:
        return str(queue_reminders(clock.today(), now=clock.now()))

    outcome = run_job("daily-reminders", work)
    if outcome is not None:
        due_deliveries()  # now, rather than at the deliveries job's next tick
    return outcome


def by_hand_lock_name(council_id: int) -> str:
    """The lock row of one council's "Run reminders now": its last run shows on the
    reminders page beside the daily job's."""
    return f"daily-reminders-by-hand-{council_id}"


def reminders_by_hand(council_id: int) -> str | None:
    """An administrator's "Run reminders now" for their council: today's reminders planned
    and what is due sent, recorded as a run (started, finished, outcome) so the reminders
    page shows it; None while another run for the council holds the lock."""
    from tracker.reminders.service import send_reminders

    def work() -> str:
        result = send_reminders(clock.today(), now=clock.now(), council_id=council_id)
        return (f"{result.sent} sent, {result.failed} failed, {result.already_done} already "
                f"sent today")

    return run_job(by_hand_lock_name(council_id), work)


def scheduled_reports() -> str | None:
    """Queue the progress reports that have come due on committees' schedules."""

    def work() -> str:
        from tracker.reports.runs import queue_scheduled_reports

        return f"{queue_scheduled_reports(clock.now())} queued"

    return run_job("progress-reports", work)


def queued_reports() -> str | None:
    """Produce the progress reports waiting in the queue."""

    def work() -> str:
        from tracker.reports.runs import produce_queued_reports

        return str(produce_queued_reports())

    return run_job("report-queue", work)


def due_deliveries() -> str | None:
    """Send the emails waiting in the delivery log: reminders, report notices, partner links,
    and retries of failed emails whose wait is over. The only job that sends, so at most one
    email is on its way at any moment."""

    def work() -> str:
        from tracker.partners.service import forget_sent_link_messages
        from tracker.reminders.service import send_due_deliveries

        result = send_due_deliveries()
        # The link in a sent email need not stay readable in the database.
        forget_sent_link_messages()
        db.session.commit()
        return f"{result.sent} sent, {result.failed} failed"

    return run_job("deliveries", work)


def queued_evidence_packs() -> str | None:
    """Make the evidence packs waiting in the queue, committing each item's progress."""

    def work() -> str:
        from tracker.evidence.service import produce_queued_packs

        return str(produce_queued_packs())

    return run_job("evidence-packs", work)


def queued_uploads() -> str | None:
    """Read the uploaded files waiting in the queue (letters, action plans, Word templates),
    each in its bounded child process, committing each outcome."""

    def work() -> str:
        from tracker.uploads.service import read_waiting_uploads

        return str(read_waiting_uploads())

    return run_job("upload-queue", work)


def unconfirmed_imports() -> str | None:
    """Remove the imports nobody confirmed within 7 days (letters' drafts and action plans'
    sheets waiting for review), and the uploads read more than a day ago."""

    def work() -> str:
        from tracker.inspections.imports import remove_unconfirmed_drafts
        from tracker.plan_import.service import remove_unconfirmed_plan_imports
        from tracker.uploads.service import remove_old_uploads

        drafts = remove_unconfirmed_drafts(clock.now())
        sheets = remove_unconfirmed_plan_imports(clock.now())
        uploads = remove_old_uploads(clock.now())
        return (f"{drafts} letter drafts, {sheets} action plan sheets and {uploads} read "
                "uploads removed")

    return run_job("unconfirmed-imports", work)


def retention() -> str | None:
    """Tell administrators of inspections whose retention period ends within 30 days, and
    remove those whose time has come, in one transaction; the notices go out with the
    deliveries job."""

    def work() -> str:
        from tracker.data_protection.retention import apply_retention

        return str(apply_retention(today=clock.today(), now=clock.now()))

    return run_job("retention", work)
