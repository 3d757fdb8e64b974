"""What a column means: guessing from headings, and reading dates, statuses, kinds and
priorities as action plans write them."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.inspections.models import FindingCategory
from tracker.items.export import COLUMNS
from tracker.items.models import ActionStatus, Priority
from tracker.plan_import.cells import (
    CellProblem,
    guess_mapping,
    read_category,
    read_date,
    read_priority,
    read_status,
)


def guessed(headings: list[str]) -> dict[str, str]:
    return {key: headings[column] for key, column in guess_mapping(headings).items()}


def test_the_usual_headings_of_a_council_action_plan_are_guessed():
    headings = ["Ref", "Area for development", "Action", "Responsible officer", "Timescale",
                "Progress", "Lead officer", "Priority", "Theme"]
    assert guessed(headings) == {
        "finding": "Area for development", "action": "Action", "owner": "Responsible officer",
        "due_date": "Timescale", "status": "Progress", "lead_officer": "Lead officer",
        "priority": "Priority", "theme": "Theme",
    }


def test_other_wordings_are_guessed_too_whatever_their_case_and_punctuation():
    headings = ["RECOMMENDATION", "Action(s)", "Owner", "Target date:", "Status", "Completed on"]
    assert guessed(headings) == {
        "finding": "RECOMMENDATION", "action": "Action(s)", "owner": "Owner",
        "due_date": "Target date:", "status": "Status", "completed_on": "Completed on",
    }


def test_a_due_date_heading_wins_the_due_date_and_target_date_goes_to_the_item():
    assert guessed(["Finding", "Action", "Target date", "Due date"]) == {
        "finding": "Finding", "action": "Action", "due_date": "Due date",
        "target_date": "Target date",
    }


def test_the_trackers_own_export_is_guessed_column_for_column():
    guess = guessed([heading for heading, _ in COLUMNS])
    assert guess == {
        "finding": "Tracked item", "finding_type": "Finding type", "action": "Action",
        "owner": "Action owner", "due_date": "Due date", "status": "Action status",
        "completed_on": "Completed on", "lead_officer": "Lead officer", "priority": "Priority",
        "theme": "Theme", "target_date": "Target date",
    }


def test_headings_that_name_nothing_the_tracker_records_are_not_guessed():
    assert guess_mapping(["Ref", "RAG", "Comments", "", "Budget (£)"]) == {}


@pytest.mark.parametrize("text", [
    "31/03/2013", "31.3.13", "2013-03-31", "31 March 2013", "31st March 2013", "31-Mar-13",
    "March 31, 2013", "By 31/03/2013", "2013-03-31 00:00", " 31 MARCH 2013 ",
])
def test_a_due_date_is_read_however_the_plan_writes_it(text):
    assert read_date(text) == date(2013, 3, 31)


@pytest.mark.parametrize(("text", "end_of_month"), [
    ("March 2013", date(2013, 3, 31)), ("Mar-13", date(2013, 3, 31)),
    ("Feb 2012", date(2012, 2, 29)), ("end of Sept 2013", date(2013, 9, 30)),
    ("december 2013", date(2013, 12, 31)),
])
def test_a_month_alone_means_the_end_of_that_month(text, end_of_month):
    assert read_date(text) == end_of_month


@pytest.mark.parametrize(("text", "reason"), [
    ("Ongoing", "“Ongoing” is not a date: give a date like 31/03/2013"),
    ("03/31/2013", "“03/31/2013” is not a real date: dates are read day first, as in 31/03/2013"),
    ("31/02/2013", "“31/02/2013” is not a real date"),
    ("31 March", "“31 March” is not a date"),
    ("Q1 2014", "“Q1 2014” is not a date"),
    ("March and June 2013", "“March and June 2013” is not a date"),
    ("1/1/1899", "“1/1/1899” is not a real date"),
])
def test_words_that_are_not_one_real_date_are_a_problem_with_the_reason(text, reason):
    with pytest.raises(CellProblem) as raised:
        read_date(text)
    assert raised.value.reason.startswith(reason)


@pytest.mark.parametrize(("text", "status"), [
    ("", ActionStatus.NOT_STARTED), ("Not started", ActionStatus.NOT_STARTED),
    ("Planned", ActionStatus.NOT_STARTED), ("In progress", ActionStatus.IN_PROGRESS),
    ("Ongoing", ActionStatus.IN_PROGRESS), ("On track", ActionStatus.IN_PROGRESS),
    ("on-going", ActionStatus.IN_PROGRESS), ("On track (50%)", ActionStatus.IN_PROGRESS),
    ("Completed", ActionStatus.COMPLETE), ("DONE", ActionStatus.COMPLETE),
    ("Completed - see audit report", ActionStatus.COMPLETE),
    ("Cancelled", ActionStatus.CANCELLED), ("No longer required", ActionStatus.CANCELLED),
])
def test_a_status_is_read_from_the_usual_words(text, status):
    assert read_status(text) is status


def test_a_rag_colour_or_unknown_words_in_the_status_column_are_a_problem():
    with pytest.raises(CellProblem, match="“Amber” is a RAG rating, not a status"):
        read_status("Amber")
    with pytest.raises(CellProblem, match="“Complete by March” is not a status the tracker"):
        read_status("Complete by March")


@pytest.mark.parametrize(("text", "category"), [
    ("", FindingCategory.AREA_FOR_DEVELOPMENT),
    ("Area for development", FindingCategory.AREA_FOR_DEVELOPMENT),
    ("AFD", FindingCategory.AREA_FOR_DEVELOPMENT),
    ("Area for priority action", FindingCategory.PRIORITY_ACTION),
    ("Priority action", FindingCategory.PRIORITY_ACTION),
    ("Area for improvement", FindingCategory.AREA_FOR_IMPROVEMENT),
])
def test_the_kind_of_finding_is_read_and_blank_is_an_area_for_development(text, category):
    assert read_category(text) is category


def test_an_unknown_kind_of_finding_or_priority_is_a_problem():
    with pytest.raises(CellProblem, match="“Strength” is not a kind of finding"):
        read_category("Strength")
    with pytest.raises(CellProblem, match="“Urgent!!” is not a priority"):
        read_priority("Urgent!!")


def test_a_priority_is_read_from_words_letters_or_numbers_and_blank_leaves_it_open():
    assert [read_priority(t) for t in ("High", "m", "3", "")] == [
        Priority.HIGH, Priority.MEDIUM, Priority.LOW, None]
