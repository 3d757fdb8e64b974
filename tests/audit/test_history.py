"""The history keeps values, not words: each field's old and new value is stored as typed JSON
and read back as the same Python value; words are made when an entry is shown. The database
itself refuses to change or remove an entry."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from tests.conftest import sign_in_as
from tests.factories import ActionFactory, AdminFactory, PartnerFactory
from tracker.audit.models import HistoryEntry, HistoryField, HistoryKind
from tracker.audit.service import record_history
from tracker.audit.values import NotAValueOfTheField, Person
from tracker.extensions import db
from tracker.items import service
from tracker.items.models import ActionStatus, ItemStatus, Priority, Rag

NOW = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("app")


def entries_of(item) -> list[HistoryEntry]:
    return list(db.session.scalars(select(HistoryEntry).where(HistoryEntry.item_id == item.id)
                                   .order_by(HistoryEntry.id)))


def test_every_field_keeps_its_values_typed_and_reads_them_back_the_same():
    action = ActionFactory()
    lead, owner = action.item.lead_officer, action.owner
    # field, old and new as recorded, old and new as stored (JSON), old and new as read back
    cases = [
        (HistoryField.TITLE, "Old title", "New title", "Old title", "New title"),
        (HistoryField.THEME, "", "Voice of the child", "", "Voice of the child"),
        (HistoryField.PRIORITY, Priority.LOW, Priority.HIGH, "low", "high"),
        (HistoryField.TARGET_DATE, None, date(2027, 1, 9), None, "2027-01-09"),
        (HistoryField.MEASURE_OF_SUCCESS, "", "9 in 10 files good", "", "9 in 10 files good"),
        (HistoryField.LEAD_OFFICER, None, lead, None, {"user_id": lead.id}),
        (HistoryField.ITEM_STATUS, ItemStatus.OPEN, ItemStatus.AWAITING_SIGN_OFF, "open",
         "awaiting sign-off"),
        (HistoryField.RAG, Rag.RED, None, "red", None),
        (HistoryField.DESCRIPTION, "Audit", "Themed audit", "Audit", "Themed audit"),
        (HistoryField.OWNER, Person(name="Chris Smith"), owner, {"name": "Chris Smith"},
         {"user_id": owner.id}),
        (HistoryField.STATUS, ActionStatus.IN_PROGRESS, ActionStatus.COMPLETE, "in progress",
         "complete"),
        (HistoryField.DUE_DATE, date(2026, 12, 1), date(2027, 1, 15), "2026-12-01",
         "2027-01-15"),
        (HistoryField.EVIDENCE_LINK, "", "https://intranet.example/notes", "",
         "https://intranet.example/notes"),
        (HistoryField.RECIPIENT, None, owner, None, {"user_id": owner.id}),
    ]
    assert {case[0] for case in cases} == set(HistoryField)
    for field, old, new, _old_json, _new_json in cases:
        record_history(item=action.item, action=action, author=lead, now=NOW,
                       kind=HistoryKind.EDITED, field=field, old_value=old, new_value=new)
    db.session.commit()
    db.session.expire_all()

    def typed(value):
        return Person(user_id=value.id) if value in (lead, owner) else value

    entries = entries_of(action.item)
    assert [(e.field, e.old_value, e.new_value) for e in entries] == [
        (field, old_json, new_json) for field, _o, _n, old_json, new_json in cases]
    assert [(e.field, e.old, e.new) for e in entries] == [
        (field, typed(old), typed(new)) for field, old, new, _oj, _nj in cases]


@pytest.mark.parametrize(("field", "words"), [
    (HistoryField.STATUS, "In progress"),
    (HistoryField.DUE_DATE, "15 January 2027"),
    (HistoryField.DUE_DATE, datetime(2027, 1, 15, tzinfo=UTC)),
    (HistoryField.OWNER, "Sam Manager"),
    (HistoryField.RAG, ActionStatus.COMPLETE),
])
def test_words_or_a_value_of_another_kind_are_refused_where_a_value_belongs(field, words):
    action = ActionFactory()
    with pytest.raises(NotAValueOfTheField):
        record_history(item=action.item, action=action, author=None, now=NOW,
                       kind=HistoryKind.EDITED, field=field, old_value=None, new_value=words)


def test_the_services_record_values_and_the_pages_show_them_in_words(client):
    action = ActionFactory(due_date=date(2026, 12, 1))
    item, lead, former_owner = action.item, action.item.lead_officer, action.owner
    partner = PartnerFactory(council=item.finding.inspection.council, name="Jo Partner")
    service.change_due_date(action, actor=lead, now=NOW, new_date=date(2027, 1, 15),
                            reason="Audit team short-staffed")
    service.edit_action(action, actor=lead, now=NOW, expected_version=None,
                        description=action.description, owner=partner)
    service.override_rag(item, actor=lead, now=NOW, rag=Rag.RED, reason="Vacancies")
    service.override_rag(item, actor=lead, now=NOW, rag=None, reason="Vacancies filled")
    db.session.commit()
    owner_change = next(e for e in entries_of(item) if e.field is HistoryField.OWNER)
    assert (owner_change.old, owner_change.new) == (Person(user_id=former_owner.id),
                                                    Person(user_id=partner.id))

    # People are kept by id: the page names them as they are called now.
    partner.name = "Jo Partner-Lewis"
    db.session.commit()
    sign_in_as(client, AdminFactory(council=item.finding.inspection.council))
    page = client.get(f"/items/{item.id}").get_data(as_text=True)
    assert "due date from “1 December 2026” to “15 January 2027”" in page
    assert f"owner from “{former_owner.name}” to “Jo Partner-Lewis”" in page
    assert "RAG from “Red” to “Worked out by the rule”" in page
    assert "RAG from “Worked out by the rule” to “Red”" in page


def test_a_name_the_history_kept_as_text_is_shown_as_it_was_written(client):
    action = ActionFactory()
    record_history(item=action.item, action=action, author=None, now=NOW,
                   kind=HistoryKind.EDITED, field=HistoryField.OWNER,
                   old_value=Person(name="Chris Smith"), new_value=action.owner)
    db.session.commit()
    sign_in_as(client, AdminFactory(council=action.item.finding.inspection.council))
    page = client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert f"owner from “Chris Smith” to “{action.owner.name}”" in page
    assert "The tracker, 1 September 2026 at 11:00am" in page


@pytest.mark.parametrize("statement", [
    "UPDATE history_entry SET text = 'Rewritten later'",
    "DELETE FROM history_entry",
])
def test_the_database_refuses_to_change_or_remove_a_history_entry(statement, database_kind):
    action = ActionFactory()
    service.update_action(action, actor=action.owner, now=NOW, expected_version=None,
                          status=ActionStatus.IN_PROGRESS, commentary="Started",
                          evidence_link="")
    db.session.commit()

    # Raw SQL, below the ORM's own refusal (tests/items/test_item_rules.py).
    with pytest.raises(DBAPIError) as refusal, db.engine.begin() as connection:
        connection.exec_driver_sql(statement)
    verb = statement.split()[0]
    assert f"history entries are never changed or removed ({verb} refused)" in str(refusal.value)

    db.session.expire_all()
    assert [e.text for e in entries_of(action.item)] == ["Started"]


def test_new_entries_are_still_written_after_the_refusals():
    action = ActionFactory()
    before = db.session.scalar(select(func.count(HistoryEntry.id)))
    service.update_action(action, actor=action.owner, now=NOW, expected_version=None,
                          status=ActionStatus.IN_PROGRESS, commentary="Started",
                          evidence_link="")
    db.session.commit()
    assert db.session.scalar(select(func.count(HistoryEntry.id))) == before + 1


def test_emptying_the_postgresql_test_database_still_removes_history_entries(
    request, database_kind,
):
    # tests/conftest.py empties the one PostgreSQL test database after each test with DELETE,
    # as the `replica` session role, under which the database's ordinary triggers (the
    # history's refusal among them) do not fire. SQLite tests each get a fresh copy of the
    # file instead, and nothing deletes.
    if database_kind != "postgresql":
        pytest.skip("about the PostgreSQL test database")
    database = request.getfixturevalue("postgres_test_database")
    action = ActionFactory()
    service.update_action(action, actor=action.owner, now=NOW, expected_version=None,
                          status=ActionStatus.IN_PROGRESS, commentary="Started",
                          evidence_link="")
    db.session.commit()
    db.session.remove()

    database.empty()

    assert db.session.scalar(select(func.count(HistoryEntry.id))) == 0
