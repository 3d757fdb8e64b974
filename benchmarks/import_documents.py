"""The importer over any folder of documents: what it reads from each, and how fast.

Run with `.venv/bin/python benchmarks/import_documents.py [FOLDER ...] [--runs N]
[--in-process]`. Each FOLDER's PDFs (and .docx and .txt files) go through the whole pipeline
as an upload does: read in a fresh bounded process (`tracker.untrusted`, its start included),
then `parse_text`; `--in-process` calls `read_document` in this process instead, to time the
reading alone. With no folder, the seed texts in ../shared/seeds and the PDFs in
../shared/documents and ../shared/documents/more (beside the repository).

For each document it prints its pages, the kind read, the findings per category (S
strengths, M meets requirements, D areas for development, P priority actions, I areas for
improvement; "+n LSCB" where some are the Local Safeguarding Children Board's), the
consistency warnings, and the time to read and parse it (the median of N runs, in ms).
A document the importer refuses is listed with the reason, one that crashes it with the
error. For the set: documents read, refused, crashed, and the median and slowest time; and
any document of 50 pages or fewer over the target of 0.5 s.

Times are wall-clock: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEFAULT_FOLDERS = [SHARED / "seeds", SHARED / "documents", SHARED / "documents" / "more"]
SUFFIXES = {".pdf", ".docx", ".txt"}
TARGET_SECONDS = 0.5
TARGET_PAGES = 50
LETTERS = {
    "strengths": "S",
    "meets_requirements": "M",
    "areas_for_development": "D",
    "priority_actions": "P",
    "areas_for_improvement": "I",
}


def documents(folders: list[Path]) -> list[Path]:
    """The documents of each folder (not its sub-folders), in name order."""
    found = []
    for folder in folders:
        found += sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
    return found


def pages(path: Path) -> int | None:
    if path.suffix.lower() != ".pdf":
        return None
    from tracker.inspections.importer import pdfchars

    try:
        with pdfchars.open_pdf(path.read_bytes()) as document:
            return pdfchars.page_count(document)
    except Exception:  # a PDF the reader refuses has no page count to show
        return None


def findings_words(extraction) -> str:
    """"P 3+2 LSCB, I 16+7 LSCB, S 11": each category's findings, the LSCB's counted apart."""
    counts = Counter((f.category, f.body) for f in extraction.findings)
    words = []
    for name, letter in LETTERS.items():
        local = counts[(name, "local_authority")]
        lscb = counts[(name, "lscb")]
        if local or lscb:
            words.append(f"{letter} {local}" + (f"+{lscb} LSCB" if lscb else ""))
    return ", ".join(words) or "none"


def cpu_seconds() -> float:
    """CPU time of this process and of the child processes it has waited for (a bounded
    reader's), which moves little with whatever else the machine is doing."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def bounded_import(data: bytes, name: str):
    """The upload's way: the text read in a fresh bounded process, then parsed here."""
    from tracker import untrusted
    from tracker.inspections.importer import MAX_BYTES, ImportProblem, parse_text

    try:
        text = untrusted.read_untrusted("inspection-document", data, filename=name,
                                        max_bytes=MAX_BYTES)
    except untrusted.Refused as refused:
        raise ImportProblem(refused.message) from refused
    except untrusted.LimitReached as reached:
        raise ImportProblem(f"over a limit: {reached}") from reached
    return text, parse_text(str(text))


def run_one(path: Path, runs: int, in_process: bool):
    """(outcome, median seconds, median CPU seconds, extraction or message): outcome is read,
    refused or crashed."""
    from tracker.inspections.importer import ImportProblem, import_document

    data = path.read_bytes()
    times, cpu = [], []
    extraction = None
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), cpu_seconds()
        try:
            if in_process:
                _text, extraction = import_document(data, path.name)
            else:
                _text, extraction = bounded_import(data, path.name)
        except ImportProblem as problem:
            return "refused", time.perf_counter() - started, 0.0, str(problem)
        except Exception as error:  # the benchmark's job is to count these, not stop at one
            message = "".join(traceback.format_exception_only(error)).strip()
            return "crashed", time.perf_counter() - started, 0.0, message
        times.append(time.perf_counter() - started)
        cpu.append(cpu_seconds() - started_cpu)
    return "read", statistics.median(times), statistics.median(cpu), extraction


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="*", type=Path, help="folders of documents")
    parser.add_argument("--runs", type=int, default=3, help="runs per document (median)")
    parser.add_argument("--in-process", action="store_true",
                        help="read in this process, without the bounded reader's start")
    args = parser.parse_args()
    folders = args.folders or [f for f in DEFAULT_FOLDERS if f.is_dir()]
    paths = documents(folders)
    if not paths:
        print(f"No documents found in {', '.join(map(str, folders)) or SHARED}.")
        return
    print(f"{'document':52} {'pages':>5} {'kind':13} {'ms':>6} {'cpu ms':>6}  "
          "findings; warnings")
    outcomes: Counter[str] = Counter()
    times: list[tuple[float, str]] = []
    cpus: list[float] = []
    over_target = []
    problems = []
    for path in paths:
        outcome, seconds, cpu, result = run_one(path, args.runs, args.in_process)
        outcomes[outcome] += 1
        count = pages(path)
        name = path.name if len(path.name) <= 52 else path.name[:51] + "…"
        if outcome != "read":
            problems.append(f"{outcome}: {path.name}: {result}")
            print(f"{name:52} {count or '':>5} {outcome.upper():13} {seconds * 1000:6.0f} "
                  f"{'':6}  {result[:80]}")
            continue
        times.append((seconds, path.name))
        cpus.append(cpu)
        if (count or 0) <= TARGET_PAGES and seconds > TARGET_SECONDS:
            over_target.append(f"{path.name}: {seconds:.2f} s, {count} pages")
        warnings = len(result.warnings)
        note = "; note points back" if result.note else ""
        kind = (result.document_kind or "?").removeprefix("ofsted_")[:13]
        print(f"{name:52} {count or '':>5} {kind:13} {seconds * 1000:6.0f} {cpu * 1000:6.0f}  "
              f"{findings_words(result)}; "
              f"{warnings or 'no'} warning{'s' if warnings != 1 else ''}{note}")
    print()
    how = "in this process" if args.in_process else "in a fresh bounded process each"
    print(f"{len(paths)} documents, read {how}: {outcomes['read']} read, "
          f"{outcomes['refused']} refused, {outcomes['crashed']} crashed")
    for problem in problems:
        print(f"  {problem}")
    if times:
        median = statistics.median(t for t, _ in times)
        slowest, which = max(times)
        print(f"read and parse (median of {args.runs} runs each): median {median * 1000:.0f} ms, "
              f"slowest {slowest * 1000:.0f} ms ({which}); CPU median "
              f"{statistics.median(cpus) * 1000:.0f} ms, most {max(cpus) * 1000:.0f} ms")
    print(f"over {TARGET_SECONDS} s with {TARGET_PAGES} pages or fewer: "
          + ("; ".join(over_target) if over_target else "none"))


if __name__ == "__main__":
    main()
