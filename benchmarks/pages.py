"""Time the main pages: median and 95th percentile per page.

Run with `make bench` (or `.venv/bin/python benchmarks/pages.py [REQUESTS_PER_PAGE]`) over the
demo council, or over bench data with `--scale N` (1 is a large county: 200 items, 2,000
actions, 20,000 history entries; 10 is ten times that; see tracker/demo/bench.py):
`.venv/bin/python benchmarks/pages.py 50 --scale 10`. `--profile 'items, filtered'` times that
page alone under cProfile and prints where its time went. `--page dashboard` (repeatable) times
only the pages named; `--freeze` moves everything loaded before the first request out of the
garbage collector's sight (`gc.freeze()`), as gunicorn's workers do, so that a full collection
of the bench data's leftovers does not land in whichever page runs.

Requests go through Flask's test client in one process, so the figures are the app's own time
per page (database, rules, templates) without a web server or network in front. The database is
a temporary SQLite file built by the migrations. Nothing is kept between requests: every
request works its page out, but for a large committee's draft page, which shows the draft the
scheduler prepared (tracker/reports/prepared.py): its first request queues the preparation,
which is produced here before the page is timed. benchmarks/load/run.py measures the same pages
served by gunicorn under load.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _demo_pages(db) -> tuple[str, dict[str, tuple[str, int]]]:
    from sqlalchemy import select

    from tracker import clock
    from tracker.accounts.models import Role, User
    from tracker.demo.data import load_demo_data
    from tracker.inspections.models import Inspection
    from tracker.items.models import Action, Item

    load_demo_data(clock.today(), clock.now())
    db.session.commit()
    admin_id = db.session.scalars(select(User.id).where(User.role == Role.ADMIN)).first()
    owner_id = db.session.scalar(select(Action.owner_id).limit(1))
    item_id = db.session.scalar(select(Item.id).limit(1))
    action_id = db.session.scalar(select(Action.id).limit(1))
    inspection_id = db.session.scalar(select(Inspection.id).limit(1))
    counts = (db.session.query(Item).count(), db.session.query(Action).count())
    return f"Demo council: {counts[0]} items, {counts[1]} actions", {
        "dashboard": ("/", admin_id),
        "items list": ("/items", admin_id),
        "items, filtered": ("/items?state=red&priority=high&q=the", admin_id),
        "item page": (f"/items/{item_id}", admin_id),
        "action page": (f"/actions/{action_id}", admin_id),
        "update form": (f"/actions/{action_id}/update", admin_id),
        "my actions": ("/my-actions", owner_id),
        "inspection page": (f"/inspections/{inspection_id}", admin_id),
        "health, signed in": ("/health", admin_id),
        "status rule page": ("/how-status-is-worked-out", admin_id),
    }


def bench_pages(db, app, scale: float,
                password: str | None = None) -> tuple[str, dict[str, tuple[str, int]]]:
    """Build bench data of this scale; the pages to time, each with the user who opens it."""
    from sqlalchemy import func, select

    from tracker import clock
    from tracker.accounts.models import User
    from tracker.committees.models import Committee, committee_inspection
    from tracker.demo.bench import build_bench_data
    from tracker.inspections.models import Finding, Inspection
    from tracker.items.models import OPEN_ACTION_STATUSES, Action, Item, ItemStatus
    from tracker.reports.models import IssuedReport
    from tracker.settings import settings

    summary = build_bench_data(scale, council_name=None, today=clock.today(), now=clock.now(),
                               rules=settings().status_rules, password=password)
    db.session.commit()

    def user(email: str) -> int:
        return db.session.scalar(select(User.id).where(User.email == email))

    admin_id, manager_id = user(summary.admin_email), user(summary.busiest_manager_email)
    councillor_id = user(summary.councillor_email)
    # The open item with the most actions; the busiest manager's open action with the most
    # history; the newest inspection; the first committee and its latest issued report.
    item_id = db.session.scalar(
        select(Action.item_id).join(Action.item).where(Item.status == ItemStatus.OPEN)
        .group_by(Action.item_id).order_by(func.count().desc(), Action.item_id).limit(1))
    action_id = db.session.scalar(
        select(Action.id).where(Action.owner_id == manager_id,
                                Action.status.in_(OPEN_ACTION_STATUSES))
        .order_by(Action.last_updated_at.desc()).limit(1))
    inspection_id = db.session.scalar(
        select(Inspection.id).order_by(Inspection.letter_date.desc()).limit(1))
    committee_id = db.session.scalar(select(Committee.id).order_by(Committee.id).limit(1))
    # The committee that follows the most items (bench data's board follows every inspection).
    largest_id = db.session.scalar(
        select(committee_inspection.c.committee_id)
        .join(Finding, Finding.inspection_id == committee_inspection.c.inspection_id)
        .join(Item, Item.finding_id == Finding.id)
        .group_by(committee_inspection.c.committee_id)
        .order_by(func.count().desc(), committee_inspection.c.committee_id).limit(1))
    issued_id = db.session.scalar(
        select(IssuedReport.id).where(IssuedReport.committee_id == committee_id)
        .order_by(IssuedReport.version.desc()).limit(1))
    counts = summary.counts
    last_page = -(-counts["items"] // settings().items_per_page)
    header = (f"Bench data at scale {scale:g} (built in {summary.seconds:.0f} s): "
              f"{counts['items']:,} items, {counts['actions']:,} actions, "
              f"{counts['updates']:,} history entries, {counts['users']:,} users")
    return header, {
        "dashboard": ("/", admin_id),
        "dashboard (manager)": ("/", manager_id),
        "items list": ("/items", admin_id),
        "items, filtered": ("/items?state=red&priority=high&q=the", admin_id),
        "items, last page": (f"/items?page={last_page}", admin_id),
        "item page": (f"/items/{item_id}", admin_id),
        "action page": (f"/actions/{action_id}", admin_id),
        "update form": (f"/actions/{action_id}/update", manager_id),
        "my actions": ("/my-actions", manager_id),
        "inspections list": ("/inspections", councillor_id),
        "inspection page": (f"/inspections/{inspection_id}", admin_id),
        "committees list": ("/committees", councillor_id),
        "committee page": (f"/committees/{committee_id}", councillor_id),
        "reports list": ("/reports", councillor_id),
        "issued report": (f"/reports/{issued_id}", councillor_id),
        "draft report": (f"/committees/{committee_id}/report", admin_id),
        "draft report, largest": (f"/committees/{largest_id}/report", admin_id),
        "users list": ("/users", admin_id),
        "reminders admin": ("/admin/reminders", admin_id),
        # What every signed-in page pays besides its own work: the health check (the session
        # and the person, no page) and a page that reads nothing of its own (the layout).
        "health, signed in": ("/health", manager_id),
        "status rule page": ("/how-status-is-worked-out", manager_id),
    }


def _sign_in(app, client, user_id: int) -> None:
    """Start a session for this user as signing in would (sessions are kept on the server, so
    the cookie must name one)."""
    from tracker import clock
    from tracker.accounts.models import User
    from tracker.accounts.sessions import SESSION_KEY, start_session
    from tracker.extensions import db

    with app.app_context():
        secret = start_session(db.session.get(User, user_id), now=clock.now())
        db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session[SESSION_KEY] = secret
        session["_fresh"] = True
        session["seen_at"] = int(clock.now().timestamp())


def _produce_queued(app) -> int:
    """Produce the report runs waiting (the scheduler's "report-queue" job); how many."""
    from tracker.reports.runs import produce_queued_reports

    with app.app_context():
        return produce_queued_reports().done


def main(requests_per_page: int = 50, scale: float | None = None,
         profile: str | None = None, only: list[str] | None = None,
         freeze: bool = False) -> None:
    with tempfile.TemporaryDirectory() as folder:
        os.environ["TRACKER_INSTANCE_PATH"] = folder
        from flask_migrate import upgrade
        from sqlalchemy import event

        from tracker import create_app
        from tracker.extensions import db

        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite", "SECRET_KEY": "bench"}
        )
        with app.app_context():
            upgrade()
            if scale is None:
                header, pages = _demo_pages(db)
            else:
                header, pages = bench_pages(db, app, scale)
            engine = db.engine
        for name in ([profile] if profile is not None else []) + (only or []):
            if name not in pages:
                raise SystemExit(f"No page called {name!r}: one of {', '.join(pages)}")
        if profile is not None:
            pages = {profile: pages[profile]}
        elif only:
            pages = {name: pages[name] for name in only}
        if freeze:
            gc.collect()
            gc.freeze()

        print(f"{header}; {requests_per_page} requests per page")
        # CPU ms is this process's own time (SQLite runs in it too), which a loaded machine
        # disturbs far less than the wall clock.
        print(f"{'page':<20}{'median ms':>10}{'p95 ms':>10}{'CPU ms':>10}{'SQL':>5}")
        client = app.test_client()
        statements: list[str] = []
        event.listen(engine, "before_cursor_execute",
                     lambda conn, cursor, statement, *rest: statements.append(statement))
        for name, (path, user_id) in pages.items():
            _sign_in(app, client, user_id)
            client.get(path)  # the first request of a page compiles its templates and SQL
            # A large committee's draft page queued its preparation: let the scheduler's work
            # run, as it would beside the web, so the page is timed as people see it, prepared.
            if _produce_queued(app):
                client.get(path)
            timings = []
            statements.clear()
            profiler = cProfile.Profile(time.process_time) if profile else None
            cpu_started = time.process_time()
            for _ in range(requests_per_page):
                started = time.perf_counter()
                if profiler:
                    profiler.enable()
                response = client.get(path)
                if profiler:
                    profiler.disable()
                timings.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{path} answered {response.status_code}")
            cpu = (time.process_time() - cpu_started) * 1000 / requests_per_page
            p95 = statistics.quantiles(timings, n=20)[-1]
            print(f"{name:<20}{statistics.median(timings):>10.1f}{p95:>10.1f}{cpu:>10.1f}"
                  f"{len(statements) // requests_per_page:>5}", flush=True)
            if profiler:
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("requests_per_page", nargs="?", type=int, default=50)
    parser.add_argument("--scale", type=float, default=None,
                        help="time the pages over bench data of this scale instead of the demo")
    parser.add_argument("--profile", metavar="PAGE", default=None,
                        help="time only this page (a name from the table, e.g. 'items, filtered') "
                        "under cProfile and print where its time went")
    parser.add_argument("--page", metavar="PAGE", action="append", default=None,
                        help="time only this page (repeatable)")
    parser.add_argument("--freeze", action="store_true",
                        help="gc.freeze() before the first request, as gunicorn's workers do")
    arguments = parser.parse_args()
    main(arguments.requests_per_page, arguments.scale, arguments.profile, arguments.page,
         arguments.freeze)
