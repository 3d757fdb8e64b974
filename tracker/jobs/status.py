"""What the admin reminders page shows about each scheduled job: next run, last run, outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from tracker.extensions import db
from tracker.jobs.models import JobLock, RunState, apscheduler_jobs
from tracker.jobs.run import by_hand_lock_name
from tracker.jobs.schedule import scheduled_jobs
from tracker.reminders.service import next_reminder_run
from tracker.settings import Settings


@dataclass(frozen=True)
class JobStatus:
    id: str
    name: str
    runs: str  # when it runs, in words
    stored: bool  # a scheduler process has stored the job in its job store
    next_run_at: datetime | None  # None when not stored, or stored paused
    last_started_at: datetime | None
    last_finished_at: datetime | None
    last_outcome: str  # how the last run that finished went, in words
    running: bool


def job_statuses(settings: Settings, now: datetime,
                 council_id: int | None = None) -> list[JobStatus]:
    """Each scheduled job with its next run (from APScheduler's job store) and last run.

    The next run time is what the scheduler process stored in `apscheduler_jobs` (for the
    daily reminders, which tick every minute, the next time the day's run is due); the last
    run and its outcome are what the job lock recorded (tracker.jobs.lock). For the daily
    reminders, the council's own "Run reminders now" counts as a run when it is the later.
    """
    jobs = scheduled_jobs(settings)
    ids = [job.id for job in jobs]
    next_runs = dict(db.session.execute(
        select(apscheduler_jobs.c.id, apscheduler_jobs.c.next_run_time)
        .where(apscheduler_jobs.c.id.in_(ids))
    ).all())
    by_hand = by_hand_lock_name(council_id) if council_id is not None else ""
    locks = {lock.name: lock for lock in db.session.scalars(
        select(JobLock).where(JobLock.name.in_([*ids, by_hand])))}
    hand = locks.get(by_hand)
    statuses = []
    for job in jobs:
        lock = locks.get(job.id)
        timestamp = next_runs.get(job.id)
        next_run_at = datetime.fromtimestamp(timestamp, UTC) if timestamp is not None else None
        if job.id == "daily-reminders" and next_run_at is not None:
            next_run_at = max(next_run_at, next_reminder_run(now, settings.reminders, lock))
        if job.id == "daily-reminders" and hand is not None and hand.last_started_at and (
                lock is None or lock.last_started_at is None
                or hand.last_started_at > lock.last_started_at):
            lock = hand  # the last run is the council's "Run reminders now"
        running = bool(lock and lock.state is RunState.RUNNING and lock.lease_until
                       and lock.lease_until > now)
        outcome = ""
        if lock is not None and lock.state is RunState.FAILED:
            outcome = f"Failed: {lock.last_error}"
        elif lock is not None:
            outcome = lock.last_outcome
        statuses.append(JobStatus(
            id=job.id,
            name=job.name,
            runs=job.runs,
            # A paused job is stored with no next run time.
            stored=job.id in next_runs,
            next_run_at=next_run_at,
            last_started_at=lock.last_started_at if lock else None,
            last_finished_at=lock.last_finished_at if lock else None,
            last_outcome=outcome,
            running=running,
        ))
    return statuses
