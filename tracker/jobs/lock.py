"""A database lock per job, on the one queue (tracker.jobs.queue): claimed with a lease that a
heartbeat renews while the job runs, so two schedulers never run one job at once and a killed
scheduler's lock is taken over once its lease runs out (JOB_LEASE_SECONDS, a minute)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from tracker import clock
from tracker.extensions import db
from tracker.jobs import queue
from tracker.jobs.models import JobLock, RunState

logger = logging.getLogger(__name__)


def claim_lock(name: str, *, holder: str, now: datetime, lease: timedelta) -> int | None:
    """Take the lock of job `name` until `now + lease`: the claim's attempt number, or None
    while another holder's lease is current.

    Flushes, never commits: the caller commits before doing the job's work.
    """
    if db.session.get(JobLock, name) is None:
        try:
            with db.session.begin_nested():
                db.session.add(JobLock(name=name))
        except IntegrityError:
            pass  # another process made the row a moment ago: the claim below decides
    attempt = queue.claim(JobLock, JobLock.name == name, now=now, lease=lease, holder=holder,
                          last_started_at=now)
    db.session.expire_all()
    return attempt


def release_lock(name: str, *, attempt: int, now: datetime, outcome: str = "",
                 error: str = "") -> None:
    """Free the lock (if still this claim's) and record how the run went: its outcome in
    words, or the error it failed with."""
    db.session.execute(
        queue.held(JobLock, JobLock.name == name, attempt=attempt)
        .values(state=RunState.FAILED if error else RunState.DONE, lease_until=None,
                last_finished_at=now, last_outcome=outcome[:2000], last_error=error[:2000])
    )
    db.session.expire_all()


@contextmanager
def heartbeat(engine: Engine, name: str, *, attempt: int, lease: timedelta) -> Iterator[None]:
    """Renew job `name`'s lease every third of `lease` while the block runs, from a thread
    with its own connection (the job's session may be in the middle of a transaction)."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(lease.total_seconds() / 3):
            try:
                with engine.begin() as connection:
                    kept = connection.execute(
                        queue.held(JobLock, JobLock.name == name, attempt=attempt)
                        .values(lease_until=clock.now() + lease)).rowcount
            except SQLAlchemyError:
                logger.exception("Could not renew the lease of job %s", name)
                continue
            if not kept:
                # Taken over: this run goes on (every job is safe to run twice), unrenewed.
                logger.warning("Job %s's lock was taken over by another scheduler", name)
                return

    thread = threading.Thread(target=beat, name=f"lease of {name}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
