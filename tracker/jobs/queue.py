"""One queue, with leases, for everything the scheduler does: report runs (`ReportRun`),
evidence packs (`EvidencePack`), emails in the delivery log (`Delivery`) and the scheduler's
own job locks (`JobLock`). Each table has the columns of `tracker.jobs.models.Leased`:
state, lease until, attempts and last error.

- `claim` is the one way to take a row: a conditional UPDATE that succeeds only where no
  lease is current, so of two processes asking at once exactly one wins. It adds one to
  `attempts`; that number is the claim's own, and every later write of the holder is made
  only while the row still carries it.
- `held` is how a holder writes to its row, renewing the lease as it goes (the job lock's
  heartbeat, an evidence pack's progress writes, a report run's and an email's outcome):
  only while the row still carries its claim. A holder that finds its row taken over stops.
- A holder that dies leaves a lease that runs out; the row is then claimed again, up to a
  limit of attempts, after which `give_up` marks it failed with words for people.

`claim_next` and `give_up_stale` commit (a claim is its own transaction, so that two
schedulers never take one row and a crash leaves the other rows as they were); the others
only build or run statements in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Update, or_, select, update
from sqlalchemy.sql import ColumnElement

from tracker.extensions import db
from tracker.jobs.models import RunState

# How long a claim on a report run or an evidence pack holds before another run may take the
# row over (the holder died). A pack renews it with each item; a report's PDF takes seconds.
ROW_LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 3


@dataclass
class QueueResult:
    """How one run of a queue went, as the job's outcome says it ("2 made, 0 failed")."""

    verb: str
    done: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"{self.done} {self.verb}, {self.failed} failed"


def lease_free(model: Any, now: datetime) -> ColumnElement[bool]:
    """No lease is current on the row: none was taken, or it has run out."""
    return or_(model.lease_until.is_(None), model.lease_until <= now)


def waiting(model: Any, now: datetime, max_attempts: int) -> ColumnElement[bool]:
    """The row waits for a run: queued (its wait over), or left running by a run that died."""
    return (model.state.in_((RunState.QUEUED, RunState.RUNNING)) & lease_free(model, now)
            & (model.attempts < max_attempts))


def claim(model: Any, *where: Any, now: datetime, lease: timedelta, **values: Any) -> int | None:
    """Take the row that `where` picks, if no lease is current on it: running, leased until
    `now + lease`, one more attempt, and `values` set as well. Returns the claim's attempt
    number, or None when another holder has it. Runs in the caller's transaction: commit
    before doing the work, so other processes see the claim."""
    taken = db.session.execute(
        update(model).where(*where, lease_free(model, now))
        .values(state=RunState.RUNNING, lease_until=now + lease,
                attempts=model.attempts + 1, **values)
        .returning(model.attempts)
        .execution_options(synchronize_session=False)
    ).first()
    return int(taken[0]) if taken is not None else None


def held(model: Any, *where: Any, attempt: int) -> Update:
    """An UPDATE of the row that `where` picks that matches nothing once the row is no longer
    held by claim `attempt` (taken over after its lease ran out): add `.values(...)`, and
    check the rowcount. Renewing the lease is `.values(lease_until=...)`."""
    return (update(model)
            .where(*where, model.state == RunState.RUNNING, model.attempts == attempt)
            .execution_options(synchronize_session=False))


def give_up(model: Any, *, now: datetime, max_attempts: int, why: str, **values: Any) -> int:
    """Mark failed, with `why`, the rows whose holders died on their last attempt; how many."""
    return db.session.execute(
        update(model)
        .where(model.state == RunState.RUNNING, lease_free(model, now),
               model.attempts >= max_attempts)
        .values(state=RunState.FAILED, lease_until=None, last_error=why, **values)
        .execution_options(synchronize_session=False)
    ).rowcount


def give_up_stale(model: Any, *, now: datetime, why: str) -> None:
    """Fail, with the message `why`, the report runs or evidence packs whose producer died
    on their last attempt (MAX_ATTEMPTS). Commits."""
    give_up(model, now=now, max_attempts=MAX_ATTEMPTS, why=why, finished_at=now)
    db.session.commit()


def claim_next(model: Any, *, now: datetime, lease: timedelta = ROW_LEASE,
               **reset: Any) -> tuple[int, int] | None:
    """Take the oldest waiting report run, evidence pack or upload (setting `reset` as well),
    leased for `lease`: its id and the claim's attempt number; None when nothing waits.
    Commits."""
    for row_id in db.session.scalars(
        select(model.id).where(waiting(model, now, MAX_ATTEMPTS))
        .order_by(model.requested_at, model.id).limit(5)
    ).all():
        attempt = claim(model, model.id == row_id, waiting(model, now, MAX_ATTEMPTS), now=now,
                        lease=lease, started_at=now, **reset)
        db.session.commit()
        if attempt is not None:
            return int(row_id), attempt
    return None
