"""The migrations build exactly the schema the models describe, and can be undone: on
whichever database this run uses (SQLite, or PostgreSQL with `--database=postgresql`)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from tracker import create_app
from tracker.extensions import db

# Tables the models define; the migrations must create each of them.
CORE_TABLES = {"council", "user", "inspection", "finding", "item", "action", "update",
               "due_date_change", "committee", "committee_meeting"}


@pytest.fixture
def fresh_app(empty_database_uri, tmp_path, monkeypatch):
    """An app on a brand-new, empty database: no template database, no tables yet."""
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": empty_database_uri,
    })
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def differences_between_models_and_database() -> list:
    """What `flask db migrate` would put in a new migration: nothing, if they agree."""
    options = dict(current_app.extensions["migrate"].configure_args)
    options.pop("process_revision_directives", None)
    options["compare_type"] = True  # a column's type or length changing counts too
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=options)
        return compare_metadata(context, db.metadata)


def tables() -> set[str]:
    with db.engine.connect() as connection:
        return set(inspect(connection).get_table_names())


def test_the_migrations_build_the_schema_the_models_describe(fresh_app):
    assert tables() == set()
    upgrade()
    assert tables() >= CORE_TABLES
    differences = differences_between_models_and_database()
    assert differences == [], (
        "The models and migrations disagree; run `flask --app tracker db migrate` and review: "
        f"{differences}"
    )


def test_the_comparison_notices_a_model_change_that_has_no_migration(fresh_app):
    # The check above must be able to fail: drop a table behind the migrations' back.
    upgrade()
    with db.engine.begin() as connection:
        connection.exec_driver_sql('DROP TABLE "committee_meeting"')
    differences = differences_between_models_and_database()
    assert ("add_table", "committee_meeting") in [
        (diff[0], diff[1].name) for diff in differences if diff[0] == "add_table"
    ]


def test_the_migrations_downgrade_to_nothing_and_upgrade_again(fresh_app):
    upgrade()
    downgrade(revision="base")
    assert tables() <= {"alembic_version"}
    upgrade()
    assert tables() >= CORE_TABLES
    assert differences_between_models_and_database() == []


def test_flask_db_check_finds_nothing_to_migrate_after_upgrading(fresh_app):
    upgrade()
    result = fresh_app.test_cli_runner().invoke(args=["db", "check"])
    # `flask db check` fails (exit 1) when a new migration would have anything in it.
    assert result.exit_code == 0, result.output


def test_flask_db_check_fails_when_the_schema_lags_behind_the_models(fresh_app):
    upgrade()
    with db.engine.begin() as connection:
        connection.exec_driver_sql('DROP TABLE "committee_meeting"')
    result = fresh_app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code != 0
