"""The preview: which items and actions a plan would create, and each row's problems with the
cell the spreadsheet shows and the reason."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.conftest import TEST_NOW
from tests.factories import ActionFactory, CommitteeMemberFactory, ItemFactory, UserFactory
from tests.plan_import.factories import HEADINGS, TITLE, xlsx
from tracker.extensions import db
from tracker.inspections.models import FindingCategory
from tracker.items.models import ActionStatus, ItemStatus, Priority
from tracker.plan_import import preview as planning
from tracker.plan_import import service

TODAY = TEST_NOW.date()  # 22 November 2026
FINDING = "Case records do not consistently show the child's views"
OVERSIGHT = "Management oversight of decisions is not recorded"


def plan_of(northshire, rows, headings=HEADINGS, mapping=None):
    """The import of a sheet with a title row, a blank row, the headings (row 3) and `rows`
    from row 4; its columns guessed, or as `mapping` says."""
    imports, _ = service.start_plan_import(
        northshire.inspection, actor=northshire.admin, now=TEST_NOW,
        data=xlsx([[TITLE], [], headings, *rows]), filename="plan.xlsx", max_bytes=10**7)
    plan = imports[0]
    if mapping is not None:
        service.save_mapping(plan, actor=northshire.admin, mapping=mapping)
    db.session.commit()
    return plan


def preview_of(northshire, rows, **kwargs):
    plan = plan_of(northshire, rows, **kwargs)
    return planning.plan_preview(plan, actor=northshire.admin, today=TODAY)


def problems(preview) -> dict[int, list[tuple[str, str]]]:
    return {p.row: [(i.cell, i.reason) for i in p.issues] for p in preview.problems}


def row(finding=FINDING, action="Themed case file audit", owner="Sam Owner",
        due="31/03/2027", status="", lead="Robin Lead", priority="", theme=""):
    return [finding, action, owner, due, status, lead, priority, theme]


def test_rows_with_the_same_finding_ignoring_case_and_spacing_make_one_item(northshire):
    preview = preview_of(northshire, [
        row(action="Audit"),
        row(finding="  case records do NOT consistently\nshow the child's   views ",
            action="Training"),
        row(finding=OVERSIGHT, action="Supervision policy"),
        row(action="Second audit", due="30/06/2027"),
    ])
    assert [(item.finding_text, [a.row for a in item.actions]) for item in preview.items] == [
        (FINDING, [4, 5, 7]), (OVERSIGHT, [6])]
    assert preview.new_items == 2
    assert preview.action_count == 4
    assert preview.problems == []


def test_a_blank_finding_belongs_to_the_item_above_as_merged_cells_do(northshire):
    preview = preview_of(northshire, [
        row(action="Audit"), row(finding=None, action="Training", lead=None),
        row(finding=OVERSIGHT, action="Policy"), row(finding=None, action="Spot checks")])
    assert [[a.description for a in item.actions] for item in preview.items] == [
        ["Audit", "Training"], ["Policy", "Spot checks"]]


def test_each_action_has_its_owner_due_date_status_and_the_item_its_details(northshire):
    preview = preview_of(northshire, [
        row(owner="SAM.OWNER@northshire.example", due="March 2027", status="On track",
            lead="robin lead", priority="High", theme="Voice of the child"),
        row(finding=None, action="Training", owner="Jo Partner (Northshire Police)",
            due="2026-10-31", status="Done", lead=None),
    ])
    item = preview.items[0]
    assert (item.title, item.category, item.lead_officer, item.priority, item.theme) == (
        FINDING, FindingCategory.AREA_FOR_DEVELOPMENT, northshire.lead, Priority.HIGH,
        "Voice of the child")
    audit, training = item.actions
    assert (audit.owner, audit.due_date, audit.status, audit.overdue) == (
        northshire.owner, date(2027, 3, 31), ActionStatus.IN_PROGRESS, False)
    assert (training.owner, training.status, training.completed_on) == (
        northshire.partner, ActionStatus.COMPLETE, date(2026, 10, 31))


def test_a_priority_action_is_high_priority_unless_the_plan_says_otherwise(northshire):
    headings = [*HEADINGS, "Type"]
    preview = preview_of(northshire, [
        [*row(), "Area for priority action"],
        [*row(finding=OVERSIGHT, priority="Low"), "Priority action"],
    ], headings=headings)
    assert [(i.category, i.priority) for i in preview.items] == [
        (FindingCategory.PRIORITY_ACTION, Priority.HIGH),
        (FindingCategory.PRIORITY_ACTION, Priority.LOW)]


def test_an_open_action_whose_due_date_has_passed_is_shown_overdue(northshire):
    preview = preview_of(northshire, [row(due="31/10/2026"), row(action="Done one",
                                                                  due="31/10/2026",
                                                                  status="Complete")])
    assert [a.overdue for a in preview.items[0].actions] == [True, False]


def test_without_an_owner_column_the_importing_administrator_owns_every_action(northshire):
    mapping = {"finding": 0, "action": 1, "due_date": 3}
    preview = preview_of(northshire, [row(owner="Nobody At All")], mapping=mapping)
    assert preview.owner_mapped is False
    assert preview.items[0].actions[0].owner == northshire.admin


def test_each_kind_of_problem_is_shown_with_its_cell_and_reason(northshire):
    UserFactory(council=northshire.council, name="Chris Twin", email="chris1@northshire.example")
    UserFactory(council=northshire.council, name="Chris Twin", email="chris2@northshire.example")
    UserFactory(council=northshire.council, name="Former Manager", active=False)
    CommitteeMemberFactory(council=northshire.council, name="Councillor Pat")
    preview = preview_of(northshire, [
        row(finding=None),                                      # 4: nothing above it
        row(action=None),                                       # 5
        row(owner="Nobody Here"),                               # 6
        row(owner="Chris Twin"),                                # 7
        row(owner=None),                                        # 8
        row(owner="Former Manager"),                            # 9
        row(owner="Councillor Pat"),                            # 10
        row(owner="someone@elsewhere.example"),                 # 11
        row(due=None),                                          # 12
        row(due="Ongoing"),                                     # 13
        row(status="Amber"),                                    # 14
        row(action="x" * 1001),                                 # 15
    ])
    found = problems(preview)
    assert found[4] == [("A4", "The finding or area is blank, and there is no row above it "
                               "to take it from")]
    assert found[5] == [("B5", "The action is blank")]
    assert found[6] == [("C6", "“Nobody Here” is not the name of an active administrator or "
                               "manager of the council: check the spelling, use their email "
                               "address, or add them as a user first")]
    assert found[7] == [("C7", "2 people are called “Chris Twin”: give the email address of "
                               "the one you mean")]
    assert found[8] == [("C8", "The action owner is blank: give an administrator's or "
                               "manager's name or email address")]
    assert found[9][0][0] == "C9" and "is not the name of an active" in found[9][0][1]
    assert found[10][0][0] == "C10" and "is not the name of an active" in found[10][0][1]
    assert found[11] == [("C11", "No active administrator or manager of the council has the "
                                 "email address “someone@elsewhere.example”: check it, or add "
                                 "them as a user first")]
    assert found[12] == [("D12", "The due date is blank")]
    assert found[13][0][0] == "D13" and found[13][0][1].startswith("“Ongoing” is not a date")
    assert found[14][0][0] == "E14" and "is a RAG rating" in found[14][0][1]
    assert found[15] == [("B15", "The action is 1,001 characters long: the tracker takes up "
                                 "to 1,000. Shorten it, or split it into several actions")]
    assert sorted(found) == list(range(4, 16))
    assert preview.items == []


def test_a_row_with_several_problems_lists_each_cell(northshire):
    found = problems(preview_of(northshire, [row(owner="Nobody", due="soon", status="Amber")]))
    assert [cell for cell, _ in found[4]] == ["C4", "D4", "E4"]


def test_a_completion_date_must_be_past_and_go_with_a_complete_status(northshire):
    headings = [*HEADINGS, "Date completed"]
    preview = preview_of(northshire, [
        [*row(status="In progress"), "01/11/2026"],             # 4
        [*row(action="Future", status="Complete"), "01/12/2026"],  # 5
        [*row(action="No status"), "01/11/2026"],                # 6
        [*row(action="Bad date", status="Complete"), "last week"],  # 7
    ], headings=headings)
    found = problems(preview)
    assert found[4] == [("I4", "The action has a completion date but its status is “In "
                               "progress”: make it Complete, or clear the date")]
    assert found[5] == [("I5", "The completion date, 1 December 2026, is in the future")]
    assert found[7][0][0] == "I7"
    (action,) = preview.items[0].actions
    assert (action.row, action.status, action.completed_on) == (
        6, ActionStatus.COMPLETE, date(2026, 11, 1))


def test_a_problem_with_the_item_leaves_out_all_its_rows_each_saying_where(northshire):
    preview = preview_of(northshire, [
        row(lead="Nobody Known"),                               # 4
        row(finding=None, action="Training", lead=None),        # 5
        row(finding=OVERSIGHT, action="Policy", lead="Robin Lead"),  # 6
        row(finding=OVERSIGHT, action="Checks", lead="Sam Owner"),   # 7: another lead
        row(finding="Return interviews are not offered", priority="Top"),  # 8
    ])
    found = problems(preview)
    assert found[4][0][0] == "F4" and "“Nobody Known” is not the name" in found[4][0][1]
    assert found[5] == [("", "Left out with its item, which has a problem in F4")]
    assert found[6] == [("", "Left out with its item, which has a problem in F7")]
    assert found[7] == [("F7", "The lead officer “Sam Owner” differs from “Robin Lead”, given "
                               "for the same item in F6: give one lead officer per item")]
    assert found[8] == [("G8", "“Top” is not a priority: use High, Medium or Low")]
    assert preview.items == []


def test_the_same_item_details_written_differently_are_not_a_conflict(northshire):
    headings = [*HEADINGS, "Item target date"]
    preview = preview_of(northshire, [
        [*row(lead="Robin Lead", priority="High", theme="Voice of the child"), "31/12/2027"],
        [*row(action="Training", lead="robin.lead@northshire.example", priority="h",
              theme="voice of the CHILD"), "December 2027"],
    ], headings=headings)
    assert preview.problems == []
    assert preview.items[0].target_date == date(2027, 12, 31)


def test_an_item_target_date_before_the_letter_is_a_problem(northshire):
    headings = [*HEADINGS, "Item target date"]
    found = problems(preview_of(northshire, [[*row(), "01/01/2026"]], headings=headings))
    assert found[4] == [("I4", "The item's target date, 1 January 2026, is before the letter's "
                               "date, 27 July 2026")]


def test_the_same_action_twice_in_the_sheet_is_imported_once(northshire):
    found = problems(preview_of(northshire, [
        row(action="Themed audit"), row(action="themed  AUDIT"), row(action="Themed audit",
                                                                     due="30/04/2027")]))
    assert found == {5: [("", "The same action, due the same day, as row 4")]}


def test_an_existing_item_of_the_inspection_is_matched_by_title_or_finding_text(northshire):
    by_title = ItemFactory(finding__inspection=northshire.inspection,
                           title="Children's views", finding__text="Some other words.")
    by_text = ItemFactory(finding__inspection=northshire.inspection, title="Oversight",
                          finding__text=OVERSIGHT)
    ItemFactory(title="Return interviews")  # another council's inspection: never matched
    preview = preview_of(northshire, [
        row(finding="CHILDREN'S VIEWS", lead="Nobody Known"),
        row(finding=OVERSIGHT + "  "), row(finding="Return interviews")])
    assert [(i.existing, i.title) for i in preview.items] == [
        (by_title, "Children's views"), (by_text, "Oversight"), (None, "Return interviews")]
    # An existing item keeps its details, so what the sheet says of them is not a problem.
    assert preview.problems == []
    assert (preview.new_items, preview.existing_items) == (1, 2)


def test_an_action_already_on_the_existing_item_is_not_added_again(northshire):
    item = ItemFactory(finding__inspection=northshire.inspection, title="Children's views")
    ActionFactory(item=item, description="Themed case file audit", due_date=date(2027, 3, 31))
    found = problems(preview_of(northshire, [row(finding="Children's views"),
                                             row(finding="Children's views", due="30/04/2027")]))
    assert found == {4: [("", "This action, due the same day, is already in the tracker: it "
                              "was imported or added before")]}


def test_a_signed_off_item_takes_no_more_actions(northshire):
    ItemFactory(finding__inspection=northshire.inspection, title="Children's views",
                status=ItemStatus.COMPLETE,
                signed_off_at=datetime(2026, 10, 1, tzinfo=UTC))
    found = problems(preview_of(northshire, [row(finding="Children's views")]))
    assert found == {4: [("A4", "The item “Children's views” is complete and signed off: "
                                "actions cannot be added to it")]}


def test_until_the_required_columns_are_chosen_there_is_no_preview(northshire):
    plan = plan_of(northshire, [["Audit", "x", "y"]], headings=["Notes", "More", "Other"])
    preview = planning.plan_preview(plan, actor=northshire.admin, today=TODAY)
    assert preview.missing == ["Finding or area for development", "Action", "Due date"]
    assert preview.items == [] and preview.problems == []
