"""Migration 0022 on a database written by the one before it: every item takes the facts of
its actions that its status needs (counted from them), so lists read them at once; an item
with no actions keeps none. And it can be undone."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade

from tests.whole_app.test_migrations import fresh_app  # noqa: F401
from tracker.extensions import db

AT = "2026-11-02 09:00:00+00:00"
FACTS = ("open_actions", "complete_actions", "cancelled_actions", "earliest_open_due",
         "earliest_not_started_due", "moved_actions")


def test_every_item_takes_the_facts_of_its_actions(fresh_app):  # noqa: F811
    upgrade(revision="0021")
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
        for item_id in (1, 2, 3):
            run("INSERT INTO finding (id, inspection_id, category, text, position, \"group\", "
                f"repeat_evidence) VALUES ({item_id}, 1, 'area for improvement', 'Finding "
                f"{item_id}', {item_id}, '', '')")
            run("INSERT INTO item (id, finding_id, title, theme, priority, measure_of_success, "
                "outcome_evidence, status, rag_override_reason, created_at, "
                f"last_updated_at, version) VALUES ({item_id}, {item_id}, 'Item {item_id}', '', "
                f"'medium', '', '', 'open', '', '{AT}', '{AT}', 1)")
        # Item 1: one of each kind, one moved; item 2: only cancelled ones; item 3: none.
        for action_id, item_id, status, due, first_due in [
                (1, 1, "not started", "2027-01-15", "2027-01-15"),
                (2, 1, "in progress", "2026-12-01", "2026-11-01"),
                (3, 1, "not started", "2027-02-01", "2027-02-01"),
                (4, 1, "complete", "2026-10-01", "2026-10-01"),
                (5, 1, "cancelled", "2026-09-01", "2026-09-01"),
                (6, 2, "cancelled", "2026-12-01", "2026-12-01")]:
            run("INSERT INTO action (id, item_id, description, owner_id, due_date, "
                "original_due_date, status, evidence_link, created_at, last_updated_at, "
                f"version) VALUES ({action_id}, {item_id}, 'Step', 1, '{due}', '{first_due}', "
                f"'{status}', '', '{AT}', '{AT}', 1)")

    upgrade(revision="0022")

    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            f"SELECT id, {', '.join(FACTS)}, version FROM item ORDER BY id").all()
    assert [tuple(str(value) if value is not None and n in (4, 5) else value
                  for n, value in enumerate(row)) for row in rows] == [
        (1, 3, 1, 1, "2026-12-01", "2027-01-15", 1, 1),
        (2, 0, 0, 1, None, None, 0, 1),
        (3, 0, 0, 0, None, None, 0, 1)]

    downgrade(revision="0021")
    with db.engine.connect() as connection:
        columns = connection.exec_driver_sql("SELECT * FROM item").keys()
    assert not set(FACTS) & set(columns)
