"""Reminders sent through a real SMTP server, read back from what arrived: each email once,
failures recorded and retried, a second run or two runs at once sending nothing twice."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.conftest import configure
from tests.factories import ActionFactory, CouncilFactory, ItemFactory, PartnerFactory, UserFactory
from tests.reminders.conftest import about
from tracker import clock
from tracker.extensions import db
from tracker.items.models import ActionStatus
from tracker.jobs.models import RunState
from tracker.reminders import service
from tracker.reminders.models import Delivery, DeliveryKind
from tracker.reminders.service import send_reminders
from tracker.settings import settings

TODAY = date(2026, 11, 22)  # a Sunday; the autouse clock is 22 November 2026, 12:00 UTC


def run(day: date = TODAY):
    result = send_reminders(day, now=clock.now())
    db.session.expire_all()
    return result


def test_each_owner_gets_one_digest_listing_all_their_overdue_and_coming_up_actions(inbox):
    council = CouncilFactory()
    owner = UserFactory(council=council, name="Sam Owner", email="sam@northshire.example")
    item = ItemFactory(finding__inspection__council=council, title="Children's views")
    ActionFactory(item=item, owner=owner, description="Audit ten case files",
                  due_date=TODAY - timedelta(days=3))
    ActionFactory(item=item, owner=owner, description="Train the duty team",
                  due_date=TODAY - timedelta(days=1))
    ActionFactory(item=item, owner=owner, description="Report to the board",
                  due_date=TODAY + timedelta(days=5))
    ActionFactory(item=item, owner=owner, description="Next year's plan",
                  due_date=TODAY + timedelta(days=30))
    ActionFactory(item=item, owner=owner, description="Already done",
                  due_date=TODAY - timedelta(days=9), status=ActionStatus.COMPLETE)

    result = run()

    assert result.failed == 0
    mails = inbox.to("sam@northshire.example")
    assert len(mails) == 1
    text = inbox.text(mails[0])
    assert "Dear Sam Owner" in text
    assert "Audit ten case files" in text and "3 days overdue" in text
    assert "Train the duty team" in text and "1 day overdue" in text
    assert "COMING UP" in text and "Report to the board" in text
    assert "Next year's plan" not in text
    assert "Already done" not in text
    assert "https://tracker.northshire.example/actions/" in text
    assert about(mails[0]["Subject"]) == "2 overdue actions to update"
    assert "Children&#39;s views" in inbox.html(mails[0])


def test_a_partner_who_owns_an_overdue_action_gets_the_same_reminder(inbox):
    council = CouncilFactory()
    partner = PartnerFactory(council=council, email="jo@police.example")
    ActionFactory(item__finding__inspection__council=council, owner=partner,
                  due_date=TODAY - timedelta(days=2))

    run()

    assert len(inbox.to("jo@police.example")) == 1


def test_action_overdue_by_more_than_two_weeks_also_goes_to_the_lead_officer_once_a_week(inbox):
    council = CouncilFactory()
    lead = UserFactory(council=council, name="Lee Lead", email="lead@northshire.example")
    owner = UserFactory(council=council, name="Ola Owner", email="owner@northshire.example")
    item = ItemFactory(finding__inspection__council=council, lead_officer=lead)
    ActionFactory(item=item, owner=owner, description="Very late action",
                  due_date=TODAY - timedelta(days=20))
    ActionFactory(item=item, owner=owner, description="A bit late",
                  due_date=TODAY - timedelta(days=5))

    run()

    to_lead = inbox.to("lead@northshire.example")
    assert len(to_lead) == 1
    text = inbox.text(to_lead[0])
    assert "Very late action" in text and "Ola Owner" in text and "20 days overdue" in text
    assert "A bit late" not in text
    assert len(inbox.to("owner@northshire.example")) == 1

    # Monday is a new week: the escalation goes again; Tuesday it does not.
    with time_machine.travel(datetime(2026, 11, 23, 7, 0, tzinfo=UTC), tick=False):
        run(date(2026, 11, 23))
    with time_machine.travel(datetime(2026, 11, 24, 7, 0, tzinfo=UTC), tick=False):
        run(date(2026, 11, 24))
    escalations = [m for m in inbox.to("lead@northshire.example")
                   if "long-overdue" in m["Subject"]]
    assert len(escalations) == 2
    assert len(inbox.to("owner@northshire.example")) == 3


def test_a_paused_owners_reminders_go_to_the_lead_officer_instead(inbox):
    council = CouncilFactory()
    lead = UserFactory(council=council, name="Lee Lead", email="lead@northshire.example")
    owner = UserFactory(council=council, name="Ola Owner", email="owner@northshire.example",
                        reminders_paused_until=date(2026, 11, 30))
    item = ItemFactory(finding__inspection__council=council, lead_officer=lead)
    ActionFactory(item=item, owner=owner, description="Late while on leave",
                  due_date=TODAY - timedelta(days=4))

    run()

    assert inbox.to("owner@northshire.example") == []
    to_lead = inbox.to("lead@northshire.example")
    assert len(to_lead) == 1
    text = inbox.text(to_lead[0])
    assert "Late while on leave" in text
    assert "Ola Owner" in text and "paused until 30 November 2026" in text


def test_reminders_start_again_the_day_after_the_pause_ends(inbox):
    council = CouncilFactory()
    owner = UserFactory(council=council, email="owner@northshire.example",
                        reminders_paused_until=TODAY - timedelta(days=1))
    ActionFactory(item__finding__inspection__council=council, owner=owner,
                  due_date=TODAY - timedelta(days=4))

    run()

    assert len(inbox.to("owner@northshire.example")) == 1


def test_running_the_job_twice_sends_nothing_twice(inbox):
    council = CouncilFactory()
    owner = UserFactory(council=council, email="owner@northshire.example")
    item = ItemFactory(finding__inspection__council=council)
    ActionFactory(item=item, owner=owner, due_date=TODAY - timedelta(days=30))

    first = run()
    second = run()

    assert first.sent == 2  # the owner's digest and the lead's escalation
    assert second.sent == 0 and second.already_done == 2
    assert len(inbox.messages) == 2
    rows = db.session.scalars(select(Delivery)).all()
    assert {(row.kind, row.state) for row in rows} == {
        (DeliveryKind.DIGEST, RunState.DONE), (DeliveryKind.ESCALATION, RunState.DONE)
    }


def test_a_failure_while_the_server_is_down_is_logged_and_delivered_once_it_is_up(
    smtp_server_down, app
):
    council = CouncilFactory()
    owner = UserFactory(council=council, email="owner@northshire.example")
    ActionFactory(item__finding__inspection__council=council, owner=owner,
                  due_date=TODAY - timedelta(days=2))

    down = run()

    assert down.sent == 0 and down.failed == 1
    row = db.session.scalars(select(Delivery)).one()
    assert row.will_retry
    assert row.attempts == 1
    assert "Could not reach the mail server" in row.last_error
    assert row.lease_until == datetime(2026, 11, 22, 12, 15, tzinfo=UTC)

    # Before the wait is over nothing is tried, even once the server is up.
    smtp_server_down.start()
    assert run().sent == 0
    assert smtp_server_down.inbox.messages == []

    with time_machine.travel(datetime(2026, 11, 22, 12, 20, tzinfo=UTC), tick=False):
        later = run()

    assert later.sent == 1
    assert len(smtp_server_down.inbox.to("owner@northshire.example")) == 1
    row = db.session.scalars(select(Delivery)).one()
    assert row.state is RunState.DONE and row.attempts == 2 and row.last_error == ""


def test_a_failing_email_is_given_up_after_the_last_attempt_but_stays_in_the_log(
    smtp_server_down, app
):
    configure(app, REMINDER_MAX_ATTEMPTS=2)
    council = CouncilFactory()
    ActionFactory(item__finding__inspection__council=council,
                  due_date=TODAY - timedelta(days=2))

    run()
    with time_machine.travel(datetime(2026, 11, 22, 13, 0, tzinfo=UTC), tick=False):
        run()
    with time_machine.travel(datetime(2026, 11, 23, 13, 0, tzinfo=UTC), tick=False):
        run(TODAY)

    row = db.session.scalars(select(Delivery)).one()
    assert row.state is RunState.FAILED
    assert row.attempts == 2
    assert "Could not reach the mail server" in row.last_error


def test_a_run_that_died_mid_send_is_taken_over_after_its_lease(inbox, app):
    council = CouncilFactory()
    ActionFactory(item__finding__inspection__council=council,
                  owner__email="owner@northshire.example", due_date=TODAY - timedelta(days=2))
    service.queue_reminders(TODAY, now=clock.now())
    row = db.session.scalars(select(Delivery)).one()
    # As if a run had claimed it and died before recording the outcome.
    row.state, row.attempts = RunState.RUNNING, 1
    row.lease_until = clock.now() + settings().reminders.delivery_lease
    db.session.commit()

    assert run().sent == 0
    assert inbox.messages == []
    with time_machine.travel(datetime(2026, 11, 22, 12, 6, tzinfo=UTC), tick=False):
        assert run().sent == 1
    assert len(inbox.to("owner@northshire.example")) == 1
    row = db.session.scalars(select(Delivery)).one()
    assert row.state is RunState.DONE and row.attempts == 2


def test_the_database_refuses_a_second_row_for_the_same_person_kind_and_day(app):
    # What stops two schedulers that plan at the same moment: the unique key, not luck.
    owner = UserFactory()
    for _ in range(2):
        db.session.add(Delivery(recipient_id=owner.id, kind=DeliveryKind.DIGEST, day=TODAY,
                                to_address=owner.email, subject="s", message="m"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_reminder_text_reads_well(inbox):
    council = CouncilFactory()
    lead = UserFactory(council=council, name="Lee Lead", email="lead@northshire.example")
    owner = UserFactory(council=council, name="Ola Owner", email="owner@northshire.example")
    item = ItemFactory(finding__inspection__council=council, lead_officer=lead,
                       title="Children's views")
    ActionFactory(item=item, owner=owner, description="Audit <ten> case files",
                  due_date=TODAY - timedelta(days=20))

    run()

    text = inbox.text(inbox.to("owner@northshire.example")[0])
    assert "Audit <ten> case files" in text  # plain text is not HTML-escaped
    html = inbox.html(inbox.to("owner@northshire.example")[0])
    assert "Audit &lt;ten&gt; case files" in html and "<ten>" not in html
    assert "Owner: Ola Owner" in inbox.text(inbox.to("lead@northshire.example")[0])


def test_every_email_is_planned_and_claimed_before_it_leaves_and_its_outcome_recorded_after(
    inbox, app, monkeypatch
):
    council = CouncilFactory()
    lead = UserFactory(council=council, email="lead@northshire.example")
    owner = UserFactory(council=council, email="owner@northshire.example")
    item = ItemFactory(finding__inspection__council=council, lead_officer=lead)
    ActionFactory(item=item, owner=owner, due_date=TODAY - timedelta(days=30))
    engine = db.engine
    seen = []
    receive = inbox.handle_DATA

    async def handle_data(server, session, envelope):
        # What another connection (another scheduler, a restart) sees as each message arrives.
        with engine.connect() as other:
            seen.append((envelope.rcpt_tos[0], dict(other.execute(
                select(Delivery.to_address, Delivery.state).order_by(Delivery.id)).all())))
        return await receive(server, session, envelope)

    monkeypatch.setattr(inbox, "handle_DATA", handle_data)

    assert run().sent == 2

    (first_to, first_view), (second_to, second_view) = seen
    # Both were in the log before the first message left; each was claimed before it left.
    assert set(first_view) == {"owner@northshire.example", "lead@northshire.example"}
    assert first_view[first_to] is RunState.RUNNING
    assert first_view[second_to] is RunState.QUEUED
    assert second_view[first_to] is RunState.DONE
    assert second_view[second_to] is RunState.RUNNING


def test_an_email_another_run_is_sending_is_left_to_it_and_the_others_still_go(inbox, monkeypatch):
    council = CouncilFactory()
    first = UserFactory(council=council, email="first@northshire.example")
    second = UserFactory(council=council, email="second@northshire.example")
    item = ItemFactory(finding__inspection__council=council)
    ActionFactory(item=item, owner=first, due_date=TODAY - timedelta(days=2))
    ActionFactory(item=item, owner=second, due_date=TODAY - timedelta(days=2))
    # Another scheduler planned the first digest after this run looked at the log, and is
    # sending it now.
    db.session.add(Delivery(recipient_id=first.id, kind=DeliveryKind.DIGEST, day=TODAY,
                            to_address=first.email, subject="s", message="m",
                            state=RunState.RUNNING, attempts=1,
                            lease_until=clock.now() + timedelta(minutes=5)))
    db.session.commit()
    monkeypatch.setattr(service, "_logged_keys", lambda days: set())

    result = run()

    assert result.sent == 1 and result.already_done == 1 and result.failed == 0
    assert inbox.to("first@northshire.example") == []
    assert len(inbox.to("second@northshire.example")) == 1
    rows = db.session.scalars(select(Delivery).order_by(Delivery.id)).all()
    assert [(row.to_address, row.state) for row in rows] == [
        ("first@northshire.example", RunState.RUNNING),
        ("second@northshire.example", RunState.DONE),
    ]


def test_two_runs_at_once_send_each_email_once(app, inbox):
    council = CouncilFactory()
    item = ItemFactory(finding__inspection__council=council)
    addresses = [f"owner{n}@northshire.example" for n in range(20)]
    for address in addresses:
        owner = UserFactory(council=council, email=address)
        ActionFactory(item=item, owner=owner, due_date=TODAY - timedelta(days=2))
    db.session.commit()
    results, failures = [], []
    start = threading.Barrier(2)

    def scheduler() -> None:
        try:
            with app.app_context():
                start.wait()
                results.append(send_reminders(TODAY, now=clock.now()))
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert sum(result.sent for result in results) == 20
    assert sorted(rcpts[0] for rcpts, _ in inbox.messages) == sorted(addresses)


def test_an_administrators_run_now_leaves_another_councils_waiting_emails_alone(inbox):
    from tracker.mail import build_message

    ours, theirs = UserFactory(), UserFactory()
    for person in (ours, theirs):
        message = build_message(sender="tracker@localhost", to=person.email, subject="Waiting",
                                text="Hello", html="<p>Hello</p>", now=clock.now())
        db.session.add(Delivery(
            recipient_id=person.id, kind=DeliveryKind.PARTNER_LINK, day=TODAY,
            topic=f"waiting {person.id}", to_address=person.email,
            subject="Waiting", message=message.as_string()))
    db.session.commit()

    result = send_reminders(TODAY, now=clock.now(), council_id=ours.council_id)

    assert result.sent == 1
    assert len(inbox.to(ours.email)) == 1 and inbox.to(theirs.email) == []
    db.session.expire_all()
    waiting = db.session.scalars(select(Delivery).where(Delivery.recipient_id == theirs.id)).one()
    assert waiting.state is RunState.QUEUED and waiting.attempts == 0
