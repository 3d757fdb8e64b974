"""Kept pages (tracker/kept_pages.py): a page seen again is shown from a kept copy, but never
after anything has changed, never to someone else, and never with someone else's form token."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import text, update

from tests.conftest import TEST_NOW, IsolatedClient, sign_in_as
from tests.factories import ActionFactory, AdminFactory, CommitteeMemberFactory, UserFactory
from tests.statements import recorded_statements
from tracker import create_app, kept_pages
from tracker.extensions import db
from tracker.items.models import Action, ActionStatus


@pytest.fixture
def action():
    return ActionFactory(due_date=date(2026, 11, 25), description="Audit of return interviews")


def stamp() -> str | None:
    db.session.rollback()  # a fresh look, not this session's snapshot
    return kept_pages.current_stamp()


def statements_during(callable_):
    with recorded_statements() as seen:
        result = callable_()
    return result, seen


# The stamp


def test_a_saved_change_gives_the_database_a_new_stamp(app):
    before = stamp()
    assert before is not None
    UserFactory()  # commits
    assert stamp() not in (None, before)


def test_a_change_rolled_back_keeps_the_stamp(app, council):
    before = stamp()
    db.session.add(UserFactory.build(council=council))
    db.session.flush()
    db.session.rollback()
    assert stamp() == before


def test_a_change_through_a_connection_of_its_own_gives_a_new_stamp(app, action):
    # As the reminder job records each email's outcome, outside the session.
    before = stamp()
    with db.engine.connect() as connection:
        connection.execute(update(Action).where(Action.id == action.id)
                           .values(status=ActionStatus.IN_PROGRESS))
        connection.commit()
    assert stamp() != before


def test_a_transaction_that_only_reads_keeps_the_stamp(app, action):
    before = stamp()
    with db.engine.connect() as connection:
        connection.execute(text("SELECT count(*) FROM action"))
        connection.commit()
    assert stamp() == before


def test_a_write_with_returning_gives_a_new_stamp_though_sqlite_counts_its_rows_late(app, action):
    # SQLite reports 0 rows for INSERT/UPDATE ... RETURNING until the rows are fetched.
    before = stamp()
    with db.engine.connect() as connection:
        connection.execute(update(Action).where(Action.id == action.id)
                           .values(status=ActionStatus.IN_PROGRESS).returning(Action.id)).all()
        connection.commit()
    assert stamp() != before


def test_an_update_that_touches_no_row_keeps_the_stamp(app, action):
    before = stamp()
    with db.engine.connect() as connection:
        connection.execute(update(Action).where(Action.id == action.id + 1000)
                           .values(status=ActionStatus.IN_PROGRESS))
        connection.commit()
    assert stamp() == before


def test_a_scheduler_job_that_finds_nothing_to_do_keeps_the_stamp(app):
    # The report queue runs every 5 seconds: its job lock alone must not empty the store.
    from tracker.jobs.run import queued_reports

    before = stamp()
    assert queued_reports() == "0 produced, 0 failed"
    assert stamp() == before


def test_noting_a_tokens_last_use_keeps_the_stamp_but_revoking_it_does_not(app, action):
    from tracker.access.models import TokenPurpose
    from tracker.access.service import renew_calendar_token, user_for_token

    made = renew_calendar_token(action.owner, now=TEST_NOW)
    db.session.commit()
    before = stamp()
    assert user_for_token(made.secret, TokenPurpose.CALENDAR, now=TEST_NOW) == action.owner
    db.session.commit()
    assert made.token.last_used_at is not None
    assert stamp() == before
    made.token.revoked_at = TEST_NOW
    db.session.commit()
    assert stamp() != before


def test_a_scheduler_job_that_does_work_gives_a_new_stamp(app, action):
    from tracker.jobs.run import run_job

    def work() -> str:
        db.session.execute(update(Action).where(Action.id == action.id)
                           .values(status=ActionStatus.IN_PROGRESS))
        return "changed one action"

    before = stamp()
    assert run_job("a-job-that-writes", work) == "changed one action"
    assert stamp() != before


def test_reading_every_kept_page_changes_nothing(client, action):
    admin = AdminFactory(council=action.owner.council)
    item = action.item
    inspection = item.finding.inspection
    sign_in_as(client, admin)
    before = stamp()
    for path in ["/", "/items", "/items?rag=red", f"/items/{item.id}", f"/actions/{action.id}",
                 "/due-date-changes", "/inspections", f"/inspections/{inspection.id}",
                 "/committees", "/reports"]:
        assert client.get(path).status_code == 200, path
        assert client.get(path).status_code == 200, path
    sign_in_as(client, action.owner)
    assert client.get("/my-actions").status_code == 200
    assert stamp() == before


# Showing the kept copy


def test_a_page_seen_again_is_shown_without_working_it_out_again(client, action):
    sign_in_as(client, action.owner)
    path = f"/items/{action.item.id}"
    first, asked_first = statements_during(lambda: client.get(path))
    second, asked_again = statements_during(lambda: client.get(path))
    assert first.status_code == second.status_code == 200
    assert second.data == first.data
    # Only who is signed in and the stamp: nothing about the item.
    assert len(asked_again) == 2 < len(asked_first)
    assert any("data_stamp" in statement for statement in asked_again)


def test_an_update_shows_at_once_on_a_page_seen_before(client, action):
    sign_in_as(client, action.owner)
    assert b"Not started" in client.get(f"/actions/{action.id}").data
    response = client.post(f"/actions/{action.id}/update",
                           data={"version": action.version, "status": "in progress",
                                 "commentary": "Six case files audited"})
    assert response.status_code == 302
    assert "updated" in client.get("/").get_data(as_text=True)  # the message, shown once
    page = client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "Six case files audited" in page
    assert "In progress" in page


def test_each_person_sees_their_own_page_at_the_same_address(client, action):
    councillor = CommitteeMemberFactory(council=action.owner.council, name="Cllr Pat Oduya")
    owner_name = action.owner.name
    sign_in_as(client, action.owner)
    assert f"Signed in as {owner_name}" in client.get("/").get_data(as_text=True)
    sign_in_as(client, councillor)
    page = client.get("/").get_data(as_text=True)
    assert "Signed in as Cllr Pat Oduya" in page
    assert f"Signed in as {owner_name}" not in page


def test_a_new_day_works_the_page_out_afresh(client, action):
    owner = action.owner
    sign_in_as(client, owner)
    assert "None of your actions is overdue" in client.get("/my-actions").get_data(as_text=True)
    with time_machine.travel(TEST_NOW + timedelta(days=5), tick=False):
        sign_in_as(client, owner)
        page = client.get("/my-actions").get_data(as_text=True)
    assert "(2 days overdue)" in page


def test_a_message_is_shown_once_and_never_kept(client, action):
    sign_in_as(client, action.owner)
    client.get(f"/actions/{action.id}")
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Action updated")]
    assert "Action updated" in client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "Action updated" not in client.get(f"/actions/{action.id}").get_data(as_text=True)


def test_a_page_that_is_refused_is_refused_every_time(client, action):
    councillor = CommitteeMemberFactory(council=action.owner.council)
    sign_in_as(client, councillor)
    assert client.get("/my-actions").status_code == 403
    assert client.get("/my-actions").status_code == 403


def test_a_stranger_is_sent_to_sign_in_after_someone_has_seen_the_page(client, action):
    sign_in_as(client, action.owner)
    assert client.get("/").status_code == 200
    with client.session_transaction() as session:
        session.clear()
    response = client.get("/")
    assert response.status_code == 302
    assert "/sign-in" in response.location


# The form token


@pytest.fixture
def app_with_form_tokens(database_uri, tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key",
                      "SQLALCHEMY_DATABASE_URI": database_uri, "SERVER_NAME": "tracker.test"})
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _sign_out_token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_a_kept_page_carries_the_readers_own_form_token(app_with_form_tokens):
    manager = UserFactory()
    first_reader = app_with_form_tokens.test_client()
    second_reader = app_with_form_tokens.test_client()
    sign_in_as(first_reader, manager)
    sign_in_as(second_reader, manager)  # the same person in a second browser
    first_reader.get("/")
    page = second_reader.get("/").get_data(as_text=True)
    assert app_with_form_tokens.extensions["kept_pages"].hits == 1
    # The token on the kept copy is the second reader's: signing out with it works.
    response = second_reader.post("/sign-out", data={"csrf_token": _sign_out_token(page)})
    assert response.status_code == 302
    # And not the first reader's: theirs would be refused in the second session.
    first_page = first_reader.get("/").get_data(as_text=True)
    refused = second_reader.post("/sign-out", data={"csrf_token": _sign_out_token(first_page)})
    assert refused.status_code == 400


# The store


def test_the_store_drops_the_least_recently_used_page_to_stay_within_its_size():
    store = kept_pages.PageStore(limit_bytes=10)
    store.put(("a",), (b"aa", b"aa"))
    store.put(("b",), (b"bbbb",))
    assert store.get(("a",)) == (b"aa", b"aa")  # now the most recently used
    store.put(("c",), (b"cccc",))
    assert store.get(("b",)) is None
    assert store.get(("a",)) == (b"aa", b"aa")
    assert store.get(("c",)) == (b"cccc",)
    assert store.size == 8


def test_a_page_larger_than_the_store_is_not_kept():
    store = kept_pages.PageStore(limit_bytes=3)
    store.put(("a",), (b"aa", b"aa"))
    assert len(store) == 0 and store.size == 0


def test_keeping_pages_can_be_turned_off(app, database_uri, tmp_path, monkeypatch, action):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "off"))
    without_keeping = create_app({
        "TESTING": True, "SECRET_KEY": "test-secret-key", "KEPT_PAGES_MB": 0,
        "SQLALCHEMY_DATABASE_URI": database_uri, "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "tracker.test"})
    assert without_keeping.extensions["kept_pages"] is None
    without_keeping.test_client_class = IsolatedClient
    path = f"/items/{action.item_id}"
    owner = action.owner
    with without_keeping.app_context():
        client = without_keeping.test_client()
        sign_in_as(client, owner)
        _, asked_first = statements_during(lambda: client.get(path))
        _, asked_again = statements_during(lambda: client.get(path))
        db.session.remove()
        db.engine.dispose()
    assert len(asked_again) == len(asked_first) > 2


def test_writes_after_migrating_in_the_same_process_still_change_the_stamp(tmp_path, monkeypatch):
    # Alembic's connection goes back to the pool; the next user of it must not be mistaken for
    # a migration (as the benchmarks and `make run`'s steps do, migrating then writing).
    from flask_migrate import upgrade

    from tracker.accounts.models import Council

    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    fresh = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key",
                        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/fresh.sqlite"})
    with fresh.app_context():
        upgrade()
        before = stamp()
        db.session.add(Council(name="Northshire County Council"))
        db.session.commit()
        after = stamp()
        db.session.remove()
        db.engine.dispose()
    assert after not in (None, before)
