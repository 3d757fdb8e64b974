"""The job functions APScheduler calls, as "tracker.jobs.run:<function>".

Each is a thin wrapper: open the app context, take the job's database lock, call one domain
function, record the outcome, commit. Keep them importable without side effects: APScheduler
stores only the reference and imports it in the scheduler process.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from datetime import timedelta

from flask import Flask, current_app, has_app_context

from tracker import clock
from tracker.extensions import db
from tracker.jobs.lock import claim_lock, release_lock

# Longer than any run should take; a crashed holder's lock is free again after it.
HOLD_FOR = timedelta(hours=1)

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
    holder = f"{socket.gethostname()}:{os.getpid()}"
    if not claim_lock(name, holder=holder, now=clock.now(), hold_for=HOLD_FOR):
        db.session.rollback()
        current_app.logger.info("Job %s is running elsewhere; skipped", name)
        return None
    db.session.commit()
    try:
        outcome = work()
    except Exception as error:
        db.session.rollback()
        release_lock(name, holder=holder, now=clock.now(),
                     outcome=f"Failed: {type(error).__name__}: {error}")
        db.session.commit()
        raise
    release_lock(name, holder=holder, now=clock.now(), outcome=outcome)
    db.session.commit()
    return outcome


def daily_reminders() -> str | None:
    """Today's reminders, and retries of earlier failures."""

    def work() -> str:
        from tracker.reminders.service import send_reminders

        result = send_reminders(clock.today(), now=clock.now())
        return (f"{result.sent} sent, {result.failed} failed, "
                f"{result.already_done} already sent")

    return run_job("daily-reminders", work)


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
    """Send the emails waiting in the delivery log: partner links sent from the app, and
    retries of failed emails whose wait is over."""

    def work() -> str:
        from tracker.partners.service import forget_sent_link_messages
        from tracker.reminders.service import send_due_deliveries

        result = send_due_deliveries(now=clock.now())
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
