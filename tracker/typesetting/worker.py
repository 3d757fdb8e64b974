"""The typesetting worker: one Typst compiler in a process of its own, fed documents on its
standard input, answering PDF bytes on its standard output.

`tracker.typesetting.engine` starts it as `python -I worker.py ROOT FONTS EMPTY`, so it imports
nothing but the standard library and `typst` (not the tracker, not Flask), and kills it when a
compile runs past its time. One `typst.Compiler` is made at start and reused for every
document, so fonts are read and parsed once per worker.

- ROOT is the folder of templates, the only files a document can read;
- FONTS is a folder holding only the font files the documents may use (the system's fonts
  are ignored, and so are the fonts inside the Typst binary);
- EMPTY is an empty folder given as the package folders; a template that imports a package
  (`@preview/…`) is refused before it is compiled, so nothing is ever downloaded.

Each message, both ways, is a 4-byte big-endian length and that many bytes. A request is one
JSON message: {"template": "report.typ", "data": "<JSON text>", "timestamp": seconds or null}.
The answer is a JSON message {"ok": true, "warnings": [...]} followed by the PDF as a second
message, or {"ok": false, "error": "..."} alone.
"""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path
from typing import Any, BinaryIO

HEADER = struct.Struct(">I")
PDF_STANDARDS = ["ua-1"]
# How a template would bring in a package: refused, so a compile never reaches the network.
PACKAGE_MARKS = ('"@preview/', '"@local/', "'@preview/")


def read_message(stream: BinaryIO) -> bytes | None:
    """The next message, or None when the other side closed the pipe."""
    head = stream.read(HEADER.size)
    if len(head) < HEADER.size:
        return None
    (size,) = HEADER.unpack(head)
    body = stream.read(size)
    if len(body) < size:
        return None
    return body


def write_message(stream: BinaryIO, body: bytes) -> None:
    stream.write(HEADER.pack(len(body)))
    stream.write(body)


class Worker:
    """One compiler, and the templates it may compile."""

    def __init__(self, root: Path, fonts: Path, empty: Path) -> None:
        # Imported here, in the worker only: the tracker's own processes import this module
        # for its protocol and never load the compiler.
        import typst

        self.root = root.resolve()
        self.checked: set[str] = set()
        self.compiler = typst.Compiler(
            root=str(self.root),
            font_paths=typst.Fonts(include_system_fonts=False, include_embedded_fonts=False,
                                   font_paths=[str(fonts)]),
            ignore_system_fonts=True,
            package_path=str(empty),
            package_cache_path=str(empty),
        )

    def template(self, name: str) -> Path:
        """A template of the root, by its file name; never a path outside it."""
        path = (self.root / name).resolve()
        if path.parent != self.root or path.suffix != ".typ" or not path.is_file():
            raise ValueError(f"no template called {name!r}")
        if name not in self.checked:
            source = path.read_text(encoding="utf-8")
            if any(mark in source for mark in PACKAGE_MARKS):
                raise ValueError(f"the template {name!r} imports a package, which is not "
                                 f"allowed")
            self.checked.add(name)
        return path

    def compile(self, request: dict[str, Any]) -> tuple[bytes, list[str]]:
        path = self.template(request["template"])
        pdf, warnings = self.compiler.compile_with_warnings(
            input=str(path), format="pdf", sys_inputs={"data": request["data"]},
            pdf_standards=PDF_STANDARDS, timestamp=request.get("timestamp"),
        )
        assert isinstance(pdf, bytes)
        return pdf, [warning.message for warning in warnings]


def serve(worker: Worker, source: BinaryIO, sink: BinaryIO) -> None:
    """Answer requests until the other side closes the pipe."""
    while (message := read_message(source)) is not None:
        try:
            pdf, warnings = worker.compile(json.loads(message))
        except Exception as error:  # every failure is answered, and the worker goes on
            # Typst's diagnostic names the template's line and gives its hints; the data is
            # never source, so it is not quoted there.
            detail = getattr(error, "diagnostic", None) or str(error)
            answer = {"ok": False, "error": detail.strip()}
            write_message(sink, json.dumps(answer).encode())
        else:
            write_message(sink, json.dumps({"ok": True, "warnings": warnings}).encode())
            write_message(sink, pdf)
        sink.flush()


def main(argv: list[str]) -> None:
    root, fonts, empty = (Path(arg) for arg in argv[1:4])
    worker = Worker(root, fonts, empty)
    # Ready: the parent waits for this before sending work, so a worker that cannot start
    # says so at once.
    write_message(sys.stdout.buffer, json.dumps({"ok": True, "ready": True}).encode())
    sys.stdout.buffer.flush()
    serve(worker, sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    main(sys.argv)
