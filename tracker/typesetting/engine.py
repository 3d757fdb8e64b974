"""Typst in worker processes: a PDF from a fixed template and data, within a time limit.

`Typesetter.typeset("report.typ", data)` hands the data, as JSON, to a worker process
(`worker.py`) that compiles the template with one reused `typst.Compiler`; the template reads
it with `json(bytes(sys.inputs.data))`. Typst has no time limit of its own, so the parent
waits at most `timeout` seconds for the answer, then kills the worker (the next document
starts a fresh one) and raises `TypesettingTimedOut`.

What a compile can reach is fixed here, whatever the data says:
- the root is the folder of templates, so `read()` and `image()` see those files only;
- fonts are a private folder of links to the Liberation Sans files (`fonts.py`), with the
  system's fonts and Typst's own ignored;
- package folders are an empty folder, and a template importing a package is refused;
- every document is tagged and declares PDF/UA-1 (`pdf_standards`).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import queue
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from tracker.typesetting import worker as worker_module
from tracker.typesetting.fonts import font_folder

log = logging.getLogger(__name__)

WORKER_SCRIPT = Path(worker_module.__file__).resolve()
# Long enough for the largest report (a 200-item plan takes about 2 s); a compile still
# running then is a fault (a template looping), not a big document.
DEFAULT_TIMEOUT = 60.0
# A worker is started again after this many documents, so whatever its compiler keeps
# between compiles never grows without end.
DOCUMENTS_PER_WORKER = 500
STARTUP_TIMEOUT = 30.0


class TypesettingError(RuntimeError):
    """A document could not be made: what went wrong, in words for the log and the person
    who asked (the data itself is never quoted)."""


class TypesettingTimedOut(TypesettingError):
    """The compile ran past its time limit; its worker was stopped."""


class _Process:
    """One worker process and its pipes."""

    def __init__(self, root: Path, fonts: Path, empty: Path) -> None:
        self.owner = os.getpid()
        self.documents = 0
        # What the worker says on standard error, kept for the message if it stops.
        self.errors: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop)
        self.popen = subprocess.Popen(  # noqa: S603 (our own script, fixed arguments)
            [sys.executable, "-I", str(WORKER_SCRIPT), str(root), str(fonts), str(empty)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errors,
            close_fds=True,
        )
        # Between sending a document and reading the whole answer: a worker left in this
        # state (an answer half read) is never given another document.
        self.in_step = False
        try:
            ready = json.loads(self._read(time.monotonic() + STARTUP_TIMEOUT)).get("ready")
        except Exception as error:
            self.kill()
            raise TypesettingError(f"The typesetting worker did not start: {error}") from error
        if not ready:
            self.kill()
            raise TypesettingError("The typesetting worker did not start")

    def _stderr(self) -> str:
        self.errors.seek(0)
        return self.errors.read().decode("utf-8", "replace").strip()[-2000:]

    def _read_exactly(self, size: int, deadline: float) -> bytes:
        assert self.popen.stdout is not None
        stream = self.popen.stdout
        chunks: list[bytes] = []
        wanted = size
        while wanted:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TypesettingTimedOut("")
            readable, _w, _x = select.select([stream], [], [], left)
            if not readable:
                raise TypesettingTimedOut("")
            chunk = os.read(stream.fileno(), min(wanted, 1 << 20))
            if not chunk:
                self.popen.wait(timeout=5)
                raise TypesettingError(
                    f"The typesetting worker stopped (exit status {self.popen.returncode}): "
                    f"{self._stderr() or 'no message'}")
            chunks.append(chunk)
            wanted -= len(chunk)
        return b"".join(chunks)

    def _read(self, deadline: float) -> bytes:
        (size,) = worker_module.HEADER.unpack(
            self._read_exactly(worker_module.HEADER.size, deadline))
        return self._read_exactly(size, deadline)

    def compile(self, request: bytes, timeout: float) -> tuple[bytes, list[str]]:
        assert self.popen.stdin is not None
        deadline = time.monotonic() + timeout
        self.documents += 1
        self.in_step = True
        try:
            worker_module.write_message(self.popen.stdin, request)
            self.popen.stdin.flush()
        except BrokenPipeError as error:
            raise TypesettingError(f"The typesetting worker stopped: {self._stderr()}") \
                from error
        answer = json.loads(self._read(deadline))
        if not answer["ok"]:
            self.in_step = False
            raise TypesettingError(f"The document could not be typeset: {answer['error']}")
        pdf = self._read(deadline)
        self.in_step = False
        return pdf, answer["warnings"]

    def alive(self) -> bool:
        """Running, ours, and ready for the next document."""
        return self.popen.poll() is None and self.owner == os.getpid() and not self.in_step

    def stop(self) -> None:
        """End the worker: at once (a kill) if it is busy or stuck."""
        if self.owner != os.getpid():
            return  # a forked copy of the object: the process belongs to the parent
        with contextlib.suppress(OSError):
            if self.popen.stdin is not None:
                self.popen.stdin.close()
        try:
            self.popen.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
        with contextlib.suppress(OSError):
            if self.popen.stdout is not None:
                self.popen.stdout.close()
        self.errors.close()

    def kill(self) -> None:
        self.popen.kill()
        self.popen.wait()
        self.stop()


class Typesetter:
    """Up to `workers` worker processes for one folder of templates, started when first
    needed and kept for the next document; threads of one process share them, each document
    taking a worker of its own."""

    def __init__(self, root: Path, *, workers: int = 1,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        self.root = root.resolve()
        self.workers = workers
        self.timeout = timeout
        self._fonts = font_folder()
        self._empty = Path(tempfile.mkdtemp(prefix="tracker-typst-packages-"))
        atexit.register(shutil.rmtree, self._empty, ignore_errors=True)
        self._idle: queue.SimpleQueue[_Process] = queue.SimpleQueue()
        self._started = 0
        self._lock = threading.Lock()
        self._owner = os.getpid()
        self._all: list[_Process] = []
        atexit.register(self.close)

    @contextlib.contextmanager
    def _process(self) -> Iterator[_Process]:
        """A worker of this process for one document: an idle one, a new one while fewer
        than `workers` run, else the next to come free."""
        with self._lock:
            if self._owner != os.getpid():
                # Forked (a web server's workers): the parent's worker processes are not ours.
                self._idle, self._all, self._started = queue.SimpleQueue(), [], 0
                self._owner = os.getpid()
            start_one = self._idle.empty() and self._started < self.workers
            if start_one:
                self._started += 1
        if start_one:
            try:
                process = _Process(self.root, self._fonts, self._empty)
            except BaseException:
                with self._lock:
                    self._started -= 1
                raise
            with self._lock:
                self._all.append(process)
        else:
            process = self._idle.get()
        keep = False
        try:
            yield process
            keep = process.alive() and process.documents < DOCUMENTS_PER_WORKER
        finally:
            if keep:
                self._idle.put(process)
            else:
                process.stop()
                with self._lock:
                    self._started -= 1
                    with contextlib.suppress(ValueError):
                        self._all.remove(process)

    def typeset(self, template: str, data: Mapping[str, Any], *,
                created: datetime | None = None, timeout: float | None = None) -> bytes:
        """The PDF of `template` (a file name in the root) given `data` (plain JSON data).

        `created` dates the document (its metadata); without it Typst uses the moment of
        compiling, so pass it for bytes that are the same each time. Raises
        `TypesettingTimedOut` after `timeout` seconds, `TypesettingError` on any failure.
        """
        limit = self.timeout if timeout is None else timeout
        request = json.dumps({
            "template": template,
            "data": json.dumps(data, ensure_ascii=False, separators=(",", ":")),
            "timestamp": int(created.timestamp()) if created is not None else None,
        }).encode("utf-8")
        with self._process() as process:
            try:
                pdf, warnings = process.compile(request, limit)
            except TypesettingTimedOut:
                process.kill()
                raise TypesettingTimedOut(
                    f"Typesetting {template} took longer than {limit:g} seconds and was "
                    f"stopped") from None
        for warning in warnings:
            log.warning("Typesetting %s: %s", template, warning)
        return pdf

    def worker_ids(self) -> list[int]:
        """The process ids of this typesetter's running workers."""
        with self._lock:
            return [process.popen.pid for process in self._all if process.alive()]

    def close(self) -> None:
        """Stop every worker (at exit, or in a test)."""
        if self._owner != os.getpid():
            return
        with self._lock:
            processes, self._all = self._all, []
        for process in processes:
            process.stop()
        with self._lock:
            self._idle, self._started = queue.SimpleQueue(), 0
