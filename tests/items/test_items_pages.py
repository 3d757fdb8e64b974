import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest
from markupsafe import escape

from tests.conftest import sign_in_as
from tests.factories import (
    ActionFactory,
    AdminFactory,
    CommitteeMemberFactory,
    InspectionFactory,
    UserFactory,
)
from tracker.audit.models import HistoryEntry, HistoryKind
from tracker.audit.service import record_history
from tracker.extensions import db
from tracker.inspections.models import StillOpenItem
from tracker.items import service
from tracker.items.models import Action, ActionStatus


@pytest.fixture
def action():
    return ActionFactory(due_date=date(2026, 11, 1))


def test_every_item_page_shows_for_a_committee_member(client, action):
    member = CommitteeMemberFactory(council=action.item.finding.inspection.council)
    sign_in_as(client, member)
    for path in ["/", "/items", f"/items/{action.item.id}", f"/actions/{action.id}",
                 "/inspections", f"/inspections/{action.item.finding.inspection.id}",
                 "/how-status-is-worked-out"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert str(escape(action.item.title)).encode() in response.data or path in (
            "/", "/how-status-is-worked-out", "/inspections"), path


def test_owner_updates_their_overdue_action_in_one_form(client, action):
    sign_in_as(client, action.owner)
    page = client.get(f"/actions/{action.id}/update")
    assert page.status_code == 200
    response = client.post(
        f"/actions/{action.id}/update",
        data={"version": action.version, "status": "in progress",
              "commentary": "Audit started with six case files", "evidence_link": ""},
    )
    assert response.status_code == 302
    saved = db.session.get(Action, action.id)
    assert saved.status is ActionStatus.IN_PROGRESS
    kinds = [u.kind for u in db.session.query(HistoryEntry).filter_by(action_id=action.id)]
    assert HistoryKind.STATUS_CHANGE in kinds


def test_second_person_to_save_an_action_is_told_who_changed_it(client, action):
    lead = action.item.lead_officer
    sign_in_as(client, action.owner)
    opened_version = action.version
    client.post(f"/actions/{action.id}/update",
                data={"version": opened_version, "status": "in progress", "commentary": "first"})
    sign_in_as(client, lead)
    response = client.post(
        f"/actions/{action.id}/update",
        data={"version": opened_version, "status": "complete", "commentary": "second"},
    )
    assert response.status_code == 409
    assert action.owner.name.encode() in response.data
    assert b"second" in response.data  # what the second person typed is still on the page
    assert db.session.get(Action, action.id).status is ActionStatus.IN_PROGRESS


def test_committee_member_cannot_update_an_action(client, action):
    member = CommitteeMemberFactory(council=action.item.finding.inspection.council)
    sign_in_as(client, member)
    assert client.get(f"/actions/{action.id}/update").status_code == 403
    response = client.post(f"/actions/{action.id}/update",
                           data={"version": action.version, "status": "complete"})
    assert response.status_code == 403
    assert db.session.get(Action, action.id).status is ActionStatus.NOT_STARTED


def test_another_councils_item_is_not_found(client, action):
    stranger = AdminFactory()
    sign_in_as(client, stranger)
    assert client.get(f"/items/{action.item.id}").status_code == 404
    assert client.get(f"/actions/{action.id}").status_code == 404


def test_admin_adds_an_item_and_an_action(client, action):
    council = action.item.finding.inspection.council
    admin = AdminFactory(council=council)
    lead = UserFactory(council=council)
    sign_in_as(client, admin)
    inspection = action.item.finding.inspection
    response = client.post("/items/new", data={
        "inspection": str(inspection.id), "category": "priority action",
        "finding_text": "Referrals from the police are not screened promptly.",
        "title": "Screening of police referrals", "lead_officer": str(lead.id),
        "theme": "Front door", "priority": "high",
        "target_date": ["31", "3", "2027"], "measure_of_success": "All screened within 24 hours",
    })
    assert response.status_code == 302, response.data
    item_path = response.headers["Location"]
    response = client.post(item_path + "/actions/new", data={
        "description": "Daily screening meeting with police", "owner": str(lead.id),
        "due_date": ["15", "1", "2027"],
    })
    assert response.status_code == 302, response.data
    page = client.get(item_path)
    assert b"Daily screening meeting with police" in page.data


def test_my_actions_lists_overdue_first(client, action):
    ActionFactory(item=action.item, owner=action.owner, due_date=date(2027, 2, 1),
                  description="Later action")
    sign_in_as(client, action.owner)
    page = client.get("/my-actions").get_data(as_text=True)
    assert page.index(str(escape(action.description))) < page.index("Later action")


def test_text_a_user_typed_is_shown_literally_and_links_still_work(client):
    action = ActionFactory(description="<script>alert(1)</script> audit <b>now</b>",
                           due_date=date(2026, 11, 1))
    sign_in_as(client, action.item.lead_officer)
    for path in [f"/items/{action.item.id}", "/", f"/actions/{action.id}"]:
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt; audit &lt;b&gt;now&lt;/b&gt;" in html, path
    html = client.get(f"/items/{action.item.id}").get_data(as_text=True)
    assert f'<a class="govuk-link" href="/actions/{action.id}">&lt;script&gt;' in html


def test_an_update_without_the_version_it_was_made_from_is_refused(client, action):
    sign_in_as(client, action.owner)
    for version in ("", "abc"):
        response = client.post(f"/actions/{action.id}/update",
                               data={"version": version, "status": "complete"})
        assert response.status_code == 400
        assert b"reload the page" in response.data
    assert db.session.get(Action, action.id).status is ActionStatus.NOT_STARTED


def test_a_nul_character_in_a_form_is_refused_and_nothing_saved(client, action):
    sign_in_as(client, action.owner)
    response = client.post(f"/actions/{action.id}/update", data={
        "version": action.version, "status": "in progress", "commentary": "bad\x00text"})
    assert response.status_code == 400
    assert db.session.get(Action, action.id).status is ActionStatus.NOT_STARTED


def page_words(response) -> str:
    assert response.status_code == 200, response.status_code
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.data.decode())).split()) + " "


def action_rows(response) -> dict[str, str]:
    """The item page's actions table: each row's words, by the action's description."""
    html = response.data.decode()
    table = html[html.index("Actions for this item"):]
    table = table[:table.index("</table>")]
    rows = {}
    for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', table, flags=re.S)[1:]:
        cells = [" ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split())
                 for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        rows[cells[0]] = " | ".join(cells[1:])
    return rows


def test_the_item_page_shows_each_actions_moves_and_the_requests_waiting_for_the_lead(client):
    moved = ActionFactory(description="Audit case files", due_date=date(2026, 12, 1))
    item, lead, now = moved.item, moved.item.lead_officer, datetime(2026, 11, 22, 12, tzinfo=UTC)
    asked_to_move = ActionFactory(item=item, description="Train managers",
                                  due_date=date(2026, 12, 10))
    asked_to_cancel = ActionFactory(item=item, description="Re-launch the guidance",
                                    due_date=date(2026, 11, 2), status=ActionStatus.IN_PROGRESS)
    ActionFactory(item=item, description="Report to the board", owner=None,
                  due_date=date(2027, 1, 5))
    service.change_due_date(moved, actor=lead, now=now, new_date=date(2027, 1, 10),
                            reason="The auditors are away in December")
    service.change_due_date(moved, actor=lead, now=now, new_date=date(2027, 1, 20),
                            reason="Two more teams to audit")
    service.change_due_date(asked_to_move, actor=asked_to_move.owner, now=now,
                            new_date=date(2027, 2, 1), reason="The trainer left")
    service.cancel_action(asked_to_cancel, actor=asked_to_cancel.owner, now=now,
                          reason="The guidance is being rewritten instead")
    db.session.commit()
    sign_in_as(client, lead)
    rows = action_rows(client.get(f"/items/{item.id}"))
    assert rows == {
        "Re-launch the guidance": f"{asked_to_cancel.owner.name} | 2 Nov 2026 | "
                                  "Overdue In progress Cancellation requested",
        "Train managers": f"{asked_to_move.owner.name} | 10 Dec 2026 "
                          "Change to 1 Feb 2027 requested | Not started",
        "Report to the board": "No owner | 5 Jan 2027 | Not started",
        "Audit case files": f"{moved.owner.name} | 20 Jan 2027 "
                            "Originally 1 Dec 2026; moved 2 times | Not started",
    }


def test_the_item_pages_history_comes_a_page_at_a_time_newest_first(client, action):
    item, lead = action.item, action.item.lead_officer
    for n in range(55):
        record_history(item=item, action=action, author=lead,
                       now=datetime(2026, 11, 1, 9, tzinfo=UTC) + timedelta(minutes=n),
                       kind=HistoryKind.COMMENTARY, text=f"Note {n}")
    db.session.commit()
    sign_in_as(client, lead)
    first = page_words(client.get(f"/items/{item.id}"))
    assert "Entries 1 to 50 of 55, newest first." in first
    assert "Note 54" in first and "Note 5 " in first and "Note 4 " not in first
    assert f"Action: {action.description} Note 54 {lead.name}, 1 November 2026 at 9:54am" in first
    second = page_words(client.get(f"/items/{item.id}?page=2"))
    assert "Entries 51 to 55 of 55, newest first." in second
    assert "Note 4 " in second and "Note 0 " in second and "Note 5 " not in second


def test_a_page_number_of_nine_digits_shows_a_page_not_a_server_error(client, action):
    # Nine digits of page make an offset past PostgreSQL's integer (4,999,999,950 rows).
    sign_in_as(client, action.item.lead_officer)
    for path in (f"/items/{action.item.id}?page=999999999", "/items?page=999999999"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert action.item.title in page_words(response), path


def test_the_item_page_names_each_later_inspection_that_found_it_still_open(client, action):
    item = action.item
    council = item.finding.inspection.council
    later = [InspectionFactory(council=council, title=title, letter_date=day)
             for title, day in (("Monitoring visit", date(2026, 10, 2)),
                                ("Focused visit", date(2026, 11, 20)))]
    db.session.flush()
    for inspection in later:
        db.session.add(StillOpenItem(inspection_id=inspection.id, item_id=item.id))
    db.session.flush()
    sign_in_as(client, AdminFactory(council=council))

    page = unescape(client.get(f"/items/{item.id}").get_data(as_text=True))

    assert ("Still open at Monitoring visit (2 October 2026), Focused visit "
            "(20 November 2026).") in re.sub(r"<[^>]+>", "", page)
