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


def test_make_serve_refuses_to_start_while_public_url_is_its_default(app, runner):
    from pathlib import Path

    from tests.conftest import configure

    configure(app, PUBLIC_URL="http://127.0.0.1:5000")
    refused = runner.invoke(args=["check-public-url"])
    assert refused.exit_code == 1
    assert "PUBLIC_URL is still its default, http://127.0.0.1:5000" in refused.output
    assert "TRACKER_PUBLIC_URL" in refused.output and "instance/config.py" in refused.output

    configure(app, PUBLIC_URL="https://tracker.northshire.gov.uk/")
    allowed = runner.invoke(args=["check-public-url"])
    assert allowed.exit_code == 0, allowed.output
    assert "Links in emails start with https://tracker.northshire.gov.uk" in allowed.output

    # `make serve` runs the check before it starts anything; `make run` (the demo) does not.
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    serve = makefile.split("\nserve:", 1)[1].split("\n\n", 1)[0]
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert serve.index("check-public-url") < serve.index("$(FLASK) scheduler")
    assert "check-public-url" not in run
