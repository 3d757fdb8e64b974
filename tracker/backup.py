"""`flask --app tracker backup PATH` and `restore PATH`: the whole database to one file and back.

SQLite: SQLite's online backup API, so a backup can be taken while the tracker is in use, and
a restore is copied into a temporary file first, checked, then swapped in by the same API in
one transaction: the database is either as it was or wholly the backup's, never half of each.

PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean --if-exists --no-owner`, the
restore in a single transaction. The programs are looked for on PATH, then in Debian's
/usr/lib/postgresql/*/bin (newest first).
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import inspect
from sqlalchemy.engine import URL, Engine

from tracker.extensions import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
# Every tracker database has this table (the migrations' bookkeeping): a backup without it
# is some other application's.
VERSION_TABLE = "alembic_version"


class BackupError(Exception):
    """The backup or restore could not be done; the message says why and what to do."""


def database_kind(engine: Engine) -> str:
    """`sqlite` or `postgresql`; anything else cannot be backed up by these commands."""
    name = engine.url.get_backend_name()
    if name not in {"sqlite", "postgresql"}:
        raise BackupError(f"Backups of {name} databases are not supported.")
    return name


def describe(engine: Engine) -> str:
    """The database, as people can read it, without its password."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return f"the SQLite database {url.database}"
    host = url.host or url.query.get("host") or "the local server"
    port = f":{url.port}" if url.port else ""
    return f"the PostgreSQL database {url.database} on {host}{port}"


def kind_of_file(path: Path) -> str | None:
    """`sqlite`, `postgresql` (a pg_dump custom-format file) or None, from its first bytes."""
    try:
        with open(path, "rb") as handle:
            start = handle.read(len(SQLITE_MAGIC))
    except IsADirectoryError as error:
        raise BackupError(f"{path} is a folder, not a backup file.") from error
    except FileNotFoundError as error:
        raise BackupError(f"There is no file {path}.") from error
    if start.startswith(SQLITE_MAGIC):
        return "sqlite"
    if start.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    return None


@contextlib.contextmanager
def _written_atomically(path: Path) -> Iterator[Path]:
    """A temporary file beside `path` that becomes `path` only once it is complete, so an
    interrupted backup never leaves a half-written file under the backup's name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial",
                                        dir=path.parent)
    os.close(descriptor)
    partial = Path(name)
    try:
        yield partial
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


# SQLite -------------------------------------------------------------------------------------


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("Only a SQLite database in a file can be backed up or restored.")
    return Path(database)


def _sqlite_connect(path: Path, read_only: bool = False) -> sqlite3.Connection:
    target = "file:" + urllib.parse.quote(str(path)) + ("?mode=ro" if read_only else "")
    connection = sqlite3.connect(target, uri=True, timeout=30)
    connection.execute("PRAGMA busy_timeout=30000")
    return connection


def _backup_sqlite(engine: Engine, path: Path) -> None:
    live = _sqlite_path(engine)
    if not live.exists():
        raise BackupError(f"There is no database at {live} to back up.")
    with (_written_atomically(path) as partial,
          contextlib.closing(_sqlite_connect(live)) as source,
          contextlib.closing(sqlite3.connect(partial)) as target):
        source.backup(target)
        # One self-contained file: no write-ahead log beside it.
        target.execute("PRAGMA journal_mode=DELETE")


def _check_sqlite_copy(connection: sqlite3.Connection, path: Path) -> None:
    try:
        result = connection.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is damaged and cannot be restored ({error}).") from error
    if result != "ok":
        raise BackupError(f"{path} is damaged and cannot be restored: {result}")
    if VERSION_TABLE not in tables:
        raise BackupError(f"{path} is a SQLite database but not a backup of the tracker.")


def _restore_sqlite(engine: Engine, path: Path) -> None:
    live = _sqlite_path(engine)
    # The live database's own folder, so the copy is on the same disk and as private.
    live.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(prefix=".restore-", suffix=".sqlite", dir=live.parent)
    os.close(descriptor)
    staged_path = Path(name)
    try:
        with contextlib.closing(sqlite3.connect(staged_path)) as staged:
            with contextlib.closing(_sqlite_connect(path, read_only=True)) as source:
                try:
                    source.backup(staged)
                except sqlite3.DatabaseError as error:
                    raise BackupError(
                        f"{path} is damaged and cannot be restored ({error}).") from error
            _check_sqlite_copy(staged, path)
            # Every page in one step, in one write transaction on the live database: other
            # connections see the old database or the restored one, and a failure changes
            # nothing.
            with contextlib.closing(_sqlite_connect(live)) as target:
                try:
                    staged.backup(target)
                except sqlite3.DatabaseError as error:
                    raise BackupError(
                        f"The restore failed and changed nothing: {error}") from error
    finally:
        staged_path.unlink(missing_ok=True)


# PostgreSQL ---------------------------------------------------------------------------------


def _version_key(folder: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", folder))


def find_postgres_program(name: str) -> str:
    """pg_dump or pg_restore: from PATH, else the newest of Debian's versioned folders."""
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key,
                         reverse=True):
        candidate = Path(folder) / name
        if os.access(candidate, os.X_OK):
            return str(candidate)
    raise BackupError(
        f"{name} was not found on PATH or in /usr/lib/postgresql/*/bin. Install PostgreSQL's "
        "client programs (on Debian: `apt-get install postgresql-client`), the same major "
        "version as the server or newer, and try again."
    )


def _libpq_target(url: URL) -> tuple[str, dict[str, str]]:
    """The database as a libpq connection URI for pg_dump and pg_restore, and their
    environment: the password goes in PGPASSWORD, never on a command line others can see."""
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, environment


def _run(command: list[str], environment: dict[str, str]) -> str:
    try:
        # A list of arguments, no shell: the program is pg_dump or pg_restore, found above.
        finished = subprocess.run(command, env=environment, capture_output=True,  # noqa: S603
                                  text=True, stdin=subprocess.DEVNULL, check=False)
    except OSError as error:
        raise BackupError(f"Could not run {command[0]}: {error}") from error
    if finished.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed:\n{finished.stderr.strip()}")
    return finished.stdout


def _backup_postgres(engine: Engine, path: Path) -> None:
    program = find_postgres_program("pg_dump")
    uri, environment = _libpq_target(engine.url)
    with _written_atomically(path) as partial:
        _run([program, "--format=custom", f"--file={partial}", f"--dbname={uri}"], environment)


def _tables_in_dump(path: Path, environment: dict[str, str]) -> set[str]:
    listing = _run([find_postgres_program("pg_restore"), "--list", str(path)], environment)
    # Lines read "215; 1259 16390 TABLE public action tracker".
    return {match.group(1) for match in re.finditer(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ",
                                                    listing, re.MULTILINE)}


def _other_sessions_in_a_transaction(engine: Engine) -> int:
    with engine.connect() as connection:
        busy = connection.exec_driver_sql(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL").scalar()
    engine.dispose()
    return int(busy or 0)


def _restore_postgres(engine: Engine, path: Path) -> list[str]:
    program = find_postgres_program("pg_restore")
    uri, environment = _libpq_target(engine.url)
    try:
        tables = _tables_in_dump(path, environment)
    except BackupError as error:
        raise BackupError(f"{path} is damaged and cannot be restored.\n{error}") from error
    if VERSION_TABLE not in tables:
        raise BackupError(f"{path} is a PostgreSQL dump but not a backup of the tracker.")
    busy = _other_sessions_in_a_transaction(engine)
    if busy:
        # pg_restore would wait for them for as long as they take (its archive turns any lock
        # timeout off): refuse now, with nothing changed, rather than hang.
        raise BackupError(
            f"{busy} other connection(s) to the database are in the middle of a transaction "
            "(the web workers or the scheduler, probably). Stop the web and scheduler "
            "processes, then restore again. Nothing was changed.")
    # One transaction: if any statement fails, the database is left exactly as it was.
    _run([program, "--clean", "--if-exists", "--no-owner", "--single-transaction",
          "--exit-on-error", f"--dbname={uri}", str(path)], environment)
    with engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
    return sorted(present - tables)


# The two operations -------------------------------------------------------------------------


def backup_database(engine: Engine, path: Path) -> None:
    """Write the whole database to `path` (replaced only once the new backup is complete)."""
    if database_kind(engine) == "sqlite":
        _backup_sqlite(engine, path)
    else:
        _backup_postgres(engine, path)


def check_backup(engine: Engine, path: Path) -> None:
    """Refuse a file that is not a backup of this kind of database, before anything changes."""
    kind = database_kind(engine)
    found = kind_of_file(path)
    if found == kind:
        return
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    if found is None:
        raise BackupError(f"{path} is not a backup made by `flask --app tracker backup`.")
    raise BackupError(
        f"{path} is a backup of a {names[found]} database, but this tracker uses "
        f"{names[kind]}. Restore it into a tracker set up with {names[found]}."
    )


def restore_database(engine: Engine, path: Path) -> list[str]:
    """Replace everything in the database with the backup at `path`, all or nothing.

    Returns the tables the database has that the backup does not (PostgreSQL leaves them)."""
    check_backup(engine, path)
    # Our own pooled connections would hold locks and stale state through the swap.
    engine.dispose()
    if database_kind(engine) == "sqlite":
        _restore_sqlite(engine, path)
        return []
    return _restore_postgres(engine, path)


def revision_of(engine: Engine) -> str | None:
    """The migration the database is at, as `flask db current` would say."""
    with engine.connect() as connection:
        if VERSION_TABLE not in inspect(connection).get_table_names():
            return None
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


# Commands -----------------------------------------------------------------------------------


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write the whole database to PATH (SQLite file or pg_dump custom format)."""
    try:
        backup_database(db.engine, path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up {describe(db.engine)} to {path}")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace everything in the database with the backup at PATH."""
    engine = db.engine
    try:
        check_backup(engine, path)
        if not yes:
            click.confirm(
                f"This replaces everything in {describe(engine)} with the backup {path}. "
                "Stop the web and scheduler processes first. Continue?",
                abort=True,
            )
        # This command's own session must not hold the tables the restore replaces.
        db.session.remove()
        left_over = restore_database(engine, path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored {describe(engine)} from {path} "
               f"(schema revision {revision_of(engine)}).")
    if left_over:
        click.echo("These tables are not in the backup and were left as they were: "
                   + ", ".join(left_over), err=True)
    click.echo("If the backup is from an older version of the tracker, run "
               "`flask --app tracker db upgrade` now.")
