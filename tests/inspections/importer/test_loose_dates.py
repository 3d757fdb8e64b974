"""Loose dates in actions ("Dec 2011", "from 9th January") and visit spans in letters."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.inspections.importer import parse_loose_date
from tracker.inspections.importer.dates import find_loose_date, find_span


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("November 2011", date(2011, 11, 1)),
        ("Dec 2011", date(2011, 12, 1)),
        ("Jan. 2012", date(2012, 1, 1)),
        ("Sept 2012", date(2012, 9, 1)),
        ("16 November 2011", date(2011, 11, 16)),
        ("in place from 16th January 2012", date(2012, 1, 16)),
        ("Joint work underway to agree unified approach – January 2012", date(2012, 1, 1)),
        ("review due 03/02/2012", date(2012, 2, 3)),
        ("January 9, 2012", date(2012, 1, 9)),
    ],
)
def test_a_loose_date_with_a_year_is_read(text: str, expected: date):
    assert parse_loose_date(text, context_year=None) == expected


def test_a_date_without_a_year_takes_the_year_from_context():
    assert parse_loose_date("from 9th January", context_year=2012) == date(2012, 1, 9)


def test_a_date_without_a_year_and_no_context_is_not_guessed():
    assert parse_loose_date("from 9th January", context_year=None) is None


@pytest.mark.parametrize(
    "text",
    [
        "High level meeting chaired by Executive Director",
        "the decision was made in January.",  # a month alone is not a date
        "Lead inspector: Jan Edwards",
        "you may 2 times",
        "30 February 2012",
        "",
    ],
)
def test_text_without_a_date_gives_none(text: str):
    assert parse_loose_date(text, context_year=2012) is None


def test_the_words_of_a_loose_date_are_kept_as_written():
    found = find_loose_date("New report formats in place from 16th January 2012 onwards")

    assert found is not None
    assert found.text == "16th January 2012"
    assert find_loose_date("First draft of strategic thresholds document Jan. 2012").text == (
        "Jan. 2012"
    )


@pytest.mark.parametrize(
    ("text", "first", "last", "days"),
    [
        ("conducted on 18 and 19 August 2009", date(2009, 8, 18), date(2009, 8, 19), 2),
        ("on 31 January and 1 February 2018", date(2018, 1, 31), date(2018, 2, 1), 2),
        ("Inspection dates: 15-19 July 2013", date(2013, 7, 15), date(2013, 7, 19), 5),
        ("11 – 20 February 2013", date(2013, 2, 11), date(2013, 2, 20), 10),
        ("11 April 2016 to 5 May 2016", date(2016, 4, 11), date(2016, 5, 5), 25),
        ("21 March to 1 April 2022", date(2022, 3, 21), date(2022, 4, 1), 12),
        ("between 6 and 8 October 2020", date(2020, 10, 6), date(2020, 10, 8), 3),
        ("took place on 18th and 19th October 2011", date(2011, 10, 18), date(2011, 10, 19), 2),
        ("on 14 March 2019", date(2019, 3, 14), date(2019, 3, 14), 1),
    ],
)
def test_a_visit_span_gives_every_day_of_the_visit(text: str, first: date, last: date, days: int):
    found = find_span(text)

    assert (found[0], found[-1], len(found)) == (first, last, days)


def test_a_span_lists_every_calendar_day_weekends_included():
    found = find_span("11 – 20 February 2013")

    assert date(2013, 2, 16) in found and date(2013, 2, 17) in found
