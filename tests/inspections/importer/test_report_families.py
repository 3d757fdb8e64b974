"""The failure modes of the 2014-15 SIF reports and of letters that point back, each on a
short made-up document: the rules are general, not tied to one report."""

from __future__ import annotations

from tracker.inspections.importer import parse_text


def texts(text: str, name: str) -> list[str]:
    return [f.text for f in parse_text(text).in_list(name)]


def test_priority_and_immediate_action_is_the_priority_action_heading():
    text = (
        "## Recommendations\n\n"
        "## Priority and immediate action\n\n"
        "1. Improve the quality of plans.\n\n"
        "2. Ensure return home interviews happen.\n\n"
        "## Areas for improvement\n\n"
        "3. Strengthen core groups.\n"
    )

    extraction = parse_text(text)

    assert texts(text, "priority_actions") == [
        "Improve the quality of plans.",
        "Ensure return home interviews happen.",
    ]
    assert texts(text, "areas_for_improvement") == ["Strengthen core groups."]
    # "Recommendations" only stands over the two lists: it is not a list cut short.
    assert extraction.warnings == []


def test_strengths_headings_without_a_colon_open_the_strengths_list():
    for heading in (
        "The local authority’s strengths",
        "The LSCB's strengths",
        "The Local Authority has the following strengths",
    ):
        text = f"## {heading}\n\n• Adopters are well supported.\n\n## Next section\n\nText.\n"

        assert texts(text, "strengths") == ["Adopters are well supported."], heading


def test_a_thematic_sub_heading_between_numbered_paragraphs_is_the_findings_group():
    text = (
        "## Areas for improvement\n\n"
        "Consistency of practice\n\n"
        "4. Ensure assessments analyse risk.\n\n"
        "5. Strengthen core groups.\n\n"
        "Management capacity and oversight\n\n"
        "6. Ensure strategy discussions record actions.\n\n"
        "## The local authority’s strengths\n\n"
        "7. Early help is effective.\n"
    )

    extraction = parse_text(text)

    improvements = extraction.in_list("areas_for_improvement")
    assert [f.text for f in improvements] == [
        "Ensure assessments analyse risk.",
        "Strengthen core groups.",
        "Ensure strategy discussions record actions.",
    ]
    assert [f.group for f in improvements] == [
        "Consistency of practice",
        "Consistency of practice",
        "Management capacity and oversight",
    ]
    assert texts(text, "strengths") == ["Early help is effective."]


def test_a_short_line_that_is_not_followed_by_the_next_number_ends_the_list():
    text = (
        "## Areas for improvement\n\n"
        "1. Ensure assessments analyse risk.\n\n"
        "Summary for children\n\n"
        "14. We met children in care.\n"
    )

    assert texts(text, "areas_for_improvement") == ["Ensure assessments analyse risk."]


def test_what_does_the_local_authority_need_to_improve_is_a_findings_heading():
    text = (
        "## What does the local authority need to improve?\n\n"
        "1. Improve the quality of plans.\n\n"
        "2. Reduce caseloads.\n"
    )

    assert texts(text, "areas_for_improvement") == [
        "Improve the quality of plans.",
        "Reduce caseloads.",
    ]


def test_paragraph_numbers_set_tight_against_the_text_go_on_past_nine():
    items = "\n\n".join(
        f"{n}.Ensure point {n} is done." if n >= 10 else f"{n}. Ensure point {n} is done."
        for n in range(1, 13)
    )
    text = f"## Recommendations\n\n{items}\n"

    found = texts(text, "areas_for_improvement")

    assert found == [f"Ensure point {n} is done." for n in range(1, 13)]
    assert parse_text(text).warnings == []


def test_a_sentence_pointing_back_to_earlier_findings_is_the_inspections_note():
    text = (
        "## Areas for priority action\n\n"
        "The areas for priority action set at the last focused visit in February 2020 remain. "
        "There are no additional priority actions.\n\n"
        "## What needs to improve in this area of social work practice?\n\n"
        "The areas for improvement continue to be those identified at the inspection in "
        "November 2018.\n\n"
        "## Main findings\n\nText.\n"
    )

    extraction = parse_text(text)

    assert extraction.findings == []
    assert extraction.note == (
        "The areas for priority action set at the last focused visit in February 2020 remain. "
        "There are no additional priority actions. The areas for improvement continue to be "
        "those identified at the inspection in November 2018."
    )
    assert extraction.refers_back_to == "February 2020"
    assert extraction.warnings == []


def test_the_lscbs_lists_are_findings_kept_as_the_lscbs():
    text = (
        "## The local authority\n\n"
        "## What does the local authority need to improve?\n\n"
        "## Priority and immediate action\n\n"
        "1. Improve plans.\n\n"
        "## The Local Safeguarding Children Board (LSCB)\n\n"
        "## What does the LSCB need to improve?\n\n"
        "## Priority and immediate action\n\n"
        "136. Publish the annual report.\n\n"
        "## Areas for improvement\n\n"
        "137. Appoint a chair for the child death overview panel.\n"
    )

    extraction = parse_text(text)

    assert [(f.category, f.text, f.body) for f in extraction.findings] == [
        ("priority_actions", "Improve plans.", "local_authority"),
        ("priority_actions", "Publish the annual report.", "lscb"),
        ("areas_for_improvement", "Appoint a chair for the child death overview panel.", "lscb"),
    ]


def test_a_contents_line_naming_the_lscb_does_not_make_the_next_lists_the_lscbs():
    text = (
        "## Contents\n\n## The LSCB 37\n\n"
        "## Recommendations\n\n1. Improve plans.\n"
    )

    assert [f.body for f in parse_text(text).findings] == ["local_authority"]
