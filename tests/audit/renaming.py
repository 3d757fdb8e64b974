"""Renaming the words the tracker shows, as a later version might: every label of the
statuses, RAGs and priorities, and the way dates are written. The history holds values, not
words, so nothing worked out from it may change; only the words shown follow."""

from __future__ import annotations

import sys
from datetime import date, datetime

from tracker import formatting
from tracker.items.models import ActionStatus, ItemStatus, Priority, Rag

RENAMED = (ActionStatus, ItemStatus, Priority, Rag)


def renamed_label(member) -> str:
    return f"[{member.value.upper()}]"


def renamed_date(value: date | datetime | None) -> str:
    """2027/01/15 where the tracker writes "15 January 2027"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(formatting.UK).date()
    return f"{value:%Y/%m/%d}"


def rename_labels_and_dates(monkeypatch) -> None:
    """Every status, RAG and priority label, and the long date format, renamed for the rest of
    the test: wherever a module of the tracker took `long_date` in by name too."""
    for enum_class in RENAMED:
        monkeypatch.setattr(enum_class, "label", property(renamed_label))
    original = formatting.long_date
    for name, module in list(sys.modules.items()):
        if (name == "tracker" or name.startswith("tracker.")) and \
                getattr(module, "long_date", None) is original:
            monkeypatch.setattr(module, "long_date", renamed_date)
