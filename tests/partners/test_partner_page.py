"""The partner's page: what it shows, posting an update through it, and its limits."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from tests.conftest import configure, sign_in_as
from tests.factories import ActionFactory
from tests.partners.factories import partner_action, send_link
from tracker.audit.models import HistoryEntry, HistoryKind
from tracker.extensions import db
from tracker.items import service as items
from tracker.items.models import ActionStatus
from tracker.partners import service
from tracker.partners.models import PartnerLink

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def update_form(action, **fields) -> dict[str, str]:
    return {"version": str(action.version), "status": "in progress", "commentary": "",
            "evidence_link": "", **fields}


def partner_entries(action) -> list[HistoryEntry]:
    return list(db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.action_id == action.id,
                                   HistoryEntry.partner_link_id.is_not(None))
        .order_by(HistoryEntry.id)))


def test_the_partner_sees_the_item_the_action_its_due_date_and_status_without_signing_in(
    client
):
    action = partner_action()
    ActionFactory(item=action.item, description="Social care to audit referral quality")
    sent = send_link(action)

    page = client.get(f"/partner/{sent.token}")

    assert page.status_code == 200
    text = page.text
    assert "Multi-agency strategy discussions" in text
    assert "Police to attend every strategy discussion in person" in text
    assert "1 December 2026" in text
    assert "Not started" in text
    assert "Lee Lead" in text
    assert "Northshire County Council" in text
    assert "until the end of 6 December 2026" in text
    # Nothing of the item's other actions.
    assert "Social care to audit referral quality" not in text
    # The statuses a partner may choose: not "cancelled", which is the lead officer's call.
    assert 'value="not started"' in text and 'value="complete"' in text
    assert 'value="cancelled"' not in text


def test_the_partner_posts_an_update_written_as_theirs_and_marked_as_a_partner_update(client):
    action = partner_action()
    sent = send_link(action)

    response = client.post(f"/partner/{sent.token}", data=update_form(
        action, status="complete", commentary="Attended all six discussions in November",
        evidence_link="https://police.example/minutes/november"))

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/partner/{sent.token}/sent")
    db.session.expire_all()
    assert action.status is ActionStatus.COMPLETE
    assert action.completed_on.isoformat() == "2026-11-22"
    assert action.evidence_link == "https://police.example/minutes/november"
    entries = partner_entries(action)
    assert [entry.kind for entry in entries] == [HistoryKind.STATUS_CHANGE, HistoryKind.EVIDENCE]
    assert entries[0].text == "Attended all six discussions in November"
    assert {entry.author_id for entry in entries} == {action.owner_id}
    assert {entry.partner_link_id for entry in entries} == {sent.link.id}
    link = db.session.get(PartnerLink, sent.link.id)
    assert link.uses == 1
    assert link.last_used_at == NOW
    confirmation = client.get(response.headers["Location"])
    assert confirmation.status_code == 200
    assert "Update sent" in confirmation.text
    assert "Complete" in confirmation.text


def test_the_lead_officer_sees_partner_updates_marked_in_the_item_and_action_history(client):
    action = partner_action()
    sent = send_link(action)
    client.post(f"/partner/{sent.token}",
                data=update_form(action, commentary="Attended the first discussion"))
    sign_in_as(client, action.item.lead_officer)

    for page in (client.get(f"/actions/{action.id}"), client.get(f"/items/{action.item.id}")):
        assert page.status_code == 200
        entry = page.text[page.text.index("Attended the first discussion") - 1500:
                          page.text.index("Attended the first discussion")]
        assert "Partner update" in entry
        # Only the partner's own entries are marked: not the link's sending.
        assert page.text.count("Partner update") == 1


def test_a_partner_update_is_saved_all_at_once_or_not_at_all(client, monkeypatch):
    action = partner_action()
    sent = send_link(action)

    def counter_breaks(link, now):
        raise RuntimeError("the use could not be counted")

    monkeypatch.setattr(service, "_note_use", counter_breaks)
    response = client.post(f"/partner/{sent.token}", data=update_form(
        action, status="complete", commentary="Done", evidence_link="https://police.example/x"))

    assert response.status_code == 500
    db.session.expire_all()
    assert action.status is ActionStatus.NOT_STARTED
    assert action.evidence_link == ""
    assert partner_entries(action) == []
    assert db.session.get(PartnerLink, sent.link.id).uses == 0


@pytest.mark.parametrize(("fields", "message"), [
    ({"status": ""}, "Choose a status"),
    ({"status": "cancelled"}, "Not a valid choice"),
    ({"evidence_link": "javascript:alert(1)"}, "Enter a link starting http:// or https://"),
    ({"evidence_link": "ftp://police.example/minutes"},
     "Enter a link starting http:// or https://"),
    ({"evidence_link": "https://police.example/" + "a" * 500},
     "Link to evidence must be 500 characters or fewer"),
    ({"commentary": "x" * 5001}, "Your update must be 5000 characters or fewer"),
    ({"status": "not started"}, "Change the status, add a commentary or add evidence"),
    ({"version": ""}, "This form is incomplete: reload the page and try again"),
])
def test_a_partner_is_told_what_to_fix_and_nothing_is_recorded(client, fields, message):
    action = partner_action()
    sent = send_link(action)

    response = client.post(f"/partner/{sent.token}", data=update_form(action, **fields))

    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert message in response.text
    assert partner_entries(action) == []
    db.session.expire_all()
    assert db.session.get(PartnerLink, sent.link.id).uses == 0


def test_what_people_type_is_shown_as_text_not_as_markup(client):
    action = partner_action(description="Audit <b>strategy</b> meetings")
    action.item.title = "Strategy <script>alert('item')</script>"
    db.session.commit()
    sent = send_link(action)

    page = client.get(f"/partner/{sent.token}")
    client.post(f"/partner/{sent.token}", data=update_form(
        action, commentary="<script>alert('partner')</script> done"))
    sign_in_as(client, action.item.lead_officer)
    history = client.get(f"/actions/{action.id}")

    assert "<script>alert('item')</script>" not in page.text
    assert "Strategy &lt;script&gt;" in page.text
    assert "Audit &lt;b&gt;strategy&lt;/b&gt; meetings" in page.text
    assert "<script>alert('partner')</script>" not in history.text
    assert "&lt;script&gt;alert(&#39;partner&#39;)&lt;/script&gt; done" in history.text


def test_the_partner_pages_are_never_kept(app):
    for endpoint in ("partners.partner_update", "partners.partner_update_sent"):
        view, wrappers = app.view_functions[endpoint], []
        while view is not None:
            wrappers.append(view.__code__.co_qualname)  # wraps() copies __qualname__
            view = getattr(view, "__wrapped__", None)
        assert wrappers[0].startswith("allow.")  # the check that the matrix relies on
        assert not any(name.startswith("kept.") for name in wrappers), wrappers


def test_the_partner_page_is_never_cached_or_passed_on_and_shows_the_latest(client):
    action = partner_action()
    sent = send_link(action)

    first = client.get(f"/partner/{sent.token}")
    action.description = "Police to attend and minute every strategy discussion"
    db.session.commit()
    second = client.get(f"/partner/{sent.token}")

    for response in (first, second):
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "noindex" in response.headers["X-Robots-Tag"]
    assert "attend and minute" in second.text and "attend and minute" not in first.text


def test_the_partner_form_needs_its_form_token(csrf_app):
    client = csrf_app.test_client()
    action = partner_action()
    sent = send_link(action)

    response = client.post(f"/partner/{sent.token}", data=update_form(action, commentary="Hi"))

    assert response.status_code == 400
    assert partner_entries(action) == []


def test_the_partner_form_works_with_its_form_token(csrf_app):
    client = csrf_app.test_client()
    action = partner_action()
    sent = send_link(action)
    page = client.get(f"/partner/{sent.token}")
    token = page.text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]

    response = client.post(f"/partner/{sent.token}",
                           data=update_form(action, commentary="Hi", csrf_token=token))

    assert response.status_code == 302
    [entry] = partner_entries(action)  # the status change, with its commentary
    assert entry.text == "Hi"


def test_a_link_posts_at_most_the_days_allowance_of_updates(app, client):
    configure(app, PARTNER_LINK_DAILY_POSTS=2)
    action = partner_action()
    sent = send_link(action)

    for number in (1, 2):
        with time_machine.travel(datetime(2026, 11, 22, 12, number, tzinfo=UTC), tick=False):
            assert client.post(f"/partner/{sent.token}", data=update_form(
                action, commentary=f"Update {number}")).status_code == 302
    with time_machine.travel(datetime(2026, 11, 22, 23, 0, tzinfo=UTC), tick=False):
        refused = client.post(f"/partner/{sent.token}",
                              data=update_form(action, commentary="Update 3"))
    with time_machine.travel(datetime(2026, 11, 23, 0, 1, tzinfo=UTC), tick=False):
        next_day = client.post(f"/partner/{sent.token}",
                               data=update_form(action, commentary="Update 4"))

    assert refused.status_code == 429
    assert "the most it can send in a day" in refused.text
    assert next_day.status_code == 302
    texts = [entry.text for entry in partner_entries(action)]
    assert "Update 3" not in texts and "Update 4" in texts
    db.session.expire_all()
    assert db.session.get(PartnerLink, sent.link.id).uses == 3


def test_a_partner_update_made_from_a_page_opened_before_someone_elses_is_not_saved(client):
    action = partner_action()
    sent = send_link(action)
    form = update_form(action, status="complete", commentary="All done")
    # The lead officer changes the action after the partner opened the page.
    items.update_action(action, actor=action.item.lead_officer, now=NOW,
                        expected_version=action.version, status=ActionStatus.IN_PROGRESS,
                        commentary="Chased the police", evidence_link="")
    db.session.commit()

    response = client.post(f"/partner/{sent.token}", data=form)

    assert response.status_code == 409
    assert "changed this action after you opened this page" in response.text
    assert partner_entries(action) == []
    assert f'value="{action.version}"' in response.text  # sending again now saves it


def test_the_partner_page_shows_the_action_as_text_and_status_once(client):
    action = partner_action()
    sent = send_link(action)

    text = client.get(f"/partner/{sent.token}").text

    assert "tracker-pre-wrap&quot;" not in text and "&lt;span" not in text
    # "Status" once: the row says the status now, the question asks for the new one.
    assert re.findall(r">\s*Status\s*<", text) == []
    assert "Status now" in text
    assert "What is its status now?" in text


def test_how_status_is_worked_out_is_public_for_the_partner_pages_footer(client):
    response = client.get("/how-status-is-worked-out")
    assert response.status_code == 200
    assert "How status is worked out" in response.text
