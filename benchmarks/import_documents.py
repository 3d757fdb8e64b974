"""Time the importer on every real document: read_document + parse_text, median of 5 runs.

Run with `.venv/bin/python benchmarks/import_documents.py [RUNS]`. The documents are the seed
texts in ../shared/seeds and the PDFs in ../shared/documents (beside the repository). For
each it prints the median time to read the file into text, to parse the text, and the
total, in milliseconds, and a PDF's pages; then the median and the slowest over letters
and over reports. The aim: a letter in under 50 ms, and no document in seconds.
Times are wall-clock: run it on a quiet machine.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SHARED = Path(__file__).resolve().parents[2] / "shared"


def documents() -> list[Path]:
    seeds = sorted((SHARED / "seeds").glob("*.txt"))
    pdfs = sorted((SHARED / "documents").glob("*.pdf"))
    return seeds + pdfs


def pages(path: Path) -> str:
    if path.suffix != ".pdf":
        return ""
    from tracker.inspections.importer import pdfchars

    with pdfchars.open_pdf(path.read_bytes()) as document:
        return str(pdfchars.page_count(document))


def time_one(path: Path, runs: int) -> tuple[float, float, int]:
    from tracker.inspections.importer import parse_text, read_document

    data = path.read_bytes()
    reads, parses = [], []
    findings = 0
    for _ in range(runs):
        started = time.perf_counter()
        text = read_document(data, path.name)
        read = time.perf_counter()
        extraction = parse_text(text)
        done = time.perf_counter()
        reads.append((read - started) * 1000)
        parses.append((done - read) * 1000)
        findings = len(extraction.findings)
    return statistics.median(reads), statistics.median(parses), findings


def main(runs: int = 5) -> None:
    paths = documents()
    if not paths:
        print(f"No documents found in {SHARED}: the real documents are not in this checkout.")
        return
    header = f"{'document':58} {'pages':>5} {'read':>8} {'parse':>8} {'total':>8}  findings"
    print(f"{header}  (ms, median of {runs})")
    letters, reports = [], []
    for path in paths:
        read, parse, findings = time_one(path, runs)
        total = read + parse
        print(
            f"{path.name:58} {pages(path):>5} {read:8.1f} {parse:8.1f} {total:8.1f}  {findings:8}"
        )
        is_letter = path.suffix == ".txt" or "focused-visit" in path.name
        (letters if is_letter else reports).append(total)
    if letters:
        median, slowest = statistics.median(letters), max(letters)
        print(
            f"\nletters (seeds and focused-visit PDFs): median {median:.1f} ms, "
            f"slowest {slowest:.1f} ms"
        )
    if reports:
        median, slowest = statistics.median(reports), max(reports)
        print(f"reports (inspection report PDFs): median {median:.1f} ms, slowest {slowest:.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
