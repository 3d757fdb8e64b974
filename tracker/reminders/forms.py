"""The form for pausing reminders."""

from __future__ import annotations

from flask_wtf import FlaskForm

from tracker.forms import GovDateField


class PauseForm(FlaskForm):
    """Pause reminders until an end date; a blank date turns them back on."""

    until = GovDateField("End date", required=False)
