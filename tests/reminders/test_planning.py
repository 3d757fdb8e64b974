"""The weekly planning reminder, through a real SMTP server: a lead officer is told which of
their items are not planned and why ("2 of your items are not planned"); administrators are
told about items with no lead officer at all. Once a week, like the escalation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import time_machine

from tests.factories import (
    ActionFactory,
    AdminFactory,
    CouncilFactory,
    ItemFactory,
    UserFactory,
    focused_visit_items,
)
from tests.reminders.conftest import about
from tracker import clock
from tracker.extensions import db
from tracker.items.models import ActionStatus
from tracker.reminders.models import DeliveryKind
from tracker.reminders.service import plan_reminders, send_reminders
from tracker.settings import settings

TODAY = date(2026, 11, 22)  # a Sunday; the clock is 22 November 2026, 12:00 UTC


def run(day: date = TODAY):
    result = send_reminders(day, now=clock.now())
    db.session.expire_all()
    return result


def test_a_lead_officer_is_told_which_of_their_items_are_not_planned_and_why(inbox):
    council = CouncilFactory()
    lead = UserFactory(council=council, name="Lee Lead", email="lead@northshire.example")
    no_actions = ItemFactory(finding__inspection__council=council, lead_officer=lead,
                             title="Return home interviews")
    cancelled = ItemFactory(finding__inspection=no_actions.finding.inspection,
                            lead_officer=lead, title="Placement sufficiency")
    ActionFactory(item=cancelled, status=ActionStatus.CANCELLED)
    planned = ItemFactory(finding__inspection=no_actions.finding.inspection, lead_officer=lead,
                          title="Supervision")
    ActionFactory(item=planned, due_date=TODAY + timedelta(days=60))

    run()

    [mail] = inbox.to("lead@northshire.example")
    assert about(mail["Subject"]) == "2 of your items are not planned"
    text = inbox.text(mail)
    assert "Dear Lee Lead" in text
    assert "Return home interviews" in text and "Placement sufficiency" in text
    assert "Supervision" not in text
    assert ("Why: No actions planned, 113 days after the finding was imported (1 August "
            "2026).") in text
    assert "Why: Every action was cancelled, 113 days after" in text
    assert f"https://tracker.northshire.example/items/{no_actions.id}" in text
    assert "no lead officer" not in text
    assert "Placement sufficiency" in inbox.html(mail)


def test_administrators_are_told_about_items_with_no_lead_officer_at_all(inbox):
    council = CouncilFactory()
    admin = AdminFactory(council=council, name="Ade Admin", email="admin@northshire.example")
    other_admin = AdminFactory(email="elsewhere@southshire.example")
    imported = focused_visit_items(council, imported_at=clock.now() - timedelta(days=2))

    run()

    [mail] = inbox.to("admin@northshire.example")
    assert about(mail["Subject"]) == "4 items have no lead officer"
    text = inbox.text(mail)
    for item in imported:
        assert item.title in text
    assert text.count("Status: Not planned. No lead officer yet and no actions planned, 2 days "
                      "after the finding was imported (20 November 2026).") == 4
    assert "give it a lead officer" in text
    assert inbox.to(other_admin.email) == []
    assert admin.id  # the council's own administrator only


def test_an_administrator_who_leads_items_gets_one_email_with_both(inbox):
    council = CouncilFactory()
    admin = AdminFactory(council=council, email="admin@northshire.example")
    ItemFactory(finding__inspection__council=council, lead_officer=admin)
    ItemFactory(finding__inspection__council=council, lead_officer=None)

    run()

    [mail] = inbox.to("admin@northshire.example")
    assert about(mail["Subject"]) == "1 of your items is not planned; 1 item has no lead officer"


def test_the_planning_reminder_goes_once_a_week_and_not_to_someone_paused(inbox):
    council = CouncilFactory()
    lead = UserFactory(council=council, email="lead@northshire.example")
    paused = UserFactory(council=council, email="away@northshire.example",
                         reminders_paused_until=date(2026, 12, 31))
    ItemFactory(finding__inspection__council=council, lead_officer=lead)
    ItemFactory(finding__inspection__council=council, lead_officer=paused)

    run()
    run()
    with time_machine.travel(datetime(2026, 11, 23, 7, 0, tzinfo=UTC), tick=False):
        run(date(2026, 11, 23))
    with time_machine.travel(datetime(2026, 11, 24, 7, 0, tzinfo=UTC), tick=False):
        run(date(2026, 11, 24))

    assert [about(m["Subject"]) for m in inbox.to("lead@northshire.example")] == [
        "1 of your items is not planned"] * 2  # this week's, then next week's
    assert inbox.to("away@northshire.example") == []


def test_nobody_is_told_about_items_that_are_planned_or_done(app):
    council = CouncilFactory()
    AdminFactory(council=council)
    lead = UserFactory(council=council)
    planned = ItemFactory(finding__inspection__council=council, lead_officer=lead)
    ActionFactory(item=planned, due_date=TODAY + timedelta(days=10))
    delivered = ItemFactory(finding__inspection__council=council, lead_officer=None)
    ActionFactory(item=delivered, status=ActionStatus.COMPLETE)
    db.session.commit()
    reminders = plan_reminders(TODAY, settings=settings(), council_id=council.id)
    planning = [r for r in reminders if r.kind is DeliveryKind.PLANNING]
    # The delivered item has no lead officer: only that is said, to the administrator.
    assert [(r.recipient.id in {lead.id}, len(r.not_planned), len(r.no_lead))
            for r in planning] == [(False, 0, 1)]
    assert "Delivered, awaiting evidence" not in planning[0].no_lead[0].reason
    assert planning[0].no_lead[0].reason.startswith("Its one action is complete")
