"""The parser's general rules on short made-up documents: nothing here is in the seeds."""

from __future__ import annotations

from datetime import date

from tracker.inspections.importer import parse_text


def findings(text: str, name: str) -> list[str]:
    return [f.text for f in parse_text(text).in_list(name)]


def test_the_words_areas_for_development_inside_a_sentence_open_no_list():
    text = (
        "The inspection identified some areas for development, which are set out below.\n\n"
        "- This bullet is narrative, not under any finding heading.\n\n"
        "Areas for development\n\n"
        "- Plans are not reviewed.\n"
    )

    assert findings(text, "areas_for_development") == ["Plans are not reviewed."]


def test_narrative_bullets_under_other_headings_are_not_findings():
    text = (
        "Inspectors looked specifically at:\n\n- thresholds\n- step-down\n\n"
        "What needs to improve in this area of social work practice\n\n"
        "◼ The quality of plans.\n\n"
        "Findings\n\n◼ Children are seen regularly.\n◼ Caseloads are manageable.\n"
    )

    extraction = parse_text(text)

    assert [f.text for f in extraction.findings] == ["The quality of plans."]


def test_a_statement_that_there_are_none_is_not_a_finding():
    text = (
        "Areas for priority action\n\n"
        "There are no priority actions following this focused visit.\n\n"
        "What needs to improve\n\n• Supervision.\n"
    )

    assert findings(text, "priority_actions") == []
    assert findings(text, "areas_for_improvement") == ["Supervision."]


def test_timescale_labels_become_each_findings_group_and_are_not_findings():
    text = (
        "Areas for improvement\n\n"
        "20. In order to improve, the local authority should take the following action.\n\n"
        "Immediately:\n\n• ensure plans are reviewed\n\n"
        "Within three months:\n\n• improve supervision\n• audit case files\n"
    )

    extraction = parse_text(text)

    assert [(f.text, f.group) for f in extraction.findings] == [
        ("ensure plans are reviewed", "Immediately"),
        ("improve supervision", "Within three months"),
        ("audit case files", "Within three months"),
    ]


def test_numbered_recommendations_drop_their_numbers_and_keep_nested_bullets():
    text = (
        "Recommendations\n\n"
        "7. Improve the response to children who go missing, by:\n"
        "   - ensuring risks are assessed\n"
        "   - sharing what return interviews find.\n"
        "8. Review care proceedings.\n\n"
        "Summary for children and young people\n\n- Not a finding.\n"
    )

    assert findings(text, "areas_for_improvement") == [
        "Improve the response to children who go missing, by: ensuring risks are assessed "
        "sharing what return interviews find.",
        "Review care proceedings.",
    ]


def test_a_point_raised_at_an_interim_focused_visit_is_not_a_repeat():
    text = (
        "Areas for development\n\n"
        "- Plans are weak. This was an area for development at the focused visit in 2021.\n"
        "- Supervision is irregular. This was an area for development at the last inspection.\n"
    )

    extraction = parse_text(text)

    assert [f.repeat_evidence for f in extraction.findings] == [
        "",
        "This was an area for development at the last inspection.",
    ]


def test_a_sentence_elsewhere_that_says_a_finding_remains_from_last_time_is_its_evidence():
    text = (
        "Most areas for development identified at the previous inspection have been "
        "addressed. However, the recording of supervision remains an area for development.\n\n"
        "Areas for development\n\n"
        "- Supervision records do not show staff development needs.\n"
        "- Equality issues are not recorded.\n"
    )

    extraction = parse_text(text)

    assert [f.repeat_evidence for f in extraction.findings] == [
        "However, the recording of supervision remains an area for development.",
        "",
    ]


def test_a_council_the_reference_table_does_not_know_is_taken_as_written():
    text = (
        "1 May 2024\n\nMs A Person\nDirector of Children's Services\nNorthshire County Council"
        "\n\nDear Ms Person\n\nFocused visit to Northshire County Council children's services"
        "\n\nYours sincerely\n\nA Inspector\nHis Majesty's Inspector\n"
    )

    assert parse_text(text).council == "Northshire County Council"


def test_a_place_is_named_by_the_council_it_had_in_the_year_of_the_visit():
    def letter(year: int) -> str:
        return (
            f"Dear Ms Person\n\nFocused visit to Buckinghamshire children's services\n\n"
            f"This letter summarises the findings of a focused visit on 2 and 3 May {year}.\n"
            "\nYours sincerely\n"
        )

    assert parse_text(letter(2018)).council == "Buckinghamshire County Council"
    assert parse_text(letter(2023)).council == "Buckinghamshire Council"


def test_a_committee_reports_actions_take_their_dates_and_headings():
    text = (
        "# SCRUTINY COMMITTEE\n\n# Progress on the inspection\n\n"
        "1.1 The inspection took place on 4 and 5 October 2023.\n\n"
        "#### 4. Areas for Development\n\n"
        "- 4.1 The following areas were identified for development:\n"
        "  - Assessments vary in quality.\n"
        "  - Plans are not reviewed.\n\n"
        "#### 5. How we are addressing the areas for development\n\n"
        "#### 5.2 Plans are not reviewed\n\nAction taken:\n\n"
        "- Review panel set up from 8th January\n"
        "- Audit of plans Feb. 2024\n\n"
        "Contact Officer: Sam Jones, Head of Service, Tel: 01234 567890, sam.jones@example.gov.uk\n"
    )

    extraction = parse_text(text)

    assert extraction.document_kind == "committee_report"
    assert [(a.area_index, a.area_heading, a.date_text, a.date) for a in extraction.actions] == [
        (1, "Plans are not reviewed", "8th January", date(2024, 1, 8)),
        (1, "Plans are not reviewed", "Feb. 2024", date(2024, 2, 1)),
    ]
    officer = extraction.contact_officer
    assert officer is not None
    assert (officer.name, officer.title, officer.phone, officer.email) == (
        "Sam Jones",
        "Head of Service",
        "01234 567890",
        "sam.jones@example.gov.uk",
    )


def test_text_copied_from_a_pdf_viewer_with_a_line_break_in_every_line_is_joined():
    text = (
        "What needs to improve in this area of social work practice\n"
        "• The quality of plans is variable. Some plans are of a high standard, with\n"
        "clear objectives. Others lack detail about actions and timescales.\n"
        "This means that parents may not understand what they need to do.\n"
        "• Audits are mostly accurate.\n"
        "Ofsted will take the findings from this focused visit into account when planning\n"
        "your next inspection or visit.\n"
    )

    assert findings(text, "areas_for_improvement") == [
        "The quality of plans is variable. Some plans are of a high standard, with clear "
        "objectives. Others lack detail about actions and timescales. This means that "
        "parents may not understand what they need to do.",
        "Audits are mostly accurate.",
    ]
