"""Uploaded files are read in a fresh, bounded process: never in the web process, and not
while a web request waits (the scheduler asks, tracker.uploads.service).

`read_untrusted(reader, data, **options)` starts a new interpreter (`python -m
tracker.untrusted READER OPTIONS`: spawned, not a fork of the scheduler, so it holds nothing
of the app's), which limits itself to MEMORY_BYTES of address space (RLIMIT_AS) before it
reads anything, reads the file from its standard input with one of the readers named in
READERS, and answers in JSON on its standard output. The parent waits at most SECONDS (wall
clock), then kills it. A file that needs more memory or time than that ends the child, not the
scheduler; the readers also count characters as they read and stop at their own limits.

One child reads one file and ends: whatever a hostile file did to the reader's libraries
(PDFium, lxml, openpyxl) is gone with it. Starting one costs about a quarter of a second.

What the caller gets:
- the reader's answer (JSON data: text, rows, a template's styles);
- `Refused(message)`: the reader's own refusal, its message for people (a damaged file, a
  password, too much text);
- `LimitReached(limit)`: the child ran out of memory or time, or its answer was too large;
  `limit.words(subject, advice)` says which limit and what to do;
- `ReaderFailed`: anything else (the reader tripped over the file): the caller's own
  "cannot be read" message.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import re
import subprocess  # noqa: S404 (the child is our own module, run with our own interpreter)
import sys
import traceback
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

MEMORY_BYTES = 256 * 1024 * 1024
SECONDS = 10.0
# The largest answer the child may send back (JSON): the scheduler reads it whole.
MAX_ANSWER_BYTES = 24 * 1024 * 1024
_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Reader:
    """A function of the tracker that reads a file's bytes (and keyword options) into JSON
    data, and the exception class whose message it raises for people. `damaged` names the
    messages it gives when its library fails on a file: given after the child came near its
    memory limit, they mean the memory ran out, and are answered as the memory limit."""

    function: str  # "module:function"
    problem: str  # "module:ExceptionClass"
    damaged: str  # "module:NAME" of a tuple of messages


READERS: dict[str, Reader] = {
    "inspection-document": Reader(
        "tracker.inspections.importer.extract:read_document",
        "tracker.inspections.importer.model:ImportProblem",
        "tracker.inspections.importer.extract:DAMAGED_MESSAGES"),
    "plan-spreadsheet": Reader(
        "tracker.plan_import.reading:read_spreadsheet_as_data",
        "tracker.plan_import.reading:SpreadsheetProblem",
        "tracker.plan_import.reading:DAMAGED_MESSAGES"),
    "word-template": Reader(
        "tracker.reports.word_template:inspect_package_as_data",
        "tracker.reports.word_template:TemplateProblem",
        "tracker.reports.word_template:DAMAGED_MESSAGES"),
}


class Limit(Enum):
    """A limit the child reached."""

    MEMORY = "memory"
    TIME = "time"
    ANSWER = "answer"

    def words(self, subject: str, advice: str) -> str:
        """The message for people: which limit, and what to do (`advice`)."""
        reason = {
            Limit.MEMORY: f"reading it needs more than {MEMORY_BYTES // (1024 * 1024)} MB of "
                          "memory, far more than any real document",
            Limit.TIME: f"reading it took longer than {SECONDS:g} seconds, far longer than any "
                        "real document takes",
            Limit.ANSWER: f"it holds more than {MAX_ANSWER_BYTES // (1024 * 1024)} MB of text, "
                          "far more than any real document",
        }[self]
        return f"{subject} could not be read within the tracker's limits: {reason}. {advice}"


class UntrustedFileError(Exception):
    """Reading an uploaded file in its child process did not give an answer."""


class Refused(UntrustedFileError):
    """The reader refused the file; `message` says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LimitReached(UntrustedFileError):
    """The child reached a limit (memory, time, or the size of its answer)."""

    def __init__(self, limit: Limit) -> None:
        super().__init__(f"the {limit.value} limit was reached")
        self.limit = limit


class ReaderFailed(UntrustedFileError):
    """The reader failed on the file without a message for people."""


def read_untrusted(reader: str, data: bytes, *, seconds: float | None = None,
                   **options: Any) -> Any:
    """The answer of READERS[reader] on `data`, read in a fresh child process within
    MEMORY_BYTES of memory and `seconds` (SECONDS) of wall-clock time. Raises `Refused`,
    `LimitReached` or `ReaderFailed`."""
    if reader not in READERS:
        raise ValueError(f"no reader called {reader!r}")
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
                   "PYTHONPATH": str(_ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        finished = subprocess.run(  # noqa: S603 (our interpreter, our module, no shell)
            [sys.executable, "-m", "tracker.untrusted", reader, json.dumps(options)],
            input=data, capture_output=True, env=environment, cwd=_ROOT, check=False,
            timeout=SECONDS if seconds is None else seconds)
    except subprocess.TimeoutExpired as error:
        raise LimitReached(Limit.TIME) from error
    try:
        answer = json.loads(finished.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        if finished.returncode < 0 or finished.returncode == _OUT_OF_MEMORY:
            # Ended by a signal: the libraries in C (PDFium, lxml) abort when an allocation
            # fails, which with the address space limited means the memory ran out.
            raise LimitReached(Limit.MEMORY) from error
        logger.error("The %s reader ended (status %s) without an answer: %s", reader,
                     finished.returncode, finished.stderr.decode("utf-8", "replace")[-2000:])
        raise ReaderFailed(f"the reader ended with status {finished.returncode}") from error
    if "ok" in answer:
        return answer["ok"]
    if "problem" in answer:
        raise Refused(answer["problem"])
    if "limit" in answer:
        raise LimitReached(Limit(answer["limit"]))
    logger.error("The %s reader failed: %s", reader, answer.get("error", "")[-2000:])
    raise ReaderFailed(answer.get("error", "").rsplit("\n", 2)[-2:][0])


# --- The child process ----------------------------------------------------------------------

_OUT_OF_MEMORY = 3  # the child's exit status when even its answer did not fit


def _child(argv: list[str]) -> None:
    """Limit this process, read the file from standard input with the named reader, and
    answer {"ok": …}, {"problem": …}, {"limit": …} or {"error": …} on standard output."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    # A backstop, should the parent be gone: the parent's wall-clock limit comes first.
    cpu = int(SECONDS) + 5
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    reader = READERS[argv[1]]
    options = json.loads(argv[2])
    try:
        answer = _answer(reader, sys.stdin.buffer.read(), options)
        out = json.dumps(answer, ensure_ascii=False).encode("utf-8")
        if len(out) > MAX_ANSWER_BYTES:
            out = json.dumps({"limit": Limit.ANSWER.value}).encode()
    except MemoryError:
        out = None
    if out is None:
        # Whatever the answer held is let go before the few bytes of this one are made.
        out = b'{"limit": "memory"}'
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()


def _answer(reader: Reader, data: bytes, options: dict[str, Any]) -> dict[str, Any]:
    function, problem_class, damaged = map(_named, (reader.function, reader.problem,
                                                    reader.damaged))
    try:
        return {"ok": function(data, **options)}
    except MemoryError:
        return {"limit": Limit.MEMORY.value}
    except problem_class as problem:
        message = getattr(problem, "message", None) or str(problem)
        if _ran_out_of_memory(problem) or (message in damaged and _near_the_limit()):
            return {"limit": Limit.MEMORY.value}
        return {"problem": message}
    except Exception as error:
        if _ran_out_of_memory(error) or _near_the_limit():
            return {"limit": Limit.MEMORY.value}
        return {"error": "".join(traceback.format_exception(error))}


def _named(name: str) -> Any:
    module, attribute = name.split(":")
    return getattr(importlib.import_module(module), attribute)


def _ran_out_of_memory(error: BaseException) -> bool:
    """Whether a MemoryError is among the causes of `error`."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, MemoryError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _near_the_limit() -> bool:
    """Whether this process has used three quarters of its address space: a library in C
    that fails then (lxml says only "unknown error") has run out of memory."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return False
    found = re.search(r"^VmPeak:\s+(\d+) kB", status, re.M)
    return bool(found) and int(found[1]) * 1024 > MEMORY_BYTES * 3 // 4


if __name__ == "__main__":
    _child(sys.argv)
