"""The tracker behaves the same on SQLite and on PostgreSQL where the two differ unless the
code says what it wants: where rows with no value sort, foreign keys, time zones."""

from __future__ import annotations

from datetime import UTC, date

import pytest
from sqlalchemy.exc import IntegrityError

from tests.factories import InspectionFactory
from tracker.extensions import db
from tracker.inspections.imports import earlier_inspections
from tracker.inspections.models import Inspection
from tracker.inspections.service import inspections_of_council


def test_inspections_without_a_letter_date_come_after_the_dated_ones(app, council):
    # SQLite sorts NULL first going up and last going down; PostgreSQL the other way round.
    undated = InspectionFactory(council=council, letter_date=None, title="Undated")
    older = InspectionFactory(council=council, letter_date=date(2025, 8, 20), title="Older")
    newer = InspectionFactory(council=council, letter_date=date(2026, 7, 27), title="Newer")
    db.session.commit()

    assert inspections_of_council(council.id) == [newer, older, undated]
    assert earlier_inspections(council.id, date(2027, 1, 1)) == [newer, older, undated]


def test_a_row_pointing_at_a_missing_row_is_refused(app, council):
    # SQLite checks foreign keys only when asked (tracker/db.py asks on every connection).
    db.session.add(Inspection(council_id=council.id + 1000, title="For no council"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_times_come_back_in_utc_whatever_the_database_session_uses(app, council):
    if db.engine.dialect.name == "postgresql":
        db.session.execute(db.text("SET TIME ZONE 'America/New_York'"))
    db.session.commit()
    db.session.expire_all()
    assert council.created_at.tzinfo == UTC


def test_sqlite_runs_with_its_write_ahead_log_and_foreign_keys_on(app, sqlite_only):
    connection = db.session.connection()
    assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
