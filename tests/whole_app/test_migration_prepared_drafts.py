"""Migration 0024 on a database written by the one before it: report runs gain the data stamp
of a prepared draft page, and the database lets at most one preparation of a committee's page
wait at once. Going down removes the page runs and the column; other runs stay."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from tests.whole_app.test_migrations import fresh_app  # noqa: F401
from tracker.extensions import db

AT = "2026-11-02 09:00:00+00:00"


def _run(run, run_id: int, kind: str, state: str, stamp: str | None = None) -> None:
    columns = "id, committee_id, kind, requested_at, email_owner, state, attempts, last_error"
    values = f"{run_id}, 1, '{kind}', '{AT}', false, '{state}', 0, ''"
    if stamp is not None:
        columns, values = columns + ", data_stamp", values + f", '{stamp}'"
    run(f"INSERT INTO report_run ({columns}) VALUES ({values})")


def _columns() -> set[str]:
    with db.engine.connect() as connection:
        return {column["name"] for column in inspect(connection).get_columns("report_run")}


def test_page_runs_keep_their_stamp_and_only_one_waits_per_committee(fresh_app):  # noqa: F811
    upgrade(revision="0022")
    with db.engine.begin() as connection:
        run = connection.exec_driver_sql
        run(f"INSERT INTO council (id, name, created_at) VALUES (1, 'Northshire', '{AT}')")
        run("INSERT INTO committee (id, council_id, name, report_of, report_title, "
            "contact_name, contact_job_title, contact_telephone, contact_email, created_at, "
            f"version) VALUES (1, 1, 'Scrutiny', '', '', '', '', '', '', '{AT}', 1)")
        _run(run, 1, "draft", "done")
    assert "data_stamp" not in _columns()

    upgrade(revision="0024")
    assert "data_stamp" in _columns()
    with db.engine.begin() as connection:
        run = connection.exec_driver_sql
        _run(run, 2, "page", "done", "a" * 64)
        _run(run, 3, "page", "queued", "b" * 64)
        _run(run, 4, "page", "running", "c" * 64)
        _run(run, 5, "draft", "queued")  # other kinds are not limited
        _run(run, 6, "draft", "queued")
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        _run(connection.exec_driver_sql, 7, "page", "queued", "d" * 64)

    downgrade(revision="0022")
    assert "data_stamp" not in _columns()
    with db.engine.connect() as connection:
        kept = connection.exec_driver_sql("SELECT id, kind FROM report_run ORDER BY id").all()
    assert [tuple(row) for row in kept] == [(1, "draft"), (5, "draft"), (6, "draft")]
