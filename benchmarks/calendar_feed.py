"""Time the calendar feed over bench data, as a calendar polling it would ask for it.

    .venv/bin/python benchmarks/calendar_feed.py [--scale 10] [--requests 200]
        [--database sqlite|postgresql|both]

Builds bench data (tracker/demo/bench.py; scale 10 is 2,000 items, 20,000 actions and 500
people) in a temporary SQLite file and/or a throwaway PostgreSQL server
(tests/postgres_server.py), turns the feed on for the manager with the most actions, an
administrator and a committee member, and reads each feed through Flask's test client in one
process (no web server in front), as benchmarks/pages.py times pages:
- made: every read makes the feed;
- 304: the same with the ETag sent back, answered 304 with no body (still made, to compare).
Prints the median and 95th percentile of each in ms, the feed's size and events, and the
statements a read sends.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _ms(figures: tuple[float, float]) -> str:
    return f"{figures[0]:.1f} / {figures[1]:.1f}"


def _timed(client, path: str, requests: int, status: int,
           headers: dict[str, str] | None = None) -> tuple[float, float]:
    """Median and 95th percentile, in ms, of `requests` reads of `path`."""
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path, headers=headers or {})
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == status, response.status_code
    return statistics.median(timings), statistics.quantiles(timings, n=20)[-1]


def measure(name: str, database_url: str, folder: str, scale: float, requests: int) -> None:
    os.environ["TRACKER_INSTANCE_PATH"] = folder
    from flask_migrate import upgrade
    from icalendar import Calendar
    from sqlalchemy import func, select, text

    from tests.statements import recorded_statements
    from tracker import clock, create_app
    from tracker.accounts.models import User
    from tracker.calendar_feed.service import new_feed_address
    from tracker.demo.bench import build_bench_data
    from tracker.extensions import db
    from tracker.items.models import OPEN_ACTION_STATUSES, Action
    from tracker.settings import settings

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench",
                      "PUBLIC_URL": "https://tracker.example"})
    with app.app_context():
        upgrade()
        summary = build_bench_data(scale, council_name=None, today=clock.today(),
                                   now=clock.now(), rules=settings().status_rules)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        people = {}
        for label, email in (("busiest manager", summary.busiest_manager_email),
                             ("administrator", summary.admin_email),
                             ("committee member", summary.councillor_email)):
            user = db.session.scalar(select(User).where(User.email == email))
            owned = db.session.scalar(select(func.count(Action.id)).where(
                Action.owner_id == user.id, Action.status.in_(OPEN_ACTION_STATUSES)))
            people[label] = (new_feed_address(user, now=clock.now()).secret, owned)
        db.session.commit()
        engine = db.engine
        counts = summary.counts
        print(f"\n{name}: bench data at scale {scale:g}: {counts['items']:,} items, "
              f"{counts['actions']:,} actions, {counts['users']:,} users, "
              f"{counts['committees']} committees; {requests} reads each")
        db.session.remove()

    client = app.test_client()
    print(f"{'feed of':<18}{'open actions':>13}{'events':>8}{'KB':>6}{'statements':>12}"
          f"{'made':>16}{'304':>14}")
    for label, (secret, owned) in people.items():
        path = f"/calendar/{secret}.ics"
        first = client.get(path)  # notes the token's use: one write an hour, not timed
        assert first.status_code == 200, first.status_code
        etag = first.headers["ETag"]
        with app.app_context(), recorded_statements(engine) as made_statements:
            body = client.get(path).data
        made = _timed(client, path, requests, 200)
        not_modified = _timed(client, path, requests, 304, {"If-None-Match": etag})
        events = len(Calendar.from_ical(body).walk("VEVENT"))
        print(f"{label:<18}{owned:>13,}{events:>8,}{len(body) / 1024:>6.0f}"
              f"{len(made_statements):>12}{_ms(made):>16}{_ms(not_modified):>14}", flush=True)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="sqlite")
    options = parser.parse_args()
    if options.database in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(prefix="tracker-feed-") as folder:
            measure("SQLite", f"sqlite:///{folder}/bench.sqlite", folder, options.scale,
                    options.requests)
    if options.database in ("postgresql", "both"):
        from tests.postgres_server import TemporaryPostgres

        with TemporaryPostgres() as server, \
                tempfile.TemporaryDirectory(prefix="tracker-feed-") as folder:
            with server.connect() as connection:
                connection.execute("CREATE DATABASE tracker")
            measure("PostgreSQL", server.url("tracker"), folder, options.scale,
                    options.requests)


if __name__ == "__main__":
    main()
