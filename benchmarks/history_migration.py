"""How long migration 0013 (the history as typed values) takes over a large history.

`.venv/bin/python benchmarks/history_migration.py [--scale 10] [--database sqlite|postgresql|both]`

For each database: bench data at the scale (10: 2,000 items, 20,000 actions, 200,000 history
entries) is built at the newest revision, then the database is taken back to revision 0012,
whose downgrade writes the history back in words exactly as the tracker wrote it before 0013
("In progress", "9 January 2027", people's names). Then `flask db upgrade` from 0012 to 0013
is timed, as a council upgrading would run it; the downgrade's time is printed too.

PostgreSQL is a throwaway server (tests/postgres_server.py), without durability (fsync off), so
its figure is a floor: a production server writing to disk takes longer.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def measure(label: str, database_url: str, scale: float, folder: str) -> None:
    os.environ["TRACKER_INSTANCE_PATH"] = folder
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from tracker import clock, create_app
    from tracker.demo.bench import build_bench_data
    from tracker.extensions import db
    from tracker.settings import settings

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        summary = build_bench_data(scale, council_name=None, today=clock.today(),
                                   now=clock.now(), rules=settings().status_rules)
        db.session.commit()
        built = time.perf_counter() - started
        db.session.remove()

        started = time.perf_counter()
        downgrade(revision="0012")
        down = time.perf_counter() - started
        # Settle the downgrade's disk work before the upgrade is timed.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            rows = connection.execute(text('SELECT count(*) FROM "update"')).scalar()
            if db.engine.dialect.name == "postgresql":
                connection.execute(text("VACUUM ANALYZE"))
            else:
                connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.engine.dispose()

        started = time.perf_counter()
        upgrade()
        up = time.perf_counter() - started
        db.engine.dispose()
    print(f"{label}, scale {scale:g}: bench data built in {built:.0f} s "
          f"({summary.counts['updates']:,} history entries); downgrade to 0012 "
          f"(values to words) {down:.1f} s, {rows:,} rows of `update`; "
          f"upgrade 0012 to 0013 (words to values) {up:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"),
                        default="sqlite")
    options = parser.parse_args()
    os.chdir(ROOT)  # Flask-Migrate finds migrations/ from here
    if options.database in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(prefix="tracker-history-") as folder:
            measure("SQLite", f"sqlite:///{folder}/bench.sqlite", options.scale, folder)
    if options.database in ("postgresql", "both"):
        from tests.postgres_server import TemporaryPostgres

        with TemporaryPostgres() as server, \
                tempfile.TemporaryDirectory(prefix="tracker-history-") as folder:
            with server.connect() as connection:
                connection.execute("CREATE DATABASE tracker")
            measure("PostgreSQL", server.url("tracker"), options.scale, folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
