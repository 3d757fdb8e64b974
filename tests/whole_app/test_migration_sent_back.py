"""Migration 0012 on a database written by the one before it: an open item that was sent back
at sign-off takes the reason of its last refusal, so its status says why at once; other items
keep none. And it can be undone."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade

from tests.whole_app.test_migrations import fresh_app  # noqa: F401
from tracker.extensions import db

AT = "2026-11-02 09:00:00+00:00"


def _history(run, entry_id: int, item_id: int, kind: str, text: str, at: str) -> None:
    run("INSERT INTO \"update\" (id, item_id, action_id, author_id, created_at, kind, field, "
        f"old_value, new_value, text) VALUES ({entry_id}, {item_id}, NULL, 1, '{at}', '{kind}', "
        f"'status', '', '', '{text}')")


def test_an_open_item_sent_back_at_sign_off_keeps_the_reason_of_its_last_refusal(
    fresh_app,  # noqa: F811
):
    upgrade(revision="0010")
    with db.engine.begin() as connection:
        run = connection.exec_driver_sql
        run(f"INSERT INTO council (id, name, created_at) VALUES (1, 'Northshire', '{AT}')")
        run("INSERT INTO \"user\" (id, council_id, name, email, job_title, organisation, "
            "telephone, role, active, password_hash, created_at, version) VALUES "
            f"(1, 1, 'Sam', 'sam@example.org', '', '', '', 'admin', true, '', '{AT}', 1)")
        run("INSERT INTO inspection (id, council_id, inspectorate, title, inspector, "
            "inspector_role, recipient, previous_inspection_text, overall_judgement, "
            "source_filename, source_text, created_at) VALUES "
            f"(1, 1, 'Ofsted', 'Focused visit', '', '', '', '', '', '', '', '{AT}')")
        for item_id, status in [(1, "open"), (2, "awaiting sign-off"), (3, "open")]:
            run("INSERT INTO finding (id, inspection_id, category, text, position, \"group\", "
                f"repeat_evidence) VALUES ({item_id}, 1, 'area for improvement', 'Finding "
                f"{item_id}', {item_id}, '', '')")
            run("INSERT INTO item (id, finding_id, title, theme, priority, measure_of_success, "
                "outcome_evidence, status, rag_override, rag_override_reason, created_at, "
                f"last_updated_at, version) VALUES ({item_id}, {item_id}, 'Item {item_id}', '', "
                f"'medium', '', '', '{status}', 'red', '', '{AT}', '{AT}', 1)")
        # Item 1: sent back twice; the second reason is the one that counts.
        _history(run, 1, 1, "marked complete", "Audit done", "2026-11-03 10:00:00+00:00")
        _history(run, 2, 1, "sign-off refused", "One team only", "2026-11-04 10:00:00+00:00")
        _history(run, 3, 1, "marked complete", "All teams", "2026-11-05 10:00:00+00:00")
        _history(run, 4, 1, "sign-off refused", "No figures yet", "2026-11-06 10:00:00+00:00")
        # Item 2: sent back once, then marked complete again: awaiting sign-off, no reason.
        _history(run, 5, 2, "sign-off refused", "Old reason", "2026-11-04 10:00:00+00:00")
        _history(run, 6, 2, "marked complete", "Again", "2026-11-05 10:00:00+00:00")

    upgrade(revision="0012")

    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT id, sent_back_reason, sent_back_at IS NOT NULL, rag_override FROM item "
            "ORDER BY id").all()
    assert [tuple(row) for row in rows] == [
        (1, "No figures yet", True, "red"), (2, "", False, "red"), (3, "", False, "red")]

    downgrade(revision="0010")
    with db.engine.connect() as connection:
        columns = [row[1] for row in connection.exec_driver_sql(
            "SELECT id, rag_override FROM item ORDER BY id").all()]
    assert columns == ["red", "red", "red"]
