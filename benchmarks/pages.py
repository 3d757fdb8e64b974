"""Time the main pages over the demo council: median and 95th percentile per page.

Run with `make bench` (or `.venv/bin/python benchmarks/pages.py [REQUESTS_PER_PAGE]`).
Requests go through Flask's test client in one process, so the figures are the app's own
time per page (database, rules, templates) without a web server or network in front.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(requests_per_page: int = 50) -> None:
    with tempfile.TemporaryDirectory() as folder:
        os.environ["TRACKER_INSTANCE_PATH"] = folder
        from flask_migrate import upgrade
        from sqlalchemy import select

        from tracker import clock, create_app
        from tracker.accounts.models import Role, User
        from tracker.demo.data import load_demo_data
        from tracker.extensions import db
        from tracker.inspections.models import Inspection
        from tracker.items.models import Action, Item

        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite", "SECRET_KEY": "bench"}
        )
        with app.app_context():
            upgrade()
            load_demo_data(clock.today(), clock.now())
            db.session.commit()
            admin = db.session.scalars(select(User).where(User.role == Role.ADMIN)).first()
            owner_id = db.session.scalar(select(Action.owner_id).limit(1))
            item_id = db.session.scalar(select(Item.id).limit(1))
            action_id = db.session.scalar(select(Action.id).limit(1))
            inspection_id = db.session.scalar(select(Inspection.id).limit(1))
            counts = (db.session.query(Item).count(), db.session.query(Action).count())
            admin_id = admin.id

        pages = {
            "dashboard": ("/", admin_id),
            "items list": ("/items", admin_id),
            "items, filtered": ("/items?rag=red&priority=high&q=the", admin_id),
            "item page": (f"/items/{item_id}", admin_id),
            "action page": (f"/actions/{action_id}", admin_id),
            "update form": (f"/actions/{action_id}/update", admin_id),
            "my actions": ("/my-actions", owner_id),
            "inspection page": (f"/inspections/{inspection_id}", admin_id),
        }
        print(f"Demo council: {counts[0]} items, {counts[1]} actions; "
              f"{requests_per_page} requests per page")
        print(f"{'page':<18}{'median ms':>10}{'p95 ms':>10}")
        client = app.test_client()
        for name, (path, user_id) in pages.items():
            with client.session_transaction() as session:
                session["_user_id"] = str(user_id)
            timings = []
            for _ in range(requests_per_page):
                started = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{path} answered {response.status_code}")
            p95 = statistics.quantiles(timings, n=20)[-1]
            print(f"{name:<18}{statistics.median(timings):>10.1f}{p95:>10.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
