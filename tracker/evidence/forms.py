"""Asking for an evidence pack: the day it shows things as they stood, and which items."""

from __future__ import annotations

from tracker.forms import ChoiceSelectField, GovDateField, TrackerForm


class PackForm(TrackerForm):
    """The day (not in the future) and the scope: every item, or one inspection's."""

    as_of = GovDateField("Date", description="For example, 31 3 2027")
    # Choices are set by the view: "" for every item, else an inspection's id.
    scope = ChoiceSelectField("Items", default="")
