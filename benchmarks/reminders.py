"""Time one run of the reminder job against a local SMTP server, beside raw smtplib.

Run with `.venv/bin/python benchmarks/reminders.py`. In a temporary SQLite database built by
the migrations it writes 300 owners and 20,000 actions, 5,000 of them overdue (bulk inserts:
setup, not measured), starts an aiosmtpd server on 127.0.0.1 that only counts messages, and
times `send_reminders` (what `flask --app tracker reminders send` runs) from its start until
every message has been accepted by the server. The job runs in a child process so that its
peak memory (VmHWM) is its own, not the setup's. Then the same messages (the very ones
the job stored in the delivery log) are sent with raw smtplib over one connection.
Targets: 10 s, 200 MB, 1.5 times raw smtplib.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

OWNERS = 300
ITEMS = 500
ACTIONS = 20_000
OVERDUE = 5_000
TARGETS = {"seconds": 10.0, "megabytes": 200.0, "ratio": 1.5}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Counter:
    """aiosmtpd handler that only counts what arrives."""

    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.count += 1
        return "250 Message accepted for delivery"


def app_for(folder: str, port: int, database: str = "bench.sqlite"):
    from tracker import create_app

    os.environ["TRACKER_INSTANCE_PATH"] = folder
    return create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/{database}", "SECRET_KEY": "bench",
        "MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
        "MAIL_DEFAULT_SENDER": "Tracker <tracker@bench.example>",
        "PUBLIC_URL": "https://tracker.bench.example",
    })


def build(db) -> None:
    """Owners and items through the services, then the actions in one bulk insert."""
    from sqlalchemy import insert

    from tracker import clock
    from tracker.accounts.models import Role
    from tracker.accounts.service import create_user, get_or_create_council
    from tracker.inspections.models import FindingCategory
    from tracker.inspections.service import create_inspection
    from tracker.items import service as items
    from tracker.items.models import Action, Priority

    today, now = clock.today(), clock.now()
    council = get_or_create_council("Benchmark County Council")
    admin = create_user(council=council, email="admin@bench.example", name="Alex Admin",
                        role=Role.ADMIN, password=None)
    owners = [create_user(council=council, email=f"owner{n}@bench.example",
                          name=f"Owner {n}", role=Role.MANAGER, password=None)
              for n in range(OWNERS)]
    inspection = create_inspection(
        council_id=council.id, letter_date=today - timedelta(days=200),
        title="Inspection of children's services",
        visit_dates=[today - timedelta(days=230)],
    )
    item_ids = [items.create_item(
        inspection=inspection, category=FindingCategory.AREA_FOR_DEVELOPMENT,
        finding_text=f"Finding {n}: managers' oversight is not always recorded.",
        title=f"Improvement area {n}", lead_officer=owners[n % OWNERS], theme="Practice",
        priority=Priority.MEDIUM,
        target_date=today + timedelta(days=90), measure_of_success="Audits show it.",
        actor=admin, now=now,
    ).id for n in range(ITEMS)]
    rows = []
    for n in range(ACTIONS):
        # The first 5,000 are 1 to 60 days overdue; the rest are due from 30 days on.
        due = (today - timedelta(days=1 + n % 60) if n < OVERDUE
               else today + timedelta(days=30 + n % 300))
        rows.append({"item_id": item_ids[n % ITEMS], "owner_id": owners[(n * 7) % OWNERS].id,
                     "description": f"Action {n}: themed audit of case files and a workshop "
                                    "with staff on recording the child's views",
                     "due_date": due, "original_due_date": due, "created_by_id": admin.id,
                     "created_at": now, "last_updated_at": now})
    db.session.execute(insert(Action), rows)
    db.session.commit()


def high_water_kb() -> int:
    """This process's peak resident memory in KB. Not ru_maxrss: on Linux that keeps the
    parent's peak across fork and exec, and the parent built the data set."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_job(folder: str, port: int, database: str, traced: bool) -> None:
    """In a child process: the job, timed, with this process's peak memory.

    With `traced`, tracemalloc also measures what the run itself allocates (it slows the run,
    so the timed run is a separate one, on its own copy of the database).
    """
    from tracker import clock
    from tracker.reminders.service import send_reminders

    app = app_for(folder, port, database)
    with app.app_context():
        if traced:
            tracemalloc.start()
        before = high_water_kb()
        started = time.perf_counter()
        result = send_reminders(clock.today(), now=clock.now())
        elapsed = time.perf_counter() - started
        peak = high_water_kb()
        traced_peak = tracemalloc.get_traced_memory()[1] if traced else 0
    print(json.dumps({"seconds": elapsed, "sent": result.sent, "failed": result.failed,
                      "peak_kb": peak, "before_kb": before, "traced_peak": traced_peak}))


def child_run(folder: str, port: int, database: str, *, traced: bool) -> dict:
    child = subprocess.run(
        [sys.executable, __file__, "--job", folder, str(port), database, str(int(traced))],
        check=True, capture_output=True, text=True,
    )
    return json.loads(child.stdout.strip().splitlines()[-1])


def main() -> None:
    from aiosmtpd.controller import Controller
    from flask_migrate import upgrade
    from sqlalchemy import select

    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        app = app_for(folder, port)
        with app.app_context():
            from tracker.extensions import db
            from tracker.reminders.models import Delivery

            upgrade()
            started = time.perf_counter()
            build(db)
            print(f"Data set: {ACTIONS:,} actions, {OVERDUE:,} overdue, {OWNERS} owners "
                  f"(built in {time.perf_counter() - started:.1f} s)")
            db.session.remove()
            db.engine.dispose()
            # A second copy for the run under tracemalloc (the first run marks all as sent).
            shutil.copyfile(f"{folder}/bench.sqlite", f"{folder}/traced.sqlite")

            counter = Counter()
            controller = Controller(counter, hostname="127.0.0.1", port=port)
            controller.start()
            try:
                job = child_run(folder, port, "bench.sqlite", traced=False)
                job_count = counter.count
                counter.count = 0
                traced = child_run(folder, port, "traced.sqlite", traced=True)
                traced_count = counter.count

                # The same messages, as stored, sent with raw smtplib over one connection.
                messages = [(row.to_address, row.message) for row in db.session.execute(
                    select(Delivery.to_address, Delivery.message))]
                counter.count = 0
                started = time.perf_counter()
                with smtplib.SMTP("127.0.0.1", port) as smtp:
                    for to, message in messages:
                        smtp.sendmail("tracker@bench.example", [to], message.encode("utf-8"))
                raw_seconds = time.perf_counter() - started
                raw_count = counter.count
            finally:
                controller.stop()

    megabytes = job["peak_kb"] / 1024
    ratio = job["seconds"] / raw_seconds
    size = sum(len(message) for _, message in messages) / len(messages)
    print(f"Reminder job: {job_count:,} messages delivered ({job['sent']:,} sent, "
          f"{job['failed']} failed) in {job['seconds']:.2f} s")
    print(f"Peak memory: the job's whole process {megabytes:.0f} MB (VmHWM; "
          f"{job['before_kb'] / 1024:.0f} MB after loading the app, before the run); "
          f"allocated by the run itself {traced['traced_peak'] / 2**20:.0f} MB at peak "
          f"(tracemalloc, separate run of {traced_count:,} messages)")
    print(f"Raw smtplib, one connection: {raw_count:,} messages (average {size / 1024:.1f} KB) "
          f"in {raw_seconds:.2f} s")
    print(f"Ratio: {ratio:.2f} times raw smtplib")
    print(f"Targets: {TARGETS['seconds']:.0f} s, {TARGETS['megabytes']:.0f} MB, "
          f"{TARGETS['ratio']} times raw")
    over = [name for name, value in (("seconds", job["seconds"]), ("megabytes", megabytes),
                                     ("ratio", ratio)) if value > TARGETS[name]]
    if over:
        print(f"Over target: {', '.join(over)}")


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--job":
        run_job(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5] == "1")
    else:
        main()
