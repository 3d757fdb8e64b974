"""An inspection's page: the letter's details, its findings under their headings with each
tracked item's status, the earlier items it found still open, and, for an administrator, the
form that records the action plan as submitted."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest

from tests.conftest import sign_in_as
from tests.factories import (
    ActionFactory,
    AdminFactory,
    CommitteeMemberFactory,
    FindingFactory,
    InspectionFactory,
    ItemFactory,
)
from tracker.extensions import db
from tracker.inspections.models import (
    FindingBody,
    FindingCategory,
    InspectionDay,
    StillOpenItem,
)
from tracker.items.models import ActionStatus


def page_text(response) -> str:
    assert response.status_code in (200, 400), response.status_code
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.data.decode())).split())


def status_tags(response) -> list[tuple[str, str]]:
    """The (colour, words) of each item status on the page, and the reason under it."""
    return [(colour, unescape(words), unescape(reason)) for colour, words, reason in re.findall(
        r'<strong class="govuk-tag tracker-status govuk-tag--([a-z]+)">(.*?)</strong><br>'
        r'<span class="govuk-body-s">(.*?)</span>', response.data.decode(), flags=re.S)]


@pytest.fixture
def letter(council):
    """A letter that follows an earlier inspection: a tracked area for priority action, a
    tracked area for development addressed to the LSCB and raised before, a strength, and an
    item of the earlier inspection found still open."""
    earlier = InspectionFactory(council=council, title="Inspection of 2009")
    still_open = ItemFactory(finding__inspection=earlier, title="Referral <backlog>")
    inspection = InspectionFactory(
        council=council, title="Inspection of 2011", previous_inspection=earlier,
        recipient="Director of Children's Services", overall_judgement="Adequate",
        visit_days=[InspectionDay(day=date(2026, 7, 2)), InspectionDay(day=date(2026, 7, 1))])
    urgent = ItemFactory(title="Assessments on time", finding__inspection=inspection,
                         finding__category=FindingCategory.PRIORITY_ACTION,
                         finding__text="Complete initial assessments on time.",
                         finding__position=2)
    ActionFactory(item=urgent, due_date=date(2026, 10, 1), status=ActionStatus.IN_PROGRESS)
    partner = ItemFactory(title="Board oversight", finding__inspection=inspection,
                          finding__body=FindingBody.LSCB, finding__group="Within six months",
                          finding__text="Strengthen the board's oversight.",
                          finding__repeat_evidence="This was raised at the last inspection.",
                          finding__position=1)
    FindingFactory(inspection=inspection, category=FindingCategory.STRENGTH,
                   text="Managers know their staff well.", position=0)
    db.session.add(StillOpenItem(inspection_id=inspection.id, item_id=still_open.id))
    db.session.commit()
    return inspection, earlier, urgent, partner, still_open


def test_the_page_shows_the_letter_its_findings_under_headings_and_what_is_still_open(
    client, council, letter
):
    inspection, earlier, urgent, partner, still_open = letter
    sign_in_as(client, CommitteeMemberFactory(council=council))
    response = client.get(f"/inspections/{inspection.id}")
    text, html = page_text(response), response.data.decode()

    assert "Visit 1 July 2026, 2 July 2026" in text
    assert "Letter date 27 July 2026" in text
    assert "Letter to Director of Children's Services" in text
    assert "Overall judgement Adequate" in text
    assert f'<a class="govuk-link" href="/inspections/{earlier.id}">Inspection of 2009</a>' in html
    # The most urgent heading first; within each, the letter's order.
    assert text.index("Areas for priority action") < text.index("Areas for development") \
        < text.index("Strengths") < text.index("Managers know their staff well.")
    assert "Complete initial assessments on time. Tracked as “Assessments on time”" in text
    assert ("LSCB Within six months: Strengthen the board's oversight. Raised at the previous "
            "inspection. Tracked as “Board oversight”") in text
    assert f'href="/items/{urgent.id}">Tracked as' in html
    assert f'href="/items/{partner.id}">Tracked as' in html
    assert text.count("Tracked as") == 2
    # The earlier inspection's item, linked with the inspection that raised it, its title
    # escaped.
    assert "Still open from an earlier inspection" in text
    assert (f'<li><a class="govuk-link" href="/items/{still_open.id}">Referral &lt;backlog&gt;'
            f'</a>, from <a class="govuk-link" href="/inspections/{earlier.id}">Inspection of '
            f'2009</a></li>') in html
    # A committee member reads; the administrator's form and links are not there.
    assert "Record plan as submitted" not in text and "Next steps" not in text


def test_each_tracked_item_shows_the_status_its_own_page_shows(client, council, letter):
    inspection, _earlier, urgent, partner, _still_open = letter
    sign_in_as(client, CommitteeMemberFactory(council=council))
    on_inspection = status_tags(client.get(f"/inspections/{inspection.id}"))
    assert len(on_inspection) == 2
    for (colour, words, reason), item in zip(on_inspection, (urgent, partner), strict=True):
        own_page = client.get(f"/items/{item.id}")
        assert (f'<strong class="govuk-tag tracker-status govuk-tag--{colour}">{words}</strong>'
                in own_page.data.decode())
        assert reason in page_text(own_page)
    assert on_inspection[0][:2] == ("red", "Red")  # its action was due on 1 October


def test_another_councils_inspection_is_not_found(client, council, letter):
    sign_in_as(client, AdminFactory())
    assert client.get(f"/inspections/{letter[0].id}").status_code == 404


def test_an_administrator_records_the_action_plan_as_submitted_and_the_clock_stops(
    client, council, letter
):
    inspection = letter[0]
    sign_in_as(client, AdminFactory(council=council))
    before = client.get(f"/inspections/{inspection.id}")
    # The letter of 27 July 2026 set 70 working days for the plan: 3 November.
    assert "Action plan was due on 3 November 2026." in page_text(before)
    html = before.data.decode()
    for part, width in (("day", 2), ("month", 2), ("year", 4)):
        assert (f'<input class="govuk-input govuk-date-input__input govuk-input--width-{width}" '
                f'id="submitted_on-{part}" name="submitted_on" type="text" inputmode="numeric">'
                ) in html
    assert 'aria-describedby="submitted_on-hint"' in html
    assert "For example, 6 11 2026" in page_text(before)

    response = client.post(f"/inspections/{inspection.id}/plan-submitted",
                           data={"submitted_on": ["3", "11", "2026"]})
    assert response.status_code == 302
    after = page_text(client.get(f"/inspections/{inspection.id}"))
    assert "Action plan submitted 3 November 2026" in after
    assert "was due on" not in after and "Record plan as submitted" not in after


def test_a_date_the_rules_refuse_is_shown_again_with_the_error_and_what_was_typed(
    client, council, letter
):
    inspection = letter[0]
    sign_in_as(client, AdminFactory(council=council))
    response = client.post(f"/inspections/{inspection.id}/plan-submitted",
                           data={"submitted_on": ["1", "7", "2026"]})
    assert response.status_code == 400
    text, html = page_text(response), response.data.decode()
    assert "The plan cannot have been submitted before the letter, 27 July 2026" in text
    assert 'govuk-input--error" id="submitted_on-month" name="submitted_on" type="text" ' \
           'value="7"' in html
    # Nothing was recorded, and the rest of the page is as before.
    assert "Action plan submitted Not yet" in text
    assert "Tracked as “Assessments on time”" in text
