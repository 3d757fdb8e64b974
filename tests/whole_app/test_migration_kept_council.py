"""Migration 0026 on a database written by the one before it: every item takes the council of
its inspection and every action its item's, whichever council that is. And it can be undone."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade

from tests.whole_app.test_migrations import fresh_app  # noqa: F401
from tracker.extensions import db

AT = "2026-11-02 09:00:00+00:00"


def test_every_item_and_action_takes_its_inspections_council(fresh_app):  # noqa: F811
    upgrade(revision="0025")
    with db.engine.begin() as connection:
        run = connection.exec_driver_sql
        # Two councils, an inspection each: item n belongs to council n.
        for council_id, name in ((1, "Northshire"), (2, "Southshire")):
            run(f"INSERT INTO council (id, name, created_at) VALUES ({council_id}, '{name}', "
                f"'{AT}')")
            run("INSERT INTO inspection (id, council_id, inspectorate, title, inspector, "
                "inspector_role, recipient, previous_inspection_text, overall_judgement, "
                "source_filename, source_text, created_at) VALUES "
                f"({council_id}, {council_id}, 'Ofsted', 'Focused visit', '', '', '', '', '', "
                f"'', '', '{AT}')")
            run("INSERT INTO finding (id, inspection_id, category, text, position, \"group\", "
                f"repeat_evidence) VALUES ({council_id}, {council_id}, 'area for improvement', "
                f"'Finding', 1, '', '')")
            run("INSERT INTO item (id, finding_id, title, theme, priority, measure_of_success, "
                "outcome_evidence, status, rag_override_reason, created_at, "
                f"last_updated_at, version) VALUES ({council_id}, {council_id}, 'Item', '', "
                f"'medium', '', '', 'open', '', '{AT}', '{AT}', 1)")
        for action_id, item_id in ((1, 1), (2, 2), (3, 2)):
            run("INSERT INTO action (id, item_id, description, owner_id, due_date, "
                "original_due_date, status, evidence_link, created_at, last_updated_at, "
                f"version) VALUES ({action_id}, {item_id}, 'Step', NULL, '2026-12-01', "
                f"'2026-12-01', 'not started', '', '{AT}', '{AT}', 1)")

    upgrade(revision="0026")

    with db.engine.connect() as connection:
        items = connection.exec_driver_sql(
            "SELECT id, council_id, version FROM item ORDER BY id").all()
        actions = connection.exec_driver_sql(
            "SELECT id, council_id, version FROM action ORDER BY id").all()
    # A kept value, not an edit: no version moves.
    assert [tuple(row) for row in items] == [(1, 1, 1), (2, 2, 1)]
    assert [tuple(row) for row in actions] == [(1, 1, 1), (2, 2, 1), (3, 2, 1)]

    downgrade(revision="0025")
    with db.engine.connect() as connection:
        for table in ("item", "action"):
            columns = connection.exec_driver_sql(f"SELECT * FROM {table}").keys()
            assert "council_id" not in columns
