"""Configuration: defaults, then `instance/config.py`, then `TRACKER_*` environment variables."""

from __future__ import annotations

import ast
import os
import secrets
from pathlib import Path
from typing import Any

ENV_PREFIX = "TRACKER_"


class Defaults:
    """Settings every installation starts from; each can be overridden."""

    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = None  # a form left open over lunch must still save
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # The session cookie only travels over HTTPS. `make run` serves plain http on 127.0.0.1
    # and turns this off (TRACKER_SESSION_COOKIE_SECURE=false); so do the tests.
    SESSION_COOKIE_SECURE = True
    # Signed out after this long without a request.
    SESSION_IDLE_MINUTES = 30
    # Sign-in: lock an email address after repeated failures; limit attempts per network
    # address (see tracker/accounts/signin.py).
    SIGN_IN_MAX_FAILURES = 5
    SIGN_IN_LOCK_MINUTES = 15
    SIGN_IN_MAX_PER_ADDRESS = 30
    SIGN_IN_ADDRESS_WINDOW_MINUTES = 10
    # The council named before anyone signs in; empty: the only council in the database, or
    # the service's name ("Improvement tracker") when it holds several.
    COUNCIL_NAME = ""
    # Status rules (see docs on "How status is worked out")
    RAG_RED_OVERDUE_DAYS = 14
    RAG_AMBER_DUE_WITHIN_DAYS = 14
    STALE_AFTER_DAYS = 30
    ITEMS_PER_PAGE = 50
    # A committee following more tracked items than this has its draft report page prepared
    # by the scheduler and shown as prepared (tracker/reports/prepared.py); a smaller one's
    # is worked out from live data each time the page opens.
    DRAFT_PAGE_LIVE_ITEMS = 500
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    # The largest inspection letter or report the importer reads.
    IMPORT_MAX_BYTES = 10 * 1024 * 1024
    # Mail. "outbox" writes each message as an .eml file in <instance>/outbox/ and sends
    # nothing out; "smtp" sends through MAIL_SERVER; "notify" through GOV.UK Notify.
    MAIL_BACKEND = "outbox"
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_DEFAULT_SENDER = "Improvement tracker <tracker@localhost>"
    MAIL_TIMEOUT = 10
    # GOV.UK Notify, when MAIL_BACKEND is "notify" (docs/notify.md). The API key is a secret:
    # set it in instance/config.py or TRACKER_NOTIFY_API_KEY, never in the code.
    NOTIFY_API_KEY = ""
    NOTIFY_TEMPLATE_ID = ""
    NOTIFY_BASE_URL = "https://api.notifications.service.gov.uk"
    NOTIFY_REPLY_TO_ID = ""
    # The address people reach the tracker on, for links in emails.
    PUBLIC_URL = "http://127.0.0.1:5000"
    # Reminders: "coming up" window, when overdue actions go to the lead officer as well,
    # and how often (with doubling waits) a failed email is tried before it is given up.
    REMINDER_UPCOMING_DAYS = 7
    REMINDER_ESCALATE_AFTER_DAYS = 14
    REMINDER_MAX_ATTEMPTS = 5
    REMINDER_RETRY_MINUTES = 15
    # When the scheduler sends the day's reminders, UK time (HH:MM).
    REMINDER_TIME = "07:00"
    # How often the scheduler looks for reports asked for in the app (PDFs, issuing).
    REPORT_QUEUE_SECONDS = 5
    # How often the scheduler sends emails waiting in the delivery log (reminders, partner
    # links, retries of failed emails once their wait is over), and looks whether the day's
    # reminder run is due.
    DELIVERY_QUEUE_SECONDS = 60
    # Leases (tracker/jobs/queue.py): a job's lock, renewed every third of it while the job
    # runs, is taken over this long after a scheduler dies; an email being sent is sent again
    # this long after a run died while sending it.
    JOB_LEASE_SECONDS = 60
    DELIVERY_LEASE_SECONDS = 300
    # The most updates one partner link may post in a UK day (docs/partner-links.md): a partner
    # needs one or two; a link that leaked stops filling the history long before anyone could
    # read it all.
    PARTNER_LINK_DAILY_POSTS = 10
    # gunicorn's worker processes under `make serve`.
    WEB_WORKERS = 2
    # Threads of each worker (gunicorn's gthread). One: no request waits for slow work (an
    # upload is read by the scheduler, tracker.uploads), and under load more threads cost CPU
    # (the GIL passed at each SQL statement: about 13 % a request with 8). With 1, the
    # hostile-uploads benchmark meets all its targets (benchmarks/README.md).
    WEB_THREADS = 1
    # Proxies in front of the app (nginx: 1): the visitor's address is then read from
    # X-Forwarded-For. 0 when nothing is in front.
    TRUSTED_PROXIES = 0


def _parse_env_value(raw: str) -> Any:
    """Read `true`/`false`, numbers and Python literals; anything else stays text."""
    lowered = raw.strip().lower()
    if lowered in {"true", "yes", "on"}:
        return True
    if lowered in {"false", "no", "off"}:
        return False
    try:
        return ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return raw


# Keys whose values are always text, however they look: a secret made of digits is a secret.
TEXT_KEY_ENDINGS = ("KEY", "PASSWORD", "SECRET", "TOKEN", "URI", "URL", "USERNAME", "SENDER",
                    "SERVER", "NAME", "PATH")


def _value_for_key(key: str, raw: str) -> Any:
    if key.endswith(TEXT_KEY_ENDINGS):
        return raw
    return _parse_env_value(raw)


def settings_from_environment(environ: dict[str, str] | os._Environ[str]) -> dict[str, Any]:
    """Every `TRACKER_KEY` variable becomes config key `KEY`; `DATABASE_URL` is an alias.

    Numbers, `true`/`false` and Python literals are parsed, except for keys that always hold
    text (secrets, addresses, names), which are kept exactly as written.
    """
    found: dict[str, Any] = {}
    database_url = environ.get("DATABASE_URL")
    if database_url:
        found["SQLALCHEMY_DATABASE_URI"] = _normalise_database_url(database_url)
    for name, value in environ.items():
        if name.startswith(ENV_PREFIX) and len(name) > len(ENV_PREFIX):
            key = name[len(ENV_PREFIX):]
            found[key] = _value_for_key(key, value)
    if "SQLALCHEMY_DATABASE_URI" in found:
        found["SQLALCHEMY_DATABASE_URI"] = _normalise_database_url(
            str(found["SQLALCHEMY_DATABASE_URI"])
        )
    return found


def _normalise_database_url(url: str) -> str:
    """Hosting platforms hand out `postgres://`; SQLAlchemy wants a driver name."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def default_database_uri(instance_path: str) -> str:
    """The embedded default: a SQLite file in the instance folder."""
    return "sqlite:///" + str(Path(instance_path) / "tracker.sqlite")


def load_or_create_secret_key(instance_path: str) -> str:
    """Generate a secret key once into the instance folder, so sessions survive restarts."""
    key_file = Path(instance_path) / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Created readable by the owner only: it signs every session cookie.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
