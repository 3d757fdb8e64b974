"""Time a large progress report: 200 items and 2,000 actions with a real history.

Run with `.venv/bin/python benchmarks/reports.py [REPEATS]`. The data set is written through
the services into a temporary SQLite database built by the migrations, then the snapshot and
each format are timed (best of REPEATS; the PDF once, as Typst would reuse its layout of the
same snapshot a second time, and that once includes starting the typesetting worker).
Targets: HTML 0.3 s, Word 2 s, PDF 2 s.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ITEMS = 200
ACTIONS_PER_ITEM = 10
TARGETS = {"html": 0.3, "docx": 2.0, "pdf": 2.0}


def build(db, today: date, items_count: int = ITEMS, actions_per_item: int = ACTIONS_PER_ITEM,
          council_name: str = "Benchmark County Council") -> int:
    """A committee, its inspection, its items and actions, returning the committee id."""
    from tracker.accounts.models import Role
    from tracker.accounts.service import create_user, get_or_create_council
    from tracker.committees.models import CommitteeMeeting
    from tracker.committees.service import save_committee
    from tracker.inspections.models import FindingCategory
    from tracker.inspections.service import create_inspection
    from tracker.items import service as items
    from tracker.items.models import ActionStatus, Priority

    council = get_or_create_council(council_name)
    domain = f"c{council.id}.example"
    admin = create_user(council=council, email=f"admin@{domain}", name="Alex Admin",
                        role=Role.ADMIN, password=None)
    managers = [create_user(council=council, email=f"m{n}@{domain}", name=f"Manager {n}",
                            role=Role.MANAGER, password=None,
                            job_title="Service manager") for n in range(10)]
    inspection = create_inspection(
        council_id=council.id, letter_date=today - timedelta(days=400),
        title="Annual unannounced inspection of contact, referral and assessment arrangements",
        visit_dates=[today - timedelta(days=430), today - timedelta(days=429)],
    )
    start = datetime.combine(today - timedelta(days=390), datetime.min.time(), tzinfo=UTC)
    categories = [FindingCategory.PRIORITY_ACTION] + [FindingCategory.AREA_FOR_DEVELOPMENT] * 9
    for n in range(items_count):
        lead = managers[n % len(managers)]
        item = items.create_item(
            inspection=inspection, category=categories[n % 10],
            finding_text=f"Finding {n}: case records do not consistently show the child's "
                         f"views, and managers' oversight is not always recorded.",
            title=f"Improvement area {n}", lead_officer=lead, theme="Practice",
            priority=list(Priority)[n % 3], target_date=today + timedelta(days=n % 300 - 60),
            measure_of_success="Nine in ten audited files judged good.", actor=admin,
            now=start,
        )
        for m in range(actions_per_item):
            due = today + timedelta(days=(n * 7 + m * 31) % 420 - 240)
            action = items.add_action(
                item, actor=lead, now=start, owner=managers[(n + m) % len(managers)],
                description=f"Action {m} for area {n}: themed audit and workshop with staff",
                due_date=max(due, start.date()),
            )
            moment = start + timedelta(days=(n + m * 13) % 360)
            if m % 3 == 0:
                items.update_action(action, actor=lead, now=moment, expected_version=None,
                                    status=ActionStatus.COMPLETE, commentary="Done",
                                    evidence_link="")
            elif m % 3 == 1:
                items.update_action(action, actor=lead, now=moment, expected_version=None,
                                    status=ActionStatus.IN_PROGRESS, commentary="Started",
                                    evidence_link="")
            if m % 7 == 2 and action.is_open:
                items.change_due_date(action, actor=lead, now=moment + timedelta(hours=1),
                                      new_date=action.due_date + timedelta(days=30),
                                      reason="Staff shortages")
    committee = save_committee(None, council_id=council.id, name="Scrutiny Committee",
                               report_of="Report of the Director of Children's Services",
                               members=[], inspections=[inspection])
    committee.contact_name = "Meg Officer"
    for weeks in (3, 11, 19):
        db.session.add(CommitteeMeeting(committee=committee,
                                        meeting_date=today + timedelta(weeks=weeks)))
    db.session.commit()
    return committee.id


def typesetting_cpu() -> float:
    """CPU seconds used so far by this process's typesetting workers (from /proc): the PDF's
    cost whatever else the machine is doing."""
    from tracker.typesetting import typesetter

    total = 0.0
    for pid in typesetter().worker_ids():
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def best_of(repeats: int, work) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def main(repeats: int = 3) -> None:
    with tempfile.TemporaryDirectory() as folder:
        os.environ["TRACKER_INSTANCE_PATH"] = folder
        import pdfplumber
        from flask_migrate import upgrade

        from tracker import clock, create_app
        from tracker.committees.models import Committee
        from tracker.extensions import db
        from tracker.reports.render_docx import render_docx
        from tracker.reports.render_html import render_html
        from tracker.reports.render_pdf import render_pdf
        from tracker.reports.service import draft_snapshot
        from tracker.settings import settings

        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite",
                          "SECRET_KEY": "bench"})
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            committee_id = build(db, clock.today())
            print(f"Data set: {ITEMS} items, {ITEMS * ACTIONS_PER_ITEM} actions "
                  f"(built in {time.perf_counter() - started:.1f} s)")
            rules = settings().status_rules

            def snapshot(which: int):
                db.session.expire_all()
                committee = db.session.get(Committee, which)
                return draft_snapshot(committee, today=clock.today(), now=clock.now(),
                                      rules=rules)

            figures = {}
            figures["snapshot"], report = best_of(repeats, lambda: snapshot(committee_id))
            figures["html"], html = best_of(repeats, lambda: render_html(report))
            figures["docx"], docx = best_of(repeats, lambda: render_docx(report))
            here = time.process_time()
            figures["pdf"], pdf = best_of(1, lambda: render_pdf(report))
            pdf_cpu = (time.process_time() - here, typesetting_cpu())
            sizes = {"html": len(html), "docx": len(docx), "pdf": len(pdf)}
            with pdfplumber.open(io.BytesIO(pdf)) as document:
                pages = len(document.pages)
            # A committee of the usual size, for the time a person waits for a download.
            typical_id = build(db, clock.today(), items_count=20, actions_per_item=5,
                               council_name="Typical County Council")
            typical = snapshot(typical_id)
            typical_pdf, typical_bytes = best_of(1, lambda: render_pdf(typical))
            with pdfplumber.open(io.BytesIO(typical_bytes)) as document:
                typical_pages = len(document.pages)
        print(f"{'step':<10}{'seconds':>9}{'target':>9}{'size':>12}")
        for step, seconds in figures.items():
            target = f"{TARGETS[step]:.1f}" if step in TARGETS else "-"
            size = f"{sizes[step] // 1024:,} KB" if step in sizes else ""
            print(f"{step:<10}{seconds:>9.2f}{target:>9}{size:>12}")
        print(f"The PDF has {pages} pages ({figures['pdf'] / pages:.2f} s a page); it took "
              f"{pdf_cpu[1]:.2f} s of CPU in the typesetting worker (starting it included) "
              f"and {pdf_cpu[0]:.2f} s here.")
        print(f"A committee of 20 items and 100 actions: PDF of {typical_pages} pages in "
              f"{typical_pdf:.2f} s.")
        slow = [step for step, limit in TARGETS.items() if figures[step] > limit]
        if slow:
            print(f"Over target: {', '.join(slow)}")

if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
