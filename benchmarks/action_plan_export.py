"""Time the action-plan download: reading the rows, writing Excel, writing CSV.

`.venv/bin/python benchmarks/action_plan_export.py [--scale N] [--repeat R]` builds bench data
(tracker/demo/bench.py; scale 1 is 200 items and 2,000 actions) in a temporary SQLite file and
prints the median of R runs of each step.
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


def main(scale: float, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        os.environ["TRACKER_INSTANCE_PATH"] = folder
        from flask_migrate import upgrade
        from sqlalchemy import select

        from tracker import clock, create_app
        from tracker.accounts.models import Council
        from tracker.demo.bench import build_bench_data
        from tracker.extensions import db
        from tracker.items.export import action_plan_rows, plan_as_csv, plan_as_xlsx
        from tracker.settings import settings

        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite",
                          "SECRET_KEY": "bench"})
        with app.app_context():
            upgrade()
            rules = settings().status_rules
            build_bench_data(scale, council_name=None, today=clock.today(), now=clock.now(),
                             rules=rules)
            db.session.commit()
            council_id = db.session.scalar(select(Council.id))
            times: dict[str, list[float]] = {"reading": [], "Excel": [], "CSV": []}
            size = {}
            for _ in range(repeat):
                db.session.expire_all()
                started = time.perf_counter()
                rows = action_plan_rows(council_id, clock.today(), rules)
                times["reading"].append(time.perf_counter() - started)
                started = time.perf_counter()
                size["Excel"] = len(plan_as_xlsx(rows, title="Action plan"))
                times["Excel"].append(time.perf_counter() - started)
                started = time.perf_counter()
                size["CSV"] = len(plan_as_csv(rows))
                times["CSV"].append(time.perf_counter() - started)
            print(f"Scale {scale:g}: {len(rows):,} rows; median of {repeat}")
            for step, values in times.items():
                extra = f", {size[step] / 1e6:.1f} MB" if step in size else ""
                print(f"  {step:8} {statistics.median(values):6.2f} s{extra}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    main(arguments.scale, arguments.repeat)
