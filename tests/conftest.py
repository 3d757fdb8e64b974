"""Test set-up: a real SQLite file per test, its schema built by running the migrations."""

from __future__ import annotations

import contextvars
import shutil
import sqlite3
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


def _settings(database: Path, instance: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "tracker.test",
    }


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> Path:
    """An empty database built once by `flask db upgrade`; each test gets a copy."""
    from flask_migrate import upgrade

    folder = tmp_path_factory.mktemp("template")
    database = folder / "template.sqlite"
    app = create_app(_settings(database, folder))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    # Fold the write-ahead log into the file so one file copy is the whole database.
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.execute("PRAGMA journal_mode=DELETE")
    connection.close()
    return database


@pytest.fixture
def app(migrated_database, tmp_path, monkeypatch):
    database = tmp_path / "test.sqlite"
    shutil.copyfile(migrated_database, database)
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(_settings(database, tmp_path))
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


def sign_in_as(client: FlaskClient, user) -> None:
    """Start a session as this user without typing a password (sign-in has its own tests)."""
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True


@pytest.fixture
def council():
    from tests.factories import CouncilFactory

    return CouncilFactory()
