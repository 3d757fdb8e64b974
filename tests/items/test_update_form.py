"""The update form tells the person what was last said, and offers to move an overdue date;
My actions shows each action's title once."""

from datetime import date, timedelta
from html.parser import HTMLParser

from tests.conftest import TEST_NOW, sign_in_as
from tests.factories import ActionFactory

TODAY = TEST_NOW.date()


def test_the_update_form_shows_who_last_updated_the_action_when_and_what_they_wrote(client):
    action = ActionFactory(due_date=TODAY + timedelta(days=10))
    lead = action.item.lead_officer
    sign_in_as(client, lead)
    client.post(f"/actions/{action.id}/update",
                data={"version": action.version, "status": "in progress",
                      "commentary": "Six of twenty case files audited"})

    sign_in_as(client, action.owner)
    page = client.get(f"/actions/{action.id}/update").get_data(as_text=True)

    panel = page[page.index("tracker-last-update"):]
    panel = panel[:panel.index("</div>")]
    assert lead.name in panel
    assert "22 November 2026 at 12:00pm" in panel
    assert "Six of twenty case files audited" in panel
    assert "Status from “Not started” to “In progress”" in panel


def test_the_update_form_says_when_nobody_has_updated_the_action_yet(client):
    action = ActionFactory(due_date=TODAY + timedelta(days=10))
    sign_in_as(client, action.owner)

    page = client.get(f"/actions/{action.id}/update").get_data(as_text=True)

    assert "Nobody has updated this action yet." in page


def test_an_overdue_actions_owner_is_offered_to_ask_to_move_its_due_date(client):
    action = ActionFactory(due_date=TODAY - timedelta(days=3))
    sign_in_as(client, action.owner)

    page = client.get(f"/actions/{action.id}/update").get_data(as_text=True)

    assert f'href="/actions/{action.id}/due-date">Ask to move the due date</a>' in page
    sign_in_as(client, action.item.lead_officer)
    page = client.get(f"/actions/{action.id}/update").get_data(as_text=True)
    assert f'href="/actions/{action.id}/due-date">Move the due date</a>' in page


def test_an_action_not_yet_due_offers_no_date_change_on_its_update_form(client):
    action = ActionFactory(due_date=TODAY + timedelta(days=3))
    sign_in_as(client, action.owner)

    page = client.get(f"/actions/{action.id}/update").get_data(as_text=True)

    assert "move the due date" not in page.lower()


class _NestedLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open_links = 0
        self.nested = 0

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.nested += self.open_links > 0
            self.open_links += 1

    def handle_endtag(self, tag):
        if tag == "a":
            self.open_links = max(self.open_links - 1, 0)


def test_my_actions_cards_hold_no_link_inside_a_link_and_show_the_title_once(client):
    action = ActionFactory(due_date=date(2026, 11, 1), description="Audit twenty case files")
    sign_in_as(client, action.owner)

    page = client.get("/my-actions").get_data(as_text=True)

    parser = _NestedLinks()
    parser.feed(page)
    assert parser.nested == 0
    assert f'href="/actions/{action.id}">View' in page
    # Once as the card's title; again only inside the links' hidden text for screen readers.
    assert page.count("Audit twenty case files") == 3
    assert page.count('(Audit twenty case files)</span>') == 2
