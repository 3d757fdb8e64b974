"""Evidence packs and files for tests outside this folder (the access matrix)."""

from __future__ import annotations

import hashlib
from datetime import date

from tracker import clock
from tracker.evidence.models import EvidenceFile, EvidencePack, EvidencePackChunk
from tracker.evidence.render import build_zip
from tracker.evidence.sniff import FileType
from tracker.extensions import db
from tracker.reports.models import RunState


def evidence_pack_for_world(world) -> int:
    """A finished pack of the world's council, its zip stored, for a request that needs one."""
    data = build_zip({"000-index.csv": b"No.,File\r\n"}, date(2026, 9, 1))
    pack = EvidencePack(council_id=world.council.id, as_of=date(2026, 9, 1),
                        state=RunState.DONE, requested_at=clock.now(), finished_at=clock.now(),
                        items_total=0, items_done=0, attempts=1, zip_size=len(data),
                        zip_sha256=hashlib.sha256(data).hexdigest())
    db.session.add(pack)
    db.session.flush()
    db.session.add(EvidencePackChunk(pack_id=pack.id, attempt=1, number=0, data=data))
    db.session.commit()
    return pack.id


def evidence_file_for_world(world) -> int:
    """A text file kept as evidence of the world's action, for a request that needs one."""
    data = b"Audit of 40 case files: 38 record the child's views.\n"
    evidence = EvidenceFile(council_id=world.council.id, item_id=world.item.id,
                            action_id=world.action.id, name="audit.txt",
                            file_type=FileType.TEXT, size=len(data),
                            sha256=hashlib.sha256(data).hexdigest(), data=data,
                            added_at=clock.now())
    db.session.add(evidence)
    db.session.commit()
    return evidence.id
