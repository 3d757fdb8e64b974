"""People are told what waits for them, in their next daily email and on their dashboard at
once: a lead officer of the requests and sign-offs waiting for their decision and of their
items that are not planned; the person who asked of the decision (with the reason for a
refusal or a sending back); an action's new owner that they own it. Each notice goes in one
email only, and waits while its person is paused. A partner's email carries a partner link for
each of their actions, and its stored copy loses it once sent."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import select

from tests.conftest import TEST_NOW, sign_in_as
from tests.factories import (
    ActionFactory,
    AdminFactory,
    CouncilFactory,
    ItemFactory,
    PartnerFactory,
    UserFactory,
)
from tests.reminders.conftest import about
from tracker import clock
from tracker.extensions import db
from tracker.items import service as items
from tracker.items.models import ActionStatus, ItemStatus
from tracker.mail import subject_line, tracker_name
from tracker.partners.models import PartnerLink
from tracker.reminders import service
from tracker.reminders.models import Delivery, DeliveryKind, Notice, NoticeKind

SUNDAY = date(2026, 11, 22)  # the tests' today (12:00 UTC)
MONDAY = date(2026, 11, 23)
TUESDAY = date(2026, 11, 24)
PUBLIC = "https://tracker.northshire.example"


@pytest.fixture
def people(app):
    """Lee leads an item; Ola owns its action, due in nine days (no reminder of its own)."""
    council = CouncilFactory(name="Northshire County Council")
    lead = UserFactory(council=council, name="Lee Lead", email="lee.lead@northshire.example")
    owner = UserFactory(council=council, name="Ola Owner", email="ola.owner@northshire.example")
    item = ItemFactory(finding__inspection__council=council, lead_officer=lead,
                       title="Return home interviews")
    action = ActionFactory(item=item, owner=owner, description="Audit twenty interviews",
                           due_date=date(2026, 12, 1))
    db.session.commit()
    return lead, owner, action


def run(day: date):
    result = service.send_reminders(day, now=clock.now())
    db.session.expire_all()
    return result


def mails_to(inbox, person) -> list:
    return inbox.to(person.email)


def text_of(inbox, mail) -> str:
    return inbox.text(mail).replace("\r\n", "\n")


def ask_to_move(action, owner, to: date = date(2027, 1, 15)):
    change = items.change_due_date(action, actor=owner, now=clock.now(), new_date=to,
                                   reason="The audit team is short-staffed")
    db.session.commit()
    return change


def test_the_lead_is_emailed_the_request_the_next_morning_and_the_owner_the_refusal(
        people, inbox, fixed_time):
    lead, owner, action = people
    change = ask_to_move(action, owner)

    run(SUNDAY)  # the morning run, later the same day: the request is in it
    [mail] = mails_to(inbox, lead)
    assert mail["Subject"] == ("Northshire improvement tracker: 1 request waiting for your "
                               "decision")
    text = text_of(inbox, mail)
    assert "WAITING FOR YOUR DECISION" in text
    assert "- Audit twenty interviews\n  Item: Return home interviews" in text
    assert ("Ola Owner asks to move the due date from 1 December 2026 to 15 January 2027."
            in text)
    assert "Reason: The audit team is short-staffed" in text
    assert f"Decide: {PUBLIC}/due-date-changes/{change.id}" in text
    assert mails_to(inbox, owner) == []

    items.decide_request(change, actor=lead, now=clock.now(), approve=False,
                         note="The inspectors revisit in December")
    db.session.commit()
    fixed_time.shift(timedelta(days=1))
    run(MONDAY)

    [told] = mails_to(inbox, owner)
    assert about(told["Subject"]) == "1 decision on what you asked"
    text = text_of(inbox, told)
    assert "DECISIONS ON WHAT YOU ASKED" in text
    assert ("Lee Lead refused to move the due date from 1 December 2026 to 15 January 2027, "
            "on 22 November 2026.") in text
    assert "Reason: The inspectors revisit in December" in text
    assert f"Open it: {PUBLIC}/actions/{action.id}" in text
    assert "The inspectors revisit in December" in inbox.html(told)
    # The lead is told nothing more: the request no longer waits.
    assert len(mails_to(inbox, lead)) == 1


def test_a_notice_goes_in_one_email_only(people, inbox, fixed_time):
    lead, owner, action = people
    change = ask_to_move(action, owner)
    items.decide_request(change, actor=lead, now=clock.now(), approve=True, note="")
    db.session.commit()

    run(SUNDAY)
    run(SUNDAY)  # a second run the same day adds nothing
    fixed_time.shift(timedelta(days=1))
    run(MONDAY)  # nor the next day: the notice was told

    [told] = mails_to(inbox, owner)
    assert ("Lee Lead agreed to move the due date from 1 December 2026 to 15 January 2027"
            in text_of(inbox, told))
    notices = db.session.scalars(select(Notice).where(Notice.recipient_id == owner.id)).all()
    [delivery] = db.session.scalars(select(Delivery).where(Delivery.recipient_id == owner.id))
    assert [notice.delivery_id for notice in notices] == [delivery.id]
    assert notices[0].kind is NoticeKind.DATE_CHANGE_APPROVED


def test_a_notice_waits_while_its_person_is_paused_and_goes_when_they_are_back(
        people, inbox, fixed_time):
    lead, owner, action = people
    lead.reminders_paused_until = MONDAY
    db.session.commit()
    ask_to_move(action, owner)

    run(SUNDAY)
    fixed_time.shift(timedelta(days=1))
    run(MONDAY)
    assert mails_to(inbox, lead) == []

    fixed_time.shift(timedelta(days=1))
    run(TUESDAY)
    [mail] = mails_to(inbox, lead)
    assert "Ola Owner asks to move the due date" in text_of(inbox, mail)


def test_nothing_is_lost_when_an_email_was_already_written_that_day(people, inbox, fixed_time):
    """A request asked after the morning's email waits for the next morning's."""
    lead, owner, action = people
    ActionFactory(item=action.item, owner=lead, due_date=SUNDAY - timedelta(days=3))
    db.session.commit()
    run(SUNDAY)
    assert "WAITING FOR YOUR DECISION" not in text_of(inbox, mails_to(inbox, lead)[0])

    ask_to_move(action, owner)
    run(SUNDAY)  # "Run reminders now" again: the day's email has gone
    assert len(mails_to(inbox, lead)) == 1

    fixed_time.shift(timedelta(days=1))
    run(MONDAY)
    later = mails_to(inbox, lead)[1]
    assert "Ola Owner asks to move the due date" in text_of(inbox, later)


def test_a_cancellation_asked_and_agreed_tells_the_lead_then_the_owner(people, inbox,
                                                                       fixed_time):
    lead, owner, action = people
    request = items.cancel_action(action, actor=owner, now=clock.now(),
                                  reason="The quarterly audit covers it")
    db.session.commit()
    [planned] = [r for r in service.plan_reminders(SUNDAY, settings=_settings())
                 if r.recipient.id == lead.id]
    assert [(line.kind, line.reason) for line in planned.waiting] == [
        ("cancellation", "The quarterly audit covers it")]

    items.decide_request(request, actor=lead, now=clock.now(), approve=True, note="")
    db.session.commit()
    run(SUNDAY)

    [told] = mails_to(inbox, owner)
    assert "Lee Lead cancelled the action, as you asked" in text_of(inbox, told)
    # Agreed before the email was written: the lead's email does not list it.
    assert all("asks to cancel" not in text_of(inbox, mail) for mail in mails_to(inbox, lead))


def test_the_person_who_marked_an_item_complete_hears_it_was_sent_back_and_why(app, inbox):
    council = CouncilFactory(name="Northshire County Council")
    lead = UserFactory(council=council, name="Lee Lead", email="lee.lead@northshire.example")
    marker = AdminFactory(council=council, name="Alex Admin", email="alex@northshire.example")
    item = ItemFactory(finding__inspection__council=council, lead_officer=lead,
                       title="Return home interviews")
    ActionFactory(item=item, owner=lead, status=ActionStatus.COMPLETE)
    db.session.commit()
    items.mark_item_complete(item, actor=marker, now=clock.now(),
                             outcome_evidence="Audit shows 95% offered")
    db.session.commit()
    [planned] = [r for r in service.plan_reminders(SUNDAY, settings=_settings())
                 if r.recipient.id == lead.id]
    assert [(line.kind, line.path) for line in planned.waiting] == [
        ("sign-off", f"/items/{item.id}/sign-off")]

    items.refuse_sign_off(item, actor=lead, now=clock.now(),
                          reason="Attach the audit's report")
    db.session.commit()
    run(SUNDAY)

    [told] = mails_to(inbox, marker)
    text = text_of(inbox, told)
    assert "- Return home interviews\n  Lee Lead sent the item back at sign-off" in text
    assert "Reason: Attach the audit's report" in text
    assert f"Open it: {PUBLIC}/items/{item.id}" in text
    assert item.status is ItemStatus.OPEN


def test_a_new_actions_owner_is_told_they_own_it_and_its_planner_is_not(people, inbox):
    lead, owner, action = people
    items.add_action(action.item, actor=lead, now=clock.now(), description="Train the team",
                     owner=owner, due_date=date(2027, 2, 1))
    items.add_action(action.item, actor=lead, now=clock.now(), description="Lee's own step",
                     owner=lead, due_date=date(2027, 2, 1))
    db.session.commit()
    run(SUNDAY)

    [told] = mails_to(inbox, owner)
    assert about(told["Subject"]) == "1 new action for you"
    text = text_of(inbox, told)
    assert "NEW ACTIONS FOR YOU\n\n- Train the team\n  Item: Return home interviews" in text
    assert "Lee Lead made you the owner of this action" in text
    assert mails_to(inbox, lead) == []


def test_the_lead_officers_email_lists_their_items_that_are_not_planned(people, inbox):
    lead, owner, action = people
    ItemFactory(finding__inspection=action.item.finding.inspection, lead_officer=lead,
                title="Placement sufficiency")
    db.session.commit()
    ask_to_move(action, owner)
    run(SUNDAY)

    text = text_of(inbox, mails_to(inbox, lead)[0])
    assert "YOUR ITEMS THAT ARE NOT PLANNED" in text
    assert "- Placement sufficiency\n  Why: No actions planned" in text


def test_the_dashboard_shows_a_decision_at_once(people, client):
    lead, owner, action = people
    change = ask_to_move(action, owner)
    sign_in_as(client, lead)
    page = client.get("/").get_data(as_text=True)
    assert "Due date changes waiting for your decision" in page
    assert "Audit twenty interviews" in page
    client.post("/sign-out")

    items.decide_request(change, actor=lead, now=clock.now(), approve=False,
                         note="The inspectors revisit <soon>")
    db.session.commit()
    sign_in_as(client, owner)
    page = client.get("/").get_data(as_text=True)

    assert "For your information" in page
    assert ("Lee Lead refused to move the due date from 1 December 2026 to 15 January 2027, "
            "on 22 November 2026.") in page
    assert "The inspectors revisit &lt;soon&gt;" in page


def test_the_dashboard_shows_the_leads_items_that_are_not_planned(people, client):
    lead, _, action = people
    ItemFactory(finding__inspection=action.item.finding.inspection, lead_officer=lead,
                title="Placement sufficiency")
    db.session.commit()
    sign_in_as(client, lead)

    page = client.get("/").get_data(as_text=True)

    assert "Your items that are not planned" in page
    assert "Placement sufficiency" in page


def test_a_partners_reminder_carries_a_partner_link_that_opens_their_update_page(
        app, client, inbox, fixed_time):
    council = CouncilFactory(name="Northshire County Council")
    lead = UserFactory(council=council, name="Lee Lead", email="lee.lead@northshire.example")
    partner = PartnerFactory(council=council, name="DI Jo Partner", email="jo@police.example")
    item = ItemFactory(finding__inspection__council=council, lead_officer=lead)
    action = ActionFactory(item=item, owner=partner, description="Police attend in person",
                           due_date=SUNDAY - timedelta(days=2))
    db.session.commit()

    run(SUNDAY)

    [mail] = mails_to(inbox, partner)
    text = text_of(inbox, mail)
    [address] = re.findall(rf"{PUBLIC}/partner/\S+", text)
    assert f"{PUBLIC}/actions/" not in text and "/reminders/pause" not in text
    assert address in inbox.html(mail)
    page = client.get(address.removeprefix(PUBLIC))
    assert page.status_code == 200
    assert "Police attend in person" in page.get_data(as_text=True)
    # The stored copy no longer holds the link.
    [row] = db.session.scalars(select(Delivery).where(Delivery.recipient_id == partner.id))
    assert row.holds_partner_links and address not in row.message
    assert "partner/" not in row.message
    # The next day's reminder replaces the link: the newest email is the one to use.
    fixed_time.shift(timedelta(days=1))
    run(MONDAY)
    assert client.get(address.removeprefix(PUBLIC)).status_code == 410
    links = db.session.scalars(select(PartnerLink).where(PartnerLink.action_id == action.id))
    assert [link.created_by_id for link in links] == [None, None]


def test_a_partners_reminder_link_is_made_only_when_its_email_is_written(app, inbox):
    council = CouncilFactory()
    partner = PartnerFactory(council=council, email="jo@police.example")
    ActionFactory(item__finding__inspection__council=council, owner=partner,
                  due_date=SUNDAY - timedelta(days=2))
    db.session.commit()

    service.plan_reminders(SUNDAY, settings=_settings())  # the admin's preview
    assert db.session.scalars(select(PartnerLink)).all() == []
    run(SUNDAY)
    run(SUNDAY)  # already written: no second link
    assert len(db.session.scalars(select(PartnerLink)).all()) == 1


def test_every_email_subject_names_the_councils_tracker():
    assert tracker_name("Northshire County Council") == "Northshire improvement tracker"
    assert tracker_name("Sunderland City Council") == "Sunderland improvement tracker"
    assert tracker_name("London Borough of Hackney") == "Hackney improvement tracker"
    assert tracker_name("Council") == "Improvement tracker"
    assert (subject_line("Northshire County Council", "4 overdue actions")
            == "Northshire improvement tracker: 4 overdue actions")


def test_the_escalation_and_report_subjects_name_it_too(app, inbox):
    council = CouncilFactory(name="Hampshire County Council")
    lead = UserFactory(council=council, email="lead@hampshire.example")
    ActionFactory(item__finding__inspection__council=council, item__lead_officer=lead,
                  due_date=SUNDAY - timedelta(days=30))
    db.session.commit()
    with time_machine.travel(TEST_NOW, tick=False):
        run(SUNDAY)
    subjects = sorted(str(mail["Subject"]) for mail in mails_to(inbox, lead))
    assert subjects and all(s.startswith("Hampshire improvement tracker: ") for s in subjects)
    kinds = {row.kind for row in db.session.scalars(select(Delivery))}
    assert DeliveryKind.ESCALATION in kinds


def _settings():
    from tracker.settings import settings

    return settings()


def test_every_link_in_a_daily_email_starts_with_public_url(people, inbox, fixed_time):
    lead, owner, action = people
    ActionFactory(item=action.item, owner=lead, due_date=SUNDAY - timedelta(days=3))
    ItemFactory(finding__inspection=action.item.finding.inspection, lead_officer=lead)
    change = ask_to_move(action, owner)
    items.add_action(action.item, actor=owner, now=clock.now(), description="Owner's step",
                     owner=lead, due_date=date(2027, 2, 1))
    db.session.commit()
    run(SUNDAY)
    items.decide_request(change, actor=lead, now=clock.now(), approve=False, note="No")
    db.session.commit()
    fixed_time.shift(timedelta(days=1))
    run(MONDAY)

    mails = [*mails_to(inbox, lead), *mails_to(inbox, owner)]
    assert len(mails) >= 3
    for mail in mails:
        addresses = re.findall(r"https?://[^\s\"<>]+", text_of(inbox, mail))
        hrefs = re.findall(r'href="([^"]*)"', inbox.html(mail))
        assert addresses and hrefs
        assert [a for a in addresses + hrefs if not a.startswith(f"{PUBLIC}/")] == []


def test_what_people_typed_is_escaped_on_the_dashboard_and_in_the_email(people, client,
                                                                        inbox, fixed_time):
    lead, owner, action = people
    action.description = "<script>alert(1)</script> audit"
    db.session.commit()
    change = ask_to_move(action, owner)
    items.decide_request(change, actor=lead, now=clock.now(), approve=False, note="<b>No</b>")
    db.session.commit()
    sign_in_as(client, owner)

    page = client.get("/").get_data(as_text=True)
    run(SUNDAY)

    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "<b>No</b>" not in page
    [mail] = mails_to(inbox, owner)
    assert "<script>alert(1)" not in inbox.html(mail)
    assert "<script>alert(1)</script> audit" in text_of(inbox, mail)
