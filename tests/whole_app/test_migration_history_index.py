"""Migration 0023: the history is indexed by item and time, so an item's page reads its newest
fifty entries in order instead of sorting the item's whole history on every request. The new
index replaces the one by item alone, and undoing the migration brings that one back."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from tests.whole_app.test_migrations import fresh_app  # noqa: F401
from tracker.audit.service import _item_history_page
from tracker.extensions import db


def history_indexes() -> dict[str, list[str]]:
    with db.engine.connect() as connection:
        return {index["name"]: index["column_names"]
                for index in inspect(connection).get_indexes("history_entry")}


def test_the_history_is_indexed_by_item_and_time_instead_of_by_item_alone(fresh_app):  # noqa: F811
    upgrade(revision="0022")
    assert history_indexes()["ix_history_entry_item_id"] == ["item_id"]

    upgrade(revision="0023")
    indexes = history_indexes()
    assert indexes["ix_history_entry_item_id_created_at"] == ["item_id", "created_at"]
    assert "ix_history_entry_item_id" not in indexes

    downgrade(revision="0022")
    indexes = history_indexes()
    assert indexes["ix_history_entry_item_id"] == ["item_id"]
    assert "ix_history_entry_item_id_created_at" not in indexes


def _plan_of_a_page_of_history() -> str:
    statement = _item_history_page().params(item_id=1, per_page=50, offset=0)
    sql = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
    with db.engine.connect() as connection:
        return " ".join(row[3] for row in connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {sql}"))


def test_a_page_of_an_items_history_is_read_in_order_without_sorting(fresh_app,  # noqa: F811
                                                                     database_kind):
    if database_kind != "sqlite":
        pytest.skip("SQLite's plan is fixed by its indexes; PostgreSQL's depends on its "
                    "statistics (benchmarks/README.md shows its plan over bench data)")
    upgrade(revision="0022")
    assert "USE TEMP B-TREE FOR ORDER BY" in _plan_of_a_page_of_history()

    upgrade(revision="0023")
    plan = _plan_of_a_page_of_history()
    assert "ix_history_entry_item_id_created_at" in plan
    assert "TEMP B-TREE" not in plan
