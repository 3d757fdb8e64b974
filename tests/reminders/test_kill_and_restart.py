"""The real scheduler process, killed (SIGKILL) in the middle of the morning's reminders and
started again: every email arrives, none is lost, and at most one arrives twice (the one the
server had accepted when the process died, before its outcome was committed)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from tests.factories import (
    ActionFactory,
    CouncilFactory,
    InspectionFactory,
    ItemFactory,
    UserFactory,
)
from tests.reminders.conftest import Inbox, SmtpServer, free_port
from tracker.extensions import db
from tracker.jobs.models import RunState
from tracker.reminders.models import Delivery

ROOT = Path(__file__).resolve().parent.parent.parent
OWNERS = 200
# Short leases, so the restarted scheduler takes over at once (the settings are a minute and
# five minutes in production).
LEASE_SECONDS = "2"


class SlowInbox(Inbox):
    """A server that takes a few milliseconds over each message, so the kill lands mid-run."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        await asyncio.sleep(0.02)
        return await super().handle_DATA(server, session, envelope)


def wait_for(condition, what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Gave up waiting for {what}")
        time.sleep(0.05)


def not_sent() -> int:
    with db.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(Delivery)
                                  .where(Delivery.state != RunState.DONE)).scalar_one()


def planned() -> int:
    with db.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(Delivery)).scalar_one()


def test_a_scheduler_killed_mid_run_and_started_again_loses_no_email_and_repeats_one_at_most(
    app, database_uri, tmp_path
):
    council = CouncilFactory()
    inspection = InspectionFactory(council=council)
    addresses = [f"owner{n}@northshire.example" for n in range(OWNERS)]
    for address in addresses:
        owner = UserFactory(council=council, email=address)
        # Each owner leads their own item: one digest each, no escalation.
        item = ItemFactory(finding__inspection=inspection, lead_officer=owner)
        ActionFactory(item=item, owner=owner, due_date=date(2020, 1, 6))
    db.session.commit()

    smtp = SmtpServer(free_port())
    smtp.inbox = SlowInbox()
    smtp.start()
    logs = tmp_path / "scheduler.log"
    environment = {
        **os.environ,
        "TRACKER_SQLALCHEMY_DATABASE_URI": database_uri,
        "TRACKER_INSTANCE_PATH": str(tmp_path / "instance"),
        "TRACKER_SECRET_KEY": "kill-test-secret",
        "TRACKER_MAIL_BACKEND": "smtp",
        "TRACKER_MAIL_SERVER": "127.0.0.1",
        "TRACKER_MAIL_PORT": str(smtp.port),
        "TRACKER_MAIL_DEFAULT_SENDER": "Tracker <tracker@northshire.example>",
        # The scheduler runs on the real clock: the day's reminders are due from midnight.
        "TRACKER_REMINDER_TIME": "00:00",
        "TRACKER_DELIVERY_QUEUE_SECONDS": "1",
        "TRACKER_REPORT_QUEUE_SECONDS": "3600",
        "TRACKER_JOB_LEASE_SECONDS": LEASE_SECONDS,
        "TRACKER_DELIVERY_LEASE_SECONDS": LEASE_SECONDS,
    }

    def scheduler() -> subprocess.Popen:
        with logs.open("ab") as log:
            return subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "tracker", "scheduler"],
                cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)

    first = second = None
    try:
        first = scheduler()
        wait_for(lambda: len(smtp.inbox.messages) >= 40, "the first emails")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        arrived_before = len(smtp.inbox.messages)

        # Killed in the middle: everything was planned, not everything has gone.
        assert planned() == OWNERS
        assert 40 <= arrived_before < OWNERS
        assert not_sent() > 0

        second = scheduler()
        wait_for(lambda: not_sent() == 0, "the restarted scheduler to send the rest")
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=20)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        smtp.stop()

    copies = Counter(rcpts[0] for rcpts, _ in smtp.inbox.messages)
    assert set(copies) == set(addresses), logs.read_text()[-3000:]
    assert sum(1 for count in copies.values() if count > 1) <= 1
    assert max(copies.values()) <= 2
