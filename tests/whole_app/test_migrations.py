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
    # The check above must be able to fail: drop a table behind the migrations' back (one no
    # other table refers to, which PostgreSQL would refuse to drop).
    upgrade()
    with db.engine.begin() as connection:
        connection.exec_driver_sql('DROP TABLE "member_question"')
    differences = differences_between_models_and_database()
    assert ("add_table", "member_question") in [
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
        connection.exec_driver_sql('DROP TABLE "member_question"')
    result = fresh_app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code != 0


def test_the_one_queue_migration_keeps_the_delivery_log_and_job_locks_and_can_be_undone(
    fresh_app,
):
    upgrade(revision="0008")
    at = "2026-11-22 07:00:00+00:00"
    later = "2026-11-22 07:30:00+00:00"
    with db.engine.begin() as connection:
        run = connection.exec_driver_sql
        run(f"INSERT INTO council (id, name, created_at) VALUES (1, 'Northshire', '{at}')")
        run("INSERT INTO \"user\" (id, council_id, name, email, job_title, organisation, "
            "telephone, role, active, password_hash, created_at, version) VALUES "
            f"(1, 1, 'Sam', 'sam@example.org', '', '', '', 'manager', true, '', '{at}', 1)")
        for row_id, status, next_try, error in [
                (1, "sent", None, ""), (2, "pending", later, ""),
                (3, "failed", later, "Mailbox full"), (4, "failed", None, "No such user")]:
            next_try = f"'{next_try}'" if next_try else "NULL"
            run("INSERT INTO delivery (id, recipient_id, kind, day, topic, status, to_address, "
                "subject, message, attempts, last_error, next_attempt_at, created_at) VALUES "
                f"({row_id}, 1, 'digest', '2026-11-2{row_id}', '', '{status}', 'sam@example.org',"
                f" 's', 'm', 1, '{error}', {next_try}, '{at}')")
        run("INSERT INTO job_lock (name, holder, locked_until, last_started_at, "
            f"last_finished_at, last_outcome) VALUES ('deliveries', 'h', NULL, '{at}', '{at}', "
            "'Failed: OperationalError: gone'), ('daily-reminders', 'h', NULL, "
            f"'{at}', '{at}', '3 sent, 0 failed')")

    upgrade()

    with db.engine.connect() as connection:
        deliveries = connection.exec_driver_sql(
            "SELECT id, state, lease_until IS NOT NULL, last_error FROM delivery ORDER BY id"
        ).all()
        locks = dict((name, (state, error, outcome)) for name, state, error, outcome in
                     connection.exec_driver_sql(
                         "SELECT name, state, last_error, last_outcome FROM job_lock").all())
    assert [tuple(row) for row in deliveries] == [
        (1, "done", False, ""), (2, "queued", True, ""), (3, "queued", True, "Mailbox full"),
        (4, "failed", False, "No such user")]
    assert locks == {"deliveries": ("failed", "OperationalError: gone", ""),
                     "daily-reminders": ("done", "", "3 sent, 0 failed")}

    downgrade(revision="0008")

    with db.engine.connect() as connection:
        statuses = connection.exec_driver_sql(
            "SELECT status, next_attempt_at IS NOT NULL FROM delivery ORDER BY id").all()
        outcome = connection.exec_driver_sql(
            "SELECT last_outcome FROM job_lock WHERE name = 'deliveries'").scalar()
    assert [tuple(row) for row in statuses] == [
        ("sent", False), ("pending", True), ("failed", True), ("failed", False)]
    assert outcome == "Failed: OperationalError: gone"


def test_undoing_the_cancellation_requests_keeps_what_the_earlier_version_can_show(fresh_app):
    from datetime import UTC, date, datetime

    from tests.factories import ActionFactory
    from tracker.items import service

    upgrade()
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    action = ActionFactory(due_date=date(2026, 12, 1))
    change = service.change_due_date(action, actor=action.owner, now=now,
                                     new_date=date(2027, 1, 15), reason="Short-staffed")
    service.withdraw_request(change, actor=action.owner, now=now)
    service.cancel_action(action, actor=action.owner, now=now, reason="Not needed now")
    db.session.commit()
    db.session.remove()

    downgrade(revision="0010")

    def rows(sql: str) -> list[tuple]:
        with db.engine.connect() as connection:
            return [tuple(row) for row in connection.exec_driver_sql(sql)]

    assert rows("SELECT state, decision_note FROM due_date_change") == [
        ("refused", "Withdrawn by the person who asked")]
    assert rows('SELECT kind, text FROM "update" ORDER BY id') == [
        ("due date change requested", "Short-staffed"),
        ("commentary", "Due date change withdrawn: "),
        ("commentary", "Cancellation requested: Not needed now"),
    ]
    assert "cancellation_request" not in tables()
    upgrade()
    assert differences_between_models_and_database() == []
