"""Test set-up: a real database for each test, its schema built by running the migrations: a
copy of a SQLite file (the default), or, with `--database=postgresql`, a database on a
throwaway PostgreSQL server that is emptied after each test."""

from __future__ import annotations

import contextvars
import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from flask.testing import FlaskClient

from tracker import create_app
from tracker.extensions import db

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"

# Every test runs at the same moment, so dates in factories and expectations never drift.
TEST_NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

DATABASE_KINDS = ("sqlite", "postgresql")


@pytest.fixture(autouse=True)
def fixed_time():
    """Freeze the clock at TEST_NOW; a test may travel elsewhere with `time_machine.travel`."""
    with time_machine.travel(TEST_NOW, tick=False) as traveller:
        yield traveller


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context and database session,
    as in production, so a request sees only what the test committed."""

    def open(self, *args, **kwargs):
        db.session.commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        db.session.expire_all()
        return response


def pytest_addoption(parser):
    parser.addoption(
        "--database", choices=DATABASE_KINDS,
        default=os.environ.get("TRACKER_TEST_DATABASE", "sqlite"),
        help="the database the tests run on: a SQLite file per test (the default), or a "
             "PostgreSQL server the tests start themselves (tests/postgres_server.py); "
             "also set by TRACKER_TEST_DATABASE",
    )


def pytest_report_header(config) -> str:
    return f"database: {config.getoption('database')}"


def _settings(database_uri: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "tracker.test",
    }


@pytest.fixture(scope="session")
def database_kind(pytestconfig) -> str:
    """`sqlite` or `postgresql`: what this run tests on (`pytest --database=postgresql`)."""
    return pytestconfig.getoption("database")


@pytest.fixture(scope="session")
def postgres_server(database_kind):
    """A throwaway PostgreSQL server for the whole run, removed at its end."""
    if database_kind != "postgresql":
        pytest.skip("needs PostgreSQL (run with --database=postgresql)")
    from tests.postgres_server import TemporaryPostgres

    with TemporaryPostgres() as server, server.connect() as connection:
        server.admin = connection
        yield server


def _migrate(database_uri: str) -> None:
    from flask_migrate import upgrade

    app = create_app(_settings(database_uri))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(database_kind, request, tmp_path_factory) -> str:
    """An empty database built once by `flask db upgrade`: for SQLite the file's path (each test
    gets a copy), for PostgreSQL the name of the template database."""
    if database_kind == "postgresql":
        server = request.getfixturevalue("postgres_server")
        server.admin.execute("CREATE DATABASE tracker_template")
        _migrate(server.url("tracker_template"))
        return "tracker_template"
    database = tmp_path_factory.mktemp("template") / "template.sqlite"
    _migrate(f"sqlite:///{database}")
    # Fold the write-ahead log into the file so one file copy is the whole database.
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.execute("PRAGMA journal_mode=DELETE")
    connection.close()
    return str(database)


def _new_postgres_database(server, template: str) -> str:
    name = f"test_{uuid.uuid4().hex[:12]}"
    server.admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return name


def _drop_postgres_database(server, name: str) -> None:
    server.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class EmptyingDatabase:
    """One PostgreSQL database for the whole run, emptied after each test: rows deleted and
    id sequences restarted, so each test starts as on a freshly migrated copy.

    Measured on the 2-core machine, per test: a new database from the migrated template
    (CREATE DATABASE ... TEMPLATE, then DROP) 190 to 300 ms; TRUNCATE of every table 67 ms;
    these deletes under 1 ms."""

    def __init__(self, server, template: str) -> None:
        self.server = server
        self.name = _new_postgres_database(server, template)
        self.connection = server.connect(self.name)
        tables = [row[0] for row in self.connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename != 'alembic_version'")]
        sequences = [row[0] for row in self.connection.execute(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")]
        seeded = [table for table in tables if self.connection.execute(
            f'SELECT EXISTS (SELECT FROM "{table}")').fetchone()[0]]
        # Emptying would delete rows a migration put there, which a SQLite copy keeps.
        assert not seeded, f"the migrations put rows in {seeded}: keep them between tests"
        # As superuser, `replica` skips the foreign key triggers, so the order does not matter;
        # it skips the history's own triggers too (migration 0013 makes them refuse any DELETE
        # of `history_entry`: they fire in the `origin` role only), so the history is emptied
        # like every other table (tests/audit/test_history.py holds this). SQLite needs
        # nothing: each test has its own copy of the migrated file, and nothing deletes.
        # A test that left a transaction open fails here instead of hanging the run.
        self.emptying = (
            "BEGIN; SET LOCAL lock_timeout = '10s'; "
            "SET LOCAL session_replication_role = replica; "
            + "".join(f'DELETE FROM "{table}"; ' for table in tables)
            + "".join(f"SELECT setval('\"{sequence}\"', 1, false); " for sequence in sequences)
            + "COMMIT;"
        )

    def empty(self) -> None:
        self.connection.execute(self.emptying)


@pytest.fixture(scope="session")
def postgres_test_database(postgres_server, migrated_database) -> EmptyingDatabase:
    return EmptyingDatabase(postgres_server, migrated_database)


@pytest.fixture
def database_uri(database_kind, migrated_database, request, tmp_path) -> Iterator[str]:
    """This test's own database, its schema already migrated to the newest revision."""
    if database_kind == "postgresql":
        database = request.getfixturevalue("postgres_test_database")
        yield database.server.url(database.name)
        database.empty()
        return
    database = tmp_path / "test.sqlite"
    shutil.copyfile(migrated_database, database)
    yield f"sqlite:///{database}"


@pytest.fixture
def empty_database_uri(database_kind, request, tmp_path) -> Iterator[str]:
    """A brand-new database with no tables at all, for tests of the migrations themselves."""
    if database_kind == "postgresql":
        server = request.getfixturevalue("postgres_server")
        name = _new_postgres_database(server, "template0")
        yield server.url(name)
        _drop_postgres_database(server, name)
        return
    yield f"sqlite:///{tmp_path / 'empty.sqlite'}"


@pytest.fixture
def sqlite_only(database_kind) -> None:
    """For tests about SQLite itself (its file, its pragmas): skipped on PostgreSQL."""
    if database_kind != "sqlite":
        pytest.skip("about SQLite itself; this run is on PostgreSQL")


@pytest.fixture
def app(database_uri, tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(_settings(database_uri))
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def csrf_app(app):
    """The same app with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.fixture
def client(app) -> IsolatedClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def configure(app, **values) -> None:
    """Change settings as an installation would before starting: the config, then the typed
    settings read from it again (the app reads them once, in `create_app`)."""
    from tracker.settings import install_settings

    app.config.update(values)
    install_settings(app)


def sign_in_as(client: FlaskClient, user, secret: str | None = None) -> None:
    """Start a session as this user without typing a password (sign-in has its own tests);
    or, with `secret`, carry on with that session of theirs."""
    from tracker import clock
    from tracker.accounts.sessions import SESSION_KEY, start_session

    # Sessions are kept on the server: the cookie names one (committed before the request).
    if secret is None:
        secret = start_session(user, now=clock.now())
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session[SESSION_KEY] = secret
        session["_fresh"] = True
        session["seen_at"] = int(clock.now().timestamp())  # just active, as after signing in


@pytest.fixture
def council():
    from tests.factories import CouncilFactory

    return CouncilFactory()
