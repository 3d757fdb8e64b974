"""Laying a Word file out as a reader's office suite does: LibreOffice converts it to PDF,
poppler reads the PDF back.

Each conversion runs `soffice --headless` with a profile of its own in the test's temporary
folder (two xdist workers converting at once would otherwise fight over one profile), bounded
by a timeout. LibreOffice (Debian's libreoffice-writer-nogui) and poppler-utils are installed
by `make install` when missing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

TIMEOUT_SECONDS = 180
# The body of an A4 page in PDF points: the header and footer (in the 2 cm margins) are
# left out, so the words counted are the paper's own, once each.
BODY_TOP, BODY_HEIGHT = 50, 742


@dataclass
class LaidOut:
    """The PDF LibreOffice made of a Word file, as poppler reads it."""

    pdf: Path

    @property
    def pages(self) -> int:
        info = _run(["pdfinfo", str(self.pdf)])
        return int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])

    def page_texts(self) -> list[str]:
        """The text of each page, header and footer included."""
        return _run(["pdftotext", str(self.pdf), "-"]).split("\f")[:self.pages]

    def text(self) -> str:
        """All the text, every run of white space made one space."""
        return " ".join(" ".join(self.page_texts()).split())

    def body_words(self) -> Counter[str]:
        """How often each word of the pages' bodies (not headers and footers) occurs."""
        # -layout: the plain mode joins a word broken after a hyphen at a line's end
        # ("out-of-" "hours" becomes "out-ofhours").
        body = _run(["pdftotext", "-layout", "-x", "0", "-y", str(BODY_TOP), "-W", "600", "-H",
                     str(BODY_HEIGHT), str(self.pdf), "-"])
        return Counter(unicodedata.normalize("NFKC", body).split())


def _run(command: list[str]) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True,  # noqa: S603
                          timeout=60).stdout


def lay_out(data: bytes, folder: Path, name: str = "paper") -> LaidOut:
    """The Word file `data` converted to PDF by LibreOffice, in `folder`."""
    soffice = shutil.which("soffice")
    if soffice is None or shutil.which("pdftotext") is None:
        pytest.fail("LibreOffice or poppler is missing: `make install` installs "
                    "libreoffice-writer-nogui and poppler-utils")
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"{name}.docx"
    source.write_bytes(data)
    profile = folder / "libreoffice-profile"
    subprocess.run(  # noqa: S603
        [soffice, "--headless", "--norestore", "--nolockcheck",
         f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", "pdf", "--outdir", str(folder), str(source)],
        capture_output=True, check=True, timeout=TIMEOUT_SECONDS,
        env={"PATH": "/usr/bin:/bin", "HOME": str(folder), "LANG": "C.UTF-8"})
    pdf = folder / f"{name}.pdf"
    assert pdf.exists(), "LibreOffice made no PDF"
    return LaidOut(pdf)


def keep(laid_out: LaidOut, name: str) -> None:
    """Keep the PDF and its page count in test-artifacts/word/ for people to look at."""
    folder = Path(__file__).resolve().parents[2] / "test-artifacts" / "word"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(laid_out.pdf, folder / f"{name}.pdf")
    (folder / f"{name}.pages.txt").write_text(f"{laid_out.pages}\n")
