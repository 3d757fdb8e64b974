"""Confirming an import: the items, actions and history it creates, in one transaction, once."""

from __future__ import annotations

import io
from datetime import date
from html import unescape

import pytest
from sqlalchemy import func, select

from tests.conftest import TEST_NOW
from tests.factories import ActionFactory, ItemFactory
from tests.plan_import.factories import HEADINGS, TITLE, csv_bytes, xlsx
from tests.queued_uploads import after_reading
from tracker.audit.models import HistoryEntry, HistoryKind
from tracker.extensions import db
from tracker.inspections.models import Finding, FindingCategory
from tracker.items.facts import stored_facts_differ
from tracker.items.models import Action, ActionStatus, Item, Priority
from tracker.plan_import import service
from tracker.plan_import.models import PlanImport

FINDING = "Case records do not consistently show the child's views"
OVERSIGHT = "Management oversight of decisions is not recorded"
PLAN = [
    [TITLE], [], HEADINGS,
    [FINDING, "Themed case file audit", "Sam Owner", "31/03/2027", "On track", "Robin Lead",
     "High", "Voice of the child"],
    [None, "Training on recording the child's views", "jo.partner@police.example", "31/10/2026",
     "", None, None, None],
    [None, "Practice guidance", "Sam Owner", "2026-09-30", "Completed", None, None, None],
    [OVERSIGHT, "Supervision policy", "Robin Lead", "March 2027", "Cancelled", "Robin Lead", "",
     ""],
    [OVERSIGHT, "Dip sample of supervision notes", "Nobody Known", "Ongoing", "", None, None,
     None],
]


def upload(client, northshire, data=None, name="plan.xlsx"):
    response = after_reading(client, client.post(
        f"/inspections/{northshire.inspection.id}/import-plan",
        data={"spreadsheet": (io.BytesIO(data if data is not None else xlsx(PLAN)), name)},
        content_type="multipart/form-data"))
    assert response.status_code == 302, response.data[:2000]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def confirm(client, plan_id):
    version = db.session.get(PlanImport, plan_id).version
    return client.post(f"/plan-imports/{plan_id}/confirm", data={"version": str(version)})


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_confirming_creates_the_items_actions_and_history_of_the_rows_without_problems(
    admin_client, northshire
):
    plan_id = upload(admin_client, northshire)
    response = confirm(admin_client, plan_id)
    assert response.status_code == 200  # rows were left out: the page lists them
    page = response.get_data(as_text=True)
    assert "2 new items, 4 actions" in page
    assert "Rows left out (1)" in page

    items = db.session.scalars(select(Item).order_by(Item.id)).all()
    assert [(i.title, i.finding.category, i.lead_officer, i.priority, i.theme,
             i.finding.inspection_id) for i in items] == [
        (FINDING, FindingCategory.AREA_FOR_DEVELOPMENT, northshire.lead, Priority.HIGH,
         "Voice of the child", northshire.inspection.id),
        (OVERSIGHT, FindingCategory.AREA_FOR_DEVELOPMENT, northshire.lead, Priority.MEDIUM, "",
         northshire.inspection.id)]
    actions = db.session.scalars(select(Action).order_by(Action.id)).all()
    assert [(a.item.title, a.description, a.owner, a.due_date, a.original_due_date, a.status,
             a.completed_on) for a in actions] == [
        (FINDING, "Themed case file audit", northshire.owner, date(2027, 3, 31),
         date(2027, 3, 31), ActionStatus.IN_PROGRESS, None),
        (FINDING, "Training on recording the child's views", northshire.partner,
         date(2026, 10, 31), date(2026, 10, 31), ActionStatus.NOT_STARTED, None),
        (FINDING, "Practice guidance", northshire.owner, date(2026, 9, 30), date(2026, 9, 30),
         ActionStatus.COMPLETE, date(2026, 9, 30)),
        (OVERSIGHT, "Supervision policy", northshire.lead, date(2027, 3, 31), date(2027, 3, 31),
         ActionStatus.CANCELLED, None),
    ]
    assert db.session.get(PlanImport, plan_id) is None


def test_the_history_says_who_imported_what_and_from_which_row(admin_client, northshire):
    confirm(admin_client, upload(admin_client, northshire))
    audit = db.session.scalars(
        select(Action).where(Action.description == "Themed case file audit")).one()
    entries = db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.item_id == audit.item_id)
        .order_by(HistoryEntry.id)).all()
    source = "the action plan “plan.xlsx”, sheet “Action plan”"
    # The values are typed (tracker.audit.values): dates and statuses, not words.
    assert [(e.kind, e.action_id is not None, e.author_id, e.text, e.old, e.new)
            for e in entries] == [
        (HistoryKind.CREATED, False, northshire.admin.id, FINDING, None, None),
        (HistoryKind.CREATED, True, northshire.admin.id, "Themed case file audit", None,
         date(2027, 3, 31)),
        (HistoryKind.STATUS_CHANGE, True, northshire.admin.id, f"Imported from {source}, row 4",
         ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS),
        (HistoryKind.CREATED, True, northshire.admin.id,
         "Training on recording the child's views", None, date(2026, 10, 31)),
        (HistoryKind.CREATED, True, northshire.admin.id, "Practice guidance", None,
         date(2026, 9, 30)),
        (HistoryKind.STATUS_CHANGE, True, northshire.admin.id, f"Imported from {source}, row 6",
         ActionStatus.NOT_STARTED, ActionStatus.COMPLETE),
        (HistoryKind.COMMENTARY, False, northshire.admin.id,
         f"Created by importing {source} (rows 4 to 6)", None, None),
    ]
    assert all(e.created_at == TEST_NOW for e in entries)


def test_the_page_after_the_import_lists_each_row_left_out_with_what_it_said(
    admin_client, northshire
):
    page = confirm(admin_client, upload(admin_client, northshire)).get_data(as_text=True)
    assert "C8: “Nobody Known” is not the name of an active administrator" in page
    assert "D8: “Ongoing” is not a date" in page
    assert "Dip sample of supervision notes" in page
    assert "B: Action" in page


def test_with_no_row_left_out_the_import_goes_back_to_the_inspection_with_a_message(
    admin_client, northshire
):
    plan_id = upload(admin_client, northshire, xlsx(PLAN[:6]))
    response = confirm(admin_client, plan_id)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/inspections/{northshire.inspection.id}")
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Action plan imported: 1 new item, 3 actions" in page


def test_actions_are_added_to_an_existing_item_and_it_keeps_its_details(admin_client, northshire):
    item = ItemFactory(finding__inspection=northshire.inspection, title="Children's views",
                       finding__text=FINDING, lead_officer=northshire.owner, theme="Recording")
    ActionFactory(item=item, description="Themed case file audit", due_date=date(2027, 3, 31),
                  owner=northshire.owner)
    findings_before = count(Finding)
    confirm(admin_client, upload(admin_client, northshire, xlsx(PLAN[:6])))
    db.session.expire_all()
    assert count(Finding) == findings_before
    assert (item.lead_officer, item.theme, item.priority) == (
        northshire.owner, "Recording", Priority.MEDIUM)
    assert [a.description for a in item.actions] == [
        "Practice guidance", "Training on recording the child's views", "Themed case file audit"]
    note = db.session.scalars(select(HistoryEntry).where(
        HistoryEntry.item_id == item.id, HistoryEntry.kind == HistoryKind.COMMENTARY)).one()
    assert note.text == ("2 actions added by importing the action plan “plan.xlsx”, sheet "
                         "“Action plan” (rows 5 and 6)")


def test_importing_the_same_plan_again_adds_nothing_twice(admin_client, northshire):
    confirm(admin_client, upload(admin_client, northshire, xlsx(PLAN[:6])))
    plan_id = upload(admin_client, northshire, xlsx(PLAN))
    page = admin_client.get(f"/plan-imports/{plan_id}").get_data(as_text=True)
    assert "already in the tracker" in page
    confirm(admin_client, plan_id)
    assert (count(Item), count(Action)) == (2, 4)


def test_a_csv_plan_is_imported_like_a_workbook(admin_client, northshire):
    data = csv_bytes(PLAN[2:6], encoding="utf-8-sig")
    confirm(admin_client, upload(admin_client, northshire, data, name="plan.csv"))
    assert count(Action) == 3
    note = db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.kind == HistoryKind.COMMENTARY)).one()
    assert note.text == "Created by importing the action plan “plan.csv” (rows 2 to 4)"


def test_a_failure_half_way_leaves_nothing_written(admin_client, northshire, monkeypatch):
    plan_id = upload(admin_client, northshire)
    real_add_action = service.add_action
    calls = []

    def failing_add_action(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real_add_action(*args, **kwargs)

    monkeypatch.setattr(service, "add_action", failing_add_action)
    assert confirm(admin_client, plan_id).status_code == 500
    assert len(calls) == 2  # it failed after creating an item and an action
    assert (count(Item), count(Finding), count(Action), count(HistoryEntry)) == (0, 0, 0, 0)
    assert db.session.get(PlanImport, plan_id) is not None


def test_a_rule_broken_half_way_shows_the_page_again_with_nothing_written(
    admin_client, northshire, monkeypatch
):
    from tracker.errors import RuleBroken

    plan_id = upload(admin_client, northshire)
    real_add_action = service.add_action

    def refusing_add_action(item, **kwargs):
        if kwargs["description"] == "Supervision policy":
            raise RuleBroken("Choose an owner who is an active user", field="owner")
        return real_add_action(item, **kwargs)

    monkeypatch.setattr(service, "add_action", refusing_add_action)
    response = confirm(admin_client, plan_id)
    assert response.status_code == 400
    assert "Choose an owner who is an active user" in response.get_data(as_text=True)
    assert "New item: " + FINDING in unescape(response.get_data(as_text=True))  # not existing
    assert (count(Item), count(Action), count(HistoryEntry)) == (0, 0, 0)
    assert db.session.get(PlanImport, plan_id) is not None


def test_a_double_submit_finds_the_import_gone_and_says_so(admin_client, northshire):
    plan_id = upload(admin_client, northshire)
    version = db.session.get(PlanImport, plan_id).version
    first = admin_client.post(f"/plan-imports/{plan_id}/confirm", data={"version": str(version)})
    second = admin_client.post(f"/plan-imports/{plan_id}/confirm", data={"version": str(version)})
    assert first.status_code == 200
    assert second.status_code == 404
    assert "It has already been confirmed or cancelled" in second.get_data(as_text=True)
    assert count(Action) == 4


def test_a_confirmation_that_loses_the_race_to_another_finds_the_import_gone(northshire):
    plan = service.start_plan_import(
        northshire.inspection, actor=northshire.admin, now=TEST_NOW, data=xlsx(PLAN),
        filename="plan.xlsx", max_bytes=10**7)[0][0]
    db.session.commit()
    version = plan.version
    # Another request deletes it between this one loading it and confirming it.
    db.session.execute(PlanImport.__table__.delete().where(PlanImport.id == plan.id))
    with pytest.raises(service.ImportGone):
        service.confirm_plan_import(plan, actor=northshire.admin, now=TEST_NOW,
                                    expected_version=version)
    db.session.rollback()
    assert count(Item) == 0


def test_columns_changed_in_another_window_stop_the_import_until_it_is_checked(
    admin_client, northshire
):
    plan_id = upload(admin_client, northshire)
    version = db.session.get(PlanImport, plan_id).version
    fields = {"finding": "0", "action": "1", "due_date": "3", "owner": ""}
    assert admin_client.post(f"/plan-imports/{plan_id}", data=fields).status_code == 302
    response = admin_client.post(f"/plan-imports/{plan_id}/confirm",
                                 data={"version": str(version)})
    assert response.status_code == 400
    assert "The columns were changed in another window" in response.get_data(as_text=True)
    assert count(Action) == 0


def test_the_items_it_creates_keep_the_facts_of_their_actions(admin_client, northshire):
    # Written in one flush at the end: the items are counted from the actions they got.
    confirm(admin_client, upload(admin_client, northshire))
    items = db.session.scalars(select(Item).order_by(Item.id)).all()
    assert [(i.title, i.open_actions, i.complete_actions, i.cancelled_actions,
             i.earliest_open_due, i.earliest_not_started_due) for i in items] == [
        (FINDING, 2, 1, 0, date(2026, 10, 31), date(2026, 10, 31)),
        (OVERSIGHT, 0, 0, 1, None, None)]
    assert stored_facts_differ(db.session) == []
