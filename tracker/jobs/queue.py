"""Work asked for in the app and produced by the scheduler, one row of a table each: progress
reports (`ReportRun`) and evidence packs (`EvidencePack`). Both tables have `state`,
`requested_at`, `started_at`, `finished_at`, `attempts` and `message`.

These functions commit: a claim is its own transaction, so that two schedulers never take one
row and a crash leaves the other rows as they were.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from tracker.extensions import db
from tracker.reports.models import RunState


def recover_stale(model: Any, *, now: datetime, stale_after: timedelta, max_attempts: int,
                  gave_up: str) -> None:
    """Queue again the rows left "running" longer than `stale_after` by a scheduler that
    stopped; after `max_attempts` mark them failed with the message `gave_up`."""
    stale = db.session.scalars(
        select(model).where(model.state == RunState.RUNNING,
                            model.started_at < now - stale_after)
    ).all()
    for row in stale:
        if row.attempts < max_attempts:
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
