"""What every queue table shares (`Leased`: state, lease until, attempts, last error), the job
lock, one row per job, and APScheduler's job store table."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column, Float, LargeBinary, String, Table, Text, Unicode
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import UTCDateTime, enum_type
from tracker.extensions import db


class RunState(enum.Enum):
    """Where a row of a queue is: waiting, held by a run (until its lease ends), or done."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"queued": "Waiting to start", "running": "Being produced",
                "done": "Ready", "failed": "Failed"}[self.value]

    @property
    def finished(self) -> bool:
        return self in (RunState.DONE, RunState.FAILED)


class Leased:
    """The columns of every queue table (report runs, evidence packs, deliveries, job locks),
    claimed and renewed by the functions in tracker.jobs.queue.

    - `state`: queued (waiting), running (held by a run), done, or failed (given up).
    - `lease_until`: while running, when the holder's claim ends unless renewed; a run that
      died leaves a lease that runs out, and the row can be claimed again. While queued, the
      earliest moment it may be claimed (a retry's wait); None: at once.
    - `attempts`: claims so far. Each claim adds one, and a holder writes only while the row
      still has its claim's number, so a holder whose row was taken over stops.
    - `last_error`: why the last attempt failed, in words for people; empty otherwise.
    """

    state: Mapped[RunState] = mapped_column(enum_type(RunState), default=RunState.QUEUED,
                                            index=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")


class JobLock(Leased, db.Model):
    """Who is running a job and how its last run went: one row per scheduled job.

    A run claims the row (tracker.jobs.queue.claim: only where no lease is current), so two
    scheduler processes never run the same job at once; a heartbeat renews the lease while
    the job runs, so a killed scheduler's lock is free again within a lease (a minute).
    """

    __tablename__ = "job_lock"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200), default="")
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # What the last run that finished did, in words ("3 sent, 0 failed").
    last_outcome: Mapped[str] = mapped_column(Text, default="")


# APScheduler's SQLAlchemyJobStore table, declared here exactly as the job store makes it so
# that the migrations create it and `flask db check` knows it (the job store then finds it).
apscheduler_jobs = Table(
    "apscheduler_jobs",
    db.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)
