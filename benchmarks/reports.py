"""Time the progress paper of the whole plan: bench data's board that follows every inspection
(200 items and 2,000 actions at scale 1, with a real history and one issued paper before).

Run with `.venv/bin/python benchmarks/reports.py [--repeats N] [--scale S]`. Bench data
(tracker/demo/bench.py) is written into a temporary SQLite database built by the migrations;
then the board's draft snapshot and each format are timed (best of N; the PDF once, which
includes starting the typesetting worker), and the PDF's pages are counted: the body (up to
the first appendix heading) and the whole file (pdfinfo). Issue 16's targets are printed
beside the figures.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Issue 16's targets for a committee of 200 items and 2,000 actions.
TARGETS = {"snapshot": 0.3, "html": 0.2, "docx": 1.0, "pdf": 2.0}
PAGE_TARGETS = {"body": 8, "pdf": 40}
APPENDIX = re.compile(r"^Appendix [A-Z0-9]+:", re.MULTILINE)


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


def pdf_pages(pdf: bytes, folder: str) -> tuple[int, int | None, dict[str, str]]:
    """(pages in all, pages of the body or None when there is no appendix, pdfinfo's facts).

    The body ends before the page on which the first appendix heading stands (a heading
    half-way down a page counts that page to the body)."""
    import pdfplumber

    path = Path(folder, "paper.pdf")
    path.write_bytes(pdf)
    info = dict(line.split(":", 1) for line in subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
        if ":" in line)
    info = {key.strip(): value.strip() for key, value in info.items()}
    body = None
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, start=1):
            text = page.extract_text() or ""
            match = APPENDIX.search(text)
            if match:
                # Only the running header above it: the appendix starts the page.
                starts_page = len(text[:match.start()].strip().splitlines()) <= 1
                body = number - 1 if starts_page else number
                break
    return int(info["Pages"]), body, info


def word_pages(docx: bytes, folder: str) -> tuple[int, int | None] | None:
    """(pages in all, pages of the body) of the Word file as LibreOffice lays it out, or None
    without LibreOffice. The body ends as `pdf_pages` says."""
    soffice = shutil.which("soffice")
    if soffice is None:
        return None
    path = Path(folder, "paper.docx")
    path.write_bytes(docx)
    subprocess.run([soffice, f"-env:UserInstallation=file://{folder}/lo-profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(Path(folder, "word")), str(path)],
                   capture_output=True, check=True, timeout=300)
    pages, body, _info = pdf_pages(Path(folder, "word", "paper.pdf").read_bytes(),
                                   str(Path(folder, "word")))
    return pages, body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--out", help="a folder to keep the paper in (paper.html, .pdf, .docx)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["TRACKER_INSTANCE_PATH"] = folder
        from flask_migrate import upgrade
        from sqlalchemy import select

        from tracker import clock, create_app
        from tracker.committees.models import Committee
        from tracker.demo.bench import build_bench_data
        from tracker.demo.bench_plan import WHOLE_PLAN_NAME
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
            rules = settings().status_rules
            started = time.perf_counter()
            summary = build_bench_data(options.scale, council_name=None, today=clock.today(),
                                       now=clock.now(), rules=rules)
            db.session.commit()
            built = time.perf_counter() - started
            board_id = db.session.scalar(select(Committee.id).where(
                Committee.council_id == summary.council_id, Committee.name == WHOLE_PLAN_NAME))

            def snapshot():
                db.session.expire_all()
                committee = db.session.get(Committee, board_id)
                return draft_snapshot(committee, today=clock.today(), now=clock.now(),
                                      rules=rules)

            figures = {}
            figures["snapshot"], report = best_of(options.repeats, snapshot)
            figures["html"], html = best_of(options.repeats, lambda: render_html(report))
            figures["docx"], docx = best_of(options.repeats, lambda: render_docx(report))
            here = time.process_time()
            figures["pdf"], pdf = best_of(1, lambda: render_pdf(report))
            pdf_cpu = (time.process_time() - here, typesetting_cpu())
            sizes = {"html": len(html), "docx": len(docx), "pdf": len(pdf)}
            pages, body, info = pdf_pages(pdf, folder)
            word = word_pages(docx, folder)
            items = len(report.item_rags)
            if options.out:
                Path(options.out).mkdir(parents=True, exist_ok=True)
                for suffix, data in (("html", html), ("pdf", pdf), ("docx", docx)):
                    Path(options.out, f"paper.{suffix}").write_bytes(data)
        print(f"Bench data at scale {options.scale:g} built in {built:.0f} s; "
              f"{WHOLE_PLAN_NAME}: {items} items, {summary.counts['actions']:,} actions")
        print(f"{'step':<10}{'seconds':>9}{'target':>9}{'size':>12}")
        for step, seconds in figures.items():
            target = f"{TARGETS[step]:.1f}" if step in TARGETS else "-"
            size = f"{sizes[step] // 1024:,} KB" if step in sizes else ""
            print(f"{step:<10}{seconds:>9.2f}{target:>9}{size:>12}")
        print(f"pdfinfo: Tagged {info.get('Tagged', '?')}, PDF {info.get('PDF version', '?')}")
        print(f"The PDF took {pdf_cpu[1]:.2f} s of CPU in the typesetting worker (starting it "
              f"included) and {pdf_cpu[0]:.2f} s here.")
        checks = [(f"{step} seconds", figures[step], limit) for step, limit in TARGETS.items()]
        checks.append(("PDF body pages", body if body is not None else pages,
                       PAGE_TARGETS["body"]))
        checks.append(("PDF pages in all", pages, PAGE_TARGETS["pdf"]))
        if word is None:
            print("Word pages: LibreOffice (soffice) is not installed; not measured")
        else:
            checks.append(("Word body pages (LibreOffice)",
                           word[1] if word[1] is not None else word[0], PAGE_TARGETS["body"]))
        print(f"{'target':<32}{'measured':>10}{'limit':>8}  result")
        for name, measured, limit in checks:
            shown = f"{measured:.2f}" if isinstance(measured, float) else str(measured)
            print(f"{name:<32}{shown:>10}{limit:>8}  {'pass' if measured <= limit else 'FAIL'}")
        failed = [name for name, measured, limit in checks if measured > limit]
        print(f"Over target: {', '.join(failed)}" if failed else "Every target met.")


if __name__ == "__main__":
    main()
