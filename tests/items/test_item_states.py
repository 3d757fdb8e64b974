"""Every status says what is really so, in words beside its colour, on every page that shows
one: items just imported with nobody leading them and nothing planned are "Not planned", not
Green; an item whose actions are all done is "Delivered, awaiting evidence of impact"; an
item sent back at sign-off says why."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from tests.conftest import SHARED, TEST_NOW, sign_in_as
from tests.factories import (
    ActionFactory,
    AdminFactory,
    CommitteeMemberFactory,
    ItemFactory,
    UserFactory,
    focused_visit_items,
)
from tracker.extensions import db
from tracker.inspections.models import Inspection
from tracker.items import service
from tracker.items.models import Action, ActionStatus, Item, Rag

IMPORTED = TEST_NOW - timedelta(days=12)
NOT_PLANNED_REASON = ("No lead officer yet and no actions planned, 12 days after the finding "
                      "was imported (10 November 2026).")
DELIVERED = "Delivered, awaiting evidence of impact"


def page_text(response) -> str:
    assert response.status_code == 200, response.status_code
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.data.decode())).split())


def tags(response) -> list[tuple[str, str]]:
    """The (colour class, words) of every item status tag on the page."""
    html = response.data.decode()
    return [(colour, " ".join(unescape(words).split())) for colour, words in re.findall(
        r'<strong class="govuk-tag tracker-status govuk-tag--([a-z]+)">(.*?)</strong>', html,
        flags=re.S)]


@pytest.fixture
def imported(council):
    """The four items an administrator just imported from a focused-visit letter."""
    return focused_visit_items(council, imported_at=IMPORTED)


@pytest.fixture
def member(council):
    return CommitteeMemberFactory(council=council)


def test_imported_items_with_no_lead_and_no_actions_are_not_planned_on_the_inspection_page(
    client, member, imported
):
    sign_in_as(client, member)
    response = client.get(f"/inspections/{imported[0].finding.inspection_id}")
    assert tags(response) == [("grey", "Not planned")] * 4
    text = page_text(response)
    assert text.count(NOT_PLANNED_REASON) == 4
    assert "Green" not in text and "on track" not in text


def test_an_imported_item_is_not_planned_on_its_own_page_with_the_reason(
    client, member, imported
):
    sign_in_as(client, member)
    response = client.get(f"/items/{imported[0].id}")
    assert tags(response) == [("grey", "Not planned")]
    assert NOT_PLANNED_REASON in page_text(response)


def test_the_items_list_shows_them_not_planned_and_filters_by_state(
    client, member, imported
):
    planned = ActionFactory(item__finding__inspection=imported[0].finding.inspection,
                            due_date=date(2027, 2, 1), status=ActionStatus.IN_PROGRESS).item
    sign_in_as(client, member)
    everything = client.get("/items")
    assert tags(everything) == [("grey", "Not planned")] * 4 + [("green", "Green")]
    assert page_text(everything).count(NOT_PLANNED_REASON) == 4

    only = client.get("/items?state=not+planned")
    assert tags(only) == [("grey", "Not planned")] * 4
    assert planned.title not in page_text(only)
    assert tags(client.get("/items?state=green")) == [("green", "Green")]
    # An address from before the states (the RAG alone) still finds the RAG.
    assert tags(client.get("/items?rag=green")) == [("green", "Green")]
    assert client.get("/items?state=purple").status_code == 400


def test_the_dashboard_counts_every_state_with_its_name_and_colour(client, member, imported):
    delivered = ItemFactory(finding__inspection=imported[0].finding.inspection)
    ActionFactory(item=delivered, status=ActionStatus.COMPLETE, completed_on=date(2026, 11, 1))
    sign_in_as(client, member)
    response = client.get("/")
    text = page_text(response)
    assert "4 items: Not planned" in text
    assert f"1 item: {DELIVERED}" in text
    assert "0 items: Green" in text
    # One count a state, each with its tag: the name in words, in the state's colour.
    assert tags(response) == [
        ("grey", "Not planned"), ("red", "Red"), ("orange", "Amber"), ("green", "Green"),
        ("teal", DELIVERED), ("purple", "Awaiting sign-off"), ("blue", "Complete")]
    assert 'href="/items?state=not+planned"' in response.data.decode()


def test_an_item_with_every_action_done_is_delivered_awaiting_evidence_of_impact(
    client, council
):
    item = ItemFactory(finding__inspection__council=council, target_date=date(2026, 10, 1))
    for _ in range(2):
        ActionFactory(item=item, status=ActionStatus.COMPLETE, completed_on=date(2026, 11, 2))
    ActionFactory(item=item, status=ActionStatus.CANCELLED)
    sign_in_as(client, CommitteeMemberFactory(council=council))
    reason = "2 actions are complete and 1 cancelled; the outcome is not yet evidenced and " \
             "signed off."
    for path in (f"/items/{item.id}", "/items", f"/inspections/{item.finding.inspection_id}"):
        response = client.get(path)
        assert tags(response) == [("teal", DELIVERED)], path
        assert reason in page_text(response), path


def test_an_item_sent_back_at_sign_off_is_delivered_again_and_says_why_until_it_is_marked_again(
    client, council
):
    admin = AdminFactory(council=council)
    action = ActionFactory(item__finding__inspection__council=council,
                           status=ActionStatus.COMPLETE, completed_on=date(2026, 11, 2))
    item = action.item
    service.mark_item_complete(item, actor=item.lead_officer, now=TEST_NOW,
                               outcome_evidence="Audit of 20 files")
    service.refuse_sign_off(item, actor=admin, now=TEST_NOW,
                            reason="The audit covers one team only")
    db.session.commit()
    sign_in_as(client, CommitteeMemberFactory(council=council))
    response = client.get(f"/items/{item.id}")
    assert tags(response) == [("teal", DELIVERED)]
    assert ("Sent back at sign-off on 22 November 2026: The audit covers one team only."
            in page_text(response))

    # An action reopened: back to its RAG, still saying why it was sent back.
    service.update_action(db.session.get(Action, action.id), actor=item.lead_officer,
                          now=TEST_NOW, expected_version=None, status=ActionStatus.IN_PROGRESS,
                          commentary="Extending the audit to the other teams",
                          evidence_link="")
    db.session.commit()
    response = client.get(f"/items/{item.id}")
    assert tags(response) == [("green", "Green")]
    assert "Sent back at sign-off on 22 November 2026" in page_text(response)

    # Marked complete again: awaiting sign-off, the old reason no longer shown.
    reopened = db.session.get(Action, action.id)
    service.update_action(reopened, actor=item.lead_officer, now=TEST_NOW,
                          expected_version=None, status=ActionStatus.COMPLETE,
                          commentary="All teams audited", evidence_link="")
    service.mark_item_complete(db.session.get(Item, item.id), actor=item.lead_officer,
                               now=TEST_NOW, outcome_evidence="Audit of 60 files")
    db.session.commit()
    response = client.get(f"/items/{item.id}")
    assert tags(response) == [("purple", "Awaiting sign-off")]
    assert "Sent back" not in page_text(response)


def test_a_rag_set_by_hand_says_so_in_its_tag(client, council):
    action = ActionFactory(item__finding__inspection__council=council, due_date=date(2027, 1, 5))
    item = action.item
    service.override_rag(item, actor=item.lead_officer, now=TEST_NOW, rag=Rag.AMBER,
                         reason="Two posts vacant")
    db.session.commit()
    sign_in_as(client, UserFactory(council=council))
    response = client.get(f"/items/{item.id}")
    assert tags(response) == [("orange", "Amber (set by hand)")]
    assert "Set by hand: Two posts vacant" in page_text(response)


PDF_LETTER = SHARED / "documents" / "06_warrington_focused-visit_2018-02-23.pdf"


@pytest.mark.skipif(not PDF_LETTER.exists(), reason=f"{PDF_LETTER} is not here")
def test_a_real_focused_visit_letter_imported_leaves_its_four_items_not_planned(client, council):
    from tests.inspections.test_import_review import draft_id_of, form_fields, upload

    sign_in_as(client, AdminFactory(council=council))
    draft_id = draft_id_of(upload(client, PDF_LETTER.read_bytes(), PDF_LETTER.name))
    fields = form_fields(client.get(f"/inspections/import/{draft_id}").data)
    assert client.post(f"/inspections/import/{draft_id}", data=fields).status_code == 302
    inspection = db.session.scalars(select(Inspection)).one()
    items = [f.item for f in inspection.findings if f.item is not None]
    assert len(items) == 4
    assert all(i.lead_officer is None and not i.actions and i.target_date is None for i in items)

    reason = ("No lead officer yet and no actions planned, on the day the finding was "
              "imported.")
    for path in (f"/inspections/{inspection.id}", "/items", f"/items/{items[0].id}"):
        response = client.get(path)
        assert {tag for tag in tags(response)} == {("grey", "Not planned")}, path
        assert reason in page_text(response), path
    assert "4 items: Not planned" in page_text(client.get("/"))


def test_the_how_status_is_worked_out_page_names_every_state_in_words(client, member):
    sign_in_as(client, member)
    response = client.get("/how-status-is-worked-out")
    text = page_text(response)
    for words in ("Complete.", "Awaiting sign-off.", f"{DELIVERED}.", "Not planned.",
                  "Set by hand.", "Red.", "Amber.", "Green."):
        assert words in text
    assert len(tags(response)) == 7
