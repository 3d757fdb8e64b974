"""Reading a PDF back as a reader's software does: poppler's pdftotext and pdfinfo (Debian's
poppler-utils, which `make install` puts on the machine), and pdfplumber for the tags."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.pdftypes import resolve1


def _poppler(tool: str, data: bytes, *arguments: str) -> str:
    path = shutil.which(tool)
    assert path, f"{tool} is missing: install Debian's poppler-utils (make install does)"
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "document.pdf"
        pdf.write_bytes(data)
        done = subprocess.run([path, *arguments, str(pdf), "-"], capture_output=True,
                              check=True, timeout=60)
    return done.stdout.decode("utf-8")


def pdftotext(data: bytes, *crop: str) -> str:
    """The PDF's text as pdftotext reads it, pages separated by a form feed; `crop` may give
    pdftotext's -x, -y, -W and -H (an area of each page, in points)."""
    return _poppler("pdftotext", data, "-enc", "UTF-8", *crop)


def pdftotext_pages(data: bytes) -> list[str]:
    """The text of each page (pdftotext)."""
    pages = pdftotext(data).split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def pdfinfo(data: bytes) -> dict[str, str]:
    """pdfinfo's answers ("Tagged": "yes", "Title": …)."""
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "document.pdf"
        pdf.write_bytes(data)
        path = shutil.which("pdfinfo")
        assert path, "pdfinfo is missing: install Debian's poppler-utils (make install does)"
        done = subprocess.run([path, str(pdf)], capture_output=True, check=True, timeout=60)
    pairs = (line.split(":", 1) for line in done.stdout.decode("utf-8").splitlines()
             if ":" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def xmp(data: bytes) -> str:
    """The PDF's XMP metadata (where PDF/UA is declared)."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return resolve1(pdf.doc.catalog["Metadata"]).get_data().decode("utf-8")


def structure(data: bytes) -> list[dict[str, Any]]:
    """Every element of the PDF's structure tree (its tags), in reading order, each with its
    `depth` and `children`'s types."""
    found: list[dict[str, Any]] = []

    def walk(element: dict[str, Any], depth: int) -> None:
        children = element.get("children", [])
        found.append({**element, "depth": depth, "child_types": [c["type"] for c in children]})
        for child in children:
            walk(child, depth + 1)

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for element in pdf.structure_tree:
            walk(element, 0)
    return found


def tagged_text(data: bytes, element: dict[str, Any]) -> str:
    """The text of one structure element (its marked content on its pages)."""
    mcids: dict[int, set[int]] = {}

    def collect(node: dict[str, Any], page: int | None) -> None:
        page = node.get("page_number", page)
        for mcid in node.get("mcids", []):
            mcids.setdefault(page, set()).add(mcid)
        for child in node.get("children", []):
            collect(child, page)

    collect(element, None)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        chars = [char["text"] for number, wanted in sorted(mcids.items())
                 for char in pdf.pages[number - 1].chars if char.get("mcid") in wanted]
    return "".join(chars)


def squeeze(text: str) -> str:
    """Text without white space: lines wrap, and a long word wraps anywhere."""
    return re.sub(r"\s+", "", text)
