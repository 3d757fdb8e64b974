"""Migration 0017 on a database written by the one before it: each evidence pack made before,
one zip in one column, is moved into pieces with its size, byte for byte; a pack not finished
has none. And it can be undone, putting the pieces back together."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests.whole_app.test_migrations import fresh_app  # noqa: F401
from tracker.extensions import db

AT = "2026-11-02 09:00:00+00:00"
# Two and a half pieces of 1 MB.
ZIP = b"PK\x03\x04" + os.urandom(2 * 1024 * 1024 + 512 * 1024)


def test_packs_made_before_are_moved_into_pieces_and_back(fresh_app):  # noqa: F811
    upgrade(revision="0016")
    with db.engine.begin() as connection:
        run = connection.exec_driver_sql
        run(f"INSERT INTO council (id, name, created_at) VALUES (1, 'Northshire', '{AT}')")
        packs = sa.Table("evidence_pack", sa.MetaData(), autoload_with=connection)
        common = {"council_id": 1, "as_of": date(2026, 11, 1),
                  "requested_at": datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
                  "items_total": 2, "items_done": 2, "last_error": "", "zip_sha256": ""}
        connection.execute(packs.insert(), [
            {**common, "id": 1, "state": "done", "attempts": 2, "zip_file": ZIP},
            {**common, "id": 2, "state": "queued", "attempts": 0, "zip_file": None},
        ])

    upgrade(revision="0017")

    with db.engine.connect() as connection:
        pieces = connection.exec_driver_sql(
            "SELECT pack_id, attempt, number, data FROM evidence_pack_chunk "
            "ORDER BY pack_id, number").all()
        sizes = connection.exec_driver_sql(
            "SELECT id, zip_size FROM evidence_pack ORDER BY id").all()
    assert [(p[0], p[1], p[2], len(p[3])) for p in pieces] == [
        (1, 2, 0, 1024 * 1024), (1, 2, 1, 1024 * 1024), (1, 2, 2, len(ZIP) - 2 * 1024 * 1024)]
    assert b"".join(bytes(p[3]) for p in pieces) == ZIP
    assert [tuple(row) for row in sizes] == [(1, len(ZIP)), (2, 0)]

    downgrade(revision="0016")
    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT id, zip_file FROM evidence_pack ORDER BY id").all()
    assert [(row[0], bytes(row[1]) if row[1] is not None else None) for row in rows] == [
        (1, ZIP), (2, None)]
