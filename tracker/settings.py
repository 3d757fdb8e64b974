"""The tracker's settings as typed values, read once from the app's config in `create_app`.

Defaults live in one place, `tracker.config.Defaults`; instance/config.py and `TRACKER_*`
variables override them. Here they are checked and turned into the types the code uses
(whole numbers, durations, a time of day), so a setting that cannot work stops the start with
a message saying what to set, not the first email or page that needs it. Code asks
`settings()` (or is handed the part it needs) instead of reading `app.config`.

Flask's and its extensions' own keys (SECRET_KEY, SESSION_COOKIE_SECURE, MAX_CONTENT_LENGTH,
SQLALCHEMY_DATABASE_URI, …) stay in `app.config`, where those libraries read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

from flask import Flask, current_app

from tracker.accounts.signin import SignInRules
from tracker.config import Defaults
from tracker.items.status import StatusRules

EXTENSION = "tracker.settings"
MAIL_BACKENDS = ("smtp", "notify", "outbox")


class SettingError(ValueError):
    """A setting that cannot work; the message says which, and what to set it to."""


@dataclass(frozen=True)
class MailSettings:
    """How email leaves: SMTP, GOV.UK Notify, or the outbox folder (docs/deploying.md)."""

    backend: str
    server: str
    port: int
    use_tls: bool
    use_ssl: bool
    username: str
    password: str
    sender: str
    timeout: float
    notify_api_key: str
    notify_template_id: str
    notify_base_url: str
    notify_reply_to_id: str


@dataclass(frozen=True)
class ReminderSettings:
    """Who is reminded of what, when the day's run is due, and how failures are retried."""

    upcoming_days: int
    escalate_after_days: int
    max_attempts: int
    retry_wait: timedelta
    time: time  # UK time of day
    delivery_lease: timedelta


@dataclass(frozen=True)
class SchedulerSettings:
    """How often the scheduler's queues are looked at, and how long a job's lease holds."""

    report_queue_seconds: int
    delivery_queue_seconds: int
    job_lease: timedelta


@dataclass(frozen=True)
class Settings:
    """Every setting of the tracker's own, by what it is about."""

    council_name: str
    public_url: str  # without a trailing slash
    items_per_page: int
    draft_page_live_items: int
    import_max_bytes: int
    session_idle_minutes: int
    trusted_proxies: int
    web_workers: int
    web_threads: int
    partner_link_daily_posts: int
    status_rules: StatusRules
    sign_in: SignInRules
    mail: MailSettings
    reminders: ReminderSettings
    scheduler: SchedulerSettings


def _whole(config: Mapping[str, Any], key: str, *, least: int = 0) -> int:
    value = config[key]
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise SettingError(f"{key} must be a whole number, not {value!r}")
    if int(value) < least:
        raise SettingError(f"{key} must be {least} or more, not {value!r}")
    return int(value)


def _seconds(config: Mapping[str, Any], key: str) -> float:
    value = config[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise SettingError(f"{key} must be a number of seconds above 0, not {value!r}")
    return float(value)


def _text(config: Mapping[str, Any], key: str) -> str:
    value = config[key]
    if not isinstance(value, str):
        raise SettingError(f"{key} must be text, not {value!r}")
    return value


def _switch(config: Mapping[str, Any], key: str) -> bool:
    value = config[key]
    if not isinstance(value, bool):
        raise SettingError(f"{key} must be true or false, not {value!r}")
    return value


def _time_of_day(config: Mapping[str, Any], key: str) -> time:
    text = str(config[key])
    hour, _, minute = text.partition(":")
    if not (hour.isdigit() and minute.isdigit()) or int(hour) > 23 or int(minute) > 59:
        raise SettingError(f"{key} must be HH:MM, such as 07:00, not {text!r}")
    return time(int(hour), int(minute))


def _mail(config: Mapping[str, Any]) -> MailSettings:
    mail = MailSettings(
        backend=_text(config, "MAIL_BACKEND"),
        server=_text(config, "MAIL_SERVER"),
        port=_whole(config, "MAIL_PORT", least=1),
        use_tls=_switch(config, "MAIL_USE_TLS"),
        use_ssl=_switch(config, "MAIL_USE_SSL"),
        username=_text(config, "MAIL_USERNAME"),
        password=_text(config, "MAIL_PASSWORD"),
        sender=_text(config, "MAIL_DEFAULT_SENDER"),
        timeout=_seconds(config, "MAIL_TIMEOUT"),
        notify_api_key=_text(config, "NOTIFY_API_KEY"),
        notify_template_id=_text(config, "NOTIFY_TEMPLATE_ID"),
        notify_base_url=_text(config, "NOTIFY_BASE_URL"),
        notify_reply_to_id=_text(config, "NOTIFY_REPLY_TO_ID"),
    )
    if mail.backend not in MAIL_BACKENDS:
        raise SettingError(
            f"MAIL_BACKEND must be 'smtp', 'notify' or 'outbox', not {mail.backend!r}")
    if mail.backend == "notify":
        # A Notify key ends with the service id and the secret, two UUIDs (73 characters).
        if len(mail.notify_api_key) < 74:
            raise SettingError("MAIL_BACKEND is 'notify': set NOTIFY_API_KEY to an API key "
                               "from GOV.UK Notify (its API integration page)")
        if not mail.notify_template_id:
            raise SettingError("MAIL_BACKEND is 'notify': set NOTIFY_TEMPLATE_ID to the id "
                               "of the template described in docs/notify.md")
    return mail


def read_settings(config: Mapping[str, Any]) -> Settings:
    """Check the app's config and turn it into typed settings; `SettingError` says what to
    set when a setting cannot work."""
    return Settings(
        council_name=_text(config, "COUNCIL_NAME"),
        public_url=_text(config, "PUBLIC_URL").rstrip("/"),
        items_per_page=_whole(config, "ITEMS_PER_PAGE", least=1),
        draft_page_live_items=_whole(config, "DRAFT_PAGE_LIVE_ITEMS"),
        import_max_bytes=_whole(config, "IMPORT_MAX_BYTES", least=1),
        session_idle_minutes=_whole(config, "SESSION_IDLE_MINUTES", least=1),
        trusted_proxies=_whole(config, "TRUSTED_PROXIES"),
        web_workers=_whole(config, "WEB_WORKERS", least=1),
        web_threads=_whole(config, "WEB_THREADS", least=1),
        partner_link_daily_posts=_whole(config, "PARTNER_LINK_DAILY_POSTS", least=1),
        status_rules=StatusRules(
            red_overdue_days=_whole(config, "RAG_RED_OVERDUE_DAYS"),
            amber_due_within_days=_whole(config, "RAG_AMBER_DUE_WITHIN_DAYS"),
            stale_after_days=_whole(config, "STALE_AFTER_DAYS", least=1),
        ),
        sign_in=SignInRules(
            max_failures=_whole(config, "SIGN_IN_MAX_FAILURES", least=1),
            lock_for=timedelta(minutes=_whole(config, "SIGN_IN_LOCK_MINUTES", least=1)),
            max_per_address=_whole(config, "SIGN_IN_MAX_PER_ADDRESS", least=1),
            address_window=timedelta(
                minutes=_whole(config, "SIGN_IN_ADDRESS_WINDOW_MINUTES", least=1)),
        ),
        mail=_mail(config),
        reminders=ReminderSettings(
            upcoming_days=_whole(config, "REMINDER_UPCOMING_DAYS"),
            escalate_after_days=_whole(config, "REMINDER_ESCALATE_AFTER_DAYS"),
            max_attempts=_whole(config, "REMINDER_MAX_ATTEMPTS", least=1),
            retry_wait=timedelta(minutes=_whole(config, "REMINDER_RETRY_MINUTES", least=1)),
            time=_time_of_day(config, "REMINDER_TIME"),
            delivery_lease=timedelta(seconds=_seconds(config, "DELIVERY_LEASE_SECONDS")),
        ),
        scheduler=SchedulerSettings(
            report_queue_seconds=_whole(config, "REPORT_QUEUE_SECONDS", least=1),
            delivery_queue_seconds=_whole(config, "DELIVERY_QUEUE_SECONDS", least=1),
            job_lease=timedelta(seconds=_seconds(config, "JOB_LEASE_SECONDS")),
        ),
    )


def default_settings() -> Settings:
    """The settings of an installation that changes none (`tracker.config.Defaults`)."""
    return read_settings({key: getattr(Defaults, key) for key in dir(Defaults)
                          if key.isupper()})


def install_settings(app: Flask) -> Settings:
    """Read the app's settings and keep them on the app (`create_app` does this once)."""
    app.extensions[EXTENSION] = read_settings(app.config)
    return app.extensions[EXTENSION]


def settings() -> Settings:
    """The current app's settings."""
    return current_app.extensions[EXTENSION]  # type: ignore[no-any-return]


def public_url_problem(public_url: str) -> str | None:
    """Why PUBLIC_URL cannot serve a real installation, in words saying how to set it; None
    when it can. Left at its default (the address `make run` serves the demo on), every link
    in an email would lead to the reader's own computer."""
    from tracker.config import Defaults

    how = ("Set it to the address people reach the tracker on, such as "
           "https://tracker.northshire.gov.uk: in instance/config.py "
           "(PUBLIC_URL = \"https://…\") or as the environment variable TRACKER_PUBLIC_URL, "
           "then start again.")
    if public_url.rstrip("/") == Defaults.PUBLIC_URL.rstrip("/"):
        return (f"PUBLIC_URL is still its default, {Defaults.PUBLIC_URL}, so the links in "
                f"emails would lead nowhere. {how}")
    if not public_url.startswith(("https://", "http://")):
        return f"PUBLIC_URL must start with https:// (it is {public_url!r}). {how}"
    return None
