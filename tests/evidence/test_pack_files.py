"""An evidence pack holds the files added as evidence by its day, in each item's folder, and
lists every one with its name, size and SHA-256. The pack is written in pieces as it is made
and served the same way."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date

from sqlalchemy import func, select

from tests.conftest import sign_in_as
from tests.evidence.conftest import BEFORE, at, pdf_text, unzip, zip_of
from tracker import clock
from tracker.evidence import service
from tracker.evidence.files import Upload
from tracker.evidence.models import EvidencePack, EvidencePackChunk
from tracker.evidence.service import produce_queued_packs, request_pack
from tracker.extensions import db
from tracker.items import service as items
from tracker.items.models import ActionStatus
from tracker.reports.models import RunState

MINUTES = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
NOTES = b"Rota: 5 workers a day, reviewed weekly.\n"


def made(plan, as_of: date) -> EvidencePack:
    pack = request_pack(council_id=plan.council_id, as_of=as_of, inspection=None,
                        actor=plan.lead, now=clock.now())
    db.session.commit()
    assert produce_queued_packs().done == 1
    db.session.refresh(pack)
    assert pack.state is RunState.DONE, pack.message
    return pack


def attach(plan) -> None:
    """Minutes on the screening item's rota action on 20 October; notes on the item itself on
    12 November, after the day of a pack as of 31 October."""
    items.update_action(plan.rota, actor=plan.lead, now=at(2026, 10, 20), expected_version=None,
                        status=ActionStatus.IN_PROGRESS, commentary="", evidence_link="",
                        files=[Upload("Rota minutes (October).pdf", MINUTES)])
    items.add_item_evidence(plan.screening, actor=plan.lead, now=at(2026, 11, 12), link="",
                            files=[Upload("notes.txt", NOTES)])
    db.session.commit()


def listed(files: dict[str, bytes]) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files["000-evidence-files.csv"].decode("utf-8-sig"))))


def test_the_pack_holds_each_items_files_in_its_folder_and_lists_their_size_and_sha256(plan):
    attach(plan)
    files = unzip(zip_of(made(plan, clock.today())))

    folder = "001-screening-contacts-within-one-working-day"
    assert files[f"{folder}/01-rota-minutes-october.pdf"] == MINUTES
    assert files[f"{folder}/02-notes.txt"] == NOTES
    rows = listed(files)
    assert [(r["No."], r["File in this pack"], r["Name as added"], r["Kind"], r["Size in bytes"],
             r["SHA-256"], r["Added by"], r["Action"][:20]) for r in rows] == [
        ("1", f"{folder}/01-rota-minutes-october.pdf", "Rota minutes (October).pdf", "PDF",
         str(len(MINUTES)), hashlib.sha256(MINUTES).hexdigest(), "Meg Lead",
         "Daily screening rota"),
        ("1", f"{folder}/02-notes.txt", "notes.txt", "Text", str(len(NOTES)),
         hashlib.sha256(NOTES).hexdigest(), "Meg Lead", ""),
    ]
    # The item's PDF names them too, with their fingerprints.
    text = pdf_text(files[f"{folder}.pdf"])
    assert "Rota minutes (October).pdf" in text
    assert hashlib.sha256(MINUTES).hexdigest() in text.replace(" ", "").replace("\n", "")


def test_files_added_after_the_packs_day_are_left_out(plan):
    attach(plan)
    files = unzip(zip_of(made(plan, BEFORE)))
    assert [name for name in files if "/" in name] == [
        "001-timeliness-of-contact-screening/01-rota-minutes-october.pdf"]
    assert [row["Name as added"] for row in listed(files)] == ["Rota minutes (October).pdf"]


def test_a_pack_is_written_and_served_in_pieces_never_whole(plan, client, monkeypatch):
    attach(plan)
    monkeypatch.setattr(service, "CHUNK_BYTES", 4096)
    pack = made(plan, clock.today())
    pieces = db.session.scalar(select(func.count()).select_from(EvidencePackChunk)
                               .where(EvidencePackChunk.pack_id == pack.id))
    assert pieces == -(-pack.zip_size // 4096) > 3
    whole = zip_of(pack)
    assert len(whole) == pack.zip_size
    assert hashlib.sha256(whole).hexdigest() == pack.zip_sha256

    sign_in_as(client, plan.admin)
    response = client.get(f"/evidence-packs/{pack.id}/download")
    assert response.is_streamed
    assert response.headers["Content-Length"] == str(pack.zip_size)
    assert [len(piece) for piece in response.response][:2] == [4096, 4096]
    assert client.get(f"/evidence-packs/{pack.id}/download").data == whole


def test_a_pack_made_again_keeps_only_its_last_attempts_pieces(plan):
    pack = made(plan, clock.today())
    first = zip_of(pack)
    # As if a scheduler had been stopped while making it, then it was made again.
    db.session.add(EvidencePackChunk(pack_id=pack.id, attempt=pack.attempts + 1, number=0,
                                     data=b"half a zip"))
    pack.state, pack.attempts = RunState.QUEUED, pack.attempts + 1
    db.session.commit()
    assert produce_queued_packs().done == 1
    db.session.refresh(pack)
    assert zip_of(pack) == first
    attempts = db.session.scalars(select(EvidencePackChunk.attempt).distinct()
                                  .where(EvidencePackChunk.pack_id == pack.id)).all()
    assert attempts == [pack.attempts]
