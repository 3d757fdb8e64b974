"""Time the reminder job against a local SMTP server, and measure its memory.

Run with `.venv/bin/python benchmarks/reminders.py [--runs N] [--profile]`. In a temporary
SQLite database built by the migrations it writes 300 owners and 20,000 actions, 5,000 of
them overdue (bulk inserts: setup, not measured): 600 messages (300 digests, 300 weekly
escalations). Two processes take part, so that the two sides never share an interpreter:

- the SMTP server: aiosmtpd in a process of its own that only counts what it accepts and
  notes the time (CLOCK_MONOTONIC, shared by every process on the machine) of each message;
- the job: `send_reminders` (what `flask --app tracker reminders send` and the scheduler
  run: plan the day's emails into the delivery log, then send each one, claim, send, record)
  in a child process, on a fresh copy of the database each run, so its peak memory (VmHWM)
  is its own.

Each run is timed from its start until the job has finished and the server has accepted
every message; the median of N runs (default 7) is reported, with the planning and sending
parts. The job's process loads the app and configures the ORM's mappers (done once per
process, by whatever runs first) before its clock starts. A separate run under tracemalloc
measures what the run itself allocates; `--profile` adds a run under cProfile and prints
where the job's time goes.
Targets: 10 s, 200 MB.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import shutil
import socket
import statistics
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
TARGETS = {"seconds": 10.0, "megabytes": 200.0}
SENDER = "tracker@bench.example"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- The SMTP server, in its own process --------------------------------------------------

class Counter:
    """aiosmtpd handler that only counts what arrives, and when the last one did."""

    def __init__(self) -> None:
        self.count = 0
        self.last = 0.0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.count += 1
        self.last = time.monotonic()
        return "250 Message accepted for delivery"


def serve(port: int) -> None:
    """The server process: answers `reset` and `stats` on stdin, one JSON line each."""
    from aiosmtpd.controller import Controller

    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    print(json.dumps({"ready": True}), flush=True)
    try:
        for line in sys.stdin:
            if line.strip() == "reset":
                counter.count, counter.last = 0, 0.0
            print(json.dumps({"count": counter.count, "last": counter.last}), flush=True)
    finally:
        controller.stop()


class Server:
    """The parent's handle on the server process."""

    def __init__(self, port: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--server", str(port)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        self._reply()

    def _ask(self, command: str) -> dict:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self._reply()

    def _reply(self) -> dict:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the SMTP server process stopped")
        return json.loads(line)

    def reset(self) -> None:
        self._ask("reset")

    def stats(self) -> dict:
        return self._ask("stats")

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)


# --- The data set ---------------------------------------------------------------------------

def app_for(folder: str, port: int, database: str = "bench.sqlite"):
    from tracker import create_app

    os.environ["TRACKER_INSTANCE_PATH"] = folder
    return create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/{database}", "SECRET_KEY": "bench",
        "MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
        "MAIL_DEFAULT_SENDER": f"Tracker <{SENDER}>",
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


# --- The job, in a child process ------------------------------------------------------------

def high_water_kb() -> int:
    """This process's peak resident memory in KB. Not ru_maxrss: on Linux that keeps the
    parent's peak across fork and exec, and the parent built the data set."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_job(folder: str, port: int, database: str, mode: str) -> None:
    """In a child process: one run of the job, with this process's peak memory.

    `mode` is "timed", "traced" (tracemalloc measures what the run allocates; it slows the
    run, so it is a separate one) or "profile" (cProfile, its table written beside the
    database).
    """
    from sqlalchemy.orm import configure_mappers

    from tracker import clock
    from tracker.reminders.service import queue_reminders, send_due_deliveries

    app = app_for(folder, port, database)
    profile = cProfile.Profile() if mode == "profile" else None
    with app.app_context():
        # Once per process, whatever runs first (in the scheduler, an earlier run or job):
        # wiring up the ORM's relationships, about 70 ms.
        configure_mappers()
        if mode == "traced":
            tracemalloc.start()
        before = high_water_kb()
        cpu = time.process_time()
        started = time.monotonic()
        if profile is not None:
            profile.enable()
        # What send_reminders does, in its two parts.
        queue_reminders(clock.today(), now=clock.now())
        planned = time.monotonic()
        result = send_due_deliveries()
        if profile is not None:
            profile.disable()
        finished = time.monotonic()
        cpu = time.process_time() - cpu
        peak = high_water_kb()
        traced_peak = tracemalloc.get_traced_memory()[1] if mode == "traced" else 0
    if profile is not None:
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).strip_dirs()
        stats.sort_stats("cumulative").print_callees(
            "queue_reminders|send_due_deliveries|render_reminder|build_message|send_message")
        stats.sort_stats("tottime").print_stats(25)
        Path(folder, "profile.txt").write_text(out.getvalue())
    print(json.dumps({"started": started, "planned": planned, "finished": finished, "cpu": cpu,
                      "sent": result.sent,
                      "failed": result.failed, "peak_kb": peak, "before_kb": before,
                      "traced_peak": traced_peak}))


def child_run(folder: str, port: int, database: str, mode: str) -> dict:
    child = subprocess.run(
        [sys.executable, __file__, "--job", folder, str(port), database, mode],
        check=True, capture_output=True, text=True,
    )
    return json.loads(child.stdout.strip().splitlines()[-1])


def timed_job(server: Server, folder: str, port: int, database: str) -> dict:
    server.reset()
    job = child_run(folder, port, database, "timed")
    arrived = server.stats()
    job["delivered"] = arrived["count"]
    job["seconds"] = max(job["finished"], arrived["last"]) - job["started"]
    return job


def each(results: list[dict]) -> str:
    return ", ".join(f"{result['seconds']:.2f}" for result in results)


def main(runs: int, profile: bool) -> None:
    from flask_migrate import upgrade

    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        app = app_for(folder, port)
        with app.app_context():
            from tracker.extensions import db

            upgrade()
            started = time.perf_counter()
            build(db)
            print(f"Data set: {ACTIONS:,} actions, {OVERDUE:,} overdue, {OWNERS} owners "
                  f"(built in {time.perf_counter() - started:.1f} s)")
            db.session.remove()
            db.engine.dispose()
        # A fresh copy for every run (a run marks everything as sent).
        copies = [f"run{n}.sqlite" for n in range(runs)] + ["traced.sqlite", "profile.sqlite"]
        for copy in copies:
            shutil.copyfile(f"{folder}/bench.sqlite", f"{folder}/{copy}")

        server = Server(port)
        try:
            jobs = [timed_job(server, folder, port, copy) for copy in copies[:runs]]
            server.reset()
            traced = child_run(folder, port, "traced.sqlite", "traced")
            traced_count = server.stats()["count"]
            if profile:
                child_run(folder, port, "profile.sqlite", "profile")
        finally:
            server.stop()
        if profile:
            print(Path(folder, "profile.txt").read_text())

    job_seconds = statistics.median(job["seconds"] for job in jobs)
    planning = statistics.median(job["planned"] - job["started"] for job in jobs)
    sending = statistics.median(job["seconds"] - (job["planned"] - job["started"])
                                for job in jobs)
    megabytes = max(job["peak_kb"] for job in jobs) / 1024
    first = jobs[0]
    print(f"Reminder job: {first['delivered']:,} messages delivered ({first['sent']:,} sent, "
          f"{first['failed']} failed); median of {runs} runs {job_seconds:.2f} s "
          f"(runs: {each(jobs)}): planning {planning:.2f} s, sending {sending:.2f} s "
          f"({sending / max(first['sent'], 1) * 1000:.1f} ms a message); CPU time of the job "
          f"{statistics.median(job['cpu'] for job in jobs):.2f} s (median)")
    print(f"Peak memory: the job's whole process {megabytes:.0f} MB (VmHWM; "
          f"{first['before_kb'] / 1024:.0f} MB after loading the app, before the run); "
          f"allocated by the run itself {traced['traced_peak'] / 2**20:.0f} MB at peak "
          f"(tracemalloc, separate run of {traced_count:,} messages)")
    print(f"Targets: {TARGETS['seconds']:.0f} s, {TARGETS['megabytes']:.0f} MB")
    if any(job["delivered"] != job["sent"] for job in jobs):
        print("Not every message of the job arrived")
    over = [name for name, value in (("seconds", job_seconds), ("megabytes", megabytes))
            if value > TARGETS[name]]
    if over:
        print(f"Over target: {', '.join(over)}")


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--job":
        run_job(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
    elif len(sys.argv) == 3 and sys.argv[1] == "--server":
        serve(int(sys.argv[2]))
    else:
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--runs", type=int, default=7, help="timed runs of each side")
        parser.add_argument("--profile", action="store_true",
                            help="add a run under cProfile and print where the time goes")
        options = parser.parse_args()
        main(max(options.runs, 1), options.profile)
