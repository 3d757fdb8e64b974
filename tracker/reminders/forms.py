"""The form for pausing reminders."""

from __future__ import annotations

from tracker.forms import GovDateField, TrackerForm


class PauseForm(TrackerForm):
    """Pause reminders until an end date; a blank date turns them back on."""

    until = GovDateField("End date", required=False)
