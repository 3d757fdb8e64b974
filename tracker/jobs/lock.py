"""A database lock per job: claimed with a conditional UPDATE, so one process wins."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from tracker.extensions import db
from tracker.jobs.models import JobLock


def claim_lock(name: str, *, holder: str, now: datetime, hold_for: timedelta) -> bool:
    """Take the lock of job `name` until `now + hold_for`; False if another holder has it.

    Flushes, never commits: the caller commits before doing the job's work.
    """
    if db.session.get(JobLock, name) is None:
        try:
            with db.session.begin_nested():
                db.session.add(JobLock(name=name))
        except IntegrityError:
            pass  # another process made the row a moment ago: the UPDATE below decides
    result = db.session.execute(
        update(JobLock)
        .where(JobLock.name == name,
               or_(JobLock.locked_until.is_(None), JobLock.locked_until < now))
        .values(holder=holder, locked_until=now + hold_for, last_started_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()
    return result.rowcount == 1


def release_lock(name: str, *, holder: str, now: datetime, outcome: str) -> None:
    """Free the lock (if still ours) and record how the run went."""
    db.session.execute(
        update(JobLock)
        .where(JobLock.name == name, JobLock.holder == holder)
        .values(locked_until=None, last_finished_at=now, last_outcome=outcome[:2000])
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()
