"""Helpers for comparing an extraction with a labelled document's expected file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

# The real documents live beside the repository, in ../shared (not committed with the code).
SHARED = Path(__file__).resolve().parents[4] / "shared"
NOT_HERE = "the real documents are not in this checkout"
# Fields of the expected files that describe the file rather than what is read from it.
NOT_COMPARED = {"source_file", "source_url", "notes"}


def labelled(folder: Path) -> list[Any]:
    """One pytest parameter per expected file in `folder`, or one skipped parameter saying
    why there are none."""
    if not folder.is_dir():
        return [
            pytest.param(None, marks=pytest.mark.skip(reason=f"{folder} not found: {NOT_HERE}"))
        ]
    return [pytest.param(path, id=path.stem) for path in sorted(folder.glob("*.json"))]


def differences(got: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """Every field of the expected file where the extraction differs from it, described."""
    found = []
    for field, want in expected.items():
        if field in NOT_COMPARED:
            continue
        if field not in got:
            found.append(f"{field}: missing from the extraction")
            continue
        have = got[field]
        if have == want:
            continue
        if isinstance(want, list) and isinstance(have, list):
            found.append(f"{field}: {len(have)} items, expected {len(want)}")
            for index in range(max(len(have), len(want))):
                mine = have[index] if index < len(have) else "(none)"
                theirs = want[index] if index < len(want) else "(none)"
                if mine != theirs:
                    found.append(f"  [{index}] got      {mine!r}\n       expected {theirs!r}")
        else:
            found.append(f"{field}: got {have!r}, expected {want!r}")
    # Only the keys each expected file holds are compared: the files of more/ hold the
    # finding lists only, and a field of ours that no file has (`bodies`, `warnings`) is no
    # difference.
    return found
