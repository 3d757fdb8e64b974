"""`flask backup` and `flask restore`, on whichever database this run uses: a round trip gives
back every row of every table, and a wrong, foreign or damaged file changes nothing."""

from __future__ import annotations

import sqlite3
import stat

import pytest
from sqlalchemy import MetaData, create_engine, select
from werkzeug.security import generate_password_hash

from tests.factories import UserFactory
from tracker.accounts.models import User
from tracker.backup import backup_database
from tracker.extensions import db
from tracker.items.models import Action


def every_row_of_every_table() -> dict[str, list[tuple]]:
    """Each table of the database (read from the database itself, not the models) and its
    rows in primary-key order."""
    metadata = MetaData()
    with db.engine.connect() as connection:
        metadata.reflect(connection)
        found = {}
        for table in metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            found[table.name] = [tuple(row) for row in
                                 connection.execute(select(table).order_by(*order))]
    return found


@pytest.fixture
def demo(app, runner, monkeypatch):
    # As in the factories: a cheap hash keeps the suite fast; production uses scrypt.
    monkeypatch.setattr(
        "tracker.accounts.models.generate_password_hash",
        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"),
    )
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    db.session.remove()


def invoke(runner, *args: str, **options):
    # The command runs in this test's app context: it must not find a transaction of ours open.
    db.session.remove()
    return runner.invoke(args=list(args), **options)


def test_a_restore_gives_back_every_row_of_every_table_as_it_was_backed_up(
        demo, runner, tmp_path):
    before = every_row_of_every_table()
    filled = [name for name, rows in before.items() if rows]
    assert len(filled) >= 10, f"too little to compare: {filled}"
    backup = tmp_path / "tracker.backup"

    backed_up = invoke(runner, "backup", str(backup))
    assert backed_up.exit_code == 0, backed_up.output
    assert "Backed up" in backed_up.output
    # A copy of everyone's data: for the owner's eyes only, like the database itself.
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600

    # Change the database after the backup: a new user, two edits.
    UserFactory(council_id=db.session.scalars(select(User.council_id)).first(),
                email="after.backup@northshire.example")
    db.session.scalars(select(Action)).first().description = "Changed after the backup"
    db.session.scalars(select(User)).first().name = "Changed After The Backup"
    db.session.commit()
    assert every_row_of_every_table() != before

    restored = invoke(runner, "restore", "--yes", str(backup))
    assert restored.exit_code == 0, restored.output
    assert "Restored" in restored.output
    assert every_row_of_every_table() == before

    # The ids carry on after the restored rows: a new row does not collide with them.
    UserFactory(council_id=db.session.scalars(select(User.council_id)).first())
    db.session.commit()


def test_a_backup_replaces_an_older_backup_of_the_same_name(demo, runner, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    backup = folder / "tracker.backup"
    backup.write_bytes(b"yesterday's backup")
    result = invoke(runner, "backup", str(backup))
    assert result.exit_code == 0, result.output
    assert backup.read_bytes() != b"yesterday's backup"
    assert [path.name for path in folder.iterdir()] == ["tracker.backup"]


def test_restore_asks_first_and_a_no_changes_nothing(demo, runner, tmp_path):
    backup = tmp_path / "tracker.backup"
    assert invoke(runner, "backup", str(backup)).exit_code == 0
    UserFactory(council_id=db.session.scalars(select(User.council_id)).first())
    db.session.commit()
    before = every_row_of_every_table()

    result = invoke(runner, "restore", str(backup), input="n\n")

    assert result.exit_code != 0
    assert "This replaces everything in" in result.output
    assert every_row_of_every_table() == before


@pytest.fixture
def other_kind_of_backup(database_kind, tmp_path):
    """A real backup of the other kind of database than this run's."""
    path = tmp_path / "other.backup"
    if database_kind == "sqlite":
        path.write_bytes(b"PGDMP\x01\x0f\x00\x04\x08\x01\x01\x01" + bytes(200))
    else:
        connection = sqlite3.connect(path)
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        connection.commit()
        connection.close()
    return path


def test_a_backup_of_the_other_kind_of_database_is_refused(
        demo, runner, other_kind_of_backup, database_kind):
    before = every_row_of_every_table()
    result = invoke(runner, "restore", "--yes", str(other_kind_of_backup))
    assert result.exit_code != 0
    other = "SQLite" if database_kind == "postgresql" else "PostgreSQL"
    assert f"is a backup of a {other} database, but this tracker uses" in result.output
    assert every_row_of_every_table() == before


def test_a_file_that_is_no_backup_at_all_is_refused(demo, runner, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Meeting notes, not a backup\n")
    result = invoke(runner, "restore", "--yes", str(notes))
    assert result.exit_code != 0
    assert "is not a backup made by `flask --app tracker backup`" in result.output
    missing = invoke(runner, "restore", "--yes", str(tmp_path / "missing.backup"))
    assert missing.exit_code != 0
    assert "There is no file" in missing.output


def test_a_backup_of_some_other_database_of_the_same_kind_is_refused(
        demo, runner, empty_database_uri, tmp_path):
    other = create_engine(empty_database_uri)
    with other.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    backup = tmp_path / "notes.backup"
    backup_database(other, backup)
    other.dispose()
    before = every_row_of_every_table()

    result = invoke(runner, "restore", "--yes", str(backup))

    assert result.exit_code != 0
    assert "but not a backup of the tracker" in result.output
    assert every_row_of_every_table() == before


def test_a_damaged_backup_is_refused_and_the_database_is_left_as_it_was(
        demo, runner, tmp_path):
    backup = tmp_path / "tracker.backup"
    assert invoke(runner, "backup", str(backup)).exit_code == 0
    whole = backup.read_bytes()
    backup.write_bytes(whole[: len(whole) * 2 // 3])  # cut short, as by a full disk
    UserFactory(council_id=db.session.scalars(select(User.council_id)).first())
    db.session.commit()
    before = every_row_of_every_table()

    result = invoke(runner, "restore", "--yes", str(backup))

    assert result.exit_code != 0
    assert every_row_of_every_table() == before


def test_a_restore_while_another_connection_is_mid_transaction_is_refused_on_postgresql(
        demo, runner, tmp_path, database_kind):
    if database_kind != "postgresql":
        pytest.skip("about PostgreSQL's locks: SQLite's restore is one step under its own lock")
    backup = tmp_path / "tracker.backup"
    assert invoke(runner, "backup", str(backup)).exit_code == 0
    before = every_row_of_every_table()
    # As a web worker would be, in the middle of a request.
    worker = create_engine(db.engine.url)
    with worker.connect() as connection:
        connection.exec_driver_sql("SELECT count(*) FROM council")

        result = invoke(runner, "restore", "--yes", str(backup))

        assert result.exit_code != 0
        assert "in the middle of a transaction" in result.output
        assert "Nothing was changed" in result.output
    worker.dispose()
    assert every_row_of_every_table() == before
