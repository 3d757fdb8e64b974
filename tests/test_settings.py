"""Settings read once at start as typed values: a setting that cannot work stops the start with
a message saying what to set, before any page or email needs it."""

from __future__ import annotations

import os
from datetime import time, timedelta

import pytest

from tracker import create_app
from tracker.config import Defaults
from tracker.settings import SettingError, default_settings, read_settings, settings


@pytest.fixture(autouse=True)
def clean_environment(tmp_path, monkeypatch):
    """Only what a test sets: nothing from the shell that runs the suite."""
    for name in list(os.environ):
        if name.startswith("TRACKER_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))


def defaults(**changes) -> dict:
    return {**{key: getattr(Defaults, key) for key in dir(Defaults) if key.isupper()},
            **changes}


def test_an_installation_that_changes_nothing_gets_the_documented_defaults():
    chosen = default_settings()
    assert chosen.status_rules.red_overdue_days == 14
    assert chosen.sign_in.lock_for == timedelta(minutes=15)
    assert chosen.reminders.time == time(7, 0)
    assert chosen.reminders.retry_wait == timedelta(minutes=15)
    assert chosen.mail.backend == "outbox"
    assert chosen.scheduler.job_lease == timedelta(seconds=60)


def test_the_app_reads_its_settings_once_at_start_with_the_environment_applied(monkeypatch):
    monkeypatch.setenv("TRACKER_STALE_AFTER_DAYS", "45")
    monkeypatch.setenv("TRACKER_REMINDER_TIME", "06:30")
    monkeypatch.setenv("TRACKER_PUBLIC_URL", "https://tracker.northshire.example/")
    app = create_app({"TESTING": True})
    with app.app_context():
        assert settings().status_rules.stale_after_days == 45
        assert settings().reminders.time == time(6, 30)
        # One way to write the address, so links never get a double slash.
        assert settings().public_url == "https://tracker.northshire.example"


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("TRACKER_STALE_AFTER_DAYS", "soon", "STALE_AFTER_DAYS must be a whole number, not 'soon'"),
    ("TRACKER_ITEMS_PER_PAGE", "0", "ITEMS_PER_PAGE must be 1 or more"),
    ("TRACKER_REMINDER_TIME", "7am", "REMINDER_TIME must be HH:MM, such as 07:00, not '7am'"),
    ("TRACKER_MAIL_USE_TLS", "sometimes", "MAIL_USE_TLS must be true or false"),
    ("TRACKER_JOB_LEASE_SECONDS", "-5", "JOB_LEASE_SECONDS must be a number of seconds above 0"),
    ("TRACKER_MAIL_BACKEND", "pigeon", "'smtp', 'notify' or 'outbox', not 'pigeon'"),
])
def test_a_setting_that_cannot_work_stops_the_start_saying_what_to_set(
        monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingError, match=message):
        create_app({"TESTING": True})


def test_a_true_or_false_switch_is_not_taken_for_a_number():
    with pytest.raises(SettingError, match="SIGN_IN_MAX_FAILURES must be a whole number"):
        read_settings(defaults(SIGN_IN_MAX_FAILURES=True))
