"""The job lock, one row per job, and APScheduler's job store table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Float, LargeBinary, String, Table, Text, Unicode
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import UTCDateTime
from tracker.extensions import db


class JobLock(db.Model):
    """Who is running a job, until when, and how its last run went.

    A scheduler takes the lock with a conditional UPDATE (only where it is free or its holder's
    time ran out), so two scheduler processes never run the same job at once.
    """

    __tablename__ = "job_lock"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200), default="")
    # While a run holds the lock; None when free. A crashed holder's lock expires.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
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
