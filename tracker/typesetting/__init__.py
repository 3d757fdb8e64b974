"""PDFs, typeset by Typst from fixed templates in `templates/` and plain data.

Every PDF the tracker makes (the progress report, the evidence pack's items and index) is
`typeset(template, data)`: the data goes to the template as JSON and is read there with
`json(bytes(sys.inputs.data))`, so text people typed is only ever text, never Typst markup
(which could read files, fail the compile or loop). The compile runs in a worker process
with a time limit (`engine.py`); the documents are tagged and declare PDF/UA-1.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from tracker.typesetting.engine import (
    Typesetter,
    TypesettingError,
    TypesettingTimedOut,
)
from tracker.typesetting.fonts import FontsMissing, font_files

TEMPLATES = Path(__file__).resolve().parent / "templates"
# One worker per process: a web worker and the scheduler each make one document at a time.
WORKERS = 1

__all__ = ["TEMPLATES", "FontsMissing", "Typesetter", "TypesettingError",
           "TypesettingTimedOut", "font_files", "typeset", "typesetter"]


@cache
def typesetter() -> Typesetter:
    """The tracker's typesetter: its own templates, one worker."""
    return Typesetter(TEMPLATES, workers=WORKERS)


def typeset(template: str, data: Mapping[str, Any], *, created: datetime | None = None) -> bytes:
    """The PDF of one of the tracker's templates (`report.typ` …) with this data."""
    return typesetter().typeset(template, data, created=created)
