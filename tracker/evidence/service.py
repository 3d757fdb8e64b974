"""Evidence packs: asked for in the app, made by the scheduler process.

A pack is one zip: a PDF per tracked item (tracker.evidence.render) as it stood at the end of
a chosen day (tracker.evidence.asof), and an index as PDF and CSV. Printing a PDF per item
takes a large council's pack minutes, so no web request waits for it: `request_pack` queues
one and the scheduler's "evidence-packs" job (tracker.jobs.run) calls `produce_queued_packs`,
which claims queued packs one at a time on the one queue (tracker.jobs.queue), exactly as
tracker.reports.runs does for reports:
- a pack is claimed with a lease by a conditional UPDATE, so two schedulers never make the
  same pack;
- its progress (`items_done` of `items_total`) is committed after every item, so the page
  shows how far it has gone; each progress write renews the lease and is conditional on the
  claim still being this attempt's, so a producer whose pack was taken back stops;
- a pack whose producer stopped is taken again once its lease runs out, at most
  MAX_ATTEMPTS times in all, then failed with a message;
- a failure is recorded on the pack in words for the person who asked.

The zip is written as it is made: each item's PDF and evidence files go into it as they are
made or read, and its bytes are stored in pieces (`EvidencePackChunk`, CHUNK_BYTES each) with
each item's progress; a finished pack is served piece by piece (`pack_chunks`). However many
items and files a pack holds, no more than one entry and one piece are in memory at once.
The zip is deterministic: the same data as of the same day gives the same bytes (and hash).
The request functions flush; the producing functions commit (each claim, each item's
progress and each outcome is its own transaction).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.orm import joinedload, selectinload

from tracker import clock
from tracker.accounts.models import Role, User
from tracker.audit.models import HistoryEntry
from tracker.audit.service import LoadedHistory, load_history
from tracker.audit.words import THE_TRACKER
from tracker.errors import RuleBroken
from tracker.evidence import render
from tracker.evidence.asof import category_rank, end_of_day, item_as_of
from tracker.evidence.files import file_data, files_of_item
from tracker.evidence.models import EvidenceFile, EvidencePack, EvidencePackChunk
from tracker.evidence.sniff import FileType
from tracker.extensions import db
from tracker.formatting import long_date
from tracker.inspections.models import Finding, Inspection
from tracker.items.models import Action, Item
from tracker.items.queries import items_of_council
from tracker.items.service import local_day
from tracker.items.status import StatusRules
from tracker.jobs import queue
from tracker.jobs.models import RunState
from tracker.jobs.queue import QueueResult
from tracker.settings import settings

RECENT_PACKS = 20
CHUNK_BYTES = 1024 * 1024
# Kinds of file already compressed: stored in the zip as they are.
COMPRESSED_TYPES = frozenset(FileType) - {FileType.TEXT, FileType.CSV}



class PackTakenBack(Exception):
    """This producer's claim on a pack is no longer current (it was recovered as stale)."""


# --- asking for a pack ------------------------------------------------------------------------


def inspections_to_choose(council_id: int) -> list[Inspection]:
    """The council's inspections, the latest letter first, for the list a pack's scope is
    chosen from."""
    return list(db.session.scalars(
        select(Inspection).where(Inspection.council_id == council_id)
        .order_by(Inspection.letter_date.desc().nulls_last(), Inspection.id.desc())
    ))


def inspection_label(inspection: Inspection) -> str:
    """An inspection as the scope list and the pack page name it: title and letter date."""
    if inspection.letter_date:
        return f"{inspection.title} (letter of {long_date(inspection.letter_date)})"
    return inspection.title


def _scope(council_id: int, inspection_id: int | None) -> Any:
    query = items_of_council(council_id)
    if inspection_id is not None:
        query = query.where(Finding.inspection_id == inspection_id)
    return query


def first_item_recorded(council_id: int, inspection_id: int | None) -> datetime | None:
    """When the first item of the scope was recorded; None when it has none."""
    return db.session.scalar(
        _scope(council_id, inspection_id).with_only_columns(func.min(Item.created_at))
    )


def pending_pack(council_id: int, inspection_id: int | None, as_of: date) -> EvidencePack | None:
    """A pack of the same scope and day that has not finished yet, if any."""
    return db.session.scalars(
        select(EvidencePack)
        .where(EvidencePack.council_id == council_id,
               EvidencePack.inspection_id.is_(None) if inspection_id is None
               else EvidencePack.inspection_id == inspection_id,
               EvidencePack.as_of == as_of,
               EvidencePack.state.in_((RunState.QUEUED, RunState.RUNNING)))
        .order_by(EvidencePack.id).limit(1)
    ).first()


def request_pack(*, council_id: int, as_of: date, inspection: Inspection | None, actor: User,
                 now: datetime) -> EvidencePack:
    """Queue a pack of the council's items (or one inspection's) as they stood at the end of
    `as_of`, for the scheduler to make.

    The day must not be in the future, nor before the scope's first item was recorded (the
    pack would be empty). Asking again while the same pack waits gives the waiting one: a
    double click never makes two.
    """
    if actor.council_id != council_id or actor.role is Role.COMMITTEE_MEMBER:
        raise RuleBroken("Only the council's staff can ask for an evidence pack")
    if inspection is not None and inspection.council_id != council_id:
        raise RuleBroken("Choose an inspection from the list", field="scope")
    if as_of > local_day(now):
        raise RuleBroken("The date must be today or in the past", field="as_of")
    inspection_id = inspection.id if inspection is not None else None
    first = first_item_recorded(council_id, inspection_id)
    if first is None:
        raise RuleBroken(
            "This inspection has no tracked items" if inspection is not None
            else "There are no tracked items to put in a pack yet", field="scope")
    if as_of < local_day(first):
        raise RuleBroken(
            f"The date must be on or after {long_date(local_day(first))}, when the first "
            f"item {'of this inspection ' if inspection is not None else ''}was recorded",
            field="as_of")
    waiting = pending_pack(council_id, inspection_id, as_of)
    if waiting is not None:
        return waiting
    pack = EvidencePack(council_id=council_id, inspection_id=inspection_id, as_of=as_of,
                        state=RunState.QUEUED, requested_by_id=actor.id, requested_at=now)
    db.session.add(pack)
    db.session.flush()
    return pack


def get_pack(council_id: int, pack_id: int) -> EvidencePack | None:
    """One pack of the council, or None (another council's pack is as good as missing)."""
    return db.session.scalars(
        select(EvidencePack)
        .where(EvidencePack.council_id == council_id, EvidencePack.id == pack_id)
        .options(joinedload(EvidencePack.inspection), joinedload(EvidencePack.requested_by))
    ).first()


def recent_packs(council_id: int, limit: int = RECENT_PACKS) -> list[EvidencePack]:
    """The council's latest packs, newest first (without their files)."""
    return list(db.session.scalars(
        select(EvidencePack).where(EvidencePack.council_id == council_id)
        .options(joinedload(EvidencePack.inspection), joinedload(EvidencePack.requested_by))
        .order_by(EvidencePack.requested_at.desc(), EvidencePack.id.desc()).limit(limit)
    ))


def pack_chunks(pack: EvidencePack) -> Iterator[bytes]:
    """A finished pack's zip, piece by piece in order, each read from the database only when
    it is wanted; nothing until the pack is ready. The pieces are read on a connection of
    their own, so a download can stream them after its request has ended."""
    if pack.state is not RunState.DONE:
        return iter(())
    return _pieces(db.engine, pack.id, pack.attempts)


def _pieces(engine: Engine, pack_id: int, attempt: int) -> Iterator[bytes]:
    table = EvidencePackChunk.__table__
    with engine.connect() as connection:
        number = 0
        while True:
            piece = connection.scalar(
                select(table.c.data).where(table.c.pack_id == pack_id,
                                           table.c.attempt == attempt,
                                           table.c.number == number))
            if piece is None:
                return
            yield bytes(piece)
            number += 1


def pack_size(pack: EvidencePack) -> int | None:
    """The finished zip's size in bytes; None until it is ready."""
    return pack.zip_size if pack.state is RunState.DONE else None


def page_state(pack: EvidencePack, *, shown: int | None) -> str:
    """What the pack page's script compares with the state it shows, reloading when they
    differ: the pack's state, or "running, moved on" once a pack being made has gone a tenth
    of its items (at least one) past the `shown` count. The page then shows its progress
    without reloading for every item."""
    if pack.state is RunState.RUNNING and shown is not None:
        step = max(1, -(-pack.items_total // 10))
        if pack.items_done >= shown + step or (pack.items_total and shown == 0
                                                and pack.items_done > 0):
            return "running, moved on"
    return pack.state.value


def download_name(pack: EvidencePack) -> str:
    """The zip's file name: the scope and the day, in safe characters only."""
    scope = ""
    if pack.inspection is not None:
        letter = pack.inspection.letter_date
        scope = render.slug(pack.inspection.title, 40) + (f"-{letter.isoformat()}" if letter
                                                         else "")
        scope += "-"
    return f"evidence-pack-{scope}as-of-{pack.as_of.isoformat()}.zip"


# --- making a pack (the scheduler side) -----------------------------------------------------


def pack_item_ids(pack: EvidencePack) -> list[int]:
    """The items a pack holds, in its order: recorded by the end of its day; priority actions
    first, then by inspection (oldest letter first) and the letter's order."""
    rows = db.session.execute(
        _scope(pack.council_id, pack.inspection_id)
        .where(Item.created_at < end_of_day(pack.as_of))
        .with_only_columns(Item.id, Finding.category, Inspection.letter_date, Inspection.id,
                           Finding.position)
    ).all()
    rows.sort(key=lambda r: (category_rank(r[1]), r[2] or date.min, r[3], r[4], r[0]))
    return [row[0] for row in rows]


def load_item(item_id: int) -> tuple[Item, LoadedHistory]:
    """One item with everything its page prints, and its whole history (with everyone it
    names), in a fixed handful of statements."""
    item = db.session.scalars(
        select(Item).where(Item.id == item_id)
        .options(
            joinedload(Item.finding).joinedload(Finding.inspection)
            .selectinload(Inspection.visit_days),
            joinedload(Item.lead_officer), joinedload(Item.marked_complete_by),
            joinedload(Item.signed_off_by),
            selectinload(Item.actions).options(joinedload(Action.owner),
                                               selectinload(Action.due_date_changes)),
        )
    ).one()
    entries = list(db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.item_id == item_id)
        .order_by(HistoryEntry.created_at, HistoryEntry.id)
    ))
    return item, load_history(entries)


def claim_next(now: datetime) -> tuple[int, int] | None:
    """Take the oldest queued pack: its id and this attempt's number; None when nothing waits.
    Two schedulers never take one pack (tracker.jobs.queue)."""
    return queue.claim_next(EvidencePack, now=now, finished_at=None, last_error="",
                            items_done=0, items_total=0)


def _record(pack_id: int, attempt: int, **values: Any) -> None:
    """Write to the pack while this attempt still holds it, renewing its lease, and commit;
    else stop."""
    written = db.session.execute(
        queue.held(EvidencePack, EvidencePack.id == pack_id, attempt=attempt)
        .values({"lease_until": clock.now() + queue.ROW_LEASE, **values}))
    db.session.commit()
    if written.rowcount != 1:
        raise PackTakenBack(pack_id)


class ChunkWriter:
    """Where a pack's zip is written as it is made: the bytes are kept as pieces of
    CHUNK_BYTES, each inserted as a row of `evidence_pack_chunk` when full (and committed with
    the next progress write), with the zip's size and SHA-256 worked out on the way."""

    def __init__(self, pack_id: int, attempt: int) -> None:
        self.pack_id = pack_id
        self.attempt = attempt
        self.size = 0
        self._hash = hashlib.sha256()
        self._buffer = bytearray()
        self._number = 0

    def write(self, data: bytes, /) -> int:
        self._buffer += data
        self.size += len(data)
        self._hash.update(data)
        while len(self._buffer) >= CHUNK_BYTES:
            self._store(bytes(self._buffer[:CHUNK_BYTES]))
            del self._buffer[:CHUNK_BYTES]
        return len(data)

    def flush(self) -> None:
        """Nothing: a piece is stored once full, and the last one by `close`."""

    def close(self) -> None:
        """Store what is left as the last piece."""
        if self._buffer or not self._number:
            self._store(bytes(self._buffer))
            self._buffer.clear()

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def _store(self, piece: bytes) -> None:
        db.session.execute(insert(EvidencePackChunk).values(
            pack_id=self.pack_id, attempt=self.attempt, number=self._number, data=piece))
        self._number += 1


def _drop_other_attempts(pack_id: int, attempt: int) -> None:
    """Remove the pieces earlier attempts at the pack left (one taken back, say)."""
    db.session.execute(delete(EvidencePackChunk).where(
        EvidencePackChunk.pack_id == pack_id, EvidencePackChunk.attempt != attempt))


def _pack_files(files: list[EvidenceFile], *, number: int, record_title: str,
                file_name: str) -> list[render.PackFile]:
    folder = render.item_folder(file_name)
    return [render.PackFile(
        item_number=number, item_title=record_title,
        path=render.evidence_file_name(folder, n, f.name, f.file_type.extension),
        name=f.name, kind=f.file_type.label, size=f.size, sha256=f.sha256,
        action=f.action.description if f.action is not None else "",
        added_by=f.added_by.display_name if f.added_by is not None else THE_TRACKER,
        added_at=f.added_at,
    ) for n, f in enumerate(files, start=1)]


def make_pack(pack_id: int, attempt: int, *, rules: StatusRules) -> None:
    """Make the claimed pack: a PDF per item and the files added to it as evidence by the
    pack's day, written into the zip's pieces and committing progress after each item, then
    the index. Raises PackTakenBack if the claim stops being this attempt's."""
    pack = db.session.get(EvidencePack, pack_id)
    assert pack is not None
    as_of, council_name = pack.as_of, pack.council.name
    scope = inspection_label(pack.inspection) if pack.inspection else "Every tracked item"
    item_ids = pack_item_ids(pack)
    total = len(item_ids)
    if not total:
        raise RuleBroken(f"No item had been recorded by the end of {long_date(as_of)}: "
                         f"ask for a pack of a later date.")
    _drop_other_attempts(pack_id, attempt)
    _record(pack_id, attempt, items_total=total, items_done=0)
    printer = render.PackPrinter(as_of=as_of, council_name=council_name, scope=scope,
                                 rules=rules)
    writer = ChunkWriter(pack_id, attempt)
    archive = render.PackZip(writer, as_of)
    rows: list[render.IndexRow] = []
    listed: list[render.PackFile] = []
    for number, item_id in enumerate(item_ids, start=1):
        item, history = load_item(item_id)
        record = item_as_of(item, history, as_of, rules)
        name = render.item_file_name(number, record.title)
        files = files_of_item(item_id, before=end_of_day(as_of))
        in_pack = _pack_files(files, number=number, record_title=record.title, file_name=name)
        archive.add(name, printer.item_pdf(record, number=number, total=total, files=in_pack))
        for evidence, entry in zip(files, in_pack, strict=True):
            archive.add(entry.path, file_data(evidence),
                        compress=evidence.file_type not in COMPRESSED_TYPES)
        rows.append(render.IndexRow.of(record, number=number, file_name=name))
        listed += in_pack
        # The session holds loaded rows weakly: once this item's are dropped here, the
        # memory goes with them, however many items the pack has.
        del item, history, record, files
        _record(pack_id, attempt, items_done=number)
    archive.add(render.INDEX_PDF, printer.index_pdf(rows))
    archive.add(render.INDEX_CSV, render.index_csv(rows))
    archive.add(render.FILES_CSV, render.files_csv(listed))
    archive.close()
    writer.close()
    _drop_other_attempts(pack_id, attempt)
    _record(pack_id, attempt, state=RunState.DONE, finished_at=clock.now(), last_error="",
            lease_until=None, zip_size=writer.size, zip_sha256=writer.sha256)


def _fail(pack_id: int, attempt: int, message: str) -> None:
    db.session.rollback()
    # The pieces written before the failure are of no use.
    db.session.execute(delete(EvidencePackChunk).where(
        EvidencePackChunk.pack_id == pack_id, EvidencePackChunk.attempt == attempt))
    # Taken back meanwhile: the newer attempt says how it went.
    with contextlib.suppress(PackTakenBack):
        _record(pack_id, attempt, state=RunState.FAILED, finished_at=clock.now(),
                last_error=message, lease_until=None)


def produce_queued_packs() -> QueueResult:
    """Make every queued pack, oldest first, each claimed in its own transaction; commits."""
    rules = settings().status_rules
    result = QueueResult("made")
    queue.give_up_stale(
        EvidencePack, now=clock.now(),
        why="The scheduler stopped while making this pack, more than once. Ask for it again; "
            "if it fails again, tell the tracker's support.")
    while (claim := claim_next(clock.now())) is not None:
        pack_id, attempt = claim
        try:
            make_pack(pack_id, attempt, rules=rules)
        except PackTakenBack:
            db.session.rollback()
            current_app.logger.warning("Evidence pack %s was taken back while being made",
                                       pack_id)
            continue
        except RuleBroken as error:
            _fail(pack_id, attempt, error.message)
            result.failed += 1
            continue
        except Exception as error:
            current_app.logger.exception("Evidence pack %s failed", pack_id)
            _fail(pack_id, attempt,
                  f"The evidence pack could not be made ({type(error).__name__}). Ask for it "
                  f"again; if it fails again, tell the tracker's support.")
            result.failed += 1
            continue
        result.done += 1
    return result
