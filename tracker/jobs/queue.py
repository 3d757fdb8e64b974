"""Work asked for in the app and produced by the scheduler, one row of a table each: progress
reports (`ReportRun`) and evidence packs (`EvidencePack`). Both tables have `state`,
`requested_at`, `started_at`, `finished_at`, `attempts` and `message`.

These functions commit: a claim is its own transaction, so that two schedulers never take one
row and a crash leaves the other rows as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from tracker.extensions import db
from tracker.reports.models import RunState

# A row still "running" after this long was left by a scheduler that stopped: do it again.
# As long as the job's lock is held (tracker.jobs.run.HOLD_FOR), so while a row is being done
# no other run of its job looks; an evidence pack that takes longer (about 4,000 items) could
# be taken back, and its first producer then stops at its next progress write.
STALE_AFTER = timedelta(hours=1)
MAX_ATTEMPTS = 3


@dataclass
class QueueResult:
    """How one run of a queue went, as the job's outcome says it ("2 made, 0 failed")."""

    verb: str
    done: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"{self.done} {self.verb}, {self.failed} failed"


def recover_stale(model: Any, *, now: datetime, gave_up: str) -> None:
    """Queue again the rows left "running" longer than STALE_AFTER by a scheduler that
    stopped; after MAX_ATTEMPTS mark them failed with the message `gave_up`."""
    stale = db.session.scalars(
        select(model).where(model.state == RunState.RUNNING,
                            model.started_at < now - STALE_AFTER)
    ).all()
    for row in stale:
        if row.attempts < MAX_ATTEMPTS:
            row.state = RunState.QUEUED
        else:
            row.state, row.finished_at, row.message = RunState.FAILED, now, gave_up
    db.session.commit()


def claim_next(model: Any, *, now: datetime, **reset: Any) -> int | None:
    """Take the oldest queued row (setting `reset` as well) and return its id; None when
    nothing waits. The UPDATE only succeeds while the row is still queued."""
    for row_id in db.session.scalars(
        select(model.id).where(model.state == RunState.QUEUED)
        .order_by(model.requested_at, model.id).limit(5)
    ).all():
        taken = db.session.execute(
            update(model)
            .where(model.id == row_id, model.state == RunState.QUEUED)
            .values(state=RunState.RUNNING, started_at=now, attempts=model.attempts + 1,
                    **reset)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if taken.rowcount == 1:
            return int(row_id)
    return None
