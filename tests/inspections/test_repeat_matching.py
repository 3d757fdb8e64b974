"""Linking a repeat finding to the previous inspection's finding it repeats, by its words."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.demo.letters import NEWER_FINDINGS, OLDER_FINDINGS
from tracker.inspections.matching import (
    MATCH_THRESHOLD,
    best_previous_match,
    content_words,
    falls_in_worded_period,
    similarity,
    worded_periods,
)

OLDER = [(number, finding.text) for number, finding in enumerate(OLDER_FINDINGS, start=1)]
KEY_OF = {number: finding.key for number, finding in enumerate(OLDER_FINDINGS, start=1)}


@pytest.mark.parametrize(
    "finding", [f for f in NEWER_FINDINGS if f.repeats], ids=lambda finding: finding.key
)
def test_a_reworded_repeat_is_matched_to_the_finding_it_repeats(finding):
    match = best_previous_match(finding.text, OLDER)
    assert match is not None
    number, score = match
    assert KEY_OF[number] == finding.repeats
    assert score > MATCH_THRESHOLD


def test_the_repeat_is_matched_by_a_clear_margin_over_the_next_best():
    finding = next(f for f in NEWER_FINDINGS if f.key == "identity-in-records")
    scores = sorted((similarity(finding.text, text) for _, text in OLDER), reverse=True)
    assert scores[0] - scores[1] > 0.25


def test_a_finding_about_something_else_gets_no_match():
    finding = next(f for f in NEWER_FINDINGS if f.key == "step-down")
    assert best_previous_match(finding.text, OLDER) is None


def test_nothing_is_matched_when_there_are_no_candidates():
    assert best_previous_match("Case records are not up to date.", []) is None


def test_the_repeat_sentence_itself_does_not_make_findings_alike():
    # Every repeat ends with the same sentence; it must not pair unrelated repeats.
    first = "Supervision is not recorded. This was an area for development at the last inspection."
    second = ("Medicals are not timely. This was an area for development at the last "
              "inspection.")
    assert similarity(first, second) < MATCH_THRESHOLD


def test_word_order_and_word_endings_do_not_hide_a_match():
    assert similarity(
        "Assessments are not timely and records are incomplete",
        "Records incomplete; assessment not timely",
    ) == pytest.approx(1.0)


def test_the_best_of_several_candidates_wins_and_an_equal_score_keeps_the_first():
    candidates = [(7, "Case records are incomplete"), (8, "Case records are incomplete"),
                  (9, "Caseloads are too high")]
    assert best_previous_match("Case records are incomplete", candidates)[0] == 7


def test_the_threshold_can_be_raised():
    text = "Case records do not describe children's ethnicity or religion"
    candidate = [(1, "Case records do not describe children's disability")]
    assert best_previous_match(text, candidate) is not None
    assert best_previous_match(text, candidate, threshold=0.99) is None


def test_content_words_drop_small_words_and_match_plurals():
    assert content_words("The records of the children's assessments") == [
        "record", "children", "assessment"
    ]


def test_the_worded_previous_inspection_names_its_month_and_year():
    assert worded_periods("the previous inspection in August 2010") == [(2010, 8)]
    assert worded_periods("Sept. 2009") == [(2009, 9)]
    assert worded_periods("its last inspection in 2011") == [(2011, None)]
    assert falls_in_worded_period("August 2010", [date(2010, 8, 24)])
    assert not falls_in_worded_period("August 2010", [date(2010, 9, 1)])
    assert falls_in_worded_period("2011", [date(2011, 3, 1)])
    assert not falls_in_worded_period("no date here", [date(2011, 3, 1)])
