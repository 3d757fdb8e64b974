"""Counting what a request asks of the database, for the tests that hold pages to it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine


@contextmanager
def recorded_statements(engine: Engine | None = None) -> Iterator[list[str]]:
    """Every SQL statement sent through `engine` (the app's by default) inside the block."""
    if engine is None:
        from tracker.extensions import db

        engine = db.engine
    statements: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", note)
