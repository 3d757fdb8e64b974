"""`flask --app tracker reminders send`."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from tests.factories import ActionFactory, CouncilFactory, UserFactory
from tracker.extensions import db
from tracker.mail import outbox_files, parse_message
from tracker.reminders.models import Delivery

TODAY = date(2026, 11, 22)


def overdue_action(email="owner@northshire.example", days=3):
    council = CouncilFactory()
    owner = UserFactory(council=council, name="Ola Owner", email=email)
    return ActionFactory(item__finding__inspection__council=council, owner=owner,
                         due_date=TODAY - timedelta(days=days))


def deliveries() -> int:
    return db.session.scalar(select(func.count()).select_from(Delivery))


def test_dry_run_prints_who_would_get_what_and_writes_nothing(app, runner):
    overdue_action()

    result = runner.invoke(args=["reminders", "send", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "Ola Owner <owner@northshire.example>: Daily reminder, 1 overdue" in result.output
    assert deliveries() == 0
    assert outbox_files(app.instance_path) == []


def test_send_writes_to_the_outbox_by_default_and_only_once(app, runner):
    overdue_action()

    first = runner.invoke(args=["reminders", "send"])
    second = runner.invoke(args=["reminders", "send"])

    assert first.exit_code == 0, first.output
    assert "1 sent, 0 failed" in first.output
    assert "0 sent, 0 failed, 1 already sent" in second.output
    files = outbox_files(app.instance_path)
    assert len(files) == 1
    message = parse_message(files[0].read_bytes())
    assert message["To"] == "owner@northshire.example"


def test_date_option_picks_the_day(app, runner):
    overdue_action(days=-3)  # due in three days: nothing overdue today

    result = runner.invoke(args=["reminders", "send", "--dry-run", "--date", "2026-11-30"])

    assert "1 overdue" in result.output


def test_a_badly_written_date_is_refused(runner):
    result = runner.invoke(args=["reminders", "send", "--date", "30/11/2026"])

    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output
