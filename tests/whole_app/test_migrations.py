"""The migrations build exactly the schema the models describe, and can be undone: on
whichever database this run uses (SQLite, or PostgreSQL with `--database=postgresql`)."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import DBAPIError

from tests.factories import ActionFactory
from tracker import create_app
from tracker.audit.models import HistoryEntry, HistoryKind
from tracker.audit.service import record_history
from tracker.db import UTCDateTime
from tracker.extensions import db
from tracker.items.models import ActionStatus, Rag

# Tables the models define; the migrations must create each of them.
CORE_TABLES = {"council", "user", "inspection", "finding", "item", "action", "history_entry",
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


# --- 0013: the history as typed values -------------------------------------------------------

OLD_HISTORY = sa.table(
    "update", sa.column("id"), sa.column("item_id"), sa.column("action_id"),
    sa.column("author_id"), sa.column("created_at", UTCDateTime()), sa.column("kind"),
    sa.column("field"), sa.column("old_value"), sa.column("new_value"), sa.column("text"),
    sa.column("partner_link_id"))
WRITTEN_AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _insert_as_at_revision(connection, table_name: str, /, **values) -> SimpleNamespace:
    """One row of table `table_name` as the table is at the database's revision (read from the
    database, so columns added by later revisions are left out), each column not given taking
    the model's default; the row, with its id."""
    table = sa.Table(table_name, sa.MetaData(), autoload_with=connection)
    model = db.metadata.tables[table_name].c
    row = {}
    for column in table.c:
        if column.name in values or column.name == "id":
            continue
        default = model[column.name].default if column.name in model else None
        if default is not None and (default.is_scalar or default.is_callable):
            value = default.arg if default.is_scalar else default.arg(None)
            row[column.name] = value.value if isinstance(value, enum.Enum) else value
    row.update(values)
    row_id = connection.execute(sa.insert(table).values(row).returning(table.c.id)).scalar()
    return SimpleNamespace(id=row_id, **row)


def _a_council_at_0012():
    """A council written at revision 0012, in the tables as they were then: its people (two
    of them called Chris Smith), an item and an action, a partner's link, and a person of
    another council."""
    with db.engine.begin() as connection:
        def council(name):
            return _insert_as_at_revision(connection, "council", name=name)

        def person(council_id, name, email):
            return _insert_as_at_revision(
                connection, "user", council_id=council_id, name=name, email=email,
                role="manager", active=True, password_hash="")

        northshire = council("Northshire County Council 0")
        lead = person(northshire.id, "Meg Lead", "lead@northshire.example")
        owner = person(northshire.id, "Sam Owner", "owner@northshire.example")
        person(northshire.id, "Chris Smith", "chris1@northshire.example")
        person(northshire.id, "Chris Smith", "chris2@northshire.example")
        person(council("Southshire Council").id, "Robin Elsewhere", "robin@south.example")
        inspection = _insert_as_at_revision(
            connection, "inspection", council_id=northshire.id, title="Annual inspection")
        finding = _insert_as_at_revision(
            connection, "finding", inspection_id=inspection.id,
            category="area for development", text="Case records lack the child's views.")
        item = _insert_as_at_revision(connection, "item", finding_id=finding.id,
                                      title="Children's views", lead_officer_id=lead.id)
        action = _insert_as_at_revision(
            connection, "action", item_id=item.id, description="Themed audit",
            owner_id=owner.id, due_date=date(2027, 1, 9), original_due_date=date(2027, 1, 9))
        link = _insert_as_at_revision(
            connection, "partner_link", action_id=action.id, recipient_id=owner.id,
            secret_sha256="0" * 64, created_by_id=lead.id, created_at=WRITTEN_AT,
            expires_at=WRITTEN_AT + timedelta(days=14))
    return lead, owner, action, link


def _old_rows(lead, owner, action, link):
    """One row of every kind the tracker wrote before 0013, in its words, and what each must
    become: (about the action, kind, field, old, new, text, partner link) and (field, old,
    new) as typed JSON."""
    a, i = action.id, None
    rows = [
        ((i, "created", "", "", "", "Children's views", None), (None, None, None)),
        ((a, "created", "", "", "9 January 2027", "Themed audit", None),
         ("due date", None, "2027-01-09")),
        ((i, "edited", "title", "Old title", "New title", "", None),
         ("title", "Old title", "New title")),
        ((i, "edited", "theme", "", "Voice of the child", "", None),
         ("theme", "", "Voice of the child")),
        ((i, "edited", "target date", "", "31 March 2027", "", None),
         ("target date", None, "2027-03-31")),
        ((i, "edited", "priority", "Medium", "High", "", None), ("priority", "medium", "high")),
        ((i, "edited", "measure of success", "Old", "New", "", None),
         ("measure of success", "Old", "New")),
        # Two people are called Chris Smith: the name is kept, marked as a name.
        ((i, "edited", "lead officer", "Meg Lead", "Chris Smith", "", None),
         ("lead officer", {"user_id": lead.id}, {"name": "Chris Smith"})),
        ((i, "edited", "lead officer", "Chris Smith", "", "", None),
         ("lead officer", {"name": "Chris Smith"}, None)),
        # Robin Elsewhere is of another council only.
        ((a, "edited", "owner", "Robin Elsewhere", "Sam Owner", "", None),
         ("owner", {"name": "Robin Elsewhere"}, {"user_id": owner.id})),
        ((a, "edited", "description", "Audit", "Themed audit", "", None),
         ("description", "Audit", "Themed audit")),
        ((a, "status change", "status", "Not started", "In progress", "Started", None),
         ("status", "not started", "in progress")),
        ((a, "commentary", "", "", "", "Half the files read", None), (None, None, None)),
        ((a, "evidence", "evidence link", "", "https://intranet.example/notes", "", None),
         ("evidence link", "", "https://intranet.example/notes")),
        ((a, "due date change requested", "due date", "9 January 2027", "1 March 2027",
          "Staff away", None), ("due date", "2027-01-09", "2027-03-01")),
        ((a, "due date change", "due date", "9 January 2027", "1 March 2027", "Staff away",
          None), ("due date", "2027-01-09", "2027-03-01")),
        ((a, "due date change refused", "due date", "1 March 2027", "1 June 2027", "No", None),
         ("due date", "2027-03-01", "2027-06-01")),
        ((i, "RAG override", "RAG", "Worked out by the rule", "Red", "Vacancies", None),
         ("RAG", None, "red")),
        ((i, "RAG override", "RAG", "Red", "Worked out by the rule", "Filled", None),
         ("RAG", "red", None)),
        ((i, "marked complete", "status", "Open", "Awaiting sign-off", "Audit: 9 in 10", None),
         ("item status", "open", "awaiting sign-off")),
        ((i, "sign-off refused", "status", "Awaiting sign-off", "Open", "Not audited", None),
         ("item status", "awaiting sign-off", "open")),
        ((i, "sign-off", "status", "Awaiting sign-off", "Complete", "Agreed", None),
         ("item status", "awaiting sign-off", "complete")),
        ((a, "partner link sent", "", "", "", "To Sam Owner.", None), (None, None, None)),
        ((a, "status change", "status", "In progress", "Complete", "Done", link.id),
         ("status", "in progress", "complete")),
        ((a, "partner link revoked", "", "", "", "No longer works.", None),
         (None, None, None)),
        # Requests to the lead officer (migration 0011) were written as values already.
        ((a, "due date change withdrawn", "due date", "2027-01-09", "2027-03-01", "", None),
         ("due date", "2027-01-09", "2027-03-01")),
        ((a, "cancellation requested", "status", "in progress", "cancelled", "Not needed",
          None), ("status", "in progress", "cancelled")),
        ((a, "cancellation refused", "status", "in progress", "cancelled", "Still needed",
          None), ("status", "in progress", "cancelled")),
        ((a, "cancellation withdrawn", "status", "in progress", "cancelled", "", None),
         ("status", "in progress", "cancelled")),
    ]
    old = [{"id": n, "item_id": action.item_id, "action_id": about, "author_id": lead.id,
            "created_at": WRITTEN_AT + timedelta(minutes=n), "kind": kind, "field": field,
            "old_value": old_words, "new_value": new_words, "text": text,
            "partner_link_id": link_id}
           for n, ((about, kind, field, old_words, new_words, text, link_id), _new)
           in enumerate(rows, start=1)]
    return old, [typed for _old, typed in rows]


# History kinds added after migration 0013: files as evidence (0017).
KINDS_SINCE_0013 = {HistoryKind.EVIDENCE_FILE.value}


def _old_history() -> list[dict]:
    with db.engine.connect() as connection:
        return [dict(row) for row in connection.execute(
            sa.select(OLD_HISTORY).order_by(OLD_HISTORY.c.id)).mappings()]


def test_the_history_migration_reads_the_old_words_once_into_typed_values_and_can_be_undone(
    fresh_app, capsys,
):
    upgrade(revision="0012")
    old, typed = _old_rows(*_a_council_at_0012())
    # Every kind there was before 0013 (the kinds added since were never written as words).
    assert {row["kind"] for row in old} == {kind.value for kind in HistoryKind} - KINDS_SINCE_0013
    with db.engine.begin() as connection:
        connection.execute(sa.insert(OLD_HISTORY), old)
    db.session.remove()  # upgrades run with nothing else reading the tables

    upgrade()

    assert ("29 history entries converted to typed values" in capsys.readouterr().out
            and "3 names of people matched no one person of their council")
    entries = db.session.scalars(select(HistoryEntry).order_by(HistoryEntry.id)).all()
    assert [(e.id, e.item_id, e.action_id, e.author_id, e.created_at, e.kind.value, e.text,
             e.partner_link_id) for e in entries] == [
        (r["id"], r["item_id"], r["action_id"], r["author_id"], r["created_at"], r["kind"],
         r["text"], r["partner_link_id"]) for r in old]
    assert [(e.field.value if e.field else None, e.old_value, e.new_value)
            for e in entries] == typed
    # Read back as Python values, as the tracker reads them.
    assert (entries[1].new, entries[11].old, entries[17].new) == (
        date(2027, 1, 9), ActionStatus.NOT_STARTED, Rag.RED)
    # Append-only now, in the database; new entries follow on.
    with pytest.raises(DBAPIError), db.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM history_entry")
    record_history(item=entries[0].item, author=None, now=WRITTEN_AT,
                   kind=HistoryKind.COMMENTARY, text="After the upgrade")
    db.session.commit()
    assert db.session.scalar(select(func.max(HistoryEntry.id))) == len(old) + 1
    db.session.remove()

    downgrade(revision="0012")

    # The words again, as the tracker wrote them; the entry made since is kept too. Entries
    # about requests, which revision 0012 wrote as values, come back in words, as the
    # others: revision 0012 reads both.
    again = _old_history()
    assert again[:25] == old[:25]
    assert [(row["old_value"], row["new_value"]) for row in again[25:len(old)]] == [
        ("9 January 2027", "1 March 2027"), ("In progress", "Cancelled"),
        ("In progress", "Cancelled"), ("In progress", "Cancelled")]
    assert again[-1]["text"] == "After the upgrade"


def test_the_history_migration_stops_at_a_value_it_cannot_read_and_removes_nothing(fresh_app):
    upgrade(revision="0012")
    old, _typed = _old_rows(*_a_council_at_0012())
    old[11]["new_value"] = "Finished"
    with db.engine.begin() as connection:
        connection.execute(sa.insert(OLD_HISTORY), old)
    db.session.remove()

    with pytest.raises(Exception, match="update 12, status 'Finished': not a label"):
        upgrade()

    assert _old_history() == old
    assert "history_entry" not in tables()
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql(
            "SELECT version_num FROM alembic_version").scalar() == "0012"


def test_the_history_migration_takes_values_already_written_as_values_as_they_are(fresh_app):
    # Entries about requests to move or cancel an action were written with ISO dates and
    # enum values (issue 15's requests, whose migration may run before this one).
    upgrade(revision="0012")
    lead, owner, action, link = _a_council_at_0012()
    old, _typed = _old_rows(lead, owner, action, link)
    asked, cancelled = dict(old[14]), dict(old[11])
    asked.update(old_value="2027-01-09", new_value="2027-03-01")
    cancelled.update(old_value="in progress", new_value="cancelled")
    with db.engine.begin() as connection:
        connection.execute(sa.insert(OLD_HISTORY), [asked, cancelled])
    db.session.remove()

    upgrade()

    entries = db.session.scalars(select(HistoryEntry).order_by(HistoryEntry.id)).all()
    assert [(e.id, e.old, e.new) for e in entries] == [
        (cancelled["id"], ActionStatus.IN_PROGRESS, ActionStatus.CANCELLED),
        (asked["id"], date(2027, 1, 9), date(2027, 3, 1))]
