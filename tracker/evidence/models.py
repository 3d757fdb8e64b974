"""Evidence files attached to items and actions, and evidence packs asked for in the app and
produced by the scheduler process."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import UTCDateTime, enum_type, utcnow
from tracker.evidence.sniff import FileType
from tracker.extensions import db
from tracker.jobs.models import Leased

if TYPE_CHECKING:
    from tracker.accounts.models import Council, User
    from tracker.inspections.models import Inspection
    from tracker.items.models import Action, Item


class EvidenceFile(db.Model):
    """A file an owner or lead attached to an action or an item as evidence: its bytes, kept
    in the database (so backups and every web process have it), its SHA-256, the name it was
    uploaded under, its size and kind (told from its first bytes: tracker.evidence.sniff),
    who added it and when. Never changed once added."""

    __tablename__ = "evidence_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    # None: evidence of the item itself (its outcome), not of one action.
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    file_type: Mapped[FileType] = mapped_column(enum_type(FileType))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when a partner sent it through a partner link.
    partner_link_id: Mapped[int | None] = mapped_column(ForeignKey("partner_link.id"))

    item: Mapped[Item] = relationship()
    action: Mapped[Action | None] = relationship()
    added_by: Mapped[User | None] = relationship()


class EvidencePack(Leased, db.Model):
    """One zip of the council's items (or one inspection's) as they stood at the end of
    `as_of`: a PDF per item, the evidence files added by then, and an index. Printing many
    PDFs takes long, so the scheduler makes it and the page shows its progress (`items_done`
    of `items_total`). The zip is written as it is made, in pieces (`EvidencePackChunk`),
    and served the same way: never whole in memory."""

    __tablename__ = "evidence_pack"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    # None: every tracked item of the council.
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"))
    as_of: Mapped[date] = mapped_column(Date)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # State, lease, attempts and why it failed (in words for the person who asked): Leased.
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    items_total: Mapped[int] = mapped_column(default=0)
    items_done: Mapped[int] = mapped_column(default=0)
    zip_sha256: Mapped[str] = mapped_column(String(64), default="")
    zip_size: Mapped[int] = mapped_column(default=0, server_default="0")

    council: Mapped[Council] = relationship()
    inspection: Mapped[Inspection | None] = relationship()
    requested_by: Mapped[User | None] = relationship()


class EvidencePackChunk(db.Model):
    """One piece of a pack's zip, in order (`number` from 0), written by the attempt that made
    it: a pack taken back and made again writes its own pieces, and the finished pack's are
    those of its last attempt (`EvidencePack.attempts`)."""

    __tablename__ = "evidence_pack_chunk"
    __table_args__ = (UniqueConstraint("pack_id", "attempt", "number",
                                       name="uq_evidence_pack_chunk_pack_id_attempt_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pack_id: Mapped[int] = mapped_column(ForeignKey("evidence_pack.id"), index=True)
    attempt: Mapped[int] = mapped_column()
    number: Mapped[int] = mapped_column()
    data: Mapped[bytes] = mapped_column(LargeBinary)
