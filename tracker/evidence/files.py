"""Evidence files: checking an upload, keeping it, listing an item's or action's evidence, and
who may open a file.

An owner or the lead officer attaches files to an action (with its progress update), the lead
officer to an item; a partner through their link to their own action. Each file is checked by
its first bytes (tracker.evidence.sniff), kept in the database with its SHA-256, and recorded
in the history in the same transaction. Files may hold case detail: administrators and
managers of the council open them (a partner signed in only those of actions they own or items
they lead), and the partner through their link those of their action. Committee members see
that a file exists, and who added it when, but cannot open it.

Links and files both count as evidence: an item's or action's evidence is every file added
and every link its history gives.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload

from tracker.accounts.models import User, shown_name
from tracker.audit.models import HistoryEntry, HistoryField, HistoryKind
from tracker.audit.service import record_history
from tracker.audit.values import from_json
from tracker.audit.words import THE_TRACKER
from tracker.errors import RuleBroken
from tracker.evidence.models import EvidenceFile
from tracker.evidence.sniff import HEAD_BYTES, MAX_FILE_BYTES, FileRefused, Sniffed, sniff
from tracker.extensions import db
from tracker.items.models import Action

if TYPE_CHECKING:
    from tracker.items.models import Item
    from tracker.partners.models import PartnerLink

__all__ = ["MAX_FILE_BYTES", "CheckedUpload", "EvidenceRow", "Upload", "add_link",
           "attach_files", "check_uploads", "evidence_of", "file_data", "files_of_item",
           "get_file", "partner_may_open"]


@dataclass(frozen=True)
class Upload:
    """A file as it came with the request: the name the browser sent, and its bytes (read up
    to one byte past MAX_FILE_BYTES, so a file too big is known to be)."""

    name: str
    data: bytes
    # The whole size, where the request said it and it is more than `data` holds.
    size: int | None = None


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that may be kept: its bytes and what it is."""

    data: bytes
    sniffed: Sniffed


def check_uploads(uploads: Sequence[Upload]) -> list[CheckedUpload]:
    """Check every upload before anything is written; raises RuleBroken on the `files` field,
    naming the file and saying why, for the first that may not be kept (and that none was
    saved)."""
    checked = []
    for upload in uploads:
        size = max(upload.size or 0, len(upload.data))
        try:
            sniffed = sniff(upload.name, upload.data[:HEAD_BYTES], size)
        except FileRefused as refusal:
            # A browser shows a form again without the files chosen: say so.
            raise RuleBroken(f"{refusal.message}. Nothing was saved: choose your files again",
                             field="files") from refusal
        checked.append(CheckedUpload(data=upload.data, sniffed=sniffed))
    return checked


def attach_files(checked: Sequence[CheckedUpload], *, item: Item, action: Action | None,
                 actor: User, now: datetime,
                 partner_link: PartnerLink | None = None) -> list[EvidenceFile]:
    """Keep checked uploads as evidence of the item (or of one of its actions), each with its
    history entry (kind "evidence file added", its name as the text). Flushes nothing: the
    caller's service flushes."""
    council_id = item.finding.inspection.council_id
    added = []
    for upload in checked:
        evidence = EvidenceFile(
            council_id=council_id, item=item, action=action, name=upload.sniffed.name,
            file_type=upload.sniffed.file_type, size=len(upload.data),
            sha256=hashlib.sha256(upload.data).hexdigest(), data=upload.data,
            added_by_id=actor.id, added_at=now,
            partner_link_id=partner_link.id if partner_link is not None else None,
        )
        db.session.add(evidence)
        record_history(item=item, action=action, author=actor, now=now,
                       kind=HistoryKind.EVIDENCE_FILE, text=evidence.name,
                       partner_link=partner_link)
        added.append(evidence)
    return added


def add_link(link: str, *, item: Item, actor: User, now: datetime) -> None:
    """Keep a web link as evidence of the item itself (an action's link comes with its
    update: tracker.items.service.update_action)."""
    record_history(item=item, author=actor, now=now, kind=HistoryKind.EVIDENCE,
                   field=HistoryField.EVIDENCE_LINK, new_value=link)


# --- listing and opening -------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceRow:
    """One piece of evidence as a page lists it: a file (`file_id` set) or a link (`url`)."""

    name: str
    kind: str
    added_by: str
    added_at: datetime
    partner: bool
    action_id: int | None
    action: str
    file_id: int | None = None
    # The file, for the rule on who may open it (tracker.permissions).
    file: EvidenceFile | None = None
    size: int = 0
    sha256: str = ""
    url: str = ""


def files_of_item(item_id: int, *, before: datetime | None = None) -> list[EvidenceFile]:
    """The item's files (its actions' included), oldest first, without their bytes; only
    those added before `before` if given."""
    if before is None:
        return list(db.session.scalars(_files_of_item(), {"item_id": item_id}))
    return list(db.session.scalars(_files_of_item().where(EvidenceFile.added_at < before),
                                   {"item_id": item_id}))


# The statements of an item's evidence are built once and run with the item's id bound
# (`item_id`): the item page reads them on every request.
@cache
def _files_of_item() -> Select[tuple[EvidenceFile]]:
    return (select(EvidenceFile).where(EvidenceFile.item_id == bindparam("item_id"))
            .options(joinedload(EvidenceFile.added_by), joinedload(EvidenceFile.action))
            .order_by(EvidenceFile.added_at, EvidenceFile.id))


@cache
def _links_of_item() -> Select[Any]:
    # Plain columns: the author's name and the action's description, no object loaded.
    return (select(HistoryEntry.field, HistoryEntry.new_value, HistoryEntry.created_at,
                   HistoryEntry.partner_link_id, HistoryEntry.action_id, Action.description,
                   User.name, User.organisation)
            .outerjoin(Action, Action.id == HistoryEntry.action_id)
            .outerjoin(User, User.id == HistoryEntry.author_id)
            .where(HistoryEntry.item_id == bindparam("item_id"),
                   HistoryEntry.kind == HistoryKind.EVIDENCE,
                   HistoryEntry.field == HistoryField.EVIDENCE_LINK)
            .order_by(HistoryEntry.created_at, HistoryEntry.id))


def evidence_of(item: Item, action: Action | None = None) -> list[EvidenceRow]:
    """Every file and link kept as evidence of the item and its actions (of one action only
    when `action` is given), oldest first."""
    files = files_of_item(item.id)
    rows = [
        EvidenceRow(name=f.name, kind=f.file_type.label, added_by=_name(f.added_by),
                    added_at=f.added_at, partner=f.partner_link_id is not None,
                    action_id=f.action_id,
                    action=f.action.description if f.action is not None else "",
                    file_id=f.id, file=f, size=f.size, sha256=f.sha256)
        for f in files
    ]
    for (field, stored, added_at, partner_link_id, action_id, description, author_name,
         author_organisation) in db.session.execute(_links_of_item(), {"item_id": item.id}):
        link = from_json(field, stored)
        if link:
            rows.append(EvidenceRow(
                name=link, kind="Link",
                added_by=(shown_name(author_name, author_organisation)
                          if author_name is not None else THE_TRACKER),
                added_at=added_at, partner=partner_link_id is not None, action_id=action_id,
                action=description if description is not None else "", url=link))
    if action is not None:
        rows = [row for row in rows if row.action_id == action.id]
    return sorted(rows, key=lambda row: row.added_at)


def _name(user: User | None) -> str:
    return user.display_name if user is not None else THE_TRACKER


def get_file(council_id: int, file_id: int) -> EvidenceFile | None:
    """One evidence file of the council, without its bytes; another council's is as good as
    missing."""
    return db.session.scalars(
        select(EvidenceFile)
        .where(EvidenceFile.council_id == council_id, EvidenceFile.id == file_id)
        .options(joinedload(EvidenceFile.item), joinedload(EvidenceFile.action))
    ).first()


def file_data(evidence: EvidenceFile) -> bytes:
    """A file's bytes, as kept."""
    return db.session.scalar(select(EvidenceFile.data).where(EvidenceFile.id == evidence.id))


def partner_may_open(link: PartnerLink, evidence: EvidenceFile) -> bool:
    """Through a partner link, the files of the link's own action only."""
    return evidence.action_id == link.action_id

