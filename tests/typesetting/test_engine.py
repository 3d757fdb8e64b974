"""The typesetting engine: a template and its data make a tagged PDF in a worker process that
can reach the templates' folder and Liberation Sans only, and is stopped when a compile runs
past its time."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.typesetting.helpers import pdfinfo, pdftotext, squeeze, xmp
from tracker.typesetting import (
    TEMPLATES,
    Typesetter,
    TypesettingError,
    TypesettingTimedOut,
)
from tracker.typesetting.fonts import FILE_NAMES, FontsMissing, find_font_files

HERE = Path(__file__).resolve().parent
TEST_TEMPLATES = HERE / "templates"

HOSTILE = [
    '#read("/etc/passwd")', "@label", "#for x in range(9999999) {}", "$x^2$",
    '<script>alert("owned")</script>', "{ MERGEFIELD x }", "a\ttab", "back\\slash",
    "*bold*", "= heading", "#image(\"/etc/passwd\")", "_under_ `raw` \\#",
]
# (A 10,000-character word is wrapped by the tracker's templates, which tests/reports and
# tests/evidence check; this test's template prints its text as it is, off the page.)


@pytest.fixture
def typesetter():
    made = Typesetter(TEST_TEMPLATES, workers=2, timeout=20)
    yield made
    made.close()


def test_data_is_printed_as_the_text_it_is_never_run_as_markup(typesetter):
    for hostile in HOSTILE:
        text = pdftotext(typesetter.typeset("shows-data.typ", {"text": hostile}))
        assert squeeze(hostile) in squeeze(text), hostile[:40]
        assert "root:x:0" not in text


def test_a_compile_that_runs_past_its_time_is_stopped_and_the_next_document_is_made():
    typesetter = Typesetter(TEST_TEMPLATES, timeout=1)
    try:
        typesetter.typeset("shows-data.typ", {"text": "before"})
        (worker,) = typesetter.worker_ids()
        started = time.monotonic()
        with pytest.raises(TypesettingTimedOut,
                           match="runaway.typ took longer than 1 seconds and was stopped"):
            typesetter.typeset("runaway.typ", {})
        assert time.monotonic() - started < 5
        with pytest.raises(ProcessLookupError):
            os.kill(worker, 0)  # the worker that ran away is gone
        assert typesetter.worker_ids() == []
        assert "after" in pdftotext(typesetter.typeset("shows-data.typ", {"text": "after"}))
        assert typesetter.worker_ids() not in ([], [worker])
    finally:
        typesetter.close()


@pytest.mark.parametrize("path", ["/etc/passwd", "../../../../../etc/passwd"])
def test_a_template_reads_nothing_outside_its_folder(typesetter, path):
    with pytest.raises(TypesettingError) as refused:
        typesetter.typeset("reads-a-file.typ", {"path": path})
    assert "root:x:0" not in str(refused.value)
    assert "not found" in str(refused.value) or "outside of the project" in str(refused.value)


def test_a_template_that_imports_a_package_is_refused_before_it_is_compiled(typesetter):
    with pytest.raises(TypesettingError, match="imports a package, which is not allowed"):
        typesetter.typeset("imports-a-package.typ", {})


@pytest.mark.parametrize("name", ["../test_engine.py", "/etc/passwd", "missing.typ",
                                  "shows-data.typ/.."])
def test_only_a_template_of_the_folder_can_be_named(typesetter, name):
    with pytest.raises(TypesettingError, match="no template called"):
        typesetter.typeset(name, {})


def test_a_mistake_in_a_template_is_reported_with_its_line(typesetter):
    with pytest.raises(TypesettingError, match=r"broken.typ:4") as refused:
        typesetter.typeset("broken.typ", {})
    assert "cannot add ratio and integer" in str(refused.value)
    # The worker answered and goes on.
    assert "still" in pdftotext(typesetter.typeset("shows-data.typ", {"text": "still"}))


def test_every_document_is_tagged_declares_pdf_ua_1_and_uses_liberation_sans_only(typesetter):
    data = typesetter.typeset("shows-data.typ", {"text": "Hello"})
    info = pdfinfo(data)
    assert info["Tagged"] == "yes"
    assert info["Title"] == "Shows its data"
    metadata = xmp(data)
    assert "<pdfuaid:part>1</pdfuaid:part>" in metadata
    assert "<rdf:li>en-GB</rdf:li>" in metadata
    fonts = {name.split("+", 1)[1] for name in _font_names(data)}
    assert fonts <= {"LiberationSans", "LiberationSans-Bold"}, fonts


def _font_names(data: bytes) -> set[str]:
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return {char["fontname"] for page in pdf.pages for char in page.chars}


def test_threads_share_the_workers_each_document_taking_one_of_its_own(typesetter):
    with ThreadPoolExecutor(4) as threads:
        pdfs = list(threads.map(
            lambda n: typesetter.typeset("shows-data.typ", {"text": f"Document {n}"}),
            range(8)))
    assert [f"Document {n}" in pdftotext(pdf) for n, pdf in enumerate(pdfs)] == [True] * 8
    assert 1 <= len(typesetter.worker_ids()) <= 2


def test_the_same_data_makes_the_same_bytes(typesetter):
    from datetime import UTC, datetime

    moment = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    first = typesetter.typeset("shows-data.typ", {"text": "Same"}, created=moment)
    assert typesetter.typeset("shows-data.typ", {"text": "Same"}, created=moment) == first
    assert pdfinfo(first)["CreationDate"].startswith("Sun Nov 22 12:00:00 2026")


def test_without_liberation_sans_the_start_stops_saying_what_to_install(tmp_path):
    with pytest.raises(FontsMissing, match=r"install Debian's fonts-liberation package"):
        find_font_files((tmp_path,), ask_fontconfig=False)
    # With the four files in a folder, that folder is used.
    for name in FILE_NAMES:
        (tmp_path / name).write_bytes(b"")
    assert find_font_files((tmp_path,), ask_fontconfig=False) == tuple(
        tmp_path / name for name in FILE_NAMES)


def test_the_templates_folder_holds_templates_only_and_none_imports_a_package():
    files = sorted(path.name for path in TEMPLATES.iterdir())
    assert files and all(name.endswith(".typ") for name in files), files
    for path in TEMPLATES.iterdir():
        source = path.read_text(encoding="utf-8")
        assert "@preview/" not in source and "@local/" not in source, path.name
        assert "eval(" not in source, path.name  # no data is ever evaluated as code
