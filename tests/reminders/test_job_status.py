"""The admin reminders page shows each scheduled job's next run, last run and outcome."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from apscheduler.schedulers.background import BackgroundScheduler

from tests.conftest import sign_in_as
from tests.factories import ActionFactory, AdminFactory
from tracker import clock
from tracker.extensions import db
from tracker.jobs.lock import claim_lock
from tracker.jobs.run import daily_reminders, run_job
from tracker.jobs.schedule import build_scheduler
from tracker.jobs.status import job_statuses
from tracker.settings import settings

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def page_text(client) -> str:
    sign_in_as(client, AdminFactory())
    response = client.get("/admin/reminders")
    assert response.status_code == 200
    return " ".join(response.get_data(as_text=True).split())


def test_before_the_scheduler_has_started_the_page_says_to_start_it(app, client):
    text = page_text(client)

    assert "Email reminders about overdue and coming-up actions" in text
    assert "Every day at 7:00am" in text
    assert "Progress reports due on each committee" in text
    assert "Every 10 minutes" in text and "Every 5 seconds" in text
    assert "Not scheduled yet: start the scheduler process" in text
    assert "Not run yet" in text


def test_an_administrator_sees_the_next_run_the_scheduler_stored(app, client):
    scheduler = build_scheduler(settings(), app.config["SQLALCHEMY_DATABASE_URI"],
                                BackgroundScheduler)
    scheduler.start(paused=True)
    scheduler.shutdown(wait=False)
    with time_machine.travel(datetime(2026, 11, 22, 7, 0, tzinfo=UTC), tick=False):
        daily_reminders()

    text = page_text(client)

    statuses = {status.id: status for status in job_statuses(settings(), NOW)}
    assert set(statuses) == {"daily-reminders", "progress-reports", "report-queue",
                             "deliveries", "evidence-packs", "retention", "unconfirmed-imports",
                             "upload-queue"}
    assert all(status.next_run_at is not None for status in statuses.values())
    assert "Not scheduled yet" not in text
    # Today's run has been: the next is tomorrow at 7am UK time, not the next tick.
    assert ("23 November 2026 at 7:00am"
            in text.split("Next run", 1)[1].split("Last run", 1)[0])


def test_before_the_days_run_the_next_run_is_at_reminder_time(app):
    with time_machine.travel(datetime(2026, 11, 22, 6, 0, tzinfo=UTC), tick=False):
        scheduler = build_scheduler(settings(), app.config["SQLALCHEMY_DATABASE_URI"],
                                BackgroundScheduler)
        scheduler.start(paused=True)
        scheduler.shutdown(wait=False)
        (daily,) = [status for status in job_statuses(settings(), clock.now())
                    if status.id == "daily-reminders"]

    assert daily.next_run_at == datetime(2026, 11, 22, 7, 0, tzinfo=UTC)


def test_an_administrator_sees_when_the_job_last_ran_and_how_it_went(app, client, inbox):
    ActionFactory(due_date=NOW.date() - timedelta(days=3))
    with time_machine.travel(datetime(2026, 11, 22, 7, 0, tzinfo=UTC), tick=False):
        outcome = daily_reminders()
    assert outcome == "1 planned, 0 already in the delivery log"

    text = page_text(client)

    assert "22 November 2026 at 7:00am" in text
    assert outcome in text
    assert "1 sent, 0 failed" in text.split('id="job-deliveries"', 1)[1]
    reminders_card = text.split('id="job-daily-reminders"', 1)[1].split('id="job-', 1)[0]
    assert "Not run yet" not in reminders_card


def test_a_run_still_holding_the_lock_shows_as_running(app, client):
    assert claim_lock("daily-reminders", holder="other", now=datetime.now(UTC),
                      lease=timedelta(minutes=1))
    db.session.commit()

    text = page_text(client)

    assert "Running since" in text
    assert "Still running" in text


def test_a_run_whose_scheduler_was_killed_no_longer_shows_as_running_once_its_lease_is_out(
    app, client
):
    claim_lock("daily-reminders", holder="killed", now=NOW - timedelta(minutes=2),
               lease=timedelta(minutes=1))
    db.session.commit()

    text = page_text(client)

    assert "Running since" not in text and "Still running" not in text


def test_a_failed_run_shows_why(app, client):
    def broken() -> str:
        raise RuntimeError("the mail server's certificate has expired")

    with pytest.raises(RuntimeError):
        run_job("deliveries", broken)

    text = page_text(client)

    card = text.split('id="job-deliveries"', 1)[1].split('id="job-', 1)[0]
    assert "Failed: RuntimeError: the mail server&#39;s certificate has expired" in card
