"""Time evidence packs: the demo council's, and a large county's (bench data).

Run with `.venv/bin/python benchmarks/evidence_pack.py [--scale S] [--as-of YYYY-MM-DD]`.
Each data set goes into its own temporary SQLite database built by the migrations; a pack
of every item as of today (or the day given) is asked for as a manager would, then made
exactly as the scheduler makes it (`produce_queued_packs`, committing progress after each
item). Printed: items, pages, the zip's size, total seconds and seconds per item, and how
much of it is working out the items as of the day (loading and the history) rather than
printing, and the most memory Python held while making it. Scale 1 is 200 items, 2,000
actions and 20,000 history entries
(tracker/demo/bench.py).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
import tracemalloc
import zipfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _pages(path: Path) -> int:
    import pdfplumber

    with zipfile.ZipFile(path) as archive:
        total = 0
        for name in archive.namelist():
            if name.endswith(".pdf"):
                with pdfplumber.open(io.BytesIO(archive.read(name))) as pdf:
                    total += len(pdf.pages)
        return total


def measure(label: str, load, as_of: date | None) -> dict[str, object]:
    """Load a data set into a fresh database and time one pack of all its items."""
    with tempfile.TemporaryDirectory() as folder:
        os.environ["TRACKER_INSTANCE_PATH"] = folder
        from flask_migrate import upgrade
        from sqlalchemy import select

        from tracker import clock, create_app
        from tracker.accounts.models import Role, User
        from tracker.evidence.asof import item_as_of
        from tracker.evidence.models import EvidencePack
        from tracker.evidence.service import (
            load_item,
            pack_chunks,
            pack_item_ids,
            produce_queued_packs,
            request_pack,
        )
        from tracker.extensions import db
        from tracker.settings import settings

        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite",
                          "SECRET_KEY": "bench"})
        with app.app_context():
            upgrade()
            header = load(db, app)
            day = as_of or clock.today()
            manager = db.session.scalars(
                select(User).where(User.role == Role.MANAGER).order_by(User.id)).first()
            pack = request_pack(council_id=manager.council_id, as_of=day, inspection=None,
                                actor=manager, now=clock.now())
            db.session.commit()
            pack_id = pack.id

            rules = settings().status_rules
            started = time.perf_counter()
            for item_id in pack_item_ids(pack):
                item, history = load_item(item_id)
                item_as_of(item, history, day, rules)
            working_out = time.perf_counter() - started
            db.session.expire_all()

            from reports import typesetting_cpu

            started, cpu, typesetting = time.perf_counter(), time.process_time(), \
                typesetting_cpu()
            tracemalloc.start()
            result = produce_queued_packs()
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            seconds = time.perf_counter() - started
            cpu = (time.process_time() - cpu, typesetting_cpu() - typesetting)
            pack = db.session.get(EvidencePack, pack_id)
            assert result.done == 1, pack.message
            # Written out piece by piece, as the download serves it.
            zip_path = Path(folder) / "pack.zip"
            with zip_path.open("wb") as out:
                for piece in pack_chunks(pack):
                    out.write(piece)
            return {
                "label": label, "header": header, "items": pack.items_total,
                "pages": _pages(zip_path), "size": pack.zip_size, "peak": peak,
                "seconds": seconds, "working_out": working_out, "as_of": day, "cpu": cpu,
            }


def demo(db, app) -> str:
    from tracker import clock
    from tracker.demo.data import load_demo_data

    load_demo_data(clock.today(), clock.now())
    db.session.commit()
    return "the demo council"


def bench(scale: float):
    def load(db, app) -> str:
        from tracker import clock
        from tracker.demo.bench import build_bench_data
        from tracker.settings import settings

        summary = build_bench_data(scale, council_name=None, today=clock.today(),
                                   now=clock.now(), rules=settings().status_rules)
        db.session.commit()
        counts = summary.counts
        return (f"bench data at scale {scale:g}: {counts['items']:,} items, "
                f"{counts['actions']:,} actions, {counts['updates']:,} history entries")

    return load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="bench data scale (1 is 200 items); 0 skips it")
    parser.add_argument("--as-of", type=date.fromisoformat, default=None,
                        help="the pack's day (default today)")
    options = parser.parse_args()
    runs = [measure("demo", demo, options.as_of)]
    if options.scale:
        runs.append(measure(f"scale {options.scale:g}", bench(options.scale), options.as_of))
    print(f"{'data':<12}{'items':>7}{'pages':>7}{'zip':>10}{'total s':>10}{'s/item':>9}"
          f"{'s/page':>9}{'as-of s':>9}")
    for run in runs:
        print(f"{run['label']:<12}{run['items']:>7}{run['pages']:>7}"
              f"{run['size'] // 1024:>7,} KB{run['seconds']:>10.1f}"
              f"{run['seconds'] / run['items']:>9.3f}{run['seconds'] / run['pages']:>9.3f}"
              f"{run['working_out']:>9.1f}")
    for run in runs:
        print(f"{run['label']}: {run['header']}, as of {run['as_of'].isoformat()}; CPU "
              f"{run['cpu'][0]:.1f} s in the scheduler's process and {run['cpu'][1]:.1f} s in "
              f"its typesetting worker; at most {run['peak'] / 1024 / 1024:.1f} MB held by "
              f"Python while making it (the zip is written in pieces as it is made)")
    print("'as-of s': loading every item and working it out as of the day, timed on its own "
          "without printing (the total does the same, then prints).")


if __name__ == "__main__":
    main()
