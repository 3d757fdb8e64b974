"""Dates and times as readers see them: "9 January 2012", in UK time."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tracker.formatting import date_and_time, long_date, plural, short_date


def test_a_date_is_written_in_full_without_a_leading_zero():
    assert long_date(date(2012, 1, 9)) == "9 January 2012"
    assert long_date(date(2026, 11, 22)) == "22 November 2026"


def test_a_moment_is_dated_by_the_uk_calendar():
    # 11:30pm UTC on 1 July is 12:30am on 2 July in British Summer Time.
    assert long_date(datetime(2026, 7, 1, 23, 30, tzinfo=UTC)) == "2 July 2026"
    # In winter the UK is on UTC: still 1 December.
    assert long_date(datetime(2026, 12, 1, 23, 30, tzinfo=UTC)) == "1 December 2026"


def test_a_short_date_for_tables():
    assert short_date(date(2012, 1, 9)) == "9 Jan 2012"


def test_nothing_is_written_for_a_missing_date():
    assert long_date(None) == ""
    assert short_date(None) == ""
    assert date_and_time(None) == ""


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # Winter: Greenwich Mean Time, the same as UTC.
        (datetime(2026, 1, 9, 15, 5, tzinfo=UTC), "9 January 2026 at 3:05pm"),
        # Summer: British Summer Time, an hour ahead of UTC.
        (datetime(2026, 7, 9, 15, 5, tzinfo=UTC), "9 July 2026 at 4:05pm"),
        # The clocks go forward at 1am UTC on Sunday 29 March 2026.
        (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "29 March 2026 at 12:59am"),
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "29 March 2026 at 2:00am"),
        # The clocks go back at 1am UTC on Sunday 25 October 2026.
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "25 October 2026 at 1:30am"),
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "25 October 2026 at 1:30am"),
        # Noon and midnight.
        (datetime(2026, 1, 9, 12, 0, tzinfo=UTC), "9 January 2026 at 12:00pm"),
        (datetime(2026, 1, 9, 0, 0, tzinfo=UTC), "9 January 2026 at 12:00am"),
        # A summer evening in UTC is already the next day in the UK.
        (datetime(2026, 6, 30, 23, 15, tzinfo=UTC), "1 July 2026 at 12:15am"),
    ],
)
def test_a_date_and_time_is_shown_in_uk_time_across_british_summer_time(moment, expected):
    assert date_and_time(moment) == expected


def test_counts_are_written_with_the_right_plural():
    assert plural(1, "action") == "1 action"
    assert plural(0, "action") == "0 actions"
    assert plural(3, "action") == "3 actions"
    assert plural(2, "person", "people") == "2 people"


def test_a_documents_markdown_headings_are_shown_as_headings_without_their_hashes():
    from tracker.formatting import marked_text_blocks

    text = "## Areas for development\nRecords are late.\n\nPlans vary.\n### Next ###\nAudit"
    assert marked_text_blocks(text, {}) == [
        ("heading", "Areas for development", None),
        ("text", "Records are late.\n\nPlans vary.", None),
        ("heading", "Next", None),
        ("text", "Audit", None),
    ]
    assert marked_text_blocks("#hashtag is text", {}) == [("text", "#hashtag is text", None)]


def test_a_line_a_warning_points_at_is_a_block_of_its_own_with_its_anchor():
    from tracker.formatting import marked_text_blocks

    text = "Dear Director\nOne.\nTwo.\n## Areas for improvement"
    assert marked_text_blocks(text, {2: "line-3", 3: "line-4"}) == [
        ("text", "Dear Director\nOne.", None),
        ("text", "Two.", "line-3"),
        ("heading", "Areas for improvement", "line-4"),
    ]
