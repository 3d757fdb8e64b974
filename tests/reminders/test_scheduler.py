"""The scheduler: its one table of jobs, stored in the app database, that only ticks; the
job lock, a lease renewed while a job runs; the daily reminder run, decided by the database."""

from __future__ import annotations

import signal
import time
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import select, text

from tests.conftest import configure
from tests.factories import ActionFactory, CouncilFactory
from tracker import clock
from tracker.extensions import db
from tracker.jobs import run
from tracker.jobs.lock import claim_lock, release_lock
from tracker.jobs.models import JobLock, RunState
from tracker.jobs.schedule import build_scheduler
from tracker.reminders.service import reminder_moment
from tracker.settings import settings

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
MORNING = datetime(2026, 11, 22, 7, 0, tzinfo=UTC)
LEASE = timedelta(minutes=1)


def started(app):
    scheduler = build_scheduler(settings(), app.config["SQLALCHEMY_DATABASE_URI"],
                                BackgroundScheduler)
    scheduler.start(paused=True)
    return scheduler


def overdue_action(email: str = "owner@northshire.example"):
    council = CouncilFactory()
    return ActionFactory(item__finding__inspection__council=council, owner__email=email,
                         due_date=date(2026, 11, 20))


def lock(name: str = "daily-reminders") -> JobLock:
    db.session.expire_all()
    return db.session.get(JobLock, name)


def test_every_job_is_stored_in_the_database_and_the_daily_one_ticks_every_minute(app):
    scheduler = started(app)
    try:
        job = scheduler.get_job("daily-reminders")
        assert job.func_ref == "tracker.jobs.run:daily_reminders"
        assert job.trigger.interval == timedelta(minutes=1)
        assert job.coalesce is True
    finally:
        scheduler.shutdown(wait=False)
    stored = db.session.execute(text("SELECT id FROM apscheduler_jobs")).scalars().all()
    assert sorted(stored) == ["daily-reminders", "deliveries", "evidence-packs",
                              "progress-reports", "report-queue", "retention",
                              "unconfirmed-imports", "upload-queue"]


def test_restarting_the_scheduler_replaces_its_jobs_instead_of_adding_copies(app):
    started(app).shutdown(wait=False)
    started(app).shutdown(wait=False)

    count = db.session.execute(text("SELECT count(*) FROM apscheduler_jobs")).scalar()
    assert count == 8


def test_reminder_time_is_uk_time_in_summer_and_in_winter(app):
    rules = settings().reminders
    assert reminder_moment(date(2026, 7, 1), rules) == datetime(2026, 7, 1, 6, 0, tzinfo=UTC)
    assert reminder_moment(date(2026, 11, 23), rules) == datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def test_the_daily_run_waits_for_reminder_time_then_runs_once_that_day(app, inbox):
    overdue_action()

    with time_machine.travel(MORNING - timedelta(minutes=1), tick=False):
        assert run.daily_reminders() is None
    assert inbox.messages == []
    with time_machine.travel(MORNING, tick=False):
        assert run.daily_reminders() == "1 planned, 0 already in the delivery log"
    with time_machine.travel(MORNING + timedelta(hours=5), tick=False):
        assert run.daily_reminders() is None
    assert len(inbox.to("owner@northshire.example")) == 1
    with time_machine.travel(MORNING + timedelta(days=1), tick=False):
        assert run.daily_reminders() == "1 planned, 0 already in the delivery log"
    assert len(inbox.to("owner@northshire.example")) == 2


def test_a_daily_run_that_died_before_planning_runs_again_the_same_day(app, inbox):
    overdue_action()
    # A scheduler took the lock at 7:00 and was killed before it planned anything.
    with time_machine.travel(MORNING, tick=False):
        assert claim_lock("daily-reminders", holder="killed", now=clock.now(), lease=LEASE)
        db.session.commit()

    with time_machine.travel(MORNING + timedelta(seconds=30), tick=False):
        assert run.daily_reminders() is None  # its lease has not run out yet
    with time_machine.travel(MORNING + LEASE + timedelta(seconds=1), tick=False):
        assert run.daily_reminders() == "1 planned, 0 already in the delivery log"

    assert len(inbox.to("owner@northshire.example")) == 1
    assert lock().state is RunState.DONE


def test_a_daily_run_that_failed_runs_again_at_the_next_tick(app, inbox, monkeypatch):
    from tracker.reminders import service

    overdue_action()

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    with monkeypatch.context() as patch, time_machine.travel(MORNING, tick=False):
        patch.setattr(service, "queue_reminders", broken)
        with pytest.raises(RuntimeError):
            run.daily_reminders()
    assert (lock().state, lock().last_error) == (RunState.FAILED,
                                                 "RuntimeError: the database went away")

    with time_machine.travel(MORNING + timedelta(minutes=1), tick=False):
        assert run.daily_reminders() == "1 planned, 0 already in the delivery log"
    assert len(inbox.to("owner@northshire.example")) == 1


def test_a_second_scheduler_cannot_take_a_job_lock_that_is_held(app):
    first = claim_lock("daily-reminders", holder="one", now=NOW, lease=LEASE)
    db.session.commit()

    assert claim_lock("daily-reminders", holder="two", now=NOW, lease=LEASE) is None
    release_lock("daily-reminders", attempt=first, now=NOW, outcome="done")
    db.session.commit()
    assert claim_lock("daily-reminders", holder="two", now=NOW, lease=LEASE) == first + 1


def test_a_killed_schedulers_lock_is_taken_over_within_two_minutes(app):
    claim_lock("deliveries", holder="killed", now=NOW, lease=LEASE)
    db.session.commit()

    assert claim_lock("deliveries", holder="two", now=NOW + timedelta(seconds=59),
                      lease=LEASE) is None
    assert claim_lock("deliveries", holder="two", now=NOW + timedelta(minutes=2),
                      lease=LEASE) is not None


def test_a_holder_whose_lock_was_taken_over_records_nothing(app):
    first = claim_lock("deliveries", holder="slow", now=NOW, lease=LEASE)
    second = claim_lock("deliveries", holder="two", now=NOW + LEASE, lease=LEASE)
    db.session.commit()

    release_lock("deliveries", attempt=first, now=NOW + LEASE, outcome="late")
    db.session.commit()

    assert (lock("deliveries").holder, lock("deliveries").state) == ("two", RunState.RUNNING)
    assert second == first + 1


def test_a_job_that_runs_longer_than_its_lease_keeps_its_lock_by_a_heartbeat(app):
    configure(app, JOB_LEASE_SECONDS=0.3)
    seen = []

    def slow_work() -> str:
        time.sleep(1.0)  # more than three leases
        with db.engine.connect() as other:
            seen.append(other.execute(
                select(JobLock.state, JobLock.lease_until)
                .where(JobLock.name == "deliveries")).one())
        seen.append(clock.now())
        return "done"

    with time_machine.travel(NOW, tick=True):
        assert run.run_job("deliveries", slow_work) == "done"

    (state, lease_until), looked_at = seen
    # Renewed while the work ran: still held after three times the lease.
    assert state is RunState.RUNNING and lease_until > looked_at
    assert (lock("deliveries").state, lock("deliveries").lease_until) == (RunState.DONE, None)


def test_the_job_does_nothing_while_another_process_runs_it(app):
    claim_lock("deliveries", holder="elsewhere", now=clock.now(), lease=LEASE)
    db.session.commit()
    calls = []

    assert run.run_job("deliveries", lambda: calls.append(1) or "ran") is None
    assert calls == []


def test_the_daily_job_sends_reminders_and_records_its_outcome(app, inbox):
    overdue_action()

    outcome = run.daily_reminders()

    assert outcome == "1 planned, 0 already in the delivery log"
    assert len(inbox.to("owner@northshire.example")) == 1
    daily, deliveries = lock(), lock("deliveries")
    assert (daily.state, daily.lease_until, daily.last_outcome) == (RunState.DONE, None, outcome)
    assert daily.last_finished_at == clock.now()
    assert deliveries.last_outcome == "1 sent, 0 failed"
    # Done for today: a later tick does nothing, and the lock is free for the next run.
    assert run.daily_reminders() is None
    assert run.run_job("daily-reminders", lambda: "by hand") == "by hand"
    assert len(inbox.messages) == 1


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
