"""The importer checking itself: places where a document may hold more findings than read.

A reviewer must never be silently short of findings. Two signs are looked for in what the
list reader found:

- a finding heading with nothing read under it, unless the document says there are none
  ("There are no priority actions …"), points back to an earlier inspection's findings, or
  the heading only stands over other finding headings ("What does the local authority need
  to improve?" over "Priority and immediate action");
- a numbered list whose paragraph numbers jump (1 to 9, then 20).

Each warning names the heading and the line of the text where the shortfall is.
"""

from __future__ import annotations

from tracker.inspections.importer.lists import Lists
from tracker.inspections.importer.model import ShortfallWarning
from tracker.inspections.importer.text import Block


def shortfalls(blocks: list[Block], lists: Lists) -> list[ShortfallWarning]:
    """Every place where the document may hold findings that were not read, in order."""
    warnings = []
    for read in lists.reads:
        heading = blocks[read.heading]
        if read.outcome == "empty":
            warnings.append(
                ShortfallWarning(
                    "empty", read.category, heading.text, heading.line, body=read.body
                )
            )
            continue
        numbered = [item for item in read.items if item.number.isdigit()]
        for before, item in zip(numbered, numbered[1:], strict=False):
            if int(item.number) != int(before.number) + 1:
                warnings.append(
                    ShortfallWarning(
                        "gap", read.category, heading.text, blocks[item.blocks[0]].line,
                        after=before.number, number=item.number, body=read.body,
                    )
                )
    return warnings
