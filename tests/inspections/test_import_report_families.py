"""The review page for the report families of issue 20: the LSCB's findings kept apart,
a letter that points back to an earlier inspection's open items, and the warning that a
document may hold more findings than were read."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import sign_in_as
from tests.factories import AdminFactory, FindingFactory, InspectionFactory, ItemFactory
from tests.inspections.test_import_review import (
    count,
    draft_id_of,
    form_fields,
    page_text,
    rows_of,
    upload,
)
from tracker.extensions import db
from tracker.inspections.models import (
    Finding,
    FindingBody,
    FindingCategory,
    Inspection,
    StillOpenItem,
)
from tracker.items.models import Item, ItemStatus

SIF_REPORT = """## Northshire

## Inspection of services for children in need of help and protection

## Inspection date: 10 November 2025 - 4 December 2025

## The local authority

## What does the local authority need to improve?

## Priority and immediate action

1. Improve the quality of plans for children.

## Areas for improvement

Management capacity and oversight

2. Ensure strategy discussions record clear actions.

## The Local Safeguarding Children Board (LSCB)

## What does the LSCB need to improve?

## Priority and immediate action

136. Ensure that the Board's annual report is published immediately.

## Areas for improvement

137. Put in place ways for children to inform the work of the Board.
"""

POINTING_BACK = "\n\n".join([
    "9 August 2026",
    "Dear Ms Hartley",
    "## Focused visit to Northshire children's services",
    "This letter summarises the findings of a focused visit to Northshire children's services "
    "on 30 June 2026.",
    "## Areas for priority action",
    "The areas for priority action set at the last focused visit in February 2026 remain. "
    "There are no additional priority actions.",
    "## What needs to improve in this area of social work practice?",
    "The areas for improvement set at the last focused visit in February 2026 remain. There "
    "are no additional areas for improvement.",
    "## Main findings",
    "Staff are positive about working in Northshire.",
    "Yours sincerely",
    "Rachel Griffiths\nHis Majesty's Inspector\n",
])


@pytest.fixture
def signed_in(client, council):
    sign_in_as(client, AdminFactory(council=council))
    return client


def test_the_lscbs_findings_are_shown_as_the_lscbs_and_kept_on_their_items(signed_in):
    response = signed_in.get(f"/inspections/import/{draft_id_of(upload(signed_in, SIF_REPORT))}")
    rows = [row for row in rows_of(form_fields(response.data)).values() if row.get("source")]

    assert [(row["text"], row["body"]) for row in rows] == [
        ("Improve the quality of plans for children.", "local authority"),
        ("Ensure that the Board's annual report is published immediately.", "lscb"),
        ("Ensure strategy discussions record clear actions.", "local authority"),
        ("Put in place ways for children to inform the work of the Board.", "lscb"),
    ]
    assert rows[2]["group"] == "Management capacity and oversight"
    assert "The document addresses this finding to the Local Safeguarding Children Board" in (
        page_text(response))

    confirmed = signed_in.post(response.request.path, data=form_fields(response.data))
    assert confirmed.status_code == 302, page_text(confirmed)[:3000]

    lscb = db.session.scalars(select(Finding).where(Finding.body == FindingBody.LSCB)).all()
    assert sorted(f.text for f in lscb) == [
        "Ensure that the Board's annual report is published immediately.",
        "Put in place ways for children to inform the work of the Board.",
    ]
    item_page = page_text(signed_in.get(f"/items/{lscb[0].item.id}"))
    assert "Addressed to: The Local Safeguarding Children Board (now the safeguarding " \
           "partners). This is a partner’s item" in item_page
    local = db.session.scalars(select(Finding).where(
        Finding.body == FindingBody.LOCAL_AUTHORITY)).first()
    assert "Addressed to" not in page_text(signed_in.get(f"/items/{local.item.id}"))


def test_the_reviewer_can_say_a_finding_is_the_lscbs(signed_in):
    response = signed_in.get(f"/inspections/import/{draft_id_of(upload(signed_in, SIF_REPORT))}")
    fields = form_fields(response.data)
    fields["findings-0-body"] = "lscb"

    signed_in.post(response.request.path, data=fields)

    finding = db.session.scalars(
        select(Finding).where(Finding.text == "Improve the quality of plans for children.")
    ).one()
    assert finding.body is FindingBody.LSCB


def earlier_focused_visit(council) -> tuple[Inspection, list[Item]]:
    """The February 2026 focused visit, in the tracker: two items open, one complete."""
    earlier = InspectionFactory(council=council, title="Focused visit to Northshire",
                                letter_date=date(2026, 2, 27))
    items = [
        ItemFactory(finding=FindingFactory(inspection=earlier, text=text, category=category),
                    title=text, status=status, lead_officer=None)
        for text, category, status in [
            ("Screen contacts sooner.", FindingCategory.PRIORITY_ACTION, ItemStatus.OPEN),
            ("Record supervision.", FindingCategory.AREA_FOR_IMPROVEMENT, ItemStatus.OPEN),
            ("Update chronologies.", FindingCategory.AREA_FOR_IMPROVEMENT, ItemStatus.COMPLETE),
        ]
    ]
    db.session.commit()
    return earlier, items


def test_a_letter_pointing_back_lists_the_earlier_open_items_and_links_to_them(
    signed_in, council
):
    earlier, items = earlier_focused_visit(council)
    draft_page = signed_in.get(
        f"/inspections/import/{draft_id_of(upload(signed_in, POINTING_BACK))}")
    text = page_text(draft_page)
    fields = form_fields(draft_page.data)

    assert fields["note"].startswith(
        "The areas for priority action set at the last focused visit in February 2026 remain.")
    assert "Its 2 items not yet complete will be linked to this inspection as still open" in text
    assert "Screen contacts sooner. (area for priority action, still open)" in text
    assert "Record supervision. (area for improvement, still open)" in text
    assert "Update chronologies." not in text
    assert f'href="/items/{items[0].id}"' in draft_page.data.decode()
    items_before = count(Item)

    confirmed = signed_in.post(draft_page.request.path, data=fields)

    assert confirmed.status_code == 302, page_text(confirmed)[:3000]
    new = db.session.scalars(select(Inspection).where(Inspection.id != earlier.id)).one()
    assert new.findings == []
    assert new.note.startswith("The areas for priority action set at the last focused visit")
    assert count(Item) == items_before  # no new items: nothing counted twice
    assert {link.item_id for link in db.session.scalars(select(StillOpenItem))} == {
        items[0].id, items[1].id}
    inspection_page = page_text(signed_in.get(f"/inspections/{new.id}"))
    assert "Still open from an earlier inspection" in inspection_page
    assert "Screen contacts sooner. , from Focused visit to Northshire" in inspection_page
    assert "Inspection imported: no new findings, 2 earlier items still open" in inspection_page
    item_page = page_text(signed_in.get(f"/items/{items[0].id}"))
    assert f"Still open at {new.title}" in item_page


def test_a_letter_pointing_back_to_an_inspection_not_in_the_tracker_says_so(signed_in):
    text = page_text(signed_in.get(
        f"/inspections/import/{draft_id_of(upload(signed_in, POINTING_BACK))}"))

    assert "This document says the findings of an earlier inspection (February 2026) still " \
           "stand. That inspection is not in the tracker" in text


def test_a_document_whose_list_came_out_empty_warns_and_points_at_the_place(signed_in):
    cut = SIF_REPORT.replace("137. Put in place ways for children to inform the work of the "
                             "Board.\n", "")
    response = signed_in.get(f"/inspections/import/{draft_id_of(upload(signed_in, cut))}")
    html = response.data.decode()
    lines = cut.split("\n")
    # The LSCB's "Areas for improvement", the last, whose one item was cut (counted from 1).
    heading_line = max(n for n, line in enumerate(lines) if line == "## Areas for improvement") + 1

    assert "This document may hold more findings than were found under “Areas for " \
           "improvement”, the LSCB’s list: nothing was read under it, at line " \
           f"{heading_line} of the text." in page_text(response)
    assert f'href="#document-line-{heading_line}"' in html
    # The heading is shown as a heading, without its markdown.
    assert f'<mark id="document-line-{heading_line}" tabindex="-1">Areas for improvement' \
           "</mark>" in html


def test_a_document_read_in_full_has_no_warning(signed_in):
    response = signed_in.get(
        f"/inspections/import/{draft_id_of(upload(signed_in, SIF_REPORT))}")

    assert "may hold more findings" not in page_text(response)
    assert "<mark" not in response.data.decode()
