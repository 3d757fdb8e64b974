"""The health check a load balancer or service manager asks: is this web process answering?"""

from __future__ import annotations

from sqlalchemy import event

from tracker.extensions import db


def test_health_check_answers_ok_to_anyone_without_asking_the_database(client):
    statements: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        response = client.get("/health")
    finally:
        event.remove(db.engine, "before_cursor_execute", note)

    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "OK\n"
    assert statements == []


def test_health_check_takes_no_form_posts(client):
    assert client.post("/health").status_code == 405
