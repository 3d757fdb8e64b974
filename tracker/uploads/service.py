"""Uploaded documents read by the scheduler, never while a web request waits.

A letter, an action plan or a council's Word template can take a hostile file up to ten
seconds to read (tracker.untrusted's child process and its limits). So the request only
checks what it can cheaply (the form, the person, the file's size and kind), keeps the bytes
in an `UploadReading` waiting to be read (`queue_upload`), and shows its progress page. The
scheduler (tracker.jobs.run:queued_uploads, every REPORT_QUEUE_SECONDS) takes waiting rows on
the one queue (tracker.jobs.queue: a claim with a lease, so a row left by a scheduler that
died is read again once its lease, UPLOAD_LEASE, has run out), reads each with the area's own
function exactly as the request did before (the same child, the same limits, the same
messages), and writes the outcome: done, with what it made (the letter's draft, the plan's
sheets, the council's template), or failed, with the refusal's message for people, which the
upload form then shows against its file field. The bytes are deleted once read.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from tracker import clock
from tracker.errors import RuleBroken
from tracker.extensions import db
from tracker.jobs import queue
from tracker.jobs.models import RunState
from tracker.jobs.queue import QueueResult
from tracker.settings import settings
from tracker.uploads.models import UploadKind, UploadReading

if TYPE_CHECKING:
    from tracker.accounts.models import User

logger = logging.getLogger(__name__)

# A reading takes at most tracker.untrusted.SECONDS; a claim older than this was left by a
# scheduler that died, and the file is read again.
UPLOAD_LEASE = timedelta(minutes=1)
# Read uploads are kept this long for their progress page, then removed (the hourly job).
KEEP_READ_UPLOADS = timedelta(days=1)

STOPPED = ("The tracker stopped while reading this file, more than once. Upload it again; if "
           "it happens again, tell the tracker's support.")
UPLOADER_GONE = "The account that uploaded this file is no longer in the tracker. Upload it again."


def queue_upload(kind: UploadKind, *, council_id: int, actor: User, now: datetime,
                 data: bytes, filename: str, inspection_id: int | None = None
                 ) -> UploadReading:
    """Keep an uploaded file to be read by the scheduler. The caller has checked the person
    and what can be checked cheaply. Flushes."""
    upload = UploadReading(
        council_id=council_id, kind=kind, uploaded_by_id=actor.id, inspection_id=inspection_id,
        filename=filename[:255], data=data, size=len(data), requested_at=now,
        state=RunState.QUEUED, attempts=0, last_error="", notes=[])
    db.session.add(upload)
    db.session.flush()
    return upload


def get_upload(council_id: int, upload_id: int) -> UploadReading | None:
    """One of the council's uploads (without its bytes), or None."""
    return db.session.scalars(
        select(UploadReading).where(UploadReading.council_id == council_id,
                                    UploadReading.id == upload_id)
    ).first()


def refusal(council_id: int, kind: UploadKind, upload_id: int | None, *,
            inspection_id: int | None = None) -> str | None:
    """The message of a refused upload of this kind (and inspection), named by the upload
    form's query string (`?upload=12`), or None."""
    if upload_id is None:
        return None
    upload = get_upload(council_id, upload_id)
    if (upload is None or upload.kind is not kind or upload.state is not RunState.FAILED
            or upload.inspection_id != inspection_id):
        return None
    return upload.last_error


# --- The scheduler's side -----------------------------------------------------------------


def _read(upload: UploadReading, data: bytes, actor: User, now: datetime
          ) -> tuple[int, list[str]]:
    """Read the file as its form did before: what it made (its id) and notes for people.
    Raises `RuleBroken` with the message for people when the file is refused. Flushes."""
    max_bytes = settings().import_max_bytes
    if upload.kind is UploadKind.LETTER:
        from tracker.inspections.imports import start_import

        draft = start_import(upload.council_id, actor=actor, now=now, data=data,
                             filename=upload.filename, max_bytes=max_bytes)
        return draft.id, []
    if upload.kind is UploadKind.ACTION_PLAN:
        from tracker.inspections.models import Inspection
        from tracker.plan_import.service import start_plan_import

        inspection = db.session.get(Inspection, upload.inspection_id or 0)
        if inspection is None or inspection.council_id != upload.council_id:
            raise RuleBroken("The inspection this action plan was for has been removed")
        imports, notes = start_plan_import(inspection, actor=actor, now=now, data=data,
                                           filename=upload.filename, max_bytes=max_bytes)
        return imports[0].id, list(notes)
    from tracker.reports.template_settings import save_council_template

    record = save_council_template(upload.council_id, actor=actor, now=now, data=data,
                                   filename=upload.filename)
    return record.id, []


def _unreadable(kind: UploadKind) -> str:
    """The form's own "cannot be read" message, for a reading that failed unexpectedly."""
    if kind is UploadKind.LETTER:
        from tracker.inspections.imports import UNREADABLE
        return UNREADABLE
    if kind is UploadKind.ACTION_PLAN:
        from tracker.plan_import.reading import DAMAGED
        return DAMAGED
    from tracker.reports.template_settings import UNREADABLE as TEMPLATE_UNREADABLE
    return TEMPLATE_UNREADABLE


def _finish(upload_id: int, attempt: int, state: RunState, *, error: str = "",
            result_id: int | None = None, notes: list[str] | None = None) -> bool:
    """Record the outcome, with whatever the session holds, and delete the bytes, if the
    claim is still this attempt's (and commit); else undo it all. Whether it was recorded."""
    written = db.session.execute(
        queue.held(UploadReading, UploadReading.id == upload_id, attempt=attempt)
        .values(state=state, finished_at=clock.now(), lease_until=None, last_error=error,
                result_id=result_id, notes=notes or [], data=None))
    if written.rowcount != 1:
        db.session.rollback()
        return False
    db.session.commit()
    return True


def read_waiting_uploads() -> QueueResult:
    """Read every upload waiting, oldest first, each in its own transaction; commits.
    "Failed" counts the files refused (their message is for the person who uploaded them)."""
    result = QueueResult("read")
    queue.give_up(UploadReading, now=clock.now(), max_attempts=queue.MAX_ATTEMPTS,
                  why=STOPPED, finished_at=clock.now(), data=None)
    db.session.commit()
    while (claim := queue.claim_next(UploadReading, now=clock.now(),
                                     lease=UPLOAD_LEASE)) is not None:
        upload_id, attempt = claim
        upload = db.session.get(UploadReading, upload_id)
        assert upload is not None
        data, actor = upload.data or b"", upload.uploaded_by
        try:
            if actor is None:
                raise RuleBroken(UPLOADER_GONE)
            made, notes = _read(upload, data, actor, clock.now())
        except RuleBroken as refused:
            db.session.rollback()
            recorded = _finish(upload_id, attempt, RunState.FAILED, error=refused.message)
            result.failed += recorded
            continue
        except Exception:
            db.session.rollback()
            logger.exception("Reading upload %s failed", upload_id)
            kind = db.session.scalar(select(UploadReading.kind)
                                     .where(UploadReading.id == upload_id))
            recorded = _finish(upload_id, attempt, RunState.FAILED,
                               error=_unreadable(kind or UploadKind.LETTER))
            result.failed += recorded
            continue
        if not _finish(upload_id, attempt, RunState.DONE, result_id=made, notes=notes):
            logger.warning("Upload %s was taken back while being read", upload_id)
            continue
        result.done += 1
    return result


def remove_old_uploads(now: datetime) -> int:
    """Delete the uploads read (or refused) more than KEEP_READ_UPLOADS before `now`: their
    progress page has long moved on. How many. Flushes."""
    removed = db.session.execute(
        delete(UploadReading).where(
            UploadReading.state.in_((RunState.DONE, RunState.FAILED)),
            UploadReading.finished_at < now - KEEP_READ_UPLOADS)
        .execution_options(synchronize_session=False))
    return removed.rowcount or 0
