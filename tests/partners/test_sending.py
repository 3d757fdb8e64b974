"""Sending a partner link from the action page, its email, revoking it, and who may."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from tests.conftest import sign_in_as
from tests.factories import AdminFactory, UserFactory
from tests.partners.factories import partner_action, send_link
from tests.statements import recorded_statements
from tracker.audit.models import HistoryEntry, HistoryField, HistoryKind
from tracker.extensions import db
from tracker.items.models import ActionStatus, ItemStatus
from tracker.jobs.models import RunState
from tracker.jobs.run import due_deliveries
from tracker.partners import service
from tracker.partners.models import PartnerLink
from tracker.reminders.models import Delivery, DeliveryKind
from tracker.settings import settings

LINK_IN_TEXT = re.compile(r"https://tracker\.northshire\.example/partner/(\S+)")


def links_of(action) -> list[PartnerLink]:
    return list(db.session.scalars(select(PartnerLink).where(PartnerLink.action_id == action.id)
                                   .order_by(PartnerLink.id)))


def history_of(action, kind: HistoryKind) -> list[HistoryEntry]:
    return list(db.session.scalars(select(HistoryEntry).where(
        HistoryEntry.action_id == action.id, HistoryEntry.kind == kind)))


def test_lead_officer_sends_a_link_that_waits_in_the_delivery_log_without_waiting_for_mail(
    client, app, smtp_server
):
    action = partner_action()
    sign_in_as(client, action.item.lead_officer)

    response = client.post(f"/actions/{action.id}/partner-links/new", data={"days": "14"})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/actions/{action.id}")
    [link] = links_of(action)
    assert link.recipient_id == action.owner_id
    assert link.created_by_id == action.item.lead_officer_id
    # 22 November at noon plus 14 days: until midnight (UK) at the end of 6 December.
    assert link.expires_at == datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
    [delivery] = db.session.scalars(select(Delivery)).all()
    assert delivery.kind is DeliveryKind.PARTNER_LINK
    assert delivery.state is RunState.QUEUED
    assert delivery.to_address == "jo@police.example"
    assert delivery.topic == f"partner link {link.id}"
    assert delivery.lease_until is None  # due at once
    # The request queued the email; it did not hand it to the mail server.
    assert smtp_server.inbox.messages == []
    # The whole message is kept, link included; only the secret's hash is on the link row.
    token = LINK_IN_TEXT.search(delivery.message.replace("=\r\n", "")).group(1)
    secret = service._read_token(token, app.secret_key)[1]
    assert link.secret_sha256 == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in link.secret_sha256
    [entry] = history_of(action, HistoryKind.PARTNER_LINK_SENT)
    assert entry.author_id == action.item.lead_officer_id
    # Whom it went to is a value, shown by their name as it is when read (anonymising them
    # later leaves no name in the history).
    assert (entry.field, entry.new_value) == (HistoryField.RECIPIENT, {"user_id": action.owner_id})
    assert "DI Jo Partner" not in entry.text
    assert "jo@police.example" not in entry.text  # the history is open to every reader
    assert "until the end of 6 December 2026" in entry.text
    assert entry.partner_link_id is None  # sent by staff: not a partner update


def test_the_link_email_goes_out_from_the_scheduler_job_and_its_link_opens_the_page(
    client, inbox
):
    action = partner_action()
    send_link(action, days=3)
    assert inbox.messages == []

    assert due_deliveries() == "1 sent, 0 failed"

    [message] = inbox.to("jo@police.example")
    assert message["Subject"] == "Northshire improvement tracker: please update an action you own"
    text = inbox.text(message)
    assert "Dear DI Jo Partner" in text
    assert "Lee Lead at Northshire County Council asks you" in text
    assert "Police to attend every strategy discussion in person" in text
    assert "until the end of 25 November 2026" in text
    assert "lee.lead@northshire.example" in text
    token = LINK_IN_TEXT.search(text).group(1)
    assert token in inbox.html(message)
    page = client.get(f"/partner/{token}")
    assert page.status_code == 200
    assert "Police to attend every strategy discussion in person" in page.text
    db.session.expire_all()
    [delivery] = db.session.scalars(select(Delivery)).all()
    assert delivery.state is RunState.DONE
    # Once sent, the link no longer sits in the database's copy of the message.
    assert token not in delivery.message
    assert delivery.message == service.SENT_MESSAGE_REMOVED
    # A second run finds nothing more to send.
    assert due_deliveries() == "0 sent, 0 failed"
    assert len(inbox.messages) == 1


def test_a_link_email_that_fails_is_retried_after_the_usual_wait(app, smtp_server_down):
    action = partner_action()
    send_link(action)

    assert due_deliveries() == "0 sent, 1 failed"
    db.session.expire_all()
    delivery = db.session.scalars(select(Delivery)).one()
    assert delivery.will_retry
    assert "Could not reach the mail server" in delivery.last_error
    # The reminders' retry rule: REMINDER_RETRY_MINUTES (15) after the first failure.
    assert delivery.lease_until == datetime(2026, 11, 22, 12, 15, tzinfo=UTC)
    assert "partner/" in delivery.message  # kept whole for the retry

    smtp_server_down.start()
    assert due_deliveries() == "0 sent, 0 failed"  # its wait is not over yet
    with time_machine.travel(datetime(2026, 11, 22, 12, 16, tzinfo=UTC), tick=False):
        assert due_deliveries() == "1 sent, 0 failed"
    assert len(smtp_server_down.inbox.to("jo@police.example")) == 1


def test_the_link_works_for_the_number_of_days_chosen(client):
    action = partner_action()
    sign_in_as(client, action.item.lead_officer)

    client.post(f"/actions/{action.id}/partner-links/new", data={"days": "1"})

    [link] = links_of(action)
    # In UK time, 1 day after 22 November is the end of 23 November.
    assert service.last_day(link).isoformat() == "2026-11-23"
    assert link.expires_at == datetime(2026, 11, 24, 0, 0, tzinfo=UTC)


def test_a_link_sent_in_summer_ends_at_midnight_uk_time(client):
    with time_machine.travel(datetime(2026, 7, 1, 9, 0, tzinfo=UTC), tick=False):
        action = partner_action(due_date=datetime(2026, 9, 1).date())
        link = send_link(action, days=2).link
    assert link.expires_at == datetime(2026, 7, 3, 23, 0, tzinfo=UTC)  # 00:00 BST on 4 July


@pytest.mark.parametrize(("days", "message"), [
    ("", "Enter how many days the link should work"),
    ("0", "Enter a number of days from 1 to 60"),
    ("61", "Enter a number of days from 1 to 60"),
    ("two weeks", "Enter a number of days from 1 to 60"),
    ("-3", "Enter a number of days from 1 to 60"),
    ("99999999999999999999", "Enter a number of days from 1 to 60"),
])
def test_days_the_link_cannot_work_for_are_explained_and_nothing_is_sent(client, days, message):
    action = partner_action()
    sign_in_as(client, action.item.lead_officer)

    response = client.post(f"/actions/{action.id}/partner-links/new", data={"days": days})

    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert message in response.text
    assert links_of(action) == []
    assert db.session.scalars(select(Delivery)).all() == []


def test_the_send_page_offers_fourteen_days_to_start_with(client):
    action = partner_action()
    sign_in_as(client, action.item.lead_officer)

    page = client.get(f"/actions/{action.id}/partner-links/new")

    assert page.status_code == 200
    assert 'value="14"' in page.text
    assert "jo@police.example" in page.text


def test_a_link_cannot_be_sent_to_an_owner_who_is_council_staff(client):
    action = partner_action()
    action.owner = UserFactory(council=action.item.finding.inspection.council)
    db.session.commit()
    sign_in_as(client, action.item.lead_officer)

    page = client.get(f"/actions/{action.id}/partner-links/new")
    response = client.post(f"/actions/{action.id}/partner-links/new", data={"days": "14"})

    assert page.status_code == 200
    assert "Links are for action owners from a partner agency" in page.text
    assert "Send link" not in page.text
    assert response.status_code == 400
    assert "Links are only for owners from a partner agency" in response.text
    assert links_of(action) == []


@pytest.mark.parametrize("closed", ["cancelled action", "signed-off item"])
def test_no_link_is_sent_for_a_closed_action(client, closed):
    action = partner_action()
    if closed == "cancelled action":
        action.status = ActionStatus.CANCELLED
    else:
        action.status = ActionStatus.COMPLETE
        action.item.status = ItemStatus.COMPLETE
    db.session.commit()
    sign_in_as(client, action.item.lead_officer)

    response = client.post(f"/actions/{action.id}/partner-links/new", data={"days": "14"})

    assert response.status_code == 400
    assert links_of(action) == []


def test_a_plain_manager_can_neither_send_nor_revoke_a_link(client):
    action = partner_action()
    link = send_link(action).link
    manager = UserFactory(council=action.item.finding.inspection.council)
    sign_in_as(client, manager)

    assert client.get(f"/actions/{action.id}/partner-links/new").status_code == 403
    assert client.post(f"/actions/{action.id}/partner-links/new",
                       data={"days": "14"}).status_code == 403
    revoke = f"/actions/{link.action_id}/partner-links/{link.id}/revoke"
    assert client.post(revoke).status_code == 403

    db.session.expire_all()
    assert len(links_of(action)) == 1
    assert links_of(action)[0].revoked_at is None


def test_the_partner_themselves_cannot_send_or_revoke_links_when_signed_in(client):
    action = partner_action()
    link = send_link(action).link
    sign_in_as(client, action.owner)

    assert client.get(f"/actions/{action.id}/partner-links/new").status_code == 403
    revoke = f"/actions/{link.action_id}/partner-links/{link.id}/revoke"
    assert client.post(revoke).status_code == 403


def test_another_councils_administrator_finds_no_such_link(client):
    action = partner_action()
    link = send_link(action).link
    sign_in_as(client, AdminFactory())

    revoke = f"/actions/{link.action_id}/partner-links/{link.id}/revoke"
    assert client.post(revoke).status_code == 404
    assert client.get(f"/actions/{action.id}/partner-links/new").status_code == 404


def test_an_administrator_can_send_and_revoke_a_link(client):
    action = partner_action()
    admin = AdminFactory(council=action.item.finding.inspection.council)
    sign_in_as(client, admin)

    assert client.post(f"/actions/{action.id}/partner-links/new",
                       data={"days": "7"}).status_code == 302
    [link] = links_of(action)
    response = client.post(f"/actions/{link.action_id}/partner-links/{link.id}/revoke")

    assert response.status_code == 302
    db.session.expire_all()
    assert links_of(action)[0].revoked_by_id == admin.id
    [entry] = history_of(action, HistoryKind.PARTNER_LINK_REVOKED)
    assert entry.author_id == admin.id


def test_revoking_is_recorded_in_the_history_and_stops_the_link_at_once(client):
    action = partner_action()
    sent = send_link(action)
    assert client.get(f"/partner/{sent.token}").status_code == 200
    sign_in_as(client, action.item.lead_officer)

    response = client.post(f"/actions/{sent.link.action_id}/partner-links/{sent.link.id}/revoke")

    assert response.status_code == 302
    assert "revoked: it no longer works" in client.get(response.headers["Location"]).text
    [entry] = history_of(action, HistoryKind.PARTNER_LINK_REVOKED)
    assert entry.author_id == action.item.lead_officer_id
    assert (entry.field, entry.new_value) == (HistoryField.RECIPIENT,
                                              {"user_id": sent.link.recipient_id})
    assert "sent to DI Jo Partner (Northshire Police)" in client.get(
        f"/actions/{sent.link.action_id}").text
    partner = client.application.test_client()
    gone = partner.get(f"/partner/{sent.token}")
    assert gone.status_code == 410
    assert "This link no longer works" in gone.text
    # Revoking again changes nothing and records nothing more.
    again = client.post(f"/actions/{sent.link.action_id}/partner-links/{sent.link.id}/revoke")
    assert "already stopped working" in client.get(again.headers["Location"]).text
    assert len(history_of(action, HistoryKind.PARTNER_LINK_REVOKED)) == 1


def test_revoking_needs_the_form_token(csrf_app):
    client = csrf_app.test_client()
    action = partner_action()
    link = send_link(action).link
    sign_in_as(client, action.item.lead_officer)

    response = client.post(f"/actions/{link.action_id}/partner-links/{link.id}/revoke")

    assert response.status_code == 400
    db.session.expire_all()
    assert links_of(action)[0].revoked_at is None


def test_sending_a_new_link_stops_the_earlier_one(client):
    action = partner_action()
    first = send_link(action)
    second = send_link(action)

    assert client.get(f"/partner/{first.token}").status_code == 410
    assert client.get(f"/partner/{second.token}").status_code == 200
    [entry] = history_of(action, HistoryKind.PARTNER_LINK_REVOKED)
    assert "replaced by a new link" in entry.text


def test_the_action_page_lists_the_links_with_state_expiry_uses_and_a_revoke_button(client):
    action = partner_action()
    old = send_link(action, days=2).link
    with time_machine.travel(datetime(2026, 11, 26, 9, 0, tzinfo=UTC), tick=False):
        current = send_link(action, days=10)
        client.post(f"/partner/{current.token}",
                    data={"version": str(action.version), "status": "in progress",
                          "commentary": "Attended two discussions"})
        sign_in_as(client, action.item.lead_officer)
        page = client.get(f"/actions/{action.id}")

    assert page.status_code == 200
    text = page.text
    assert "Partner links" in text
    assert "Send a partner link" in text
    assert "2 links sent for this action" in text
    assert "Working" in text and "Expired" in text
    assert "24 November 2026" in text  # the old link's last day
    assert "6 December 2026" in text  # the current link's
    assert "26 November 2026 at 9:00am" in text  # last used
    assert f"/partner-links/{current.link.id}/revoke" in text
    assert f"/partner-links/{old.id}/revoke" not in text  # expired: nothing to revoke
    assert "Partner update" in text


def test_only_those_who_manage_links_see_them_on_the_action_page(client):
    action = partner_action()
    send_link(action)
    sign_in_as(client, UserFactory(council=action.item.finding.inspection.council))

    page = client.get(f"/actions/{action.id}")

    assert page.status_code == 200
    assert "Partner links" not in page.text
    assert "Send a partner link" not in page.text


def test_the_action_page_asks_the_database_as_often_with_many_links_as_with_one(app, client):
    action = partner_action()
    send_link(action)
    sign_in_as(client, action.item.lead_officer)

    path = f"/actions/{action.id}"

    def statements() -> int:
        with recorded_statements() as seen:
            assert client.get(path).status_code == 200
        return len(seen)

    with_one = statements()
    for _ in range(5):
        send_link(action, actor=AdminFactory(council=action.item.finding.inspection.council))
    assert statements() == with_one


def test_the_delivery_job_retries_a_failed_reminder_too_once_its_wait_is_over(app, inbox):
    from tests.factories import ActionFactory
    from tracker.mail import build_message

    owner = UserFactory(email="sam@northshire.example")
    ActionFactory(owner=owner)
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    message = build_message(sender="tracker@localhost", to=owner.email,
                            subject="1 overdue action to update", text="Hello",
                            html="<p>Hello</p>", now=now)
    db.session.add(Delivery(recipient_id=owner.id, kind=DeliveryKind.DIGEST,
                            day=now.date() - timedelta(days=1), state=RunState.QUEUED,
                            to_address=owner.email, subject="1 overdue action to update",
                            message=message.as_string(),
                            attempts=1, last_error="Could not reach the mail server",
                            lease_until=now - timedelta(minutes=1), created_at=now))
    db.session.commit()

    assert due_deliveries() == "1 sent, 0 failed"
    assert len(inbox.to("sam@northshire.example")) == 1


def test_the_scheduler_sends_waiting_emails_every_minute(app):
    from apscheduler.schedulers.background import BackgroundScheduler

    from tracker.jobs.schedule import build_scheduler

    scheduler = build_scheduler(settings(), app.config["SQLALCHEMY_DATABASE_URI"],
                                BackgroundScheduler)
    scheduler.start(paused=True)
    try:
        job = scheduler.get_job("deliveries")
        assert job.func_ref == "tracker.jobs.run:due_deliveries"
        assert job.trigger.interval == timedelta(minutes=1)
    finally:
        scheduler.shutdown(wait=False)


def test_the_outbox_keeps_no_working_partner_link(app, client):
    from tracker.mail import outbox_files

    action = partner_action()
    sent = send_link(action)
    assert due_deliveries() == "1 sent, 0 failed"  # the default backend writes the outbox
    [path] = outbox_files(app.instance_path)
    assert sent.token not in path.read_text()
    assert service.SENT_MESSAGE_REMOVED in path.read_text()
    sign_in_as(client, AdminFactory(council=action.item.finding.inspection.council))
    listed = client.get("/admin/outbox").text
    assert "please update an action you own" in listed  # the row stays, its link does not
    assert sent.token not in client.get(f"/admin/outbox/{path.name}").text
