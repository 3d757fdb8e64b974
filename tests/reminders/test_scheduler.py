"""The scheduler: its one table of jobs, stored in the app database, and the job lock."""

from __future__ import annotations

import signal
from datetime import UTC, date, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import func, select, text

from tests.factories import ActionFactory, CouncilFactory
from tracker import clock
from tracker.extensions import db
from tracker.jobs import run
from tracker.jobs.lock import claim_lock, release_lock
from tracker.jobs.models import JobLock
from tracker.jobs.schedule import MISFIRE_GRACE_SECONDS, build_scheduler

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def started(app):
    scheduler = build_scheduler(app.config, BackgroundScheduler)
    scheduler.start(paused=True)
    return scheduler


def reminder_job(scheduler):
    return scheduler.get_job("daily-reminders")


def test_the_daily_reminder_job_is_stored_in_the_database_for_seven_in_the_morning(app):
    scheduler = started(app)
    try:
        job = reminder_job(scheduler)
        assert job.func_ref == "tracker.jobs.run:daily_reminders"
        assert job.next_run_time == datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
        assert job.coalesce is True
        assert job.misfire_grace_time == MISFIRE_GRACE_SECONDS
    finally:
        scheduler.shutdown(wait=False)
    stored = db.session.execute(text("SELECT id FROM apscheduler_jobs")).scalars().all()
    assert sorted(stored) == ["daily-reminders", "deliveries", "evidence-packs",
                              "progress-reports", "report-queue"]


def test_restarting_the_scheduler_replaces_its_jobs_instead_of_adding_copies(app):
    started(app).shutdown(wait=False)
    app.config["REMINDER_TIME"] = "06:30"
    scheduler = started(app)
    try:
        assert reminder_job(scheduler).next_run_time == datetime(2026, 11, 23, 6, 30, tzinfo=UTC)
    finally:
        scheduler.shutdown(wait=False)
    count = db.session.execute(text("SELECT count(*) FROM apscheduler_jobs")).scalar()
    assert count == 5


def test_reminder_time_is_uk_time_in_summer(app):
    import time_machine

    with time_machine.travel(datetime(2026, 7, 1, 12, 0, tzinfo=UTC), tick=False):
        scheduler = started(app)
        try:
            assert reminder_job(scheduler).next_run_time == datetime(2026, 7, 2, 6, 0, tzinfo=UTC)
        finally:
            scheduler.shutdown(wait=False)


def test_a_second_scheduler_cannot_take_a_job_lock_that_is_held(app):
    assert claim_lock("daily-reminders", holder="one", now=NOW, hold_for=timedelta(hours=1))
    db.session.commit()

    assert not claim_lock("daily-reminders", holder="two", now=NOW, hold_for=timedelta(hours=1))
    release_lock("daily-reminders", holder="one", now=NOW, outcome="done")
    db.session.commit()
    assert claim_lock("daily-reminders", holder="two", now=NOW, hold_for=timedelta(hours=1))


def test_a_crashed_holders_lock_is_free_again_once_its_time_runs_out(app):
    claim_lock("daily-reminders", holder="crashed", now=NOW, hold_for=timedelta(hours=1))
    db.session.commit()

    later = NOW + timedelta(hours=1, minutes=1)
    assert claim_lock("daily-reminders", holder="two", now=later, hold_for=timedelta(hours=1))


def test_the_job_does_nothing_while_another_process_runs_it(app):
    claim_lock("daily-reminders", holder="elsewhere", now=NOW, hold_for=timedelta(hours=1))
    db.session.commit()
    calls = []

    assert run.run_job("daily-reminders", lambda: calls.append(1) or "ran") is None
    assert calls == []


def test_the_daily_job_sends_reminders_and_records_its_outcome(app, inbox):
    council = CouncilFactory()
    ActionFactory(item__finding__inspection__council=council,
                  owner__email="owner@northshire.example", due_date=date(2026, 11, 20))

    outcome = run.daily_reminders()

    assert outcome == "1 sent, 0 failed, 0 already sent"
    assert len(inbox.to("owner@northshire.example")) == 1
    lock = db.session.get(JobLock, "daily-reminders")
    assert lock.locked_until is None
    assert lock.last_outcome == outcome
    assert lock.last_finished_at == clock.now()
    # Run again by hand the same day: the lock is free, the delivery log says "already sent".
    assert run.daily_reminders() == "0 sent, 0 failed, 1 already sent"
    assert db.session.scalar(select(func.count()).select_from(JobLock)) == 1


def test_scheduler_command_lists_its_jobs_and_stops_on_ctrl_c(app, runner, monkeypatch):
    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(BlockingScheduler, "start", interrupted)
    monkeypatch.setattr(run, "_app", None)
    monkeypatch.setattr(signal, "signal", lambda *args: None)

    result = runner.invoke(args=["scheduler"])

    assert result.exit_code == 0, result.output
    assert "daily-reminders" in result.output
    assert "Scheduler stopped" in result.output
